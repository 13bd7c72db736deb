/**
 * Loading a circuit's witness wasm, final zkey and vkey (committed under public/zk/): from disk in Node,
 * by URL in a browser or Web Worker (default `/zk/` of the page's origin, where the app and the test
 * harness serve public/). Loaded once per circuit and kept in memory (the downscale zkey is ~38 MB).
 */
export type CircuitArtifacts = { wasm: Uint8Array; zkey: Uint8Array; vkey: unknown };

// A Web Worker has importScripts and no window; Node has neither (some bundlers define `process` in browsers).
const inWorker = typeof (globalThis as { importScripts?: unknown }).importScripts === "function";
const isNode = typeof process !== "undefined" && !!process.versions?.node && typeof window === "undefined" && !inWorker;

let baseUrl: string | undefined;
/** Where the browser loads zk artifacts from (a URL ending in /); default `/zk/` on this origin. */
export function setZkBaseUrl(url: string): void {
  baseUrl = url.endsWith("/") ? url : `${url}/`;
  cache.clear();
}

const cache = new Map<string, Promise<CircuitArtifacts>>();

async function fromDisk(name: string): Promise<CircuitArtifacts> {
  const { readFile } = await import("node:fs/promises");
  // A file in public/zk/ (the names below resolve beside it): a directory URL here breaks the app's build,
  // since Turbopack resolves `new URL("<literal>", import.meta.url)` as an asset and cannot resolve a directory.
  const dir = new URL("../../public/zk/poseidon-constants.json", import.meta.url);
  const [wasm, zkey, vkey] = await Promise.all([
    readFile(new URL(`${name}.wasm`, dir)),
    readFile(new URL(`${name}.zkey`, dir)),
    readFile(new URL(`${name}.vkey.json`, dir), "utf8"),
  ]);
  return { wasm: new Uint8Array(wasm), zkey: new Uint8Array(zkey), vkey: JSON.parse(vkey) };
}

async function fromUrl(name: string): Promise<CircuitArtifacts> {
  const base = baseUrl ?? new URL("/zk/", globalThis.location.href).href;
  const get = async (file: string) => {
    const response = await fetch(new URL(file, base));
    if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
    return response;
  };
  const [wasm, zkey, vkey] = await Promise.all([
    get(`${name}.wasm`).then((r) => r.arrayBuffer()),
    get(`${name}.zkey`).then((r) => r.arrayBuffer()),
    get(`${name}.vkey.json`).then((r) => r.json()),
  ]);
  return { wasm: new Uint8Array(wasm), zkey: new Uint8Array(zkey), vkey };
}

export function loadArtifacts(name: string): Promise<CircuitArtifacts> {
  let found = cache.get(name);
  if (!found) {
    found = isNode ? fromDisk(name) : fromUrl(name);
    // A failed load is not cached: the next run retries.
    found.catch(() => cache.delete(name));
    cache.set(name, found);
  }
  return found;
}

type PoseidonConstantsJson = { C: string[][]; M: string[][][] };
let poseidonConstants: Promise<PoseidonConstantsJson> | undefined;

/** circomlibjs's Poseidon constants (public/zk/poseidon-constants.json), from disk or by URL like the rest. */
export function loadPoseidonConstants(): Promise<PoseidonConstantsJson> {
  if (!poseidonConstants) {
    const loading: Promise<PoseidonConstantsJson> = isNode
      ? import("node:fs/promises").then(async ({ readFile }) =>
          JSON.parse(await readFile(new URL("../../public/zk/poseidon-constants.json", import.meta.url), "utf8")),
        )
      : fetch(new URL("poseidon-constants.json", baseUrl ?? new URL("/zk/", globalThis.location.href).href)).then((r) => {
          if (!r.ok) throw new Error(`poseidon-constants.json: HTTP ${r.status}`);
          return r.json();
        });
    loading.catch(() => (poseidonConstants = undefined));
    poseidonConstants = loading;
  }
  return poseidonConstants;
}

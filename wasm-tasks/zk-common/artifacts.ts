/**
 * Loading a circuit's witness wasm, final zkey and vkey (committed under public/zk/): from disk in Node,
 * by URL in a browser or Web Worker (default `/zk/` of the page's origin, where the app and the test
 * harness serve public/). Loaded once per circuit and kept in memory (the downscale zkey is ~38 MB).
 * Where the server has a `manifest.json` (the app does: app/zk/[file]/route.ts), files are fetched by their
 * content-addressed names (cached for a year; the gzip copy, inflated here) and checked against their SHA-256; a
 * server without
 * one (the e2e harness) is asked for the plain names. `onArtifactProgress` reports every download byte by byte.
 */
import { type DownloadProgress, download } from "./download.ts";
import type { ZkManifest } from "./manifest.ts";
export type CircuitArtifacts = { wasm: Uint8Array; zkey: Uint8Array; vkey: unknown };

// A Web Worker has importScripts and no window; Node has neither (some bundlers define `process` in browsers).
const inWorker = typeof (globalThis as { importScripts?: unknown }).importScripts === "function";
const isNode = typeof process !== "undefined" && !!process.versions?.node && typeof window === "undefined" && !inWorker;

let baseUrl: string | undefined;
/** Where the browser loads zk artifacts from (a URL ending in /); default `/zk/` on this origin. */
export function setZkBaseUrl(url: string): void {
  baseUrl = url.endsWith("/") ? url : `${url}/`;
  cache.clear();
  manifest = undefined;
}

const cache = new Map<string, Promise<CircuitArtifacts>>();

export type ArtifactProgress = DownloadProgress & { file: string };
const progressListeners = new Set<(p: ArtifactProgress) => void>();
/** Byte-level progress of every artifact download in this thread (e.g. for a progress bar); returns the unsubscribe. */
export function onArtifactProgress(listener: (p: ArtifactProgress) => void): () => void {
  progressListeners.add(listener);
  return () => progressListeners.delete(listener);
}

let manifest: Promise<ZkManifest | undefined> | undefined;
function loadManifest(base: string): Promise<ZkManifest | undefined> {
  manifest ??= fetch(new URL("manifest.json", base), { cache: "no-cache" }).then(
    (r) => (r.ok ? (r.json() as Promise<ZkManifest>) : undefined),
    () => undefined,
  );
  manifest.catch(() => (manifest = undefined));
  return manifest;
}

/** One artifact by URL: its content-addressed name when the server lists it, verified, with progress. */
async function fetchArtifact(file: string, base: string): Promise<Uint8Array> {
  const entry = (await loadManifest(base))?.files[file];
  const report = (p: DownloadProgress) => {
    for (const l of progressListeners) l({ file, ...p });
  };
  const gzip = entry && typeof DecompressionStream !== "undefined";
  const loading = !entry
    ? download(new URL(file, base), { onProgress: report })
    : gzip
      ? download(new URL(entry.gzip.url, base), { gzip: true, total: entry.gzip.bytes, size: entry.bytes, sha256: entry.sha256, onProgress: report })
      : download(new URL(entry.url, base), { size: entry.bytes, sha256: entry.sha256, onProgress: report });
  return loading.catch((e: unknown) => Promise.reject(new Error(`${file}: ${e instanceof Error ? e.message : String(e)}`)));
}
const json = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

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
  const [wasm, zkey, vkey] = await Promise.all([fetchArtifact(`${name}.wasm`, base), fetchArtifact(`${name}.zkey`, base), fetchArtifact(`${name}.vkey.json`, base)]);
  return { wasm, zkey, vkey: json(vkey) };
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
      : fetchArtifact("poseidon-constants.json", baseUrl ?? new URL("/zk/", globalThis.location.href).href).then((b) => json(b) as PoseidonConstantsJson);
    loading.catch(() => (poseidonConstants = undefined));
    poseidonConstants = loading;
  }
  return poseidonConstants;
}

/**
 * libvips compiled to WebAssembly (wasm-vips), one warm instance per thread: its first operation costs 0.2-0.4 s of
 * compile time, and an instance is safe to reuse after a failed operation (libvips reports bad input as an error,
 * it does not trap).
 *
 * Determinism: the wasm build is pinned by the package version (one vips.wasm for Node and every browser; wasm SIMD
 * is deterministic), the jxl/heif side modules are never loaded, libvips's operation cache is off, and its thread
 * pool is pinned to one worker (`concurrency(1)`), so no output can depend on how work was split.
 *
 * wasm-vips is an emscripten pthreads build: its memory is a SharedArrayBuffer, which a browser only gives a
 * cross-origin-isolated page (COOP same-origin + COEP require-corp; the app and the test harness send both). The
 * browser loads it from where `node_modules/` is served (the app serves a copy in public/node_modules/), never
 * bundled: emscripten starts its pthread Workers from its own file's URL.
 */
import type VipsFactory from "wasm-vips";
import { TaskError } from "../errors.ts";

export type Vips = Awaited<ReturnType<typeof VipsFactory>>;

const isNode = typeof process === "object" && typeof process.versions?.node === "string";
const LIB_DIR = "node_modules/wasm-vips/lib/";
let baseUrl: string | undefined;
let instance: Promise<Vips> | undefined;

/** Browser only: where `node_modules/wasm-vips/...` is served from (default: the page origin). */
export function setVipsBaseUrl(url: string): void {
  baseUrl = url.endsWith("/") ? url : `${url}/`;
  instance = undefined;
}

/**
 * Emscripten module options for both runtimes: no jxl/heif side modules, and no warnings on stderr (a corrupt input
 * makes libvips print one per failed tile before the operation fails with the same news as an error).
 */
export const MODULE_OPTIONS = {
  dynamicLibraries: [] as string[],
  preRun: [(module: { ENV: Record<string, string> }) => void (module.ENV.VIPS_WARNING = "0")],
};

export function loadVips(): Promise<Vips> {
  if (!instance) {
    const pending = (isNode ? loadInNode() : loadInBrowser()).then(
      (vips) => {
        vips.concurrency(1);
        vips.Cache.max(0);
        return vips;
      },
      // Typed apart from decode failures: a library that does not load says nothing about the input.
      (error: unknown) => {
        throw new TaskError("unavailable", `libvips could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      },
    );
    // A failed load must not poison the cache: the next run retries.
    pending.catch(() => {
      if (instance === pending) instance = undefined;
    });
    instance = pending;
  }
  return instance;
}

async function loadInNode(): Promise<Vips> {
  // Kept out of browser bundles: the specifier is not a literal a bundler could follow.
  const nodeModule = new URL("./vips-node.ts", import.meta.url).href;
  const { createVips } = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ nodeModule)) as typeof import("./vips-node.ts");
  return createVips();
}

/** Why libvips cannot run here, or undefined: a browser page must be cross-origin isolated (SharedArrayBuffer). */
export function vipsUnavailable(where: { node: boolean; isolated: boolean } = { node: isNode, isolated: globalThis.crossOriginIsolated === true }): string | undefined {
  if (where.node || where.isolated) return undefined;
  return "this page is not cross-origin isolated (it needs COOP same-origin and COEP require-corp), so it has no SharedArrayBuffer for libvips";
}

async function loadInBrowser(): Promise<Vips> {
  const unavailable = vipsUnavailable();
  if (unavailable) throw new Error(unavailable);
  const root = baseUrl ?? new URL("/", globalThis.location.href).href;
  const url = new URL(`${LIB_DIR}vips-es6.js`, root).href;
  const { default: Vips } = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ url)) as { default: typeof VipsFactory };
  // vips.wasm is fetched by emscripten itself; check the response first so a missing file says so (emscripten's
  // own failure is an abort with a generic message).
  const wasmUrl = new URL(`${LIB_DIR}vips.wasm`, root).href;
  const head = await fetch(wasmUrl, { method: "HEAD" });
  if (!head.ok) throw new Error(`${LIB_DIR}vips.wasm: HTTP ${head.status}`);
  return Vips({ ...MODULE_OPTIONS, locateFile: (file: string) => new URL(`${LIB_DIR}${file}`, root).href } as never);
}

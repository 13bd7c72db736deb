/**
 * Browser engine: @ffmpeg/ffmpeg runs the core in its own module Worker (nested inside the
 * task worker, or beside the page). Every asset comes from the origin that served the app,
 * never a CDN: by default the package files under /node_modules/ (the e2e harness serves
 * node_modules/, the app a copy in public/node_modules/); `setFfmpegAssetUrls` points elsewhere.
 *
 * The FFmpeg class itself is imported from its served file at run time, not bundled: a bundler
 * cannot follow its `new Worker(new URL(classWorkerURL, import.meta.url))` (Turbopack,
 * vercel/next.js#72397), and loaded this way every line of ffmpeg's JavaScript that runs is a
 * file the tab's code check (code-cid-browser.ts) has hashed.
 */
import type { FFmpeg } from "@ffmpeg/ffmpeg";
import type { FfmpegEngine } from "./engine.ts";

export type FfmpegAssetUrls = {
  /** @ffmpeg/ffmpeg's ESM classes.js (the FFmpeg class; it imports const.js, utils.js and errors.js beside it). */
  classURL: string;
  /** @ffmpeg/core's ESM ffmpeg-core.js. */
  coreURL: string;
  /** The 32 MB ffmpeg-core.wasm. */
  wasmURL: string;
  /**
   * @ffmpeg/ffmpeg's own worker.js (ESM, beside const.js and errors.js). Given explicitly: a
   * copy of the class anywhere else than beside it (a bundle) would look for a worker.js that
   * does not exist, and load() would never settle.
   */
  classWorkerURL: string;
};

let assetUrls: FfmpegAssetUrls | undefined;

export function setFfmpegAssetUrls(urls: FfmpegAssetUrls): void {
  assetUrls = urls;
}

/** `base`: where `node_modules/` is served from (same meaning as image-resize's setCodecBaseUrl). */
export function defaultFfmpegAssetUrls(base: string = new URL("/", globalThis.location.href).href): FfmpegAssetUrls {
  const root = base.endsWith("/") ? base : `${base}/`;
  return {
    classURL: new URL("node_modules/@ffmpeg/ffmpeg/dist/esm/classes.js", root).href,
    coreURL: new URL("node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js", root).href,
    wasmURL: new URL("node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm", root).href,
    classWorkerURL: new URL("node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js", root).href,
  };
}

export async function createBrowserEngine(loadSignal: AbortSignal): Promise<FfmpegEngine> {
  const { classURL, ...urls } = assetUrls ?? defaultFfmpegAssetUrls();
  const { FFmpeg: FFmpegClass } = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ classURL)) as { FFmpeg: typeof FFmpeg };
  const ffmpeg = new FFmpegClass();
  const onAbort = () => ffmpeg.terminate();
  loadSignal.addEventListener("abort", onAbort, { once: true });
  try {
    await ffmpeg.load(urls);
  } catch (error) {
    ffmpeg.terminate();
    throw error;
  } finally {
    loadSignal.removeEventListener("abort", onAbort);
  }
  return {
    writeFile: async (path, data) => {
      const dir = path.slice(0, path.lastIndexOf("/"));
      if (dir && !(await ffmpeg.listDir("/")).some((n) => `/${n.name}` === dir && n.isDir)) await ffmpeg.createDir(dir);
      // The copy is transferred to the ffmpeg worker; the caller keeps its input.
      await ffmpeg.writeFile(path, data.slice());
    },
    readFile: async (path) => {
      const data = await ffmpeg.readFile(path);
      if (typeof data === "string") throw new Error("ffmpeg returned text for a binary file");
      return data;
    },
    exec: (args) => ffmpeg.exec(args),
    ffprobe: (args) => ffmpeg.ffprobe(args),
    onLog: (listener) => ffmpeg.on("log", listener),
    onProgress: (listener) => ffmpeg.on("progress", listener),
    terminate: () => ffmpeg.terminate(),
  };
}

/**
 * Browser engine: @ffmpeg/ffmpeg runs the core in its own module Worker (nested inside the
 * task worker, or beside the page). Every asset comes from the origin that served the app,
 * never a CDN: by default the package files under /node_modules/, which the static server
 * whitelists; `setFfmpegAssetUrls` points elsewhere (e.g. a copy under public/).
 */
import { FFmpeg } from "@ffmpeg/ffmpeg";
import type { FfmpegEngine } from "./engine.ts";

export type FfmpegAssetUrls = {
  /** @ffmpeg/core's ESM ffmpeg-core.js. */
  coreURL: string;
  /** The 32 MB ffmpeg-core.wasm. */
  wasmURL: string;
  /**
   * @ffmpeg/ffmpeg's own worker.js (ESM, beside const.js and errors.js). Must be given: once
   * the app is bundled, the library's default `new URL("./worker.js", import.meta.url)` points
   * at a file that does not exist and load() never settles.
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
    coreURL: new URL("node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js", root).href,
    wasmURL: new URL("node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm", root).href,
    classWorkerURL: new URL("node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js", root).href,
  };
}

export async function createBrowserEngine(loadSignal: AbortSignal): Promise<FfmpegEngine> {
  const ffmpeg = new FFmpeg();
  const onAbort = () => ffmpeg.terminate();
  loadSignal.addEventListener("abort", onAbort, { once: true });
  try {
    await ffmpeg.load(assetUrls ?? defaultFfmpegAssetUrls());
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

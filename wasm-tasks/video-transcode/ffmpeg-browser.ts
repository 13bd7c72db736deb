/**
 * An ffmpeg core in a browser: @ffmpeg/ffmpeg runs it in its own module Worker (nested inside the task worker, or
 * beside the page). Every asset comes from the origin that served the app, never a CDN; which core it is (and so
 * which asset URLs) is the caller's (video-transcode/engine-browser.ts, video-transcode-2/engine-browser.ts).
 *
 * The FFmpeg class itself is imported from its served file at run time, not bundled: a bundler cannot follow its
 * `new Worker(new URL(classWorkerURL, import.meta.url))` (Turbopack, vercel/next.js#72397), and loaded this way every
 * line of ffmpeg's JavaScript that runs is a file the tab's code check (code-cid-browser.ts) has hashed.
 */
import type { FFmpeg } from "@ffmpeg/ffmpeg";
import type { FfmpegEngine } from "./engine.ts";

export type FfmpegAssetUrls = {
  /** @ffmpeg/ffmpeg's ESM classes.js (the FFmpeg class; it imports const.js, utils.js and errors.js beside it). */
  classURL: string;
  /** The core's ESM ffmpeg-core.js. */
  coreURL: string;
  /** The core's 32 MB ffmpeg-core.wasm. */
  wasmURL: string;
  /** The multi-thread core's pthread script (ffmpeg-core.worker.js); the single-thread core has none. */
  workerURL?: string;
  /**
   * @ffmpeg/ffmpeg's own worker.js (ESM, beside const.js and errors.js). Given explicitly: a copy of the class
   * anywhere else than beside it (a bundle) would look for a worker.js that does not exist, and load() would never
   * settle.
   */
  classWorkerURL: string;
};

/** `base` ends with "/": where `node_modules/` is served from. */
export const ffmpegClassUrls = (base: string) => ({
  classURL: new URL("node_modules/@ffmpeg/ffmpeg/dist/esm/classes.js", base).href,
  classWorkerURL: new URL("node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js", base).href,
});

/** The page's origin, or `base` with a trailing "/". */
export const servedRoot = (base: string = new URL("/", globalThis.location.href).href) => (base.endsWith("/") ? base : `${base}/`);

export async function createBrowserEngine(loadSignal: AbortSignal, { classURL, ...urls }: FfmpegAssetUrls): Promise<FfmpegEngine> {
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
  const listDir = async (path: string) => (await ffmpeg.listDir(path)).map((n) => n.name).filter((n) => n !== "." && n !== "..");
  return {
    writeFile: async (path, data) => {
      const dir = path.slice(0, path.lastIndexOf("/"));
      if (dir && !(await listDir("/")).includes(dir.slice(1))) await ffmpeg.createDir(dir);
      // The copy is transferred to the ffmpeg worker; the caller keeps its input.
      await ffmpeg.writeFile(path, data.slice());
    },
    readFile: async (path) => {
      const data = await ffmpeg.readFile(path);
      if (typeof data === "string") throw new Error("ffmpeg returned text for a binary file");
      return data;
    },
    deleteFile: async (path) => void (await ffmpeg.deleteFile(path)),
    listDir,
    exec: (args) => ffmpeg.exec(args),
    ffprobe: (args) => ffmpeg.ffprobe(args),
    onLog: (listener) => {
      ffmpeg.on("log", listener);
      return () => ffmpeg.off("log", listener);
    },
    onProgress: (listener) => {
      ffmpeg.on("progress", listener);
      return () => ffmpeg.off("progress", listener);
    },
    terminate: () => ffmpeg.terminate(),
  };
}

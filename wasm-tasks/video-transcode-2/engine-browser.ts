/**
 * Browser engine of video-transcode@2: @ffmpeg/core-mt through ../video-transcode/ffmpeg-browser.ts. Its pthreads are
 * Web Workers on one SharedArrayBuffer, so the page must be cross-origin isolated. Files come from the served
 * node_modules/ of the page's origin (or `base`).
 */
import type { FfmpegEngine } from "../video-transcode/engine.ts";
import { type FfmpegAssetUrls, createBrowserEngine as createEngine, ffmpegClassUrls, servedRoot } from "../video-transcode/ffmpeg-browser.ts";

export function mtAssetUrls(base?: string): FfmpegAssetUrls {
  const root = servedRoot(base);
  const file = (name: string) => new URL(`node_modules/@ffmpeg/core-mt/dist/esm/${name}`, root).href;
  return { ...ffmpegClassUrls(root), coreURL: file("ffmpeg-core.js"), wasmURL: file("ffmpeg-core.wasm"), workerURL: file("ffmpeg-core.worker.js") };
}

export const createBrowserEngine = (loadSignal: AbortSignal): Promise<FfmpegEngine> => createEngine(loadSignal, mtAssetUrls());

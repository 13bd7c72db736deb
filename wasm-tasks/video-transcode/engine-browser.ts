/**
 * Browser engine of video-transcode: the single-thread @ffmpeg/core through ffmpeg-browser.ts. By default every file
 * comes from the package files under /node_modules/ (the e2e harness serves node_modules/, the app a copy in
 * public/node_modules/); `setFfmpegAssetUrls` points elsewhere.
 */
import type { FfmpegEngine } from "./engine.ts";
import { type FfmpegAssetUrls, createBrowserEngine as createEngine, ffmpegClassUrls, servedRoot } from "./ffmpeg-browser.ts";

export type { FfmpegAssetUrls } from "./ffmpeg-browser.ts";

let assetUrls: FfmpegAssetUrls | undefined;

export function setFfmpegAssetUrls(urls: FfmpegAssetUrls): void {
  assetUrls = urls;
}

/** `base`: where `node_modules/` is served from (same meaning as image-resize's setCodecBaseUrl). */
export function defaultFfmpegAssetUrls(base?: string): FfmpegAssetUrls {
  const root = servedRoot(base);
  const { classURL, classWorkerURL } = ffmpegClassUrls(root);
  return {
    classURL,
    coreURL: new URL("node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js", root).href,
    wasmURL: new URL("node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm", root).href,
    classWorkerURL,
  };
}

export const createBrowserEngine = (loadSignal: AbortSignal): Promise<FfmpegEngine> => createEngine(loadSignal, assetUrls ?? defaultFfmpegAssetUrls());

/**
 * video-transcode: H.264/MP4 transcode with ffmpeg.wasm (@ffmpeg/core 0.12.10, single thread).
 *
 * Determinism: the same core wasm runs in every browser and in Node, always with the argument
 * list `transcodeArgs` builds (bit-exact flags, one thread, yuv420p, x264's version SEI
 * removed). A fresh ffmpeg instance per run means no state carries over between tasks.
 *
 * The multi-thread core is video-transcode@2 (wasm-tasks/video-transcode-2/): x264 with frame threads gives other
 * bytes, so it is a type of its own.
 */
import type { CostEstimate, InputInfo, RunOptions, TaskType } from "../task-type.ts";
import { toWorkModel } from "../calibration.ts";
import type { EngineFactory } from "./engine.ts";
import { LIMITS, transcodeArgs, videoTranscodeSpecSchema, type VideoTranscodeSpec } from "./spec.ts";
import { DEV_PIXELS_PER_SECOND, checkVideoInput, estimateTranscodeCost, isNode, runTranscode, type Transcoder } from "./transcode.ts";

export { videoTranscodeSpecSchema, transcodeArgs, LIMITS, type VideoTranscodeSpec } from "./spec.ts";
export { LOAD_TIMEOUT_MS, DEFAULT_RUN_TIMEOUT_MS, DEV_PIXELS_PER_SECOND } from "./transcode.ts";

let engineFactory: EngineFactory | undefined;

/** Tests and benches may swap the engine (e.g. to force the Node one); production never does. */
export function setEngineFactory(factory: EngineFactory | undefined): void {
  engineFactory = factory;
}

async function defaultEngineFactory(): Promise<EngineFactory> {
  if (isNode) {
    // Kept out of browser bundles: the specifier is not a literal esbuild could follow.
    const nodeModule = new URL("./engine-node.ts", import.meta.url).href;
    const { createNodeEngine } = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ nodeModule)) as typeof import("./engine-node.ts");
    return createNodeEngine;
  }
  const browser = await import("./engine-browser.ts");
  if (assetBaseUrl) browser.setFfmpegAssetUrls(browser.defaultFfmpegAssetUrls(assetBaseUrl));
  return browser.createBrowserEngine;
}

let assetBaseUrl: string | undefined;

/**
 * Browser only: where `node_modules/` is served from (same meaning as image-resize's
 * setCodecBaseUrl). Default: the page's origin.
 */
export function setFfmpegAssetBaseUrl(base: string): void {
  assetBaseUrl = base;
}

/** Loading the core (~0.5 s) is paid by every run. */
export const estimateVideoCost = (info: InputInfo, spec: VideoTranscodeSpec): CostEstimate => estimateTranscodeCost(info, spec, DEV_PIXELS_PER_SECOND, 0.5);

/** A fresh core per run, ended when the run ends. */
const transcoder: Transcoder<VideoTranscodeSpec> = {
  schema: videoTranscodeSpecSchema,
  args: (spec) => transcodeArgs(spec),
  acquire: async (loadSignal) => (engineFactory ?? (await defaultEngineFactory()))(loadSignal),
  release: (engine) => engine.terminate(),
};

export const videoTranscode: TaskType<VideoTranscodeSpec> = {
  name: "video-transcode",
  specSchema: videoTranscodeSpecSchema,
  maxInputBytes: LIMITS.maxInputBytes,
  checkInput: checkVideoInput,
  run: (input: Uint8Array, spec: VideoTranscodeSpec, options?: RunOptions) => runTranscode(transcoder, input, spec, options),
  estimateCost: estimateVideoCost,
  // Loading the core, and a tenth of a second per MiB: far below any clip (a MiB is under a second of 8 Mbit/s
  // video, which costs about a second to transcode at the fastest preset and smallest size).
  workModel: toWorkModel(0.5, 0.1),
};

export default videoTranscode;

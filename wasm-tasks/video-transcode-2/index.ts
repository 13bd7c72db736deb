/**
 * video-transcode@2: video-transcode's H.264/MP4 transcode on ffmpeg.wasm's multi-thread core (@ffmpeg/core-mt
 * 0.12.10), x264 with the frame threads the spec names.
 *
 * Determinism: at constant quality (crf), x264's output depends on its thread count, never on how the threads are
 * scheduled, so the spec pins the count (`threads`, 2 for now) and every runtime runs exactly that many, whatever its
 * cores: a 1-core tab runs it slower but to the same bytes. A bitrate does not stay repeatable with
 * frame threads, so version 2 takes crf only (`rate`). The same core wasm runs in a browser (pthreads are Web Workers on a
 * SharedArrayBuffer, so the page must be cross-origin isolated) and in Node (pthreads are worker_threads,
 * node-worker.mjs). Golden vectors give the same CIDs in both (wasm-tasks/video-transcode-2/*.test.ts,
 * e2e/tasks-video.spec.ts). Other bytes than version 1's (whose x264 runs one thread), so a type of its own.
 *
 * One core is kept loaded between runs (warm.ts): loading starts 32 pthreads, which costs more than a short clip.
 * The spec, the limits, the probe and the run are version 1's (../video-transcode/transcode.ts).
 */
import { z } from "zod";
import type { CostEstimate, InputInfo, RunOptions, TaskType } from "../task-type.ts";
import { TaskError } from "../errors.ts";
import { toWorkModel } from "../calibration.ts";
import type { EngineFactory } from "../video-transcode/engine.ts";
import { LIMITS, transcodeArgs, videoTranscodeSpecSchema } from "../video-transcode/spec.ts";
import { DEV_PIXELS_PER_SECOND, checkVideoInput, estimateTranscodeCost, isNode, runTranscode, type Transcoder } from "../video-transcode/transcode.ts";
import { WarmEngine } from "./warm.ts";

/**
 * The thread counts a spec may name. Only 2 for now: 4 threads also gave the same bytes on every run, but on the 2-core
 * development machine they were no faster than 2 (a kept core, the 2 s clip at 360p: 1.18 s against 1.03 s), and no
 * machine with more cores has measured them.
 */
export const THREAD_COUNTS = [2] as const;

/** Version 1's constant-quality rate (crf 16..40): the only rate x264 keeps repeatable with frame threads. */
const crfRate = videoTranscodeSpecSchema.shape.rate.options.find((o) => o.shape.mode.value === "crf")!;

export const videoTranscode2SpecSchema = videoTranscodeSpecSchema.extend({
  /**
   * Constant quality only. A bitrate (x264's VBV: -b:v with -maxrate and -bufsize) plans each frame from the sizes of
   * the frames the other threads have finished by then, so its bytes change from run to run once x264 has more than
   * one thread (measured in Node at 2 and 4 threads). Bitrate tasks stay with version 1.
   */
  rate: crfRate,
  /** x264's thread count (THREAD_COUNTS): part of what the bytes are. */
  threads: z.literal(THREAD_COUNTS),
});

export type VideoTranscode2Spec = z.infer<typeof videoTranscode2SpecSchema>;

/** Why this runtime cannot run the multi-thread core, or undefined. */
export function mtUnavailable(where: { node: boolean; isolated: boolean } = { node: isNode, isolated: globalThis.crossOriginIsolated === true }): string | undefined {
  if (where.node || where.isolated) return undefined;
  return "this page is not cross-origin isolated (it needs COOP same-origin and COEP require-corp), so it has no SharedArrayBuffer for ffmpeg's threads";
}

async function engineFactory(): Promise<EngineFactory> {
  if (isNode) {
    // Kept out of browser bundles: the specifier is not a literal a bundler could follow.
    const nodeModule = new URL("./engine-node.ts", import.meta.url).href;
    return ((await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ nodeModule)) as typeof import("./engine-node.ts")).createNodeEngine;
  }
  const unavailable = mtUnavailable();
  if (unavailable) throw new TaskError("unavailable", unavailable);
  return (await import("./engine-browser.ts")).createBrowserEngine;
}

/** The kept core of this runtime (a task worker, a Node runner thread). */
export const warmCore = new WarmEngine(engineFactory);

/**
 * The CPU the multi-thread core spends per frame (all threads together) relative to version 1's single-thread core,
 * per thread count (bench/video-transcode.ts measures both cores on one clip in one run).
 */
export const MT_CPU_FACTOR: Record<VideoTranscode2Spec["threads"], number> = { 2: 1.03 };
/** Output pixels per CPU-second per thread count and x264 preset: version 1's throughput over MT_CPU_FACTOR. */
const PIXELS_PER_SECOND = Object.fromEntries(
  THREAD_COUNTS.map((threads) => [threads, Object.fromEntries(Object.entries(DEV_PIXELS_PER_SECOND).map(([preset, px]) => [preset, px / MT_CPU_FACTOR[threads]]))]),
) as Record<VideoTranscode2Spec["threads"], typeof DEV_PIXELS_PER_SECOND>;
/** Writing the input and reading the output back; loading the core is paid once per worker, not per task. */
export const FIXED_SECONDS = 0.1;

export const estimateVideoCost2 = (info: InputInfo, spec: VideoTranscode2Spec): CostEstimate =>
  estimateTranscodeCost(info, spec, PIXELS_PER_SECOND[spec.threads], FIXED_SECONDS);

const transcoder: Transcoder<VideoTranscode2Spec> = {
  schema: videoTranscode2SpecSchema,
  args: (spec) => transcodeArgs(spec, undefined, spec.threads),
  acquire: (loadSignal) => warmCore.acquire(loadSignal),
  release: (engine, clean) => warmCore.release(engine, clean),
};

export const videoTranscode2: TaskType<VideoTranscode2Spec> = {
  name: "video-transcode@2",
  specSchema: videoTranscode2SpecSchema,
  maxInputBytes: LIMITS.maxInputBytes,
  unavailable: () => mtUnavailable(),
  checkInput: checkVideoInput,
  run: (input: Uint8Array, spec: VideoTranscode2Spec, options?: RunOptions) => runTranscode(transcoder, input, spec, options),
  estimateCost: estimateVideoCost2,
  // As version 1's: a tenth of a second per MiB, far below any clip; the load is not paid per task.
  workModel: toWorkModel(FIXED_SECONDS, 0.1),
};

export default videoTranscode2;

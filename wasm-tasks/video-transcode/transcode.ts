/**
 * One transcode, as every version of video-transcode runs it: spec and size checks, ffprobe's verdict on the input,
 * the encode with progress, the cancel and the deadline. What differs between versions is the core (and so where an
 * engine comes from and whether it is kept for the next run) and the argument list: a `Transcoder`.
 */
import { z } from "zod";
import { TaskError, throwIfAborted } from "../errors.ts";
import type { CostEstimate, InputInfo, RunOptions } from "../task-type.ts";
import { toCostEstimate } from "../calibration.ts";
import type { FfmpegEngine } from "./engine.ts";
import { CONTAINER_WORDS, sniffContainer } from "./sniff.ts";
import { INPUT_PATH, LIMITS, OUTPUT_PATH, PROBE_PATH, RESOLUTIONS, probeArgs, type VideoTranscodeSpec } from "./spec.ts";

/** Loading compiles 32 MB of wasm: ~0.5 s in Node, a few seconds in a cold browser. */
export const LOAD_TIMEOUT_MS = 60_000;
/** Default bound for one whole run; a 300 s 720p source at `medium` fits in it on a slow laptop. */
export const DEFAULT_RUN_TIMEOUT_MS = 30 * 60_000;

/** Node's main thread or a worker_thread, as opposed to a page or a Web Worker. */
export const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string" && typeof window === "undefined" && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === "undefined";

export type Transcoder<Spec extends VideoTranscodeSpec> = {
  schema: z.ZodType<Spec, unknown>;
  args(spec: Spec): string[];
  /** An engine ready to run: loaded now, or one kept from an earlier run. */
  acquire(loadSignal: AbortSignal): Promise<FfmpegEngine>;
  /** The run is over. `clean`: it ended with its output or with ffmpeg's verdict on the input (not a cancel, a
   *  deadline or a crash), so the engine may serve another run. Awaited before the run returns, so the next run finds
   *  the engine kept. */
  release(engine: FfmpegEngine, clean: boolean): void | Promise<void>;
};

/**
 * ffmpeg.wasm throughput on the development machine: output pixels per CPU-second of one
 * thread, per x264 preset, decode + scale + encode + AAC together (bench/video-transcode.ts,
 * 4 s 640x480 30 fps source to 360p; see BENCHMARKS.md). Decoding is folded in at that
 * source size, so much larger sources are underestimated somewhat.
 */
export const DEV_PIXELS_PER_SECOND: Record<VideoTranscodeSpec["preset"], number> = {
  ultrafast: 8.8e6,
  superfast: 7.4e6,
  veryfast: 6.1e6,
  faster: 4.6e6,
  fast: 3.9e6,
  medium: 3.7e6,
};

type Probe = {
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number }[];
  format?: { format_name?: string; duration?: string };
};

/**
 * The cost of a transcode from its output pixels and the throughput of the core: `pixelsPerSecond` is output pixels
 * per reference CPU-second per x264 preset, decode + scale + encode + AAC together; `fixedSeconds` what every run
 * pays besides (loading the core, for a version that loads one per run).
 */
export function estimateTranscodeCost(
  info: InputInfo,
  spec: VideoTranscodeSpec,
  pixelsPerSecond: Record<VideoTranscodeSpec["preset"], number>,
  fixedSeconds: number,
): CostEstimate {
  const duration = Math.max(info.durationSeconds ?? LIMITS.maxDurationSeconds, 0);
  const height = RESOLUTIONS[spec.resolution];
  const srcAspect = info.width && info.height ? info.width / info.height : 16 / 9;
  const outPixelsPerFrame = Math.round(height * srcAspect) * height;
  return toCostEstimate(fixedSeconds + (duration * spec.fps * outPixelsPerFrame) / pixelsPerSecond[spec.preset]);
}

/** Races `promise` against the run's abort signal; the engine is killed by whoever aborts. */
function guard<T>(promise: Promise<T>, signal: AbortSignal, reason: () => TaskError): Promise<T> {
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(signal.aborted ? reason() : error);
      },
    );
  });
}

function classifyProbe(probe: Probe, log: string): { width: number; height: number; durationSeconds: number } {
  if (/not on whitelist/i.test(log)) {
    throw new TaskError("unsupported-format", `container not accepted: ${lastLine(log)}`);
  }
  if (!probe.format && !probe.streams?.length) {
    throw new TaskError("corrupt-input", `not a readable video: ${lastLine(log) || "ffprobe found no streams"}`);
  }
  const video = probe.streams?.find((s) => s.codec_type === "video");
  if (!video || !video.width || !video.height) {
    throw new TaskError("unsupported-format", `no decodable video stream (format ${probe.format?.format_name ?? "unknown"})`);
  }
  const durationSeconds = Number(probe.format?.duration);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    throw new TaskError("unsupported-format", "the input has no known duration");
  }
  if (durationSeconds > LIMITS.maxDurationSeconds) {
    throw new TaskError("too-large", `duration ${durationSeconds.toFixed(1)} s exceeds ${LIMITS.maxDurationSeconds} s`);
  }
  if (video.width * video.height > LIMITS.maxSourcePixels) {
    throw new TaskError("too-large", `source frame ${video.width}x${video.height} exceeds ${LIMITS.maxSourcePixels} pixels`);
  }
  return { width: video.width, height: video.height, durationSeconds };
}

const lastLine = (log: string) => log.trim().split("\n").at(-1) ?? "";

export async function runTranscode<Spec extends VideoTranscodeSpec>(
  transcoder: Transcoder<Spec>,
  input: Uint8Array,
  rawSpec: Spec,
  options: RunOptions = {},
): Promise<Uint8Array> {
  const parsed = transcoder.schema.safeParse(rawSpec);
  if (!parsed.success) throw new TaskError("invalid-spec", z.prettifyError(parsed.error));
  const spec = parsed.data;
  if (input.byteLength > LIMITS.maxInputBytes) {
    throw new TaskError("too-large", `input is ${input.byteLength} bytes, the limit is ${LIMITS.maxInputBytes}`);
  }
  if (input.byteLength === 0) throw new TaskError("corrupt-input", "the input is empty");
  throwIfAborted(options.signal);

  const report = (ratio: number, phase: string) => options.onProgress?.({ ratio: Math.min(1, Math.max(0, ratio)), phase });
  // One controller ends the run for any reason; `why` says which reason came first.
  const stop = new AbortController();
  let why: TaskError | undefined;
  const end = (error: TaskError) => {
    why ??= error;
    stop.abort();
  };
  const onCancel = () => end(new TaskError("cancelled", "the task was cancelled"));
  options.signal?.addEventListener("abort", onCancel, { once: true });
  const runTimeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const runTimer = setTimeout(() => end(new TaskError("timed-out", `transcode exceeded ${runTimeoutMs} ms`)), runTimeoutMs);
  const reason = () => why ?? new TaskError("cancelled", "the task was cancelled");

  let engine: FfmpegEngine | undefined;
  let clean = false;
  const unsubscribe: (() => void)[] = [];
  try {
    report(0, "load");
    const loadStop = new AbortController();
    const loadTimer = setTimeout(() => {
      why ??= new TaskError("timed-out", `loading ffmpeg exceeded ${LOAD_TIMEOUT_MS} ms`);
      loadStop.abort();
    }, LOAD_TIMEOUT_MS);
    const onStop = () => loadStop.abort();
    stop.signal.addEventListener("abort", onStop, { once: true });
    try {
      engine = await guard(transcoder.acquire(loadStop.signal), loadStop.signal, reason);
    } catch (error) {
      if (why || error instanceof TaskError) throw error;
      // A missing or broken core is this machine's fault, not the input's.
      throw new TaskError("unavailable", `ffmpeg failed to load: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    } finally {
      clearTimeout(loadTimer);
      stop.signal.removeEventListener("abort", onStop);
    }
    const live = engine;
    const kill = () => live.terminate();
    stop.signal.addEventListener("abort", kill, { once: true });
    unsubscribe.push(() => stop.signal.removeEventListener("abort", kill));
    if (stop.signal.aborted) live.terminate();

    let log = "";
    unsubscribe.push(
      engine.onLog(({ message }) => {
        // Only the tail is ever shown; keep memory bounded on chatty inputs.
        log = (log + message + "\n").slice(-4000);
      }),
    );

    report(0.05, "probe");
    await guard(engine.writeFile(INPUT_PATH, input), stop.signal, reason);
    // ffprobe's exit code is not reported by this core build; the JSON it writes is the verdict.
    await guard(engine.ffprobe(probeArgs()), stop.signal, reason);
    let probe: Probe = {};
    try {
      probe = JSON.parse(new TextDecoder().decode(await guard(engine.readFile(PROBE_PATH), stop.signal, reason))) as Probe;
    } catch (error) {
      if (error instanceof TaskError) throw error;
    }
    const { durationSeconds } = classifyProbe(probe, log);

    report(0.1, "encode");
    unsubscribe.push(
      engine.onProgress(({ time }) => {
        // `time` is the output position in microseconds; the core's own ratio is unreliable (>1, <0). A core that ran
        // before reports "no time yet" as INT64_MAX first (seen on video-transcode@2's kept core): past the input's
        // end, so not a position at all.
        if (time > 0 && time / 1e6 <= durationSeconds + 1) report(0.1 + 0.85 * (time / 1e6 / durationSeconds), "encode");
      }),
    );
    log = "";
    const ret = await guard(engine.exec(transcoder.args(spec)), stop.signal, reason);
    if (ret !== 0) {
      throw new TaskError("corrupt-input", `ffmpeg failed (exit ${ret}): ${lastLine(log)}`);
    }
    const output = await guard(engine.readFile(OUTPUT_PATH), stop.signal, reason);
    if (output.byteLength === 0) throw new TaskError("corrupt-input", "ffmpeg produced no output");
    clean = !stop.signal.aborted;
    report(1, "done");
    return output;
  } catch (error) {
    if (why) throw why;
    // ffprobe's or ffmpeg's own verdict on the input leaves the core as a success does; anything else may not.
    clean = error instanceof TaskError && !stop.signal.aborted;
    if (error instanceof TaskError || !engine) throw error;
    throw new TaskError("corrupt-input", `transcode failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  } finally {
    clearTimeout(runTimer);
    options.signal?.removeEventListener("abort", onCancel);
    for (const off of unsubscribe) off();
    if (engine) await transcoder.release(engine, clean);
  }
}

/**
 * What can be known of the input without ffmpeg: not empty, within the size limit, and a container the probe is
 * allowed to open (sniff.ts). Whether its streams decode only the run's ffprobe can tell.
 */
export async function checkVideoInput(input: Uint8Array): Promise<InputInfo> {
  if (input.byteLength === 0) throw new TaskError("corrupt-input", "the input is empty");
  if (input.byteLength > LIMITS.maxInputBytes) {
    throw new TaskError("too-large", `input is ${input.byteLength} bytes, the limit is ${LIMITS.maxInputBytes}`);
  }
  if (!sniffContainer(input)) {
    throw new TaskError("unsupported-format", `not a ${Object.values(CONTAINER_WORDS).join(", ")} file`);
  }
  return { bytes: input.byteLength };
}

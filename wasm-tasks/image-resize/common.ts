/**
 * What every version of `image-resize` shares: the spec a requester posts, the limits on inputs, the geometry of
 * `fit`, the header check made before any decoder allocates, and how failures become TaskErrors. A version differs
 * in how it decodes, resamples and encodes (its output bytes), never in what a spec means or what it accepts.
 *
 * Geometry of `fit` (all sizes rounded half up, at least 1 px):
 * - fill: stretched to exactly width x height.
 * - contain: scaled to fit inside width x height keeping the aspect ratio; the output is the
 *   scaled image itself (no padding), so one side equals the target and the other is <= it.
 * - cover: scaled to cover width x height keeping the aspect ratio, centre crop to exactly
 *   width x height.
 */
import { z } from "zod";
import { TaskError } from "../errors.ts";
import type { Region } from "./resample.ts";
import { readHeader, type ImageFormat, type ImageHeader } from "./sniff.ts";
import { toCostEstimate } from "../calibration.ts";
import type { CostEstimate, InputInfo } from "../task-type.ts";

export const MAX_INPUT_BYTES = 32 * 1024 * 1024;
export const MAX_DIMENSION = 8192;
/** Decoded source and output pixels each; 40 MP of RGBA is 160 MB, several copies fit a tab. */
export const MAX_PIXELS = 40_000_000;
export const DEFAULT_TIMEOUT_MS = 120_000;

const side = z.int().min(1).max(MAX_DIMENSION);
const common = { width: side, height: side, fit: z.enum(["fill", "contain", "cover"]) };
const quality = z.int().min(1).max(100);

export const imageResizeSpec = z
  .discriminatedUnion("format", [
    z.strictObject({ ...common, format: z.literal("png") }),
    z.strictObject({ ...common, format: z.literal("jpeg"), quality: quality.default(85) }),
    z.strictObject({ ...common, format: z.literal("webp"), quality: quality.default(80) }),
  ])
  .refine((s) => s.width * s.height <= MAX_PIXELS, { message: `width x height must be at most ${MAX_PIXELS} pixels` });

export type ImageResizeSpec = z.output<typeof imageResizeSpec>;

/** Rounds a/b half up for positive integers, using integer-exact double arithmetic. */
const divRound = (a: number, b: number) => Math.floor((2 * a + b) / (2 * b));

/** Source region and output size for a spec (exported for the cost model and tests). */
export function geometry(srcW: number, srcH: number, spec: Pick<ImageResizeSpec, "width" | "height" | "fit">): { region: Region; width: number; height: number } {
  const full = { x: 0, y: 0, width: srcW, height: srcH };
  const { width: w, height: h } = spec;
  if (spec.fit === "fill") return { region: full, width: w, height: h };
  const sourceWider = srcW * h > srcH * w;
  if (spec.fit === "contain") {
    return sourceWider
      ? { region: full, width: w, height: Math.max(1, Math.min(h, divRound(srcH * w, srcW))) }
      : { region: full, width: Math.max(1, Math.min(w, divRound(srcW * h, srcH))), height: h };
  }
  if (sourceWider) {
    const cropW = Math.max(1, Math.min(srcW, divRound(srcH * w, h)));
    return { region: { x: Math.floor((srcW - cropW) / 2), y: 0, width: cropW, height: srcH }, width: w, height: h };
  }
  const cropH = Math.max(1, Math.min(srcH, divRound(srcW * h, w)));
  return { region: { x: 0, y: Math.floor((srcH - cropH) / 2), width: srcW, height: cropH }, width: w, height: h };
}

/** Size, header and pixel limit, checked before any decoder runs (a 100 KB PNG can claim 60,000 x 60,000). */
export function readLimitedHeader(input: Uint8Array): ImageHeader {
  if (input.length > MAX_INPUT_BYTES) throw new TaskError("too-large", `input is ${input.length} bytes, the limit is ${MAX_INPUT_BYTES}`);
  const header = readHeader(input);
  if (header.width * header.height > MAX_PIXELS) {
    throw new TaskError("too-large", `${header.width}x${header.height} is over the ${MAX_PIXELS} pixel limit`);
  }
  return header;
}

export function parseSpec(rawSpec: unknown): ImageResizeSpec {
  const parsed = imageResizeSpec.safeParse(rawSpec);
  if (!parsed.success) throw new TaskError("invalid-spec", z.prettifyError(parsed.error));
  return parsed.data;
}

export function asTaskError(error: unknown, code: "corrupt-input" | "too-large", message: string): TaskError {
  if (error instanceof TaskError) return error;
  const detail = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
  return new TaskError(code, `${message}: ${detail}`, { cause: error });
}
/**
 * Codec calls run synchronously inside wasm once started and cannot be interrupted in this
 * thread (the page-side runner terminates the worker for that); this bounds the asynchronous
 * part (fetching and compiling the codec) by the deadline and the abort signal.
 */
export function bounded<T>(work: Promise<T>, deadline: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TaskError("timed-out", `image-resize exceeded ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    onAbort = () => reject(new TaskError("cancelled", "the task was cancelled"));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, stop]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  });
}


/**
 * The form of every version's cost model (each calibrates its own by `npm run bench:image`):
 *   seconds = fixed + perSourcePixel x source pixels + perOutputPixel[format] x output pixels.
 */
export type ResizeCostModel = {
  fixedSeconds: number;
  perSourcePixel: number;
  perOutputPixel: Record<ImageFormat, number>;
  /** When only the file size is known: pixels assumed per byte of input. */
  assumedPixelsPerByte: number;
};

export function estimateResizeCost(model: ResizeCostModel, info: InputInfo, spec: ImageResizeSpec): CostEstimate {
  const sourcePixels = info.width && info.height ? info.width * info.height : Math.min(MAX_PIXELS, info.bytes * model.assumedPixelsPerByte);
  const outputPixels = spec.width * spec.height;
  return toCostEstimate(model.fixedSeconds + model.perSourcePixel * sourcePixels + model.perOutputPixel[spec.format] * outputPixels);
}

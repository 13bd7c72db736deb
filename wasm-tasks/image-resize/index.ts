/**
 * `image-resize`: deterministic resize/convert of PNG, JPEG or WebP into PNG, JPEG or WebP.
 *
 * Determinism: wasm codecs pinned to exact @jsquash versions and builds (codecs.ts), every
 * encoder setting fixed in code, and an integer resampling filter (resample.ts). No canvas:
 * its scaling and colour handling differ between GPUs and browsers. The spec, the limits and
 * the geometry of `fit` are common.ts, shared with image-resize@2.
 * Alpha is resampled premultiplied; JPEG output is flattened onto white. EXIF orientation
 * is not applied and metadata is not copied.
 */
import { TaskError, throwIfAborted } from "../errors.ts";
import type { CostEstimate, InputInfo, RunOptions, TaskType } from "../task-type.ts";
import { toWorkModel } from "../calibration.ts";
import { decodeJpeg, decodePng, decodeWebp, encodeJpeg, encodePng, encodeWebp, type Rgba } from "./codecs.ts";
import type { ImageFormat } from "./sniff.ts";
import { flattenOnWhite, hasAlpha, premultiply, resample, unpremultiply } from "./resample.ts";
import { DEFAULT_TIMEOUT_MS, MAX_INPUT_BYTES, asTaskError, bounded, estimateResizeCost, geometry, imageResizeSpec, parseSpec, readLimitedHeader, type ImageResizeSpec, type ResizeCostModel } from "./common.ts";

export { DEFAULT_TIMEOUT_MS, MAX_DIMENSION, MAX_INPUT_BYTES, MAX_PIXELS, geometry, imageResizeSpec, type ImageResizeSpec } from "./common.ts";

const decoders: Record<ImageFormat, (bytes: Uint8Array) => Promise<Rgba>> = { png: decodePng, jpeg: decodeJpeg, webp: decodeWebp };

/** Phase shares of the progress bar, roughly what each phase costs on a photo. */
const DECODE_END = 0.25;
const RESIZE_END = 0.8;
/** Give the event loop a turn at least this often, so a cancel message can arrive. */
const YIELD_EVERY_MS = 50;

async function run(input: Uint8Array, rawSpec: ImageResizeSpec, options: RunOptions = {}): Promise<Uint8Array> {
  const spec = parseSpec(rawSpec);
  const { signal, onProgress } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const check = () => {
    throwIfAborted(signal);
    if (Date.now() > deadline) throw new TaskError("timed-out", `image-resize exceeded ${timeoutMs} ms`);
  };
  check();
  const header = readLimitedHeader(input);

  onProgress?.({ phase: "decode", ratio: 0 });
  let source: Rgba;
  try {
    source = await bounded(decoders[header.format](input), deadline, timeoutMs, signal);
  } catch (error) {
    throw asTaskError(error, "corrupt-input", `${header.format} could not be decoded`);
  }
  if (source.width !== header.width || source.height !== header.height) {
    throw new TaskError("corrupt-input", `decoded ${source.width}x${source.height}, header says ${header.width}x${header.height}`);
  }
  check();

  const alpha = header.format !== "jpeg" && hasAlpha(source); // JPEG has no alpha channel
  if (alpha) premultiply(source);
  const { region, width, height } = geometry(source.width, source.height, spec);
  let lastYield = Date.now();
  const resized = await resample(source, region, width, height, async (ratio) => {
    check();
    onProgress?.({ phase: "resize", ratio: DECODE_END + (RESIZE_END - DECODE_END) * ratio });
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = Date.now();
      check();
    }
  });
  if (alpha) (spec.format === "jpeg" ? flattenOnWhite : unpremultiply)(resized);

  onProgress?.({ phase: "encode", ratio: RESIZE_END });
  let output: Uint8Array;
  try {
    const encoding =
      spec.format === "png" ? encodePng(resized) : spec.format === "jpeg" ? encodeJpeg(resized, spec.quality) : encodeWebp(resized, spec.quality);
    output = await bounded(encoding, deadline, timeoutMs, signal);
  } catch (error) {
    // Encoders only fail on programming errors or exhausted memory; neither is the input's fault,
    // but the type must still report one of its codes.
    throw asTaskError(error, "too-large", `${spec.format} encoding failed`);
  }
  check();
  onProgress?.({ phase: "encode", ratio: 1 });
  return output;
}

/** The run's own first steps on the input (size, header, pixel limit, decode), without a spec or a deadline. */
async function checkInput(input: Uint8Array): Promise<InputInfo> {
  if (input.length === 0) throw new TaskError("corrupt-input", "the input is empty");
  const header = readLimitedHeader(input);
  let source: Rgba;
  try {
    source = await decoders[header.format](input);
  } catch (error) {
    throw asTaskError(error, "corrupt-input", `${header.format} could not be decoded`);
  }
  if (source.width !== header.width || source.height !== header.height) {
    throw new TaskError("corrupt-input", `decoded ${source.width}x${source.height}, header says ${header.width}x${header.height}`);
  }
  return { bytes: input.length, width: header.width, height: header.height };
}

/**
 * Cost model, calibrated on the development machine by `npm run bench:image`, which times
 * seven calibration points and prints the fit (see BENCHMARKS.md, section image-resize):
 *   seconds = fixed + perSourcePixel x source pixels + perOutputPixel[format] x output pixels
 * Decode and shrink are linear in source pixels (the slope kept is the slowest input format,
 * WebP, since the estimate is made before the format is known); resize-up and encode are linear
 * in output pixels with a per-format slope (mozjpeg's trellis makes JPEG the slowest).
 * Three runs on 2026-11-22 with other processes loading the 2 cores (load average 3-9) gave
 * perSourcePixel 4.7e-8..1.1e-7 and per output pixel png 0.9-1.9e-7, jpeg 3.9-5.5e-7, webp
 * 2.9-6.4e-7; the values below are from the middle run and err high against a quiet machine,
 * the safe side for a price. calibration.ts converts to reference seconds.
 */
export const COST_MODEL: ResizeCostModel = {
  fixedSeconds: 0.047,
  perSourcePixel: 1.07e-7,
  perOutputPixel: { png: 1.69e-7, jpeg: 4.47e-7, webp: 2.89e-7 },
  /** When only the file size is known: assume 1 bit per pixel (a typical photo JPEG or better). */
  assumedPixelsPerByte: 8,
};

const estimateCost = (info: InputInfo, spec: ImageResizeSpec): CostEstimate => estimateResizeCost(COST_MODEL, info, spec);

export const imageResize: TaskType<ImageResizeSpec> = {
  name: "image-resize",
  specSchema: imageResizeSpec,
  maxInputBytes: MAX_INPUT_BYTES,
  checkInput,
  run,
  estimateCost,
  // The least a file of that size costs: the fixed part, and decoding at 4 bytes per pixel (uncompressed RGBA;
  // any real image has more pixels per byte). Output pixels are left out: the spec may ask for a tiny one.
  workModel: toWorkModel(COST_MODEL.fixedSeconds, COST_MODEL.perSourcePixel * 0.25 * 2 ** 20),
};

/**
 * `image-resize@2`: the resize/convert of `image-resize` (same spec, same limits, same geometry of `fit`:
 * image-resize/common.ts) done by libvips compiled to wasm, in the pipeline sharp runs natively:
 *
 * 1. Shrink on load. A JPEG is decoded at 1/2, 1/4 or 1/8 scale inside the DCT, a WebP by libwebp's scaled decoder,
 *    by the largest of those factors that still leaves at least the target's pixels on both axes (sharp's
 *    `fastShrinkOnLoad`). Most pixels of a large photo resized small are then never produced.
 * 2. Centre crop (cover) of the loaded image to the target's aspect ratio, by the geometry rules.
 * 3. libvips `resize` to exactly the target size with the Catmull-Rom kernel (`cubic`), alpha premultiplied.
 * 4. Encode: mozjpeg with sharp's `mozjpeg: true` settings, libwebp at effort 4, libpng; no metadata kept. JPEG
 *    output is flattened onto white. EXIF orientation is not applied.
 *
 * Its bytes differ from version 1's (another filter, another order of work), so it is a type of its own, with its
 * own code CID and verifier draws (code-cid.ts, "Versions"). Determinism: vips.ts. Measured against sharp and
 * against version 1 by `npm run bench:image` (BENCHMARKS.md).
 */
import { TaskError } from "../errors.ts";
import type { CostEstimate, InputInfo, RunOptions, TaskType } from "../task-type.ts";
import { toWorkModel } from "../calibration.ts";
import type { ImageFormat, ImageHeader } from "../image-resize/sniff.ts";
import {
  DEFAULT_TIMEOUT_MS,
  MAX_INPUT_BYTES,
  asTaskError,
  bounded,
  geometry,
  imageResizeSpec,
  parseSpec,
  readLimitedHeader,
  estimateResizeCost,
  type ImageResizeSpec,
  type ResizeCostModel,
} from "../image-resize/common.ts";
import { loadVips, vipsUnavailable, type Vips } from "./vips.ts";

export const NAME = "image-resize@2";

type Image = InstanceType<Vips["Image"]>;

/** Phase shares of the progress bar: loading libvips and reading the header, then libvips's own evaluation. */
const LOAD_END = 0.05;

/** The shrink-on-load factor: the largest of 8, 4, 2 that leaves at least the output's pixels on both axes. */
export function loadShrink(format: ImageFormat, region: { width: number; height: number }, width: number, height: number): number {
  if (format === "png") return 1;
  const factor = Math.min(region.width / width, region.height / height);
  return factor >= 8 ? 8 : factor >= 4 ? 4 : factor >= 2 ? 2 : 1;
}

/** libvips's error text without its call-stack lines ("unable to call pngsave_buffer"), for the task's message. */
function readable(error: unknown): unknown {
  // Emscripten throws its own Exception objects, not Errors: `message` is [C++ type, what()].
  const raw = (error as { message?: unknown } | undefined)?.message;
  const message = Array.isArray(raw) ? raw.slice(1).join("\n") : raw;
  if (error instanceof TaskError || typeof message !== "string") return error;
  const lines = message.split("\n").map((line) => line.trim());
  const useful = lines.filter((line) => line && !/^unable to call |unable to write to target/.test(line));
  return new Error(useful.join("; ") || message, { cause: error });
}

/** Each libvips object holds wasm memory until deleted; this deletes every one a run made, in any outcome. */
class Owned {
  private readonly images: Image[] = [];
  take(image: Image): Image {
    this.images.push(image);
    return image;
  }
  deleteAll(): void {
    for (const image of this.images.splice(0)) image.delete();
  }
}

function load(vips: Vips, input: Uint8Array, header: ImageHeader, shrink: number): Image {
  // fail_on "error": a truncated or corrupt file is refused rather than decoded as far as it goes.
  if (header.format === "jpeg") return vips.Image.jpegloadBuffer(input, { shrink, fail_on: "error" });
  if (header.format === "webp") return vips.Image.webploadBuffer(input, { scale: 1 / shrink, fail_on: "error" });
  return vips.Image.pngloadBuffer(input, { fail_on: "error" });
}

/** Builds the pipeline (libvips is lazy: nothing is decoded until the encoder pulls pixels). */
function pipeline(vips: Vips, owned: Owned, input: Uint8Array, header: ImageHeader, spec: ImageResizeSpec): { image: Image; width: number; height: number } {
  const target = geometry(header.width, header.height, spec);
  const shrink = loadShrink(header.format, target.region, target.width, target.height);
  let image = owned.take(load(vips, input, header, shrink));
  // The crop of `cover`, on the image as loaded: its centre region of the output's aspect ratio.
  const { region } = geometry(image.width, image.height, { width: target.width, height: target.height, fit: spec.fit });
  if (region.width !== image.width || region.height !== image.height) image = owned.take(image.crop(region.x, region.y, region.width, region.height));
  if (image.interpretation !== "srgb" && image.interpretation !== "b-w") image = owned.take(image.colourspace("srgb"));
  const alpha = image.hasAlpha();
  if (alpha) image = owned.take(image.premultiply());
  image = owned.take(image.resize(target.width / image.width, { vscale: target.height / image.height, kernel: "cubic" }));
  if (alpha) image = owned.take(image.unpremultiply());
  if (alpha && spec.format === "jpeg") image = owned.take(image.flatten({ background: [255, 255, 255] }));
  if (image.format !== "uchar") image = owned.take(image.cast("uchar"));
  return { image, width: target.width, height: target.height };
}

function encode(image: Image, spec: ImageResizeSpec): Uint8Array {
  if (spec.format === "jpeg") {
    // sharp's `mozjpeg: true`: trellis quantisation, overshoot deringing, optimised progressive scans, table 3.
    return image.jpegsaveBuffer({ Q: spec.quality, optimize_coding: true, interlace: true, trellis_quant: true, overshoot_deringing: true, optimize_scans: true, quant_table: 3, keep: "none" });
  }
  if (spec.format === "webp") return image.webpsaveBuffer({ Q: spec.quality, effort: 4, keep: "none" });
  return image.pngsaveBuffer({ keep: "none" });
}

async function run(input: Uint8Array, rawSpec: ImageResizeSpec, options: RunOptions = {}): Promise<Uint8Array> {
  const spec = parseSpec(rawSpec);
  const { signal, onProgress } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const stopReason = (): TaskError | undefined => {
    if (signal?.aborted) return new TaskError("cancelled", "the task was cancelled");
    if (Date.now() > deadline) return new TaskError("timed-out", `image-resize exceeded ${timeoutMs} ms`);
    return undefined;
  };
  const check = () => {
    const reason = stopReason();
    if (reason) throw reason;
  };
  check();
  const header = readLimitedHeader(input);
  onProgress?.({ phase: "decode", ratio: 0 });
  const vips = await bounded(loadVips(), deadline, timeoutMs, signal);
  check();

  const owned = new Owned();
  let stopped: TaskError | undefined;
  try {
    let built: ReturnType<typeof pipeline>;
    try {
      built = pipeline(vips, owned, input, header, spec);
    } catch (error) {
      throw asTaskError(readable(error), "corrupt-input", `${header.format} could not be read`);
    }
    const { image } = built;
    onProgress?.({ phase: "decode", ratio: LOAD_END });
    // libvips reports its evaluation as it goes; a cancel or the deadline stops it there (`kill`).
    let shown = LOAD_END;
    image.onProgress = (percent: number) => {
      stopped ??= stopReason();
      if (stopped) {
        image.kill = true;
        return;
      }
      const ratio = LOAD_END + ((1 - LOAD_END) * Math.min(percent, 99)) / 100;
      if (ratio > shown) onProgress?.({ phase: "resize", ratio: (shown = ratio) });
    };
    let output: Uint8Array;
    try {
      output = encode(image, spec);
    } catch (error) {
      if (stopped) throw stopped;
      // Decoding happens here, pulled by the encoder: a failure is the input's (truncated data, a corrupt stream).
      throw asTaskError(readable(error), "corrupt-input", `${header.format} could not be decoded`);
    }
    if (stopped) throw stopped;
    if (output.length === 0) throw new TaskError("corrupt-input", `${header.format} gave no pixels`);
    check();
    onProgress?.({ phase: "encode", ratio: 1 });
    return output;
  } finally {
    owned.deleteAll();
  }
}

/** The run's own first steps on the input (size, header, pixel limit, a full decode), without a spec or a deadline. */
async function checkInput(input: Uint8Array): Promise<InputInfo> {
  if (input.length === 0) throw new TaskError("corrupt-input", "the input is empty");
  const header = readLimitedHeader(input);
  const vips = await loadVips();
  const owned = new Owned();
  try {
    const image = owned.take(load(vips, input, header, 1));
    if (image.width !== header.width || image.height !== header.height) {
      throw new TaskError("corrupt-input", `decoded ${image.width}x${image.height}, header says ${header.width}x${header.height}`);
    }
    // `avg` pulls every pixel through the decoder, so a file corrupt past its header is refused here too.
    image.avg();
  } catch (error) {
    throw asTaskError(readable(error), "corrupt-input", `${header.format} could not be decoded`);
  } finally {
    owned.deleteAll();
  }
  return { bytes: input.length, width: header.width, height: header.height };
}

/**
 * Cost model, calibrated on the development machine by `npm run bench:image` (BENCHMARKS.md, section image-resize),
 * in the same form as version 1's: seconds = fixed + perSourcePixel x source pixels + perOutputPixel[format] x output
 * pixels. The source slope is a full-size decode's (PNG and WebP; a JPEG shrunk on load costs far less: 6 MP to
 * 16x16 took 34 ms against 128 ms for 4 MP of PNG), because the estimate is made before the format and the shrink are
 * known and must not undercharge. The run of 2026-12-01 fitted fixed 8.7e-3, perSourcePixel 2.98e-8 and per output
 * pixel png 1.23e-7, jpeg 2.54e-7, webp 2.58e-7; the values below round those up.
 */
export const COST_MODEL: ResizeCostModel = {
  fixedSeconds: 0.01,
  perSourcePixel: 3.0e-8,
  perOutputPixel: { png: 1.3e-7, jpeg: 2.6e-7, webp: 2.6e-7 },
  /** When only the file size is known: assume 1 bit per pixel (a typical photo JPEG or better). */
  assumedPixelsPerByte: 8,
};

const estimateCost = (info: InputInfo, spec: ImageResizeSpec): CostEstimate => estimateResizeCost(COST_MODEL, info, spec);

export const imageResize2: TaskType<ImageResizeSpec> = {
  name: NAME,
  specSchema: imageResizeSpec,
  maxInputBytes: MAX_INPUT_BYTES,
  unavailable: () => vipsUnavailable(),
  checkInput,
  run,
  estimateCost,
  // As version 1's: the fixed part and decoding at 4 bytes per pixel; output pixels left out. A JPEG shrunk on load
  // at 1/8 decodes 1/64 of its pixels, so the per-MiB part is a sixty-fourth of the full-decode slope.
  workModel: toWorkModel(COST_MODEL.fixedSeconds, (COST_MODEL.perSourcePixel * 0.25 * 2 ** 20) / 64),
};

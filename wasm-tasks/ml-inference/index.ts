/**
 * ml-inference: image classification with TensorFlow.js on the wasm backend.
 *
 * Model: the MobileNetV2 classifier that the `nsfwjs` npm package ships (weights inside the
 * tarball, 5 classes: Drawing, Hentai, Neutral, Porn, Sexy). No ImageNet classifier with
 * bundled weights exists on npm (@tensorflow-models/* download theirs at run time).
 *
 * Determinism: float results differ between tfjs backends and between the wasm builds with and
 * without SIMD, but are bit-identical across runs, tabs and Node for one build. So the spec pins
 * backend "wasm" with SIMD and no threads (the XNNPACK thread pool would be a third build),
 * the image is decoded and shrunk to 224x224 by integer code shared with image-resize, and
 * the output is canonical JSON with probabilities as fixed-decimal strings.
 */
// Type-only: tfjs and the model load on first use, so importing the task registry stays cheap.
import type * as Tf from "@tensorflow/tfjs";
import { z } from "zod";
import { TaskError, throwIfAborted } from "../errors.ts";
import type { CostEstimate, InputInfo, RunOptions, TaskType } from "../task-type.ts";
import { toCostEstimate, toWorkModel } from "../calibration.ts";
import { decodeJpeg, decodePng, decodeWebp, type Rgba } from "../image-resize/codecs.ts";
import { flattenOnWhite, hasAlpha, premultiply, resample } from "../image-resize/resample.ts";
import { readHeader, type ImageFormat } from "../image-resize/sniff.ts";

export const MODEL_ID = "nsfwjs-mobilenet_v2";
export const LABELS = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"] as const;
export const INPUT_SIZE = 224;

export const mlInferenceSpecSchema = z.strictObject({
  model: z.literal(MODEL_ID),
  backend: z.literal("wasm"),
  /** Pinned: the SIMD and scalar wasm builds give different floats. */
  simd: z.literal(true),
  topK: z.int().min(1).max(LABELS.length),
  /** Probabilities are written with exactly this many decimals. */
  decimals: z.int().min(1).max(6),
});
export type MlInferenceSpec = z.infer<typeof mlInferenceSpecSchema>;

export const LIMITS = {
  maxInputBytes: 16 * 1024 * 1024,
  maxDimension: 8192,
  /** The decoded RGBA frame must fit comfortably in a worker: 16 Mpx is 64 MB. */
  maxPixels: 16 * 1024 * 1024,
} as const;

export const LOAD_TIMEOUT_MS = 60_000;
export const DEFAULT_RUN_TIMEOUT_MS = 60_000;
const YIELD_EVERY_MS = 50;

const isNode = typeof process === "object" && typeof process.versions?.node === "string" && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === "undefined" && typeof window === "undefined";

let wasmBaseUrl: string | undefined;

/**
 * Browser only: where `node_modules/` is served from (same meaning as image-resize's
 * setCodecBaseUrl); the wasm files are `node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm`
 * under it. Must be called before the first run: tfjs fixes the path when the backend starts.
 */
export function setTfjsAssetBaseUrl(base: string): void {
  wasmBaseUrl = new URL("node_modules/@tensorflow/tfjs-backend-wasm/dist/", base.endsWith("/") ? base : `${base}/`).href;
}

async function wasmDirectory(): Promise<string> {
  if (wasmBaseUrl) return wasmBaseUrl;
  if (isNode) {
    // Hidden from bundlers: only Node has node:module.
    const nodeModule = "node:module";
    const { createRequire } = (await import(/* @vite-ignore */ nodeModule)) as typeof import("node:module");
    return createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm").replace(/\/dist\/[^/]*$/, "/dist/");
  }
  return new URL("/node_modules/@tensorflow/tfjs-backend-wasm/dist/", globalThis.location.href).href;
}

type Loaded = { tf: typeof Tf; model: Tf.LayersModel };
let loading: Promise<Loaded> | undefined;

/** Returns true if this engine can compile a wasm module with a SIMD instruction. */
function engineHasSimd(): boolean {
  // The probe tfjs-backend-wasm itself uses (i32.const 0; i8x16.splat; drop), from wasm-feature-detect.
  const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]);
  return WebAssembly.validate(probe);
}

async function loadOnce(): Promise<Loaded> {
  if (!engineHasSimd()) throw new Error("this JavaScript engine has no wasm SIMD; the ml-inference spec pins SIMD");
  const tf = await import("@tensorflow/tfjs");
  const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
  // Decided before the backend first initialises, which is when tfjs picks the .wasm file.
  tf.env().set("WASM_HAS_SIMD_SUPPORT", true);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  setWasmPaths(await wasmDirectory());
  if (!(await tf.setBackend("wasm"))) throw new Error("the tfjs wasm backend failed to initialise");
  await tf.ready();
  const model = await tf.loadLayersModel(tf.io.fromMemory(await modelArtifacts()));
  return { tf, model };
}

/**
 * The model as tfjs artifacts, straight from the nsfwjs package: it ships the Keras topology
 * and the weights as base64 inside JS modules (so bundlers carry them; nothing is fetched).
 */
export async function modelArtifacts(): Promise<Tf.io.ModelArtifacts> {
  const { MobileNetV2Model } = await import("nsfwjs/models/mobilenet_v2");
  const json = (await MobileNetV2Model.modelJson()).default as unknown as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: Tf.io.WeightsManifestEntry[] }[];
  };
  const weightsBase64 = (await MobileNetV2Model.weightBundles[0]!()).default as unknown as string;
  const weightData = Uint8Array.from(atob(weightsBase64), (c) => c.charCodeAt(0));
  return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: weightData.buffer };
}

/** RGBA 224x224 (opaque) to the model's input: RGB in [0, 1], NHWC. */
export function toModelInput(small: Rgba): Float32Array {
  const rgb = new Float32Array(INPUT_SIZE * INPUT_SIZE * 3);
  for (let i = 0, j = 0; i < small.data.length; i += 4, j += 3) {
    rgb[j] = small.data[i]! / 255;
    rgb[j + 1] = small.data[i + 1]! / 255;
    rgb[j + 2] = small.data[i + 2]! / 255;
  }
  return rgb;
}

/** Loads the backend and model once per thread; a failed or timed-out load is retried next run. */
function load(): Promise<Loaded> {
  if (!loading) {
    const attempt = loadOnce();
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
  }
  return loading;
}

/** Loads ahead of the first task so its time is not charged to a run. */
export const preloadModel = (): Promise<void> => load().then(() => undefined);

const decoders: Record<ImageFormat, (bytes: Uint8Array) => Promise<Rgba>> = { png: decodePng, jpeg: decodeJpeg, webp: decodeWebp };

function withTimeout<T>(promise: Promise<T>, ms: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TaskError("timed-out", `${what} exceeded ${ms} ms`)), ms);
    const onAbort = () => reject(new TaskError("cancelled", "the task was cancelled"));
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    });
  });
}

/**
 * The canonical output: keys in this order, no whitespace, probabilities as strings with
 * exactly `decimals` digits (a string cannot be re-rounded or re-printed differently by a
 * reader), classes sorted by probability then id.
 */
export function canonicalOutput(probabilities: ArrayLike<number>, spec: MlInferenceSpec): Uint8Array {
  const ranked = Array.from(probabilities, (p, id) => ({ id, p }))
    .sort((a, b) => b.p - a.p || a.id - b.id)
    .slice(0, spec.topK);
  const json = JSON.stringify({
    model: spec.model,
    backend: spec.backend,
    simd: spec.simd,
    top: ranked.map(({ id, p }) => ({ id, label: LABELS[id], p: p.toFixed(spec.decimals) })),
  });
  return new TextEncoder().encode(json);
}

async function run(input: Uint8Array, rawSpec: MlInferenceSpec, options: RunOptions = {}): Promise<Uint8Array> {
  const parsed = mlInferenceSpecSchema.safeParse(rawSpec);
  if (!parsed.success) throw new TaskError("invalid-spec", z.prettifyError(parsed.error));
  const spec = parsed.data;
  const { signal, onProgress } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const check = () => {
    throwIfAborted(signal);
    if (Date.now() > deadline) throw new TaskError("timed-out", `ml-inference exceeded ${timeoutMs} ms`);
  };
  check();
  if (input.byteLength > LIMITS.maxInputBytes) {
    throw new TaskError("too-large", `input is ${input.byteLength} bytes, the limit is ${LIMITS.maxInputBytes}`);
  }
  // The header is read before any decoder allocates: a 100 KB PNG can claim 50,000 x 50,000.
  const header = readHeader(input);
  if (header.width > LIMITS.maxDimension || header.height > LIMITS.maxDimension || header.width * header.height > LIMITS.maxPixels) {
    throw new TaskError("too-large", `${header.width}x${header.height} is over the limit (${LIMITS.maxDimension} px a side, ${LIMITS.maxPixels} px)`);
  }

  onProgress?.({ phase: "load", ratio: 0 });
  const { tf, model } = await withTimeout(load(), Math.min(LOAD_TIMEOUT_MS, Math.max(1, deadline - Date.now())), signal, "loading the model");
  check();

  onProgress?.({ phase: "decode", ratio: 0.1 });
  let image: Rgba;
  try {
    image = await withTimeout(decoders[header.format](input), Math.max(1, deadline - Date.now()), signal, "decoding");
  } catch (error) {
    if (error instanceof TaskError) throw error;
    throw new TaskError("corrupt-input", `${header.format} could not be decoded: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  if (image.width !== header.width || image.height !== header.height) {
    throw new TaskError("corrupt-input", `decoded ${image.width}x${image.height}, header says ${header.width}x${header.height}`);
  }
  check();

  onProgress?.({ phase: "resize", ratio: 0.3 });
  const alpha = hasAlpha(image);
  if (alpha) premultiply(image);
  // The whole frame is squeezed to 224x224 (no crop), as the model was trained.
  let lastYield = Date.now();
  const small = await resample(image, { x: 0, y: 0, width: image.width, height: image.height }, INPUT_SIZE, INPUT_SIZE, async (ratio) => {
    check();
    onProgress?.({ phase: "resize", ratio: 0.3 + 0.3 * ratio });
    // In a Web Worker the cancel message only arrives when the event loop gets a turn.
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = Date.now();
      check();
    }
  });
  if (alpha) flattenOnWhite(small);
  await new Promise((resolve) => setTimeout(resolve, 0));
  check();

  onProgress?.({ phase: "infer", ratio: 0.6 });
  const rgb = toModelInput(small);
  const output = tf.tidy(() => model.predict(tf.tensor4d(rgb, [1, INPUT_SIZE, INPUT_SIZE, 3])) as Tf.Tensor);
  let probabilities: Float32Array;
  try {
    probabilities = (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
  check();
  const bytes = canonicalOutput(probabilities, spec);
  onProgress?.({ phase: "done", ratio: 1 });
  return bytes;
}

/** The run's own first steps on the input (size, header, limits, decode), without loading the model. */
async function checkInput(input: Uint8Array): Promise<InputInfo> {
  if (input.byteLength === 0) throw new TaskError("corrupt-input", "the input is empty");
  if (input.byteLength > LIMITS.maxInputBytes) {
    throw new TaskError("too-large", `input is ${input.byteLength} bytes, the limit is ${LIMITS.maxInputBytes}`);
  }
  const header = readHeader(input);
  if (header.width > LIMITS.maxDimension || header.height > LIMITS.maxDimension || header.width * header.height > LIMITS.maxPixels) {
    throw new TaskError("too-large", `${header.width}x${header.height} is over the limit (${LIMITS.maxDimension} px a side, ${LIMITS.maxPixels} px)`);
  }
  let image: Rgba;
  try {
    image = await decoders[header.format](input);
  } catch (error) {
    throw new TaskError("corrupt-input", `${header.format} could not be decoded: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  if (image.width !== header.width || image.height !== header.height) {
    throw new TaskError("corrupt-input", `decoded ${image.width}x${image.height}, header says ${header.width}x${header.height}`);
  }
  return { bytes: input.byteLength, width: header.width, height: header.height };
}

/**
 * Measured on the development machine (bench/ml-inference.ts, CPU time, see BENCHMARKS.md):
 * ~75 ms of inference whatever the image, plus ~100 ns per source pixel for decoding and the
 * shrink to 224x224. Loading the backend and model (1-4 s, once per worker) is not charged
 * per task. Converted to reference seconds like every other type (calibration.ts).
 */
export function estimateMlCost(info: InputInfo, _spec: MlInferenceSpec): CostEstimate {
  const pixels = info.width && info.height ? info.width * info.height : LIMITS.maxPixels;
  const devSeconds = 0.075 + pixels * 100e-9;
  return toCostEstimate(devSeconds);
}

export const mlInference: TaskType<MlInferenceSpec> = {
  name: "ml-inference",
  specSchema: mlInferenceSpecSchema,
  maxInputBytes: LIMITS.maxInputBytes,
  checkInput,
  run,
  estimateCost: estimateMlCost,
  // Inference itself, plus decoding at 4 bytes per pixel (no real image has fewer pixels per byte).
  workModel: toWorkModel(0.075, 100e-9 * 0.25 * 2 ** 20),
};

export default mlInference;

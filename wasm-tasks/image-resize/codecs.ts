/**
 * Wasm image codecs from the @jsquash packages (Squoosh builds of libpng/oxipng, mozjpeg and
 * libwebp). Wasm arithmetic is the same in every engine, so the same .wasm file gives the same
 * bytes in Chromium and Node; that is why the codec and the exact build are pinned here:
 *
 * - The WebP encoder is always the non-SIMD build. @jsquash/webp's own `encode` picks the SIMD
 *   build when the engine supports SIMD, and the two builds are not guaranteed to agree, so a
 *   SIMD tab and a non-SIMD tab could disagree on the CID.
 * - Every call gets a fresh wasm instance from a compiled module cached per file. A trap inside
 *   a codec (corrupt input) can leave an instance's heap inconsistent, and an instance never gives
 *   back memory it grew for a large image; a fresh instance costs about a millisecond.
 *
 * The .wasm files are found on disk in Node and fetched from `codecBaseUrl` in the browser,
 * where the server must expose them under `<base>/node_modules/@jsquash/...` (the e2e harness
 * serves node_modules/; the app serves copies from public/node_modules/ at the page's origin).
 */
import * as png from "@jsquash/png/codec/pkg/squoosh_png.js";
import mozjpegDecFactory from "@jsquash/jpeg/codec/dec/mozjpeg_dec.js";
import mozjpegEncFactory from "@jsquash/jpeg/codec/enc/mozjpeg_enc.js";
import webpDecFactory from "@jsquash/webp/codec/dec/webp_dec.js";
import webpEncFactory from "@jsquash/webp/codec/enc/webp_enc.js";
import { TaskError } from "../errors.ts";

export type Rgba = { width: number; height: number; data: Uint8Array };

const WASM_FILES = {
  png: "@jsquash/png/codec/pkg/squoosh_png_bg.wasm",
  jpegDec: "@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm",
  jpegEnc: "@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm",
  webpDec: "@jsquash/webp/codec/dec/webp_dec.wasm",
  webpEnc: "@jsquash/webp/codec/enc/webp_enc.wasm",
} as const;
type WasmName = keyof typeof WASM_FILES;

const isNode = typeof process === "object" && typeof process.versions?.node === "string";
let codecBaseUrl: string | undefined;

/** Browser only: where `node_modules/@jsquash/...` is served from (default: the page origin). */
export function setCodecBaseUrl(url: string): void {
  codecBaseUrl = url.endsWith("/") ? url : `${url}/`;
  compiled.clear();
}

const compiled = new Map<WasmName, Promise<WebAssembly.Module>>();

function loadModule(name: WasmName): Promise<WebAssembly.Module> {
  let pending = compiled.get(name);
  if (!pending) {
    pending = (isNode ? readFromDisk(WASM_FILES[name]) : fetchFromServer(WASM_FILES[name])).then(
      (bytes) => WebAssembly.compile(bytes),
      // Typed apart from the decoders' own failures: a codec that does not load says nothing about the input.
      (error: unknown) => {
        throw new TaskError("unavailable", `the ${name} codec could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      },
    );
    // A failed load must not poison the cache: the next run retries.
    pending.catch(() => compiled.delete(name));
    compiled.set(name, pending);
  }
  return pending;
}

async function readFromDisk(specifier: string): Promise<ArrayBuffer> {
  const { readFile } = await import("node:fs/promises");
  // Node's own resolver, taken as a value: a bundler that sees `require.resolve(<variable>)` (createRequire) warns
  // "Can't resolve <dynamic>" on every compile, though this branch never runs in a browser.
  const resolve: (specifier: string) => string = import.meta.resolve;
  const file = await readFile(new URL(resolve(specifier)));
  return file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
}

async function fetchFromServer(specifier: string): Promise<ArrayBuffer> {
  const base = codecBaseUrl ?? new URL("/", globalThis.location?.href ?? "http://127.0.0.1/").href;
  const response = await fetch(new URL(`node_modules/${specifier}`, base));
  if (!response.ok) throw new Error(`codec ${specifier}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** Loads every codec up front, so the first run's time is not spent compiling. */
export async function preloadCodecs(): Promise<void> {
  await Promise.all((Object.keys(WASM_FILES) as WasmName[]).map(loadModule));
}

type Factory<T> = (options?: Record<string, unknown>) => Promise<T>;

/** Messages the codec printed to stderr (libjpeg warnings such as "Premature end of JPEG file"). */
type Diagnostics = string[];

async function emscriptenInstance<T>(factory: Factory<T>, name: WasmName, diagnostics: Diagnostics = []): Promise<T> {
  const module = await loadModule(name);
  return factory({
    noInitialRun: true,
    print: () => {},
    printErr: (message: string) => diagnostics.push(message),
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
      void WebAssembly.instantiate(module, imports).then(done);
      return {};
    },
  });
}

/**
 * Both binding styles already copy decoded pixels out of wasm memory into a fresh
 * Uint8ClampedArray (wasm-bindgen `.slice()`, embind `new Uint8ClampedArray(view)`), so the
 * pixels are only re-typed here, not copied again.
 */
const copyImage = (image: { width: number; height: number; data: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } }): Rgba => ({
  width: image.width,
  height: image.height,
  data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength),
});

export async function decodePng(bytes: Uint8Array): Promise<Rgba> {
  const module = await loadModule("png");
  // initSync swaps in a fresh instance; decode is synchronous, so no other call can interleave.
  png.initSync(module);
  return copyImage(png.decode(bytes));
}

export async function encodePng(image: Rgba): Promise<Uint8Array> {
  const module = await loadModule("png");
  png.initSync(module);
  return png.encode(image.data, image.width, image.height, 8).slice();
}

type DecoderModule = { decode(data: Uint8Array, ...rest: unknown[]): ImageData | null };

export async function decodeJpeg(bytes: Uint8Array): Promise<Rgba> {
  const diagnostics: Diagnostics = [];
  const codec = await emscriptenInstance(mozjpegDecFactory as unknown as Factory<DecoderModule>, "jpegDec", diagnostics);
  // preserveOrientation=false: EXIF rotation is not applied, the pixels are taken as stored.
  const image = codec.decode(bytes, false);
  if (!image) throw new Error("mozjpeg could not decode the image");
  // libjpeg only warns about a truncated or damaged scan and fills the rest with grey; such an
  // image is refused rather than passed off as the requester's picture.
  if (diagnostics.length > 0) throw new Error(`mozjpeg: ${diagnostics.join("; ")}`);
  return copyImage(image);
}

export async function decodeWebp(bytes: Uint8Array): Promise<Rgba> {
  const codec = await emscriptenInstance(webpDecFactory as unknown as Factory<DecoderModule>, "webpDec");
  const image = codec.decode(bytes);
  if (!image) throw new Error("libwebp could not decode the image");
  return copyImage(image);
}

/**
 * mozjpeg settings are fixed here, not taken from the library's defaults, so a new @jsquash
 * release cannot change output bytes silently. Only quality comes from the spec.
 */
const jpegOptions = (quality: number) => ({
  quality,
  baseline: false,
  arithmetic: false,
  progressive: true,
  optimize_coding: true,
  smoothing: 0,
  color_space: 3, // YCbCr
  quant_table: 3,
  trellis_multipass: false,
  trellis_opt_zero: false,
  trellis_opt_table: false,
  trellis_loops: 1,
  auto_subsample: true,
  chroma_subsample: 2,
  separate_chroma_quality: false,
  chroma_quality: 75,
});

/** libwebp lossy settings, fixed for the same reason; thread_level 0 keeps it single-threaded. */
const webpOptions = (quality: number) => ({
  quality,
  target_size: 0,
  target_PSNR: 0,
  method: 4,
  sns_strength: 50,
  filter_strength: 60,
  filter_sharpness: 0,
  filter_type: 1,
  partitions: 0,
  segments: 4,
  pass: 1,
  show_compressed: 0,
  preprocessing: 0,
  autofilter: 0,
  partition_limit: 0,
  alpha_compression: 1,
  alpha_filtering: 1,
  alpha_quality: 100,
  lossless: 0,
  exact: 0,
  image_hint: 0,
  emulate_jpeg_size: 0,
  thread_level: 0,
  low_memory: 0,
  near_lossless: 100,
  use_delta_palette: 0,
  use_sharp_yuv: 0,
});

type EncoderModule = { encode(data: Uint8Array, width: number, height: number, options: object): Uint8Array | null };

export async function encodeJpeg(image: Rgba, quality: number): Promise<Uint8Array> {
  const codec = await emscriptenInstance(mozjpegEncFactory as unknown as Factory<EncoderModule>, "jpegEnc");
  const out = codec.encode(image.data, image.width, image.height, jpegOptions(quality));
  if (!out) throw new Error("mozjpeg could not encode the image");
  return out.slice();
}

export async function encodeWebp(image: Rgba, quality: number): Promise<Uint8Array> {
  const codec = await emscriptenInstance(webpEncFactory as unknown as Factory<EncoderModule>, "webpEnc");
  const out = codec.encode(image.data, image.width, image.height, webpOptions(quality));
  if (!out) throw new Error("libwebp could not encode the image");
  return out.slice();
}

/**
 * Separable Catmull-Rom (cubic, a = -0.5) resampling in fixed point, widened by the scale
 * factor when shrinking so that downscaling averages instead of aliasing (the scheme Pillow
 * and libvips use).
 *
 * Why it is bit-identical in every engine: the filter weights are computed from the sizes with
 * +, -, *, / and Math.floor/Math.round only, which IEEE 754 and ECMAScript define exactly (no
 * Math.sin or other library functions whose last bit may differ between engines), then rounded
 * to 14-bit integers whose sum is forced to exactly 1.0. All pixel arithmetic after that is
 * int32 multiply-add and arithmetic shifts.
 *
 * Large reductions first average whole k x k blocks (k = floor(scale), integer sums), then
 * apply the cubic filter for the remaining factor (between 1 and 2), as libvips does with
 * shrink + reduce: it costs a fraction of a wide cubic kernel and looks the same.
 */
import type { Rgba } from "./codecs.ts";

const PRECISION_BITS = 14;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const SUPPORT = 2; // Catmull-Rom is zero beyond |x| >= 2

function catmullRom(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

type Taps = { start: Int32Array; count: Int32Array; weights: Int32Array; stride: number };

/**
 * Integer weights mapping source span [offset, offset + span) of an axis of length `size`
 * onto `out` samples. Taps may reach outside the span (but not outside the image), which is
 * what a crop of the continuous image would see.
 */
export function computeTaps(size: number, offset: number, span: number, out: number): Taps {
  const scale = span / out;
  const filterScale = scale > 1 ? scale : 1;
  const support = SUPPORT * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(out);
  const count = new Int32Array(out);
  const weights = new Int32Array(out * stride);
  const real = new Float64Array(stride);
  for (let i = 0; i < out; i++) {
    const center = offset + (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(size, Math.floor(center + support + 0.5));
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const w = catmullRom((j + 0.5 - center) / filterScale);
      real[j - lo] = w;
      total += w;
    }
    let sum = 0;
    let biggest = 0;
    const base = i * stride;
    for (let j = 0; j < hi - lo; j++) {
      const q = Math.round((real[j]! / total) * ONE);
      weights[base + j] = q;
      sum += q;
      if (q > weights[base + biggest]!) biggest = j;
    }
    // Rounding may leave the weights summing to ONE +- a few; a flat colour must stay flat.
    weights[base + biggest]! += ONE - sum;
    // Zero taps at either end add nothing; dropping them changes no output value and makes a
    // 1:1 pass (exact block shrink, upscale by an integer) one multiply per channel.
    let first = 0;
    let last = hi - lo - 1;
    while (first < last && weights[base + first] === 0) first++;
    while (last > first && weights[base + last] === 0) last--;
    if (first > 0) weights.copyWithin(base, base + first, base + last + 1);
    start[i] = lo + first;
    count[i] = last - first + 1;
  }
  return { start, count, weights, stride };
}

export type Region = { x: number; y: number; width: number; height: number };

/** Called every few rows with the share of rows done; may throw to stop (cancel, timeout). */
export type Checkpoint = (ratio: number) => void | Promise<void>;

const ROW_BATCH = 32;

/** Resizes `region` of `src` (RGBA, 8 bits, alpha already premultiplied if present) to outW x outH. */
export async function resample(src: Rgba, region: Region, outW: number, outH: number, checkpoint: Checkpoint): Promise<Rgba> {
  const kx = Math.max(1, Math.floor(region.width / outW));
  const ky = Math.max(1, Math.floor(region.height / outH));
  if (kx > 1 || ky > 1) {
    // The block average takes the first half of the progress, the cubic pass the second.
    src = await boxShrink(src, region, kx, ky, (ratio) => checkpoint(ratio / 2));
    region = { x: 0, y: 0, width: src.width, height: src.height };
    const inner = checkpoint;
    checkpoint = (ratio) => inner(0.5 + ratio / 2);
  }
  const h = computeTaps(src.width, region.x, region.width, outW);
  const v = computeTaps(src.height, region.y, region.height, outH);
  // Only the source rows some output row reads are filtered horizontally.
  const rowLo = v.start[0]!;
  const rowHi = v.start[outH - 1]! + v.count[outH - 1]!;
  const rows = rowHi - rowLo;
  const totalRows = rows + outH;
  const mid = new Uint8Array(rows * outW * 4);
  const srcData = src.data;
  const srcStride = src.width * 4;

  for (let y = 0; y < rows; y++) {
    if (y % ROW_BATCH === 0) await checkpoint(y / totalRows);
    filterRow(srcData, (rowLo + y) * srcStride, mid, y * outW * 4, outW, h.start, h.count, h.weights, h.stride);
  }

  const rowLen = outW * 4;
  const out = new Uint8Array(outH * rowLen);
  const acc = new Int32Array(rowLen);
  for (let y = 0; y < outH; y++) {
    if (y % ROW_BATCH === 0) await checkpoint((rows + y) / totalRows);
    filterColumn(mid, (v.start[y]! - rowLo) * rowLen, rowLen, out, y * rowLen, acc, v.weights, y * v.stride, v.count[y]!);
  }
  await checkpoint(1);
  return { width: outW, height: outH, data: out };
}

/**
 * Averages kx x ky blocks of `region` (blocks at the right and bottom edge may be smaller and
 * average what they have), rounding half up with integer division.
 */
async function boxShrink(src: Rgba, region: Region, kx: number, ky: number, checkpoint: Checkpoint): Promise<Rgba> {
  const width = Math.ceil(region.width / kx);
  const height = Math.ceil(region.height / ky);
  const out = new Uint8Array(width * height * 4);
  const acc = new Int32Array(width * 4);
  for (let oy = 0; oy < height; oy++) {
    if (oy % ROW_BATCH === 0) await checkpoint(oy / height);
    const y0 = region.y + oy * ky;
    const y1 = Math.min(region.y + region.height, y0 + ky);
    acc.fill(0);
    for (let y = y0; y < y1; y++) sumBlocks(src.data, (y * src.width + region.x) * 4, region.width, kx, acc);
    divideBlocks(acc, out, oy * width * 4, width, region.width, kx, y1 - y0);
  }
  return { width, height, data: out };
}

function sumBlocks(data: Uint8Array, start: number, spanW: number, kx: number, acc: Int32Array): void {
  let p = start;
  let o = 0;
  for (let x0 = 0; x0 < spanW; x0 += kx) {
    const end = Math.min(spanW, x0 + kx);
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let x = x0; x < end; x++) {
      r += data[p]!;
      g += data[p + 1]!;
      b += data[p + 2]!;
      a += data[p + 3]!;
      p += 4;
    }
    acc[o] = (acc[o]! + r) | 0;
    acc[o + 1] = (acc[o + 1]! + g) | 0;
    acc[o + 2] = (acc[o + 2]! + b) | 0;
    acc[o + 3] = (acc[o + 3]! + a) | 0;
    o += 4;
  }
}

function divideBlocks(acc: Int32Array, out: Uint8Array, outRow: number, width: number, spanW: number, kx: number, rows: number): void {
  for (let ox = 0; ox < width; ox++) {
    const n = Math.min(kx, spanW - ox * kx) * rows;
    const half = n >> 1;
    const i = ox * 4;
    out[outRow + i] = ((acc[i]! + half) / n) | 0;
    out[outRow + i + 1] = ((acc[i + 1]! + half) / n) | 0;
    out[outRow + i + 2] = ((acc[i + 2]! + half) / n) | 0;
    out[outRow + i + 3] = ((acc[i + 3]! + half) / n) | 0;
  }
}

/*
 * The two inner loops live in plain synchronous functions with typed-array arguments, so V8
 * optimizes them on their own (hot loops inside an async function optimize less well).
 */
function filterRow(
  src: Uint8Array, srcRow: number, dst: Uint8Array, dstRow: number, outW: number,
  start: Int32Array, count: Int32Array, weights: Int32Array, stride: number,
): void {
  let o = dstRow;
  for (let x = 0; x < outW; x++) {
    const n = count[x]!;
    let wi = x * stride;
    let p = srcRow + start[x]! * 4;
    let r = HALF;
    let g = HALF;
    let b = HALF;
    let a = HALF;
    for (let k = 0; k < n; k++) {
      const w = weights[wi++]!;
      r = (r + w * src[p]!) | 0;
      g = (g + w * src[p + 1]!) | 0;
      b = (b + w * src[p + 2]!) | 0;
      a = (a + w * src[p + 3]!) | 0;
      p += 4;
    }
    dst[o] = clamp(r >> PRECISION_BITS);
    dst[o + 1] = clamp(g >> PRECISION_BITS);
    dst[o + 2] = clamp(b >> PRECISION_BITS);
    dst[o + 3] = clamp(a >> PRECISION_BITS);
    o += 4;
  }
}

function filterColumn(
  mid: Uint8Array, firstRow: number, rowLen: number, out: Uint8Array, outRow: number,
  acc: Int32Array, weights: Int32Array, wBase: number, n: number,
): void {
  acc.fill(HALF);
  for (let k = 0; k < n; k++) {
    const w = weights[wBase + k]!;
    const base = firstRow + k * rowLen;
    for (let x = 0; x < rowLen; x++) acc[x] = (acc[x]! + w * mid[base + x]!) | 0;
  }
  for (let x = 0; x < rowLen; x++) out[outRow + x] = clamp(acc[x]! >> PRECISION_BITS);
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** True if any pixel is not fully opaque. */
export function hasAlpha(image: Rgba): boolean {
  const d = image.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return true;
  return false;
}

/** In place: colour times alpha, so transparent pixels do not bleed their colour into neighbours. */
export function premultiply(image: Rgba): void {
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]!;
    if (a === 255) continue;
    d[i] = ((d[i]! * a + 127) / 255) | 0;
    d[i + 1] = ((d[i + 1]! * a + 127) / 255) | 0;
    d[i + 2] = ((d[i + 2]! * a + 127) / 255) | 0;
  }
}

/** In place, the inverse of premultiply (with its rounding loss). */
export function unpremultiply(image: Rgba): void {
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]!;
    if (a === 255) continue;
    if (a === 0) {
      d[i] = d[i + 1] = d[i + 2] = 0;
      continue;
    }
    const half = a >> 1;
    d[i] = Math.min(255, ((d[i]! * 255 + half) / a) | 0);
    d[i + 1] = Math.min(255, ((d[i + 1]! * 255 + half) / a) | 0);
    d[i + 2] = Math.min(255, ((d[i + 2]! * 255 + half) / a) | 0);
  }
}

/** In place, for formats without alpha: premultiplied colour over white is colour + (255 - alpha). */
export function flattenOnWhite(image: Rgba): void {
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) {
    const rest = 255 - d[i + 3]!;
    if (rest === 0) continue;
    d[i] = Math.min(255, d[i]! + rest);
    d[i + 1] = Math.min(255, d[i + 1]! + rest);
    d[i + 2] = Math.min(255, d[i + 2]! + rest);
    d[i + 3] = 255;
  }
}

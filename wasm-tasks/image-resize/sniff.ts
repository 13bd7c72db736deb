/**
 * Format and dimensions from the first bytes of a file, read before any decoder runs so that
 * the pixel limit is enforced before a decoder allocates (a 100 KB PNG can claim 60,000 x 60,000).
 */
import { TaskError } from "../errors.ts";

export type ImageFormat = "png" | "jpeg" | "webp";
export type ImageHeader = { format: ImageFormat; width: number; height: number };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));
const be16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const be32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const le16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const le24 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((v, i) => bytes[i] === v)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return "webp";
  return undefined;
}

const corrupt = (format: ImageFormat, why: string) => new TaskError("corrupt-input", `${format}: ${why}`);

export function readHeader(bytes: Uint8Array): ImageHeader {
  const format = sniffFormat(bytes);
  if (!format) throw new TaskError("unsupported-format", "input is not a PNG, JPEG or WebP file");
  const { width, height } = format === "png" ? pngSize(bytes) : format === "jpeg" ? jpegSize(bytes) : webpSize(bytes);
  if (width === 0 || height === 0) throw corrupt(format, "zero width or height");
  return { format, width, height };
}

function pngSize(b: Uint8Array) {
  if (b.length < 24 || ascii(b, 12, 4) !== "IHDR") throw corrupt("png", "no IHDR chunk");
  return { width: be32(b, 16), height: be32(b, 20) };
}

function jpegSize(b: Uint8Array) {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw corrupt("jpeg", `no marker at byte ${at}`);
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = be16(b, at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > b.length) break;
      return { height: be16(b, at + 5), width: be16(b, at + 7) };
    }
    if (marker === 0xda || marker === 0xd9) break; // scan or end before any frame header
    at += 2 + length;
  }
  throw corrupt("jpeg", "no frame header");
}

function webpSize(b: Uint8Array) {
  if (b.length < 30) throw corrupt("webp", "file too short");
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8 ") {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw corrupt("webp", "bad VP8 start code");
    return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
  }
  if (chunk === "VP8L") {
    if (b[20] !== 0x2f) throw corrupt("webp", "bad VP8L signature");
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") return { width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
  throw corrupt("webp", `unknown chunk ${JSON.stringify(chunk)}`);
}

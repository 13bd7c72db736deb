/**
 * Which of the containers ffmpeg may read for this type (spec.ts INPUT_FORMATS, its -format_whitelist) a file's
 * first bytes announce. It does not prove the streams inside decode (only ffprobe can), but it tells a video from
 * a text file, an image or an empty file before anything is uploaded.
 */
import type { INPUT_FORMATS } from "./spec.ts";

export type Container = (typeof INPUT_FORMATS)[number];

/** What each container is called in words people use. */
export const CONTAINER_WORDS: Record<Container, string> = {
  mov: "MP4/MOV",
  matroska: "Matroska/WebM",
  avi: "AVI",
  mpegts: "MPEG-TS",
  flv: "FLV",
  mpeg: "MPEG-PS",
};

const ascii = (b: Uint8Array, at: number, length: number) => String.fromCharCode(...b.subarray(at, at + length));
/** ISO base media (MP4, MOV, 3GP) top-level boxes a file can start with. */
const ISO_BOXES = new Set(["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot"]);

export function sniffContainer(b: Uint8Array): Container | undefined {
  if (b.length >= 8 && ISO_BOXES.has(ascii(b, 4, 4))) {
    const size = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    // 0: the box runs to the end of the file; 1: a 64-bit size follows; else at least the 8-byte header.
    if (size === 0 || size === 1 || size >= 8) return "mov";
  }
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "matroska";
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "AVI ") return "avi";
  if (b.length >= 4 && ascii(b, 0, 3) === "FLV" && b[3] === 0x01) return "flv";
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0xba) return "mpeg";
  // MPEG-TS: a sync byte every 188 bytes (or every 192 in M2TS, after a 4-byte time code).
  for (const [first, step] of [[0, 188], [4, 192]] as const) {
    const packets = Math.min(3, Math.floor((b.length - first - 1) / step) + 1);
    if (packets >= 2 && Array.from({ length: packets }, (_, i) => b[first + i * step]).every((v) => v === 0x47)) return "mpegts";
  }
  return undefined;
}

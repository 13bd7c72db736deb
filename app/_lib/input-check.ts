/**
 * The post form's check of an input file, before anything is uploaded or escrowed: the task type's own
 * `checkInput` (its sniffer and decoder, the same code a worker runs first), its answer put in plain words.
 */
import { TaskError } from "../../wasm-tasks/errors.ts";
import type { InputInfo, TaskType } from "../../wasm-tasks/task-type.ts";
import { typeFamily } from "./task-types.ts";

export type InputCheck = { ok: true; info: InputInfo } | { ok: false; reason: string };

/** What each type does with its input and which files it takes, for the sentences below. */
const WORDS: Record<string, { takes: string; kind: string }> = {
  "image-resize": { takes: "a PNG, JPEG or WebP image", kind: "image" },
  "ml-inference": { takes: "a PNG, JPEG or WebP image", kind: "image" },
  "video-transcode": { takes: "a video file (MP4/MOV, Matroska/WebM, AVI, MPEG-TS, FLV or MPEG-PS)", kind: "video" },
};

const FORMAT_NAMES: Record<string, string> = { png: "PNG", jpeg: "JPEG", webp: "WebP" };

const MB = 1024 * 1024;
/** Sizes as people read them: "0 bytes", "35 bytes", "1.2 KB", "32.0 MB". */
export function sizeWords(n: number): string {
  if (n < 1024) return `${n} byte${n === 1 ? "" : "s"}`;
  if (n < MB) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / MB).toFixed(1)} MB`;
}

/** "photo.jpg" with its quotes, or "This file" when the name is unknown. */
const named = (fileName: string | undefined) => (fileName ? `“${fileName}”` : "This file");

/** The extension's claim, when the name makes one the content does not keep. */
function nameClaim(fileName: string | undefined): string | undefined {
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const claims: Record<string, string> = { png: "a PNG", jpg: "a JPEG", jpeg: "a JPEG", webp: "a WebP", mp4: "an MP4", mov: "a MOV", mkv: "a Matroska", webm: "a WebM", avi: "an AVI", ts: "an MPEG-TS", flv: "an FLV", mpg: "an MPEG", mpeg: "an MPEG" };
  return ext ? claims[ext] : undefined;
}

/** A TaskError from a type's input check, as one or two sentences a requester can act on. */
export function explainInputError(typeName: string, error: unknown, bytes: number, fileName?: string): string {
  const w = WORDS[typeFamily(typeName)] ?? { takes: "an input this type can read", kind: "input" };
  const who = named(fileName);
  if (!(error instanceof TaskError)) return `${who} could not be checked: ${error instanceof Error ? error.message : String(error)}.`;
  const detail = error.message;
  if (bytes === 0) return `${who} is empty (0 bytes). ${typeName} takes ${w.takes}.`;
  switch (error.code) {
    case "unsupported-format": {
      const claim = nameClaim(fileName);
      return claim
        ? `${who} is named like ${claim} file, but its content is not one: it is not ${w.takes}. ${typeName} takes ${w.takes}.`
        : `${who} is not ${w.takes}, which is what ${typeName} takes.`;
    }
    case "corrupt-input": {
      const format = detail.match(/^(png|jpeg|webp)\b/)?.[1];
      const what = format ? `a damaged ${FORMAT_NAMES[format]} image` : `a damaged ${w.kind}`;
      const instead = w.kind === "image" ? "choose one that opens in an image viewer" : "choose another file";
      const why = detail.replace(/^(png|jpeg|webp) could not be decoded: /, "");
      return `${who} is ${what}: it cannot be decoded (${why}). A worker would reject it; ${instead}.`;
    }
    case "too-large":
      return `${who} is too large for ${typeName}: ${detail}.`;
    default:
      return `${who} cannot be the input of ${typeName}: ${detail}.`;
  }
}

/** Runs the type's own input check; a type without one accepts any bytes within its size limit. */
export async function checkInputFile(typeName: string, type: TaskType<unknown>, bytes: Uint8Array, fileName?: string): Promise<InputCheck> {
  if (!type.checkInput) return { ok: true, info: { bytes: bytes.length } };
  try {
    return { ok: true, info: await type.checkInput(bytes) };
  } catch (error) {
    return { ok: false, reason: explainInputError(typeName, error, bytes.length, fileName) };
  }
}

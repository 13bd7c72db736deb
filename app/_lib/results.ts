/** Small pure helpers to show task inputs and results. */
import { CID } from "multiformats/cid";
import { type Hex, hexToBytes, hexToString } from "viem";
import { z } from "zod";

/** The CID string of the binary CID stored on chain, or undefined if the bytes are not a CID. */
export function cidString(bytes: Hex | undefined): string | undefined {
  if (!bytes || bytes === "0x") return undefined;
  try {
    return CID.decode(hexToBytes(bytes)).toString();
  } catch {
    return undefined;
  }
}

/** The spec stored on chain, parsed; undefined if it is not JSON. */
export function specJson(bytes: Hex): unknown {
  try {
    return JSON.parse(hexToString(bytes));
  } catch {
    return undefined;
  }
}

/** The spec stored on chain as JSON text, pretty-printed; the raw text if it is not JSON. */
export function specText(bytes: Hex): string {
  let text: string;
  try {
    text = hexToString(bytes);
  } catch {
    return "(unreadable spec)";
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const labelsSchema = z.object({ top: z.array(z.object({ label: z.string(), p: z.string() })).min(1) });

/** The labels of an ml-inference result ({"top":[{"label","p"}]}), or undefined if it is not one. */
export function parseLabels(bytes: Uint8Array): { label: string; p: number }[] | undefined {
  try {
    const parsed = labelsSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    if (!parsed.success) return undefined;
    return parsed.data.top.map((t) => ({ label: t.label, p: Math.min(1, Math.max(0, Number(t.p))) }));
  } catch {
    return undefined;
  }
}

/** A MIME type for the result download and preview, from the first bytes. */
export function sniffMime(bytes: Uint8Array): string {
  const b = bytes;
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8) return "image/jpeg";
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45) return "image/webp";
  if (b[4] === 0x66 && b[5] === 0x74 && b[6] === 0x79 && b[7] === 0x70) return "video/mp4";
  if (b[0] === 0x7b) return "application/json";
  return "application/octet-stream";
}

export const extensionOf = (mime: string) =>
  ({ "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "video/mp4": "mp4", "application/json": "json" })[mime] ?? "bin";

/**
 * How many replicas of the accepted round revealed the accepted result (2 or 3 of worker and verifiers): the reveals
 * of that digest since the task last went back to the queue, up to its acceptance. Audit reveals come after.
 */
export function agreeingReplicas(events: readonly { eventName: string; args: Record<string, unknown> }[], acceptedDigest: string | undefined): number {
  if (!acceptedDigest) return 0;
  let count = 0;
  for (const e of events) {
    if (e.eventName === "TaskRejected") count = 0;
    else if (e.eventName === "ResultRevealed" && String(e.args.digest).toLowerCase() === acceptedDigest.toLowerCase()) count += 1;
    else if (e.eventName === "TaskAccepted") return count;
  }
  return count;
}

/** The result card's sentence on how the replicated result was agreed. */
export const agreementWords = (replicas: number) =>
  `${replicas >= 3 ? "All three replicas" : "Two of three replicas"} agreed on this result; if it is not what you asked for, an audit can still overturn it.`;

/**
 * "Bad input is a result" (DESIGN §3a). An input a task type cannot process (corrupt, of the wrong format, too
 * large, not the size the task declared) or a spec it cannot run gives one canonical output per type, the same
 * bytes in every replica, so that worker and verifiers agree on it and the task ends as input rejected. The
 * deploy step registers the digest of its CID per type (TaskTypeRegistry.rejectedDigestOf).
 */
import { TaskError, type TaskErrorCode } from "./errors.ts";

/** The canonical output of a task of type `typeName` whose input cannot be processed. */
export function inputRejectedOutput(typeName: string): Uint8Array {
  return new TextEncoder().encode(`computecredit:input-rejected:${typeName}\n`);
}

/**
 * Failures that are a property of the input and spec alone, and so the same in every replica. A cancel or a
 * timeout says something about the machine, not the input: those are never an input-rejected result.
 */
export const INPUT_REJECTING_ERRORS: readonly TaskErrorCode[] = ["invalid-spec", "corrupt-input", "unsupported-format", "too-large"];

export const rejectsInput = (error: unknown): boolean =>
  error instanceof TaskError && INPUT_REJECTING_ERRORS.includes(error.code);

/**
 * Runs one registered task type and digests its output: the part of the worker runtime that
 * is the same in a Web Worker and in Node (verifiers and headless workers call it directly).
 */
import { getTaskType } from "../wasm-tasks/index.ts";
import { outputCidString } from "../wasm-tasks/digest.ts";
import { TaskError, type TaskErrorCode } from "../wasm-tasks/errors.ts";
import type { RunOptions } from "../wasm-tasks/task-type.ts";

export type TaskOutcome =
  | { ok: true; output: Uint8Array; cid: string }
  | { ok: false; code: TaskErrorCode | "internal"; message: string };

/**
 * Never throws: the outcome is plain data so it survives postMessage (a thrown TaskError
 * would arrive as a plain Error without its code).
 */
export async function executeTask(typeName: string, input: Uint8Array, spec: unknown, options: RunOptions = {}): Promise<TaskOutcome> {
  try {
    const type = getTaskType(typeName);
    if (input.length > type.maxInputBytes) {
      throw new TaskError("too-large", `input is ${input.length} bytes, ${typeName} takes at most ${type.maxInputBytes}`);
    }
    const output = await type.run(input, spec, options);
    return { ok: true, output, cid: await outputCidString(output) };
  } catch (error) {
    if (error instanceof TaskError) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: "internal", message: error instanceof Error ? error.message : String(error) };
  }
}

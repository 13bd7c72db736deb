/**
 * One replica's result for a replicated task (worker, verifier or auditor): fetch the input with every block
 * verified, check it is the size the task declared, run the task type, and publish the output. The determinism
 * contract covers failures too: an input or spec the type cannot process gives the type's canonical input-rejected
 * bytes (wasm-tasks/input-rejected.ts), the same in every replica. Anything that depends on the machine instead (the
 * input cannot be fetched, a timeout, a crash) is thrown: the caller hands the work back rather than guess.
 */
import { TaskError } from "../../wasm-tasks/errors.ts";
import { inputRejectedOutput, rejectsInput } from "../../wasm-tasks/input-rejected.ts";
import type { ProgressEvent } from "../../wasm-tasks/task-type.ts";
import type { IpfsPort, Published, RunnerPort } from "./ports.ts";

export type ComputeTask = { typeName: string; inputCid: string; inputBytes: number; spec: unknown };

export type ComputeResult = Published & { output: Uint8Array; inputRejected: boolean; reason?: string };

/** The input could not be fetched or the run failed for reasons of this machine: not a result. */
export class CannotCompute extends Error {
  override readonly name = "CannotCompute";
}

export type ComputeOptions = {
  signal?: AbortSignal;
  onStage?: (stage: "fetching" | "computing" | "publishing", progress?: ProgressEvent) => void;
  /** Replaces the honest output (test-only cheats, see cheats.ts). */
  tamper?: (honest: Uint8Array) => Uint8Array | undefined;
  /** Runs instead of the runner pool (the zk types' bare output, which needs no Web Worker). */
  run?: (input: Uint8Array) => Promise<Uint8Array>;
};

export async function computeResult(task: ComputeTask, ipfs: IpfsPort, runners: RunnerPort, options: ComputeOptions = {}): Promise<ComputeResult> {
  options.onStage?.("fetching");
  let input: Uint8Array;
  try {
    input = await ipfs.fetch(task.inputCid, options.signal);
  } catch (error) {
    throw new CannotCompute(`cannot fetch the input ${task.inputCid}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let output: Uint8Array;
  let reason: string | undefined;
  if (input.length !== task.inputBytes) {
    reason = `the input is ${input.length} bytes, the task declared ${task.inputBytes}`;
    output = inputRejectedOutput(task.typeName);
  } else {
    options.onStage?.("computing", { ratio: 0, phase: "start" });
    try {
      output = options.run
        ? await options.run(input)
        : (await runners.run(task.typeName, input, task.spec, { signal: options.signal, onProgress: (p) => options.onStage?.("computing", p) })).output;
    } catch (error) {
      if (!rejectsInput(error)) {
        const why = error instanceof TaskError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
        throw new CannotCompute(`${task.typeName} could not run here (${why})`, { cause: error });
      }
      reason = (error as TaskError).message;
      output = inputRejectedOutput(task.typeName);
    }
  }
  const tampered = options.tamper?.(output);
  if (tampered) output = tampered;
  options.onStage?.("publishing");
  const published = await ipfs.publish(output);
  return { ...published, output, inputRejected: reason !== undefined, reason };
}

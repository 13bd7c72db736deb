/**
 * One factory for every zk task type: the same interface as the other types (strict spec, run(), cost),
 * plus the requester-side helpers. A zk type's run() computes the output in plain JS, then the witness and
 * a Groth16 proof, and returns the canonical container (proof.ts: payload + public signals + proof).
 *
 * Binding: the proof's public signals include the task id and the worker address (the adapters fill them
 * in from the market's call). The market's posted spec cannot know the worker, so the worker runtime adds
 * `binding: { taskId, worker }` to the spec it hands to run() after claiming; without it the proof binds
 * task 0 / worker 0 and no market accepts it (fine for benchmarks and tests).
 */
import { z } from "zod";
import { TaskError, throwIfAborted } from "../errors.ts";
import type { CostEstimate, RunOptions, TaskType } from "../task-type.ts";
import { toCostEstimate, toWorkModel } from "../calibration.ts";
import { commitBytes, taskIdSignal, workerSignal } from "./commitment.ts";
import { decodeOutput, decodeProofFromChain, encodeOutput, prove, verifyProof } from "./proof.ts";

export const bindingSchema = z.strictObject({
  taskId: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "taskId: 0x + 64 hex digits") as z.ZodType<`0x${string}`>,
  worker: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "worker: 0x + 40 hex digits") as z.ZodType<`0x${string}`>,
});
export type Binding = z.output<typeof bindingSchema>;

export type ZkTypeDefinition<Spec extends { binding?: Binding }> = {
  name: string;
  specSchema: z.ZodType<Spec>;
  /** The spec without `binding`: what the requester posts. */
  postSpecSchema: z.ZodType;
  /** Exact input size the spec implies. */
  inputBytes: (spec: Spec) => number;
  maxInputBytes: number;
  /** Bytes per field element when packing the payload for the output commitment. */
  outputPackBytes: number;
  /** Bytes of the payload (output) the spec implies. */
  outputBytes: (spec: Spec) => number;
  /** The output payload and the circuit's private inputs (the factory adds taskId and worker). */
  compute: (input: Uint8Array, spec: Spec) => { payload: Uint8Array; witness: Record<string, unknown> };
  /** Single-thread dev-machine CPU seconds of one run (witness + proof), measured by bench:zk. */
  devSeconds: number;
  defaultTimeoutMs: number;
};

export type CheckResult = { ok: true; payload: Uint8Array; publicSignals: bigint[] } | { ok: false; reason: string };

export function makeZkTaskType<Spec extends { binding?: Binding }>(def: ZkTypeDefinition<Spec>) {
  async function run(input: Uint8Array, rawSpec: Spec, options: RunOptions = {}): Promise<Uint8Array> {
    const parsed = def.specSchema.safeParse(rawSpec);
    if (!parsed.success) throw new TaskError("invalid-spec", z.prettifyError(parsed.error));
    const spec = parsed.data;
    if (input.length > def.maxInputBytes) throw new TaskError("too-large", `input is ${input.length} bytes, at most ${def.maxInputBytes}`);
    const expected = def.inputBytes(spec);
    if (input.length !== expected) {
      throw new TaskError("corrupt-input", `${def.name} takes exactly ${expected} input bytes, got ${input.length}`);
    }
    throwIfAborted(options.signal);
    const timeoutMs = options.timeoutMs ?? def.defaultTimeoutMs;
    const progress = options.onProgress ?? (() => {});
    progress({ ratio: 0, phase: "compute" });
    const { payload, witness } = def.compute(input, spec);
    const full = {
      ...witness,
      taskId: spec.binding ? taskIdSignal(spec.binding.taskId) : 0n,
      worker: spec.binding ? workerSignal(spec.binding.worker) : 0n,
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    // A proof stops only between its phases: a cancel or timeout settles run() at once, and the prover queues
    // no further work (the Web Worker runtime terminates a worker that overstays).
    const halt = new AbortController();
    const stop = new Promise<never>((_, reject) => {
      const end = (error: TaskError) => {
        halt.abort();
        reject(error);
      };
      timer = setTimeout(() => end(new TaskError("timed-out", `${def.name} exceeded ${timeoutMs} ms`)), timeoutMs);
      onAbort = () => end(new TaskError("cancelled", "the task was cancelled"));
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const result = await Promise.race([
        prove(def.name, full, (phase) => progress({ ratio: phase === "witness" ? 0.05 : 0.2, phase }), halt.signal),
        stop,
      ]);
      const outputCommitment = await commitBytes(payload, def.outputPackBytes);
      if (result.publicSignals[1] !== outputCommitment) {
        throw new Error(`${def.name}: the circuit's output commitment differs from the JS computation (circuit and TS out of sync)`);
      }
      progress({ ratio: 1, phase: "done" });
      return encodeOutput({ circuit: def.name, payload, publicSignals: result.publicSignals, proof: encodeProofForChainBytes(result.proof) });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw new TaskError("cancelled", "the task was cancelled");
      throw error;
    } finally {
      clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener("abort", onAbort);
    }
  }

  const taskType: TaskType<Spec> = {
    name: def.name,
    specSchema: def.specSchema,
    postSpecSchema: def.postSpecSchema,
    maxInputBytes: def.maxInputBytes,
    inputError: (info, spec) => {
      const expected = def.inputBytes(spec);
      return info.bytes === expected ? undefined : `${def.name} takes exactly ${expected} bytes of input (the circuit's fixed size), not ${info.bytes}`;
    },
    run,
    estimateCost: (): CostEstimate => toCostEstimate(def.devSeconds),
    // Half the measured proving time: the input size is fixed by the circuit.
    workModel: toWorkModel(def.devSeconds / 2, 0),
  };

  /** What the requester posts as zkInputCommitment: Poseidon chain of the input bytes packed 31 per element. */
  const inputCommitment = (input: Uint8Array): Promise<bigint> => commitBytes(input, 31);

  /**
   * The requester's check of downloaded output bytes against the output commitment proven on chain
   * (TaskProved event). A mismatch is a data-availability failure: open a dispute.
   */
  async function checkOutput(outputBytes: Uint8Array, outputCommitment: bigint, spec?: Spec): Promise<CheckResult> {
    let decoded;
    try {
      decoded = decodeOutput(outputBytes);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    if (decoded.circuit !== def.name) return { ok: false, reason: `output of ${decoded.circuit}, not ${def.name}` };
    const checked = await checkPayload(decoded.payload, outputCommitment, spec);
    return checked.ok ? { ok: true, payload: decoded.payload, publicSignals: decoded.publicSignals } : checked;
  }

  /**
   * The same check on the bare payload: what a worker publishes as the task's output CID (the proof itself
   * goes on chain), so the bytes behind the CID are deterministic and auditors can recompute them.
   */
  async function checkPayload(payload: Uint8Array, outputCommitment: bigint, postedSpec?: unknown): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (postedSpec !== undefined) {
      const parsed = def.specSchema.safeParse(postedSpec);
      if (!parsed.success) return { ok: false, reason: `the posted spec is not a ${def.name} spec: ${z.prettifyError(parsed.error)}` };
      const size = def.outputBytes(parsed.data);
      if (payload.length !== size) return { ok: false, reason: `the output is ${payload.length} bytes; this task's output is ${size}` };
    }
    const actual = await commitBytes(payload, def.outputPackBytes);
    if (actual !== outputCommitment) return { ok: false, reason: "the output bytes do not hash to the proven output commitment" };
    return { ok: true };
  }

  /**
   * Full JS verification of an output container: payload hashes to its output commitment, the public signals
   * are [inputCommitment, that, taskId, worker] as expected, and the Groth16 proof verifies (snarkjs).
   */
  async function verifyOutput(outputBytes: Uint8Array, expect: { inputCommitment: bigint; binding?: Binding }): Promise<boolean> {
    const decoded = decodeOutput(outputBytes);
    const outputCommitment = decoded.publicSignals[1];
    if (outputCommitment === undefined) return false;
    const checked = await checkOutput(outputBytes, outputCommitment);
    if (!checked.ok) return false;
    const signals = [
      expect.inputCommitment,
      outputCommitment,
      expect.binding ? taskIdSignal(expect.binding.taskId) : 0n,
      expect.binding ? workerSignal(expect.binding.worker) : 0n,
    ];
    return verifyProof(def.name, signals, decodeProofFromChain(decoded.proof));
  }

  /**
   * The output payload alone, without witness or proof: what an auditor of a data-availability dispute
   * recomputes (and publishes) to compare CIDs with the worker's. Deterministic, plain JS.
   */
  function computePayload(input: Uint8Array, postedSpec: unknown): Uint8Array {
    const parsed = def.specSchema.safeParse(postedSpec);
    if (!parsed.success) throw new TaskError("invalid-spec", z.prettifyError(parsed.error));
    const expected = def.inputBytes(parsed.data);
    if (input.length !== expected) throw new TaskError("corrupt-input", `${def.name} takes exactly ${expected} input bytes, got ${input.length}`);
    return def.compute(input, parsed.data).payload;
  }

  return { taskType, inputCommitment, checkOutput, checkPayload, computePayload, verifyOutput };
}

import { encodeProofForChain as encodeProofForChainBytes } from "./proof.ts";
export { encodeProofForChainBytes as encodeProofForChain };
export { decodeOutput, decodeProofFromChain } from "./proof.ts";

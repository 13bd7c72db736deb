/**
 * The one interface every task type implements (DESIGN §5). A task type is pure:
 * the same input bytes and spec give the same output bytes in every browser and in Node,
 * so replicated verification can compare output CIDs.
 */
import type { z } from "zod";
import type { WorkModel } from "./calibration.ts";

export type ProgressEvent = {
  /** 0..1 of the whole run. */
  ratio: number;
  /** Short phase name shown to the user, e.g. "decode", "encode". */
  phase: string;
};

export type RunOptions = {
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Upper bound for the whole run; a type has its own default. */
  timeoutMs?: number;
};

/** What the cost model may know before the input is fetched or decoded. */
export type InputInfo = {
  bytes: number;
  /** Pixels for images, frames*pixels for video, when known. */
  width?: number;
  height?: number;
  durationSeconds?: number;
};

export type CostEstimate = {
  /** CPU-seconds on the reference machine (Intel i5-9400 @ 2.9 GHz, one core). */
  referenceSeconds: number;
  /** Integer milli-credits: 1 mCC = 3.6 reference CPU-seconds, rounded up, at least 1. */
  mcc: number;
};

export interface TaskType<Spec> {
  /** Stable id, e.g. "image-resize". */
  readonly name: string;
  /** Zod schema for the spec: strict (unknown fields refused) with hard limits. */
  readonly specSchema: z.ZodType<Spec>;
  /** Hard limit on input size in bytes. */
  readonly maxInputBytes: number;
  /**
   * What a requester posts, when it differs from `specSchema`: the zk types' runtime adds the `binding`
   * (claimed task id and worker) that nobody can know at post time.
   */
  readonly postSpecSchema?: z.ZodType;
  /**
   * Why this runtime cannot run the type at all (a browser feature the page lacks), or undefined when it can. Asked
   * where the earn engine runs (the page, whose dedicated workers share its isolation, or the Node process): a type it
   * names a reason for is skipped, never claimed and never registered as a capability.
   */
  unavailable?(): string | undefined;
  /** Why an input that fits `maxInputBytes` still cannot run with this spec (e.g. a zk circuit's exact size). */
  inputError?(info: InputInfo, spec: Spec): string | undefined;
  /**
   * Reads the input as a run reads it before computing anything that depends on the spec: format, header, limits,
   * and for images the full decode. Throws the TaskError a run would throw for this input (so a requester can be
   * told before anything is uploaded or escrowed); returns what it learnt about the input.
   */
  checkInput?(input: Uint8Array): Promise<InputInfo>;
  run(input: Uint8Array, spec: Spec, options?: RunOptions): Promise<Uint8Array>;
  estimateCost(info: InputInfo, spec: Spec): CostEstimate;
  /** Lower bound of the cost from the input size alone, registered on chain (calibration.ts). */
  readonly workModel: WorkModel;
}

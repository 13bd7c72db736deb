/**
 * Registry of task types by name: the one place the worker runtime, the verifier and the UI
 * look a type up. Adding a type is one import and one line in `taskTypes`.
 */
import type { TaskType } from "./task-type.ts";
import { TaskError } from "./errors.ts";
import { imageResize } from "./image-resize/index.ts";
import { imageResize2 } from "./image-resize-2/index.ts";
import { benchmark } from "./benchmark/index.ts";
import { videoTranscode } from "./video-transcode/index.ts";
import { videoTranscode2 } from "./video-transcode-2/index.ts";
import { mlInference } from "./ml-inference/index.ts";
import { zkDownscale, zkDownscaleKit } from "./zk-downscale/index.ts";
import { zkMatmul, zkMatmulKit } from "./zk-matmul/index.ts";

// Spec types differ per task type; the registry is keyed by name and each spec is validated
// by its own schema inside run(), so the map holds them as TaskType<any>.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const taskTypes: Readonly<Record<string, TaskType<any>>> = {
  [imageResize.name]: imageResize,
  [imageResize2.name]: imageResize2,
  [benchmark.name]: benchmark,
  [videoTranscode.name]: videoTranscode,
  [videoTranscode2.name]: videoTranscode2,
  [mlInference.name]: mlInference,
  [zkDownscale.name]: zkDownscale,
  [zkMatmul.name]: zkMatmul,
};

export function getTaskType(name: string): TaskType<unknown> {
  const type = Object.hasOwn(taskTypes, name) ? taskTypes[name] : undefined;
  if (!type) throw new TaskError("invalid-spec", `unknown task type ${JSON.stringify(name)}`);
  return type;
}

/**
 * A zk type's helpers outside proving: the input commitment a requester posts, the requester's check of a
 * downloaded output, and the bare output an auditor recomputes in a data-availability dispute.
 * `postedSpec` is the spec stored with the task.
 */
export type ZkKit = {
  inputCommitment(input: Uint8Array): Promise<bigint>;
  checkPayload(payload: Uint8Array, outputCommitment: bigint, postedSpec: unknown): Promise<{ ok: true } | { ok: false; reason: string }>;
  computePayload(input: Uint8Array, postedSpec: unknown): Uint8Array;
};

export const zkKits: Readonly<Record<string, ZkKit>> = {
  [zkDownscale.name]: zkDownscaleKit,
  [zkMatmul.name]: zkMatmulKit,
};

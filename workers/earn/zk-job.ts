/**
 * One zk task on the worker's side (DESIGN §3.4 and §6): claim, fetch the input with every block verified,
 * prove in a Web Worker with the claim's binding, publish the output payload to IPFS, and submitProof, which
 * accepts the task at once; the pay stays in the task's escrow until the audit window closes (finalize). The steps are the same wherever they run; the chain, IPFS and the prover are
 * passed in (the app's earn tab gives the real ones).
 *
 * What is published under the output CID is the bare payload (e.g. the 32x32 tile), not the proof container:
 * the payload is deterministic, so auditors of a data-availability dispute recompute the same CID, while the
 * proof (randomized) only needs to reach the chain.
 */
import { decodeOutput } from "../../wasm-tasks/zk-common/proof.ts";
import type { ProgressEvent } from "../../wasm-tasks/task-type.ts";

export type ZkJobTask = {
  id: `0x${string}`;
  typeName: string;
  inputCid: string;
  /** The posted spec (JSON object). */
  spec: Record<string, unknown>;
  /** Already claimed by this worker (a reloaded tab picking its work up again). */
  claimed: boolean;
};

export type ZkJobPhase = "claiming" | "fetching" | "proving" | "publishing" | "submitting" | "accepted" | "releasing" | "released" | "failed";

export type ZkJobUpdate = { phase: ZkJobPhase; progress?: ProgressEvent; detail?: string };

export type ZkJobDeps = {
  worker: `0x${string}`;
  claim(taskId: `0x${string}`): Promise<void>;
  fetchInput(cid: string): Promise<Uint8Array>;
  /** Runs the task type (in a Web Worker) and returns its zk output container. */
  prove(typeName: string, input: Uint8Array, spec: unknown, onProgress: (p: ProgressEvent) => void): Promise<Uint8Array>;
  /** Adds the bytes to the IPFS node; resolves to the binary CID. */
  publish(bytes: Uint8Array): Promise<{ cid: string; cidBytes: Uint8Array }>;
  submitProof(taskId: `0x${string}`, outputCommitment: bigint, proof: Uint8Array, outputCid: Uint8Array): Promise<void>;
  release(taskId: `0x${string}`): Promise<void>;
};

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs the job to the end and reports each phase. Resolves to the last phase: "accepted" (paid when final), "released" (the
 * claim was handed back without penalty because the input could not be fetched or run) or "failed".
 */
export async function runZkJob(task: ZkJobTask, deps: ZkJobDeps, onUpdate: (u: ZkJobUpdate) => void): Promise<ZkJobPhase> {
  if (!task.claimed) {
    onUpdate({ phase: "claiming" });
    try {
      await deps.claim(task.id);
    } catch (e) {
      onUpdate({ phase: "failed", detail: `could not claim: ${message(e)}` });
      return "failed";
    }
  }

  let container: Uint8Array;
  try {
    onUpdate({ phase: "fetching" });
    const input = await deps.fetchInput(task.inputCid);
    onUpdate({ phase: "proving", progress: { ratio: 0, phase: "start" } });
    container = await deps.prove(task.typeName, input, { ...task.spec, binding: { taskId: task.id, worker: deps.worker } }, (progress) =>
      onUpdate({ phase: "proving", progress }),
    );
  } catch (e) {
    // DESIGN §3.2: a worker that cannot fetch or run the input hands the claim back without penalty.
    const why = message(e);
    onUpdate({ phase: "releasing", detail: why });
    try {
      await deps.release(task.id);
      onUpdate({ phase: "released", detail: why });
      return "released";
    } catch (releaseError) {
      onUpdate({ phase: "failed", detail: `${why}; releasing the claim failed too: ${message(releaseError)}` });
      return "failed";
    }
  }

  try {
    const { payload, publicSignals, proof } = decodeOutput(container);
    const outputCommitment = publicSignals[1];
    if (outputCommitment === undefined) throw new Error("the proof has no output commitment");
    onUpdate({ phase: "publishing" });
    const published = await deps.publish(payload);
    onUpdate({ phase: "submitting", detail: published.cid });
    await deps.submitProof(task.id, outputCommitment, proof, published.cidBytes);
    onUpdate({ phase: "accepted", detail: published.cid });
    return "accepted";
  } catch (e) {
    // The claim stays: its window may still allow another try, and expiry returns the task to the queue.
    onUpdate({ phase: "failed", detail: message(e) });
    return "failed";
  }
}

/**
 * The zk job's steps with the real prover (zk-downscale in Node) and recorded chain/IPFS calls: the proof it
 * submits verifies for the claimed task and worker, the payload it publishes is the proven output, and a
 * worker that cannot fetch its input hands the claim back.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { downscale, inputCommitment, zkDownscale } from "../../wasm-tasks/zk-downscale/index.ts";
import { commitBytes, taskIdSignal, workerSignal } from "../../wasm-tasks/zk-common/commitment.ts";
import { decodeProofFromChain, verifyProof } from "../../wasm-tasks/zk-common/proof.ts";
import { type ZkJobDeps, type ZkJobUpdate, runZkJob } from "./zk-job.ts";

const TASK = `0x${"7e".repeat(32)}` as const;
const WORKER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906" as const;
const tile = new Uint8Array(64 * 64).map((_, i) => (i * 7 + (i >> 5)) & 0xff);

function recordingDeps(over: Partial<ZkJobDeps> = {}) {
  const calls: string[] = [];
  let submitted: { outputCommitment: bigint; proof: Uint8Array; outputCid: Uint8Array } | undefined;
  let published: Uint8Array | undefined;
  const deps: ZkJobDeps = {
    worker: WORKER,
    claim: async () => void calls.push("claim"),
    fetchInput: async () => (calls.push("fetch"), tile),
    prove: (name, input, spec, onProgress) => (calls.push("prove"), zkDownscale.run(input, spec as never, { onProgress })),
    publish: async (bytes) => (calls.push("publish"), (published = bytes), { cid: "bafy-test", cidBytes: new Uint8Array([1, 2, 3]) }),
    submitProof: async (_id, outputCommitment, proof, outputCid) => void (calls.push("submitProof"), (submitted = { outputCommitment, proof, outputCid })),
    release: async () => void calls.push("release"),
    ...over,
  };
  return { deps, calls, submitted: () => submitted, published: () => published };
}

after(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

describe("runZkJob", () => {
  it("claims, proves with the claim's binding, publishes the payload and submits a proof that verifies", { timeout: 120_000 }, async () => {
    const r = recordingDeps();
    const updates: ZkJobUpdate[] = [];
    const end = await runZkJob({ id: TASK, typeName: "zk-downscale", inputCid: "bafy-in", spec: { width: 64, height: 64 }, claimed: false }, r.deps, (u) => updates.push(u));
    assert.equal(end, "accepted");
    assert.deepEqual(r.calls, ["claim", "fetch", "prove", "publish", "submitProof"]);
    assert.deepEqual(r.published(), downscale(tile, 64, 64), "the bare payload is published, not the container");
    const s = r.submitted()!;
    assert.equal(s.outputCommitment, await commitBytes(r.published()!, 31));
    const signals = [await inputCommitment(tile), s.outputCommitment, taskIdSignal(TASK), workerSignal(WORKER)];
    assert.equal(await verifyProof("zk-downscale", signals, decodeProofFromChain(s.proof)), true);
    assert.equal(await verifyProof("zk-downscale", [signals[0]!, signals[1]!, taskIdSignal(TASK), 1n], decodeProofFromChain(s.proof)), false);
    assert.deepEqual(s.outputCid, new Uint8Array([1, 2, 3]));
    const phases = updates.map((u) => u.phase);
    assert.deepEqual([...new Set(phases)], ["claiming", "fetching", "proving", "publishing", "submitting", "accepted"]);
    assert.ok(updates.some((u) => u.progress?.phase === "proving"), "prover progress is passed on");
  });

  it("a reloaded tab resumes its claimed task without claiming again", { timeout: 120_000 }, async () => {
    const r = recordingDeps();
    const end = await runZkJob({ id: TASK, typeName: "zk-downscale", inputCid: "bafy-in", spec: { width: 64, height: 64 }, claimed: true }, r.deps, () => {});
    assert.equal(end, "accepted");
    assert.equal(r.calls[0], "fetch");
  });

  it("releases the claim without proving when the input cannot be fetched or run", async () => {
    const unfetchable = recordingDeps({ fetchInput: async () => Promise.reject(new Error("block not found")) });
    const updates: ZkJobUpdate[] = [];
    assert.equal(await runZkJob({ id: TASK, typeName: "zk-downscale", inputCid: "bafy-in", spec: { width: 64, height: 64 }, claimed: false }, unfetchable.deps, (u) => updates.push(u)), "released");
    assert.deepEqual(unfetchable.calls, ["claim", "release"]);
    assert.match(updates.at(-1)!.detail!, /block not found/);

    const wrongSize = recordingDeps({ fetchInput: async () => new Uint8Array(100) });
    assert.equal(await runZkJob({ id: TASK, typeName: "zk-downscale", inputCid: "bafy-in", spec: { width: 64, height: 64 }, claimed: false }, wrongSize.deps, () => {}), "released");
    assert.deepEqual(wrongSize.calls, ["claim", "prove", "release"], "the type refuses the wrong size before proving");
  });

  it("stops at a failed claim and a failed submission, moving nothing else", async () => {
    const taken = recordingDeps({ claim: async () => Promise.reject(new Error("the task is claimed")) });
    assert.equal(await runZkJob({ id: TASK, typeName: "zk-downscale", inputCid: "x", spec: {}, claimed: false }, taken.deps, () => {}), "failed");
    assert.deepEqual(taken.calls, []);
  });
});

/**
 * The REAL zk verifiers (generated Groth16 verifiers behind ZkDownscaleProofVerifier / ZkMatmulProofVerifier,
 * registered at genesis by deploy-protocol.ts) with real proofs made by the task types in Node:
 * post with the real input commitment, claim, submitProof -> accepted (nothing paid: the requester may still
 * dispute the published output within the audit window), finalize after the window -> paid; a tampered proof,
 * wrong public signals, or a proof made for another task reverts InvalidProof and leaves credits untouched. Both
 * adapters say on chain that their keys are development keys. Three proofs in all (~5-15 s each on 2 cores).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, bytesToHex, getAddress, toHex } from "viem";
import { VerificationMode, bpsShare, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { genesisTaskTypes } from "../deploy/deploy-protocol.ts";
import { setupProtocol } from "../test-support/fixture.ts";
import * as downscale from "../../wasm-tasks/zk-downscale/index.ts";
import * as matmul from "../../wasm-tasks/zk-matmul/index.ts";
import { decodeOutput } from "../../wasm-tasks/zk-common/proof.ts";

const BOUNTY = 1_000n;
const ESCROW = escrowFor(BOUNTY, VerificationMode.Zk);
const PLATFORM_FEE = bpsShare(BOUNTY, defaultParams.platformFeeBps);
const CLAIM_LOCK = bpsShare(BOUNTY, defaultParams.claimStakeBps);
const DOWNSCALE = genesisTaskTypes.findIndex((t) => t.name === "zk-downscale");
const MATMUL = genesisTaskTypes.findIndex((t) => t.name === "zk-matmul");

after(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

const tile = new Uint8Array(64 * 64).map((_, i) => (i * 131 + (i >> 6) * 7) & 0xff);
const matrices = new Uint8Array(512).map((_, i) => (i * 89 + 3) & 0xff);

describe("zk task types with the real Groth16 verifiers", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;

  async function world() {
    const s = await setupProtocol(connection);
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const otherW = s.wallets[3]!;
    await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, 2_000n, false);
    const other = await s.registerWorker(otherW, 2_000n, false);
    const snapshot = () =>
      Promise.all([
        s.ledger.read.accountOf([requesterW.account.address]),
        s.ledger.read.accountOf([workerW.account.address]),
        s.ledger.read.treasury(),
      ]);
    const check = async (taskIds: Hex[]) => {
      await s.conserved(taskIds);
      await s.genesisKept(taskIds);
    };
    /** Proved and accepted: nothing paid yet. After the audit window anyone finalizes it, which pays the worker. */
    const finalizeAfterAuditWindow = async (taskId: Hex) => {
      await networkHelpers.time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await s.wait(await s.market.write.finalize([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
    };
    return { s, requesterW, workerW, otherW, worker, other, snapshot, check, finalizeAfterAuditWindow };
  }

  /** Proves `input` for (taskId, worker) with the task type, as the worker's tab does after claiming. */
  async function proveFor(type: typeof downscale | typeof matmul, input: Uint8Array, taskId: Hex, worker: Address) {
    const spec =
      type === downscale
        ? { width: 64 as const, height: 64 as const, binding: { taskId, worker } }
        : { m: 16 as const, k: 16 as const, n: 16 as const, binding: { taskId, worker } };
    const output = await (type === downscale ? downscale.zkDownscale : matmul.zkMatmul).run(input, spec as never);
    const decoded = decodeOutput(output);
    return { output, outputCommitment: decoded.publicSignals[1]!, proof: bytesToHex(decoded.proof) };
  }

  it("test_genesis_registersZkDownscaleAndZkMatmulAsZkOnlyTypesWithTheirAdapters", async () => {
    const { s } = await world();
    for (const id of [DOWNSCALE, MATMUL]) {
      const t = await s.taskTypes.read.taskType([id]);
      assert.equal(t.policy.modes, 2);
      assert.notEqual(t.policy.zkVerifier, "0x0000000000000000000000000000000000000000");
      assert.equal(getAddress(t.policy.zkVerifier), getAddress(s.zkAdapters[t.name]!));
    }
  });

  it("test_developmentKeys_trueOnBothRealAdaptersWhichWrapADeployedGroth16Verifier", async () => {
    const { s } = await world();
    const adapters = [
      await viem.getContractAt("ZkDownscaleProofVerifier", s.zkAdapters["zk-downscale"]!),
      await viem.getContractAt("ZkMatmulProofVerifier", s.zkAdapters["zk-matmul"]!),
    ];
    for (const adapter of adapters) {
      assert.equal(await adapter.read.developmentKeys(), true, "the committed keys come from a development ceremony");
      const groth16 = await adapter.read.groth16();
      assert.notEqual(await s.publicClient.getCode({ address: groth16 }), undefined);
    }
  });

  it("test_zkDownscale_realProofAcceptsFinalizePaysAndTamperedOrForeignProofsRevert", async () => {
    const { s, requesterW, workerW, otherW, worker, snapshot, check, finalizeAfterAuditWindow } = await world();
    const inputCommitment = await downscale.inputCommitment(tile);
    const post = () => s.post(requesterW, { typeId: DOWNSCALE, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: inputCommitment, spec: toHex('{"width":64,"height":64}') });
    const taskId = await post();
    const otherTask = await post(); // same input, another task
    await s.wait(await worker.market.write.claim([taskId]));
    await s.wait(await worker.market.write.claim([otherTask]));
    assert.equal(await s.market.read.zkInputCommitment([taskId]), inputCommitment);

    const { outputCommitment, proof } = await proveFor(downscale, tile, taskId, workerW.account.address);
    const adapter = await viem.getContractAt("ZkDownscaleProofVerifier", s.zkAdapters["zk-downscale"]!);
    const worker_ = workerW.account.address;
    assert.equal(await adapter.read.verifyTaskProof([taskId, worker_, inputCommitment, outputCommitment, proof]), true);
    // Each public signal matters: input, output, task, worker.
    assert.equal(await adapter.read.verifyTaskProof([taskId, worker_, inputCommitment + 1n, outputCommitment, proof]), false);
    assert.equal(await adapter.read.verifyTaskProof([taskId, worker_, inputCommitment, outputCommitment + 1n, proof]), false);
    assert.equal(await adapter.read.verifyTaskProof([otherTask, worker_, inputCommitment, outputCommitment, proof]), false);
    assert.equal(await adapter.read.verifyTaskProof([taskId, otherW.account.address, inputCommitment, outputCommitment, proof]), false);
    // Malformed proofs return false (never revert): short, or a coordinate above the field.
    assert.equal(await adapter.read.verifyTaskProof([taskId, worker_, inputCommitment, outputCommitment, "0x1234"]), false);
    const huge = `0x${"ff".repeat(32)}${proof.slice(66)}` as Hex;
    assert.equal(await adapter.read.verifyTaskProof([taskId, worker_, inputCommitment, outputCommitment, huge]), false);

    const before = await snapshot();
    const tampered = `${proof.slice(0, 100)}${proof[100] === "0" ? "1" : "0"}${proof.slice(101)}` as Hex;
    for (const [output, bytes, why] of [
      [outputCommitment, tampered, "tampered proof"],
      [outputCommitment + 1n, proof, "wrong output commitment"],
    ] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.submitProof([taskId, output, bytes, toHex("bafy-zk-out")]),
        s.market,
        "InvalidProof",
        [taskId],
      );
      assert.deepEqual(await snapshot(), before, `${why}: credits untouched`);
    }
    // The proof for taskId does not pay for otherTask (same input commitment, same worker).
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([otherTask, outputCommitment, proof, toHex("bafy-zk-out")]),
      s.market,
      "InvalidProof",
      [otherTask],
    );
    assert.deepEqual(await snapshot(), before, "proof for another task: credits untouched");

    const outputCid = toHex("bafy-zk-downscale-output");
    const hash = await worker.market.write.submitProof([taskId, outputCommitment, proof, outputCid]);
    await viem.assertions.emitWithArgs(hash, s.market, "TaskProved", [taskId, getAddress(worker_), outputCommitment, outputCid]);
    const receipt = await s.wait(hash);
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
    // Accepted, not paid: the escrow is whole and the worker's claim lock stays until the task is final.
    assert.deepEqual(await snapshot(), before, "submitProof moves no credit");
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
    assert.equal((await s.ledger.read.accountOf([worker_])).lockedStake, 2n * CLAIM_LOCK, "both claims still locked");
    await check([taskId, otherTask]);
    console.log(`    submitProof with the real zk-downscale verifier: ${receipt.gasUsed} gas`);
    await finalizeAfterAuditWindow(taskId);
    const wk = await s.ledger.read.accountOf([worker_]);
    // The requester's escrow was genesis credit: so is the pay.
    assert.equal(wk.genesis - before[1].genesis, BOUNTY, "bounty paid at finalize, as genesis");
    assert.equal(wk.balance, before[1].balance);
    assert.equal(wk.lockedStake, CLAIM_LOCK, "only the unproved task's claim stays locked");
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
    assert.equal(await s.ledger.read.treasury(), before[2] + PLATFORM_FEE);
    await check([taskId, otherTask]);
  });

  it("test_zkMatmul_realProofAcceptsFinalizePaysAndATamperedProofReverts", async () => {
    const { s, requesterW, workerW, worker, snapshot, check, finalizeAfterAuditWindow } = await world();
    const inputCommitment = await matmul.inputCommitment(matrices);
    const taskId = await s.post(requesterW, { typeId: MATMUL, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: inputCommitment, spec: toHex('{"m":16,"k":16,"n":16}') });
    await s.wait(await worker.market.write.claim([taskId]));
    const { outputCommitment, proof, output } = await proveFor(matmul, matrices, taskId, workerW.account.address);
    const before = await snapshot();
    const tampered = `${proof.slice(0, 200)}${proof[200] === "0" ? "1" : "0"}${proof.slice(201)}` as Hex;
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, outputCommitment, tampered, toHex("bafy-zk-out")]),
      s.market,
      "InvalidProof",
      [taskId],
    );
    assert.deepEqual(await snapshot(), before);
    await s.wait(await worker.market.write.submitProof([taskId, outputCommitment, proof, toHex("bafy-zk-out")]));
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
    assert.deepEqual(await snapshot(), before, "accepted, nothing paid yet");
    await finalizeAfterAuditWindow(taskId);
    assert.equal((await s.ledger.read.accountOf([workerW.account.address])).genesis - before[1].genesis, BOUNTY);
    // The requester's check of the downloaded output against the proven commitment.
    assert.equal((await matmul.checkOutput(output, outputCommitment)).ok, true);
    assert.equal((await matmul.checkOutput(output, outputCommitment + 1n)).ok, false);
    await check([taskId]);
  });
});

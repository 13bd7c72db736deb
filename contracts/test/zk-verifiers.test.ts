/**
 * The REAL zk verifiers (generated Groth16 verifiers behind ZkDownscaleProofVerifier / ZkMatmulProofVerifier,
 * registered at genesis by deploy-protocol.ts) with real proofs made by the task types in Node:
 * post with the real input commitment, claim, submitProof -> paid in one transaction; a tampered proof, wrong
 * public signals, or a proof made for another task reverts InvalidProof and leaves credits untouched.
 * Three proofs in all (~5-15 s each on 2 cores).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, bytesToHex, getAddress, toHex } from "viem";
import { VerificationMode, defaultParams } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { genesisTaskTypes } from "../deploy/deploy-protocol.ts";
import { setupProtocol } from "../test-support/fixture.ts";
import * as downscale from "../../wasm-tasks/zk-downscale/index.ts";
import * as matmul from "../../wasm-tasks/zk-matmul/index.ts";
import { decodeOutput } from "../../wasm-tasks/zk-common/proof.ts";

const BOUNTY = 1_000n;
const DOWNSCALE = genesisTaskTypes.findIndex((t) => t.name === "zk-downscale");
const MATMUL = genesisTaskTypes.findIndex((t) => t.name === "zk-matmul");

after(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

const tile = new Uint8Array(64 * 64).map((_, i) => (i * 131 + (i >> 6) * 7) & 0xff);
const matrices = new Uint8Array(512).map((_, i) => (i * 89 + 3) & 0xff);

describe("zk task types with the real Groth16 verifiers", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem } = connection;

  async function world() {
    const s = await setupProtocol(connection);
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const otherW = s.wallets[3]!;
    await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, 2_000n, false);
    const other = await s.registerWorker(otherW, 2_000n, false);
    const everyone = s.wallets.map((w) => w.account.address);
    const snapshot = () =>
      Promise.all([
        s.ledger.read.accountOf([requesterW.account.address]),
        s.ledger.read.accountOf([workerW.account.address]),
        s.ledger.read.treasury(),
      ]);
    const conserved = async (taskIds: Hex[]) => {
      const t = await s.creditTotals(everyone, taskIds);
      assert.equal(t.held, t.issued, "credit conservation");
    };
    return { s, requesterW, workerW, otherW, worker, other, snapshot, conserved };
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

  it("registers zk-downscale and zk-matmul at genesis as zk-only types with their adapters", async () => {
    const { s } = await world();
    for (const id of [DOWNSCALE, MATMUL]) {
      const t = await s.taskTypes.read.taskType([id]);
      assert.equal(t.policy.modes, 2);
      assert.notEqual(t.policy.zkVerifier, "0x0000000000000000000000000000000000000000");
      assert.equal(getAddress(t.policy.zkVerifier), getAddress(s.zkAdapters[t.name]!));
    }
  });

  it("zk-downscale: post -> claim -> real proof pays in one tx; tampered proof / wrong signals / other task revert", async () => {
    const { s, requesterW, workerW, otherW, worker, snapshot, conserved } = await world();
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
    const wk = await s.ledger.read.accountOf([worker_]);
    assert.equal(wk.balance - before[1].balance, BOUNTY, "bounty paid in the submitProof transaction");
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
    assert.equal(await s.ledger.read.treasury(), before[2] + (BOUNTY * BigInt(defaultParams.platformFeeBps)) / 10_000n);
    await conserved([taskId, otherTask]);
    console.log(`    submitProof with the real zk-downscale verifier: ${receipt.gasUsed} gas`);
  });

  it("zk-matmul: real proof pays in one tx; a tampered proof reverts", async () => {
    const { s, requesterW, workerW, worker, snapshot, conserved } = await world();
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
    assert.equal((await s.ledger.read.accountOf([workerW.account.address])).balance - before[1].balance, BOUNTY);
    // The requester's check of the downloaded output against the proven commitment.
    assert.equal((await matmul.checkOutput(output, outputCommitment)).ok, true);
    assert.equal((await matmul.checkOutput(output, outputCommitment + 1n)).ok, false);
    await conserved([taskId]);
  });
});

/**
 * TaskMarket zk mode (DESIGN §3 step 4), against RuleBasedProofVerifier: a proof is valid when it is
 * keccak256(abi.encode(taskId, worker, inputCommitment, outputCommitment)), i.e. when it binds the same
 * public signals a real circuit would. The zk issue replaces the mock with real Groth16 verifiers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, encodeAbiParameters, getAddress, keccak256, toHex } from "viem";
import { VerificationMode, defaultParams } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const BOUNTY = 1_000n;
const INPUT_COMMITMENT = 0xc0ffeen;
const OUTPUT_COMMITMENT = 0xbeefn;

/** The proof RuleBasedProofVerifier accepts: abi.encode(keccak256(abi.encode(taskId, worker, input, output))). */
function ruleProof(taskId: Hex, worker: Address, input: bigint, output: bigint): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }],
      [taskId, worker, input, output],
    ),
  );
}

describe("TaskMarket zk mode", async () => {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function world() {
    // Audit rate 100%: shows that a zk task is never drawn for audit.
    const s = await setupProtocol(connection, { auditRateBps: 10_000 });
    const verifier = await viem.deployContract("RuleBasedProofVerifier");
    await s.wait(await s.taskTypes.write.addTaskType(["zk-type", "", 2, verifier.address]));
    const zkType = Number((await s.taskTypes.read.typeCount()) - 1n);
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const otherW = s.wallets[3]!;
    await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, 2_000n, false);
    const other = await s.registerWorker(otherW, 2_000n, true);
    await s.registerWorker(s.wallets[4]!, 2_000n, true);
    await s.registerWorker(s.wallets[5]!, 2_000n, true);
    const everyone = s.wallets.map((w) => w.account.address);
    const conserved = async (taskIds: Hex[]) => {
      const t = await s.creditTotals(everyone, taskIds);
      assert.equal(t.held, t.issued, "credit conservation: held == issued");
    };
    const claimedZk = async (input = INPUT_COMMITMENT) => {
      const taskId = await s.post(requesterW, { typeId: zkType, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: input });
      await s.wait(await worker.market.write.claim([taskId]));
      return taskId;
    };
    const snapshot = async () =>
      Promise.all([
        s.ledger.read.accountOf([requesterW.account.address]),
        s.ledger.read.accountOf([workerW.account.address]),
        s.ledger.read.treasury(),
      ]);
    return { s, verifier, zkType, requesterW, workerW, otherW, worker, other, conserved, claimedZk, snapshot };
  }

  it("test_ruleBasedVerifier_matchesTypeScriptRule", async () => {
    const { verifier, workerW } = await world();
    const taskId = `0x${"11".repeat(32)}` as Hex;
    const expected = ruleProof(taskId, workerW.account.address, 1n, 2n);
    assert.equal(await verifier.read.expectedProof([taskId, workerW.account.address, 1n, 2n]), expected);
    assert.equal(await verifier.read.verifyTaskProof([taskId, workerW.account.address, 1n, 2n, expected]), true);
    assert.equal(await verifier.read.verifyTaskProof([taskId, workerW.account.address, 1n, 3n, expected]), false);
  });

  it("test_submitProof_paysWorkerInOneTransaction", async () => {
    const { s, claimedZk, requesterW, workerW, worker, conserved } = await world();
    const taskId = await claimedZk();
    const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
    const outputCid = toHex("bafy-zk-output");
    const hash = await worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, outputCid]);
    await viem.assertions.emitWithArgs(hash, s.market, "TaskProved", [
      taskId,
      getAddress(workerW.account.address),
      OUTPUT_COMMITMENT,
      outputCid,
    ]);
    const task = await s.market.read.taskOf([taskId]);
    assert.equal(task.status, TaskStatus.Accepted, "accepted at once: no verifiers, no random audit");
    const round = await s.market.read.roundOf([taskId]);
    for (const m of round.members) assert.equal(m.account, ZERO_ADDRESS, "no verifiers drawn");
    assert.equal(round.sealOrDigest[0], cidDigest(outputCid), "the published output's digest, for a dispute");
    const block = await s.publicClient.getBlock({ blockNumber: (await s.wait(hash)).blockNumber });
    assert.equal(BigInt(round.acceptedAt), block.timestamp);
    const audit = await s.market.read.auditOf([taskId]);
    for (const m of audit.members) assert.equal(m.account, ZERO_ADDRESS, "no auditors drawn");
    assert.equal(audit.acceptedAt, 0, "no audit started, even at a 100% audit rate");
    for (const w of s.wallets.slice(3, 6)) {
      assert.equal((await s.ledger.read.accountOf([w.account.address])).lockedStake, 0n);
    }
    const wk = await s.ledger.read.accountOf([workerW.account.address]);
    assert.equal(wk.balance, BOUNTY);
    assert.equal(wk.earned, BOUNTY);
    assert.equal(wk.lockedStake, 0n);
    assert.equal(wk.stake, 2_000n);
    assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n);
    assert.equal((await s.registry.read.workerOf([workerW.account.address])).reputation, 1);
    assert.equal((await s.ledger.read.accountOf([requesterW.account.address])).genesis, GENESIS - 1_010n);
    assert.equal(await s.ledger.read.treasury(), 10n, "platform fee only: no verifier fees in zk mode");
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
    assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), BOUNTY);
    await conserved([taskId]);
  });

  it("test_submitProof_revertsWithInvalidProofAndLeavesCreditsUntouched", async () => {
    const { s, claimedZk, worker, workerW, snapshot, conserved } = await world();
    const taskId = await claimedZk();
    const before = await snapshot();
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, toHex("garbage"), toHex("bafy-zk-out")]),
      s.market,
      "InvalidProof",
      [taskId],
    );
    assert.deepEqual(await snapshot(), before);
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 1_010n);
    const task = await s.market.read.taskOf([taskId]);
    assert.equal(task.status, TaskStatus.Claimed);
    assert.equal(task.worker, getAddress(workerW.account.address));
    await conserved([taskId]);
  });

  it("test_submitProof_revertsWhenProofBindsOtherInputCommitment", async () => {
    const { s, claimedZk, worker, workerW } = await world();
    const taskId = await claimedZk();
    const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT + 1n, OUTPUT_COMMITMENT);
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]),
      s.market,
      "InvalidProof",
      [taskId],
    );
  });

  it("test_submitProof_revertsWithWrongModeOnReplicatedTask", async () => {
    const { s, requesterW, worker, workerW } = await world();
    const taskId = await s.post(requesterW, { bounty: BOUNTY });
    await s.wait(await worker.market.write.claim([taskId]));
    const proof = ruleProof(taskId, workerW.account.address, 0n, OUTPUT_COMMITMENT);
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]),
      s.market,
      "WrongMode",
      [taskId, VerificationMode.Replicated],
    );
  });

  it("test_commit_revertsWithWrongModeOnZkTask", async () => {
    const { s, claimedZk, worker, workerW } = await world();
    const taskId = await claimedZk();
    const res = s.result(taskId, workerW.account.address, "good");
    await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.commit([taskId, res.commitment]), s.market, "WrongMode", [
      taskId,
      VerificationMode.Zk,
    ]);
  });

  it("test_submitProof_revertsWhenNotClaimer", async () => {
    const { s, claimedZk, other, otherW } = await world();
    const taskId = await claimedZk();
    // Even a proof that would be valid for the caller is refused: only the claimer may prove.
    const proof = ruleProof(taskId, otherW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
    await viem.assertions.revertWithCustomErrorWithArgs(
      other.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]),
      s.market,
      "NotClaimer",
      [taskId, getAddress(otherW.account.address)],
    );
  });

  it("test_submitProof_revertsWhenClaimExpired", async () => {
    const { s, claimedZk, worker, workerW } = await world();
    const taskId = await claimedZk();
    const { claimDeadline } = await s.market.read.taskOf([taskId]);
    await time.increaseTo(claimDeadline + 1);
    const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]),
      s.market,
      "ClaimExpired",
      [taskId, BigInt(claimDeadline)],
    );
  });

  it("test_submitProof_revertsOnZeroCommitment", async () => {
    const { s, claimedZk, worker, workerW } = await world();
    const taskId = await claimedZk();
    const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, 0n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, 0n, proof, toHex("bafy-zk-out")]),
      s.market,
      "ZeroCommitment",
      [],
    );
  });

  it("test_submitProof_revertsWhenNotClaimed", async () => {
    const { s, requesterW, zkType, worker, workerW } = await world();
    const taskId = await s.post(requesterW, { typeId: zkType, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: 1n });
    const proof = ruleProof(taskId, workerW.account.address, 1n, OUTPUT_COMMITMENT);
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]),
      s.market,
      "WrongStatus",
      [taskId, TaskStatus.Open],
    );
  });
  it("test_submitProof_revertsWithoutOutputCid", async () => {
    const { s, claimedZk, worker, workerW } = await world();
    const taskId = await claimedZk();
    const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, "0x"]),
      s.market,
      "InvalidOutputCid",
      [0n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex(new Uint8Array(129))]),
      s.market,
      "InvalidOutputCid",
      [129n],
    );
  });

  describe("data-availability dispute (forced audit of a proved task)", () => {
    /** A proved zk task whose worker published `published` as its output CID; auditors recompute `honest`. */
    async function proved(published: string) {
      const w = await world();
      const taskId = await w.claimedZk();
      const proof = ruleProof(taskId, w.workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
      await w.s.wait(await w.worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex(`bafy-output-${published}`)]));
      const requester = await w.s.as(w.requesterW);
      await w.s.wait(await requester.market.write.forceAudit([taskId]));
      await w.s.drawAuditors(taskId);
      const auditors = (await w.s.market.read.auditOf([taskId])).members.map((m) => w.s.walletOf(m.account));
      const results = [];
      for (const a of auditors) results.push(await w.s.commitAs(a, taskId, "honest"));
      for (const [i, a] of auditors.entries()) await w.s.revealAs(a, taskId, results[i]!);
      await w.s.wait(await w.s.market.write.finalizeAudit([taskId]));
      return { ...w, taskId, auditors };
    }

    it("test_zkDispute_wrongOutputBytesProveFraud", async () => {
      const { s, taskId, workerW, requesterW, conserved } = await proved("not-the-proven-bytes");
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Fraudulent);
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), true);
      assert.equal((await s.account(requesterW.account.address)).balance, BOUNTY, "the payment is reversed");
      assert.ok((await s.account(workerW.account.address)).stake < 2_000n, "the worker is slashed");
      await conserved([taskId]);
    });

    it("test_zkDispute_correctOutputIsClean", async () => {
      const { s, taskId, workerW, auditors, conserved } = await proved("honest");
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      assert.equal((await s.account(workerW.account.address)).balance, BOUNTY, "payment stands");
      for (const a of auditors) assert.equal((await s.account(a.account.address)).balance, 10n, "auditors paid by the requester");
      await conserved([taskId]);
    });
  });

  it("test_provedTask_finalizesAfterAuditWindow", async () => {
    const { s, claimedZk, worker, workerW, conserved } = await world();
    const taskId = await claimedZk();
    const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
    await s.wait(await worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]));
    const { acceptedAt } = await s.market.read.roundOf([taskId]);
    const closesAt = BigInt(acceptedAt + defaultParams.auditWindow);
    await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [taskId, closesAt]);
    await time.increaseTo(closesAt + 1n);
    await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId]);
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
    await conserved([taskId]);
  });
});

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
    assert.equal(task.status, TaskStatus.Final, "accepted and final at once: no verifiers, no audit");
    const round = await s.market.read.roundOf([taskId]);
    for (const m of round.members) assert.equal(m.account, ZERO_ADDRESS, "no verifiers drawn");
    const audit = await s.market.read.auditOf([taskId]);
    for (const m of audit.members) assert.equal(m.account, ZERO_ADDRESS, "no auditors drawn");
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
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, toHex("garbage"), "0x"]),
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
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, "0x"]),
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
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, "0x"]),
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
      other.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, "0x"]),
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
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, "0x"]),
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
      worker.market.write.submitProof([taskId, 0n, proof, "0x"]),
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
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, "0x"]),
      s.market,
      "WrongStatus",
      [taskId, TaskStatus.Open],
    );
  });
});

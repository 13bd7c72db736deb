/**
 * TaskMarket zk mode (DESIGN §3 step 4, issue 9 rules), against RuleBasedProofVerifier: a proof is valid when it
 * is keccak256(abi.encode(taskId, worker, inputCommitment, outputCommitment)), i.e. when it binds the same public
 * signals a real circuit would (contracts/test/zk-verifiers.test.ts runs the real Groth16 verifiers).
 *
 * A valid proof accepts the task but pays nothing: the proof settles the computation, not whether the published
 * output CID holds the proven bytes, and the requester may dispute those with a forced audit (a data-availability
 * dispute) within the audit window. `finalize` pays after it. Bounty 1000: escrow 1040 (platform fee 10, audit
 * reserve 30, no verifier fees); the test type's cost model gives a work value of 100 mCC.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, encodeAbiParameters, getAddress, keccak256, toHex } from "viem";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import { VerificationMode, bpsShare, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const BOUNTY = 1_000n;
const ESCROW = escrowFor(BOUNTY, VerificationMode.Zk); // 1040
const FEE = bpsShare(BOUNTY, defaultParams.verifierFeeBps);
const PLATFORM_FEE = bpsShare(BOUNTY, defaultParams.platformFeeBps);
const CLAIM_LOCK = bpsShare(BOUNTY, defaultParams.claimStakeBps);
const FRAUD_SLASH = BOUNTY * BigInt(defaultParams.fraudSlashMultiplier);
const REWARD_EACH = bpsShare(BOUNTY, defaultParams.auditorRewardBps) / 3n;
const WORK_VALUE = 100n; // 360,000 reference ms
const WORKER_STAKE = 2_000n;
const POOL_STAKE = 2_000n;
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
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function world() {
    // Audit rate 100%: shows that a zk task is never drawn for a random audit.
    const s = await setupProtocol(connection, { auditRateBps: 10_000 });
    const verifier = await viem.deployContract("RuleBasedProofVerifier");
    const zkType = await s.addType({ name: "zk-type", modes: 2, zkVerifier: verifier.address, workMsBase: 360_000 });
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const otherW = s.wallets[3]!;
    const requester = await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, WORKER_STAKE, false);
    const other = await s.registerWorker(otherW, POOL_STAKE, true);
    await s.registerWorker(s.wallets[4]!, POOL_STAKE, true);
    await s.registerWorker(s.wallets[5]!, POOL_STAKE, true);
    const check = async (taskIds: Hex[]) => {
      await s.conserved(taskIds);
      await s.genesisKept(taskIds);
    };
    const claimedZk = async (input = INPUT_COMMITMENT) => {
      const taskId = await s.post(requesterW, { typeId: zkType, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: input });
      await s.wait(await worker.market.write.claim([taskId]));
      return taskId;
    };
    /** A claimed zk task proved with a valid proof under `outputCid`. */
    const provedZk = async (outputCid: Hex = toHex("bafy-zk-out")) => {
      const taskId = await claimedZk();
      const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
      const hash = await worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, outputCid]);
      return { taskId, hash };
    };
    const snapshot = async () =>
      Promise.all([
        s.ledger.read.accountOf([requesterW.account.address]),
        s.ledger.read.accountOf([workerW.account.address]),
        s.ledger.read.treasury(),
      ]);
    const addr = (w: { account: { address: Hex } }) => getAddress(w.account.address);
    return { s, verifier, zkType, requesterW, workerW, otherW, requester, worker, other, check, claimedZk, provedZk, snapshot, addr };
  }

  it("test_ruleBasedVerifier_matchesTypeScriptRule", async () => {
    const { verifier, workerW } = await world();
    const taskId = `0x${"11".repeat(32)}` as Hex;
    const expected = ruleProof(taskId, workerW.account.address, 1n, 2n);
    assert.equal(await verifier.read.expectedProof([taskId, workerW.account.address, 1n, 2n]), expected);
    assert.equal(await verifier.read.verifyTaskProof([taskId, workerW.account.address, 1n, 2n, expected]), true);
    assert.equal(await verifier.read.verifyTaskProof([taskId, workerW.account.address, 1n, 3n, expected]), false);
  });

  it("test_submitProof_acceptsWithoutPayingAndKeepsTheClaimLock", async () => {
    const { s, claimedZk, requesterW, workerW, worker, addr, check } = await world();
    const taskId = await claimedZk();
    const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
    const outputCid = toHex("bafy-zk-output");
    assert.equal(await s.market.read.zkInputCommitment([taskId]), INPUT_COMMITMENT, "the posted commitment, until a proof is accepted");
    const hash = await worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, outputCid]);
    await viem.assertions.emitWithArgs(hash, s.market, "TaskProved", [taskId, addr(workerW), OUTPUT_COMMITMENT, outputCid]);
    // Its slot now holds the output digest (below); the view says there is no commitment left to prove.
    assert.equal(await s.market.read.zkInputCommitment([taskId]), 0n);
    const task = await s.market.read.taskOf([taskId]);
    assert.equal(task.status, TaskStatus.Accepted, "accepted, not final: no verifiers, no random audit");
    assert.equal(BigInt(task.workValue), WORK_VALUE);
    const round = await s.market.read.roundOf([taskId]);
    for (const m of round.members) assert.equal(m.account, ZERO_ADDRESS, "no verifiers drawn");
    assert.equal(round.sealOrDigest[0], cidDigest(outputCid), "the published output's digest, for a dispute");
    const { timestamp } = await s.publicClient.getBlock({ blockNumber: (await s.wait(hash)).blockNumber });
    assert.equal(BigInt(round.acceptedAt), timestamp);
    assert.equal(await s.market.read.auditWindowClosesAt([taskId]), timestamp + BigInt(defaultParams.auditWindow));
    const audit = await s.market.read.auditOf([taskId]);
    assert.deepEqual([audit.acceptedAt, audit.anchorBlock], [0, 0], "no audit started, even at a 100% audit rate");
    // Nor one left to decide: decideAudit has nothing to draw, and finalize will not wait for it.
    assert.equal(round.auditPending, false);
    await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.decideAudit([taskId]), s.market, "NothingToDraw", [taskId]);
    for (const w of s.wallets.slice(3, 6)) assert.equal((await s.account(w.account.address)).lockedStake, 0n);
    // Nothing is paid: the worker's claim lock stays, the escrow is whole, no IOU yet.
    const wk = await s.account(workerW.account.address);
    assert.deepEqual(
      [wk.balance, wk.genesis, wk.earned, wk.stake, wk.lockedStake],
      [0n, GENESIS - WORKER_STAKE, 0n, WORKER_STAKE, CLAIM_LOCK],
    );
    assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n, "the claim itself is done");
    const w = await s.registry.read.workerOf([workerW.account.address]);
    assert.deepEqual([w.reputation, BigInt(w.lastAcceptedAt)], [1, timestamp]);
    assert.equal((await s.account(requesterW.account.address)).genesis, GENESIS - ESCROW);
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
    assert.equal(await s.ledger.read.treasury(), 0n);
    assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), 0n);
    await check([taskId]);
  });

  it("test_submitProof_revertsWithInvalidProofAndLeavesCreditsUntouched", async () => {
    const { s, claimedZk, worker, workerW, snapshot, check, addr } = await world();
    const taskId = await claimedZk();
    const before = await snapshot();
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, toHex("garbage"), toHex("bafy-zk-out")]),
      s.market,
      "InvalidProof",
      [taskId],
    );
    assert.deepEqual(await snapshot(), before);
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
    const task = await s.market.read.taskOf([taskId]);
    assert.deepEqual([task.status, task.worker], [TaskStatus.Claimed, addr(workerW)]);
    await check([taskId]);
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
    const { s, claimedZk, other, otherW, addr } = await world();
    const taskId = await claimedZk();
    // Even a proof that would be valid for the caller is refused: only the claimer may prove.
    const proof = ruleProof(taskId, otherW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
    await viem.assertions.revertWithCustomErrorWithArgs(
      other.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]),
      s.market,
      "NotClaimer",
      [taskId, addr(otherW)],
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

  describe("proved without a claim (the first valid proof wins)", () => {
    type World = Awaited<ReturnType<typeof world>>;
    const openZk = async (s: World["s"], requesterW: World["requesterW"], zkType: number, extra: { preferredWorker?: Address } = {}) =>
      s.post(requesterW, { typeId: zkType, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: INPUT_COMMITMENT, ...extra });

    it("test_submitProof_withoutClaim_acceptsTheOpenTaskLocksTheClaimStakeAndFinalizePaysAndReleasesIt", async () => {
      const { s, zkType, requesterW, workerW, worker, addr, check } = await world();
      const taskId = await openZk(s, requesterW, zkType);
      const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
      const outputCid = toHex("bafy-zk-direct");
      const hash = await worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, outputCid]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskProved", [taskId, addr(workerW), OUTPUT_COMMITMENT, outputCid]);
      const receipt = await s.wait(hash);
      const claimed = receipt.logs.filter((l) => l.address.toLowerCase() === s.market.address.toLowerCase() && l.topics[0] === keccak256(toHex("TaskClaimed(bytes32,address,uint256)")));
      assert.equal(claimed.length, 0, "no claim was made");
      const task = await s.market.read.taskOf([taskId]);
      assert.deepEqual([task.status, getAddress(task.worker)], [TaskStatus.Accepted, addr(workerW)]);
      assert.equal((await s.market.read.roundOf([taskId])).sealOrDigest[0], cidDigest(outputCid));
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n, "no claim slot was taken");
      assert.equal((await s.account(workerW.account.address)).lockedStake, CLAIM_LOCK, "the stake a claim locks, held until final");
      await check([taskId]);
      await time.setNextBlockTimestamp((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await s.wait(await s.market.write.finalize([taskId]));
      const wk = await s.account(workerW.account.address);
      assert.deepEqual([wk.genesis, wk.earned, wk.lockedStake], [GENESIS - WORKER_STAKE + BOUNTY, WORK_VALUE, 0n]);
      await check([taskId]);
    });

    it("test_submitProof_withoutClaim_aCopyOfAPendingProofSentByAnotherAccountDoesNotVerify", async () => {
      const { s, zkType, requesterW, workerW, other, worker, check } = await world();
      const taskId = await openZk(s, requesterW, zkType);
      // `other` sees the worker's proof in the mempool and sends it first, as its own.
      const proof = ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
      await viem.assertions.revertWithCustomErrorWithArgs(
        other.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]),
        s.market,
        "InvalidProof",
        [taskId],
      );
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      await s.wait(await worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      await check([taskId]);
    });

    it("test_submitProof_withoutClaim_secondProofRevertsWrongStatus", async () => {
      const { s, zkType, requesterW, workerW, otherW, worker, other } = await world();
      const taskId = await openZk(s, requesterW, zkType);
      await s.wait(await worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT), toHex("bafy-a")]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        other.market.write.submitProof([taskId, OUTPUT_COMMITMENT, ruleProof(taskId, otherW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT), toHex("bafy-b")]),
        s.market,
        "WrongStatus",
        [taskId, TaskStatus.Accepted],
      );
    });

    it("test_submitProof_withoutClaim_checksWhatAClaimChecks", async () => {
      const { s, zkType, requesterW, requester, workerW, worker, otherW, other, addr } = await world();
      const proofOf = (taskId: Hex, w: { account: { address: Address } }) => ruleProof(taskId, w.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
      const taskId = await openZk(s, requesterW, zkType);
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proofOf(taskId, requesterW), toHex("bafy")]),
        s.market,
        "CannotWorkOwnTask",
        [taskId],
      );
      const stranger = s.wallets[6]!;
      const strangerMarket = await viem.getContractAt("TaskMarket", s.market.address, { client: { wallet: stranger } });
      await viem.assertions.revertWithCustomErrorWithArgs(
        strangerMarket.write.submitProof([taskId, OUTPUT_COMMITMENT, proofOf(taskId, stranger), toHex("bafy")]),
        s.market,
        "WorkerNotRegistered",
        [getAddress(stranger.account.address)],
      );
      // The preferred worker's exclusive window holds for a proof as for a claim.
      const preferred = await openZk(s, requesterW, zkType, { preferredWorker: workerW.account.address });
      const until = BigInt((await s.market.read.taskOf([preferred])).preferredUntil);
      await viem.assertions.revertWithCustomErrorWithArgs(
        other.market.write.submitProof([preferred, OUTPUT_COMMITMENT, proofOf(preferred, otherW), toHex("bafy")]),
        s.market,
        "PreferredWorkerWindow",
        [preferred, addr(workerW), until],
      );
      // Past the deadline nobody may take it.
      const { deadline } = await s.market.read.taskOf([taskId]);
      await time.increaseTo(BigInt(deadline) + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proofOf(taskId, workerW), toHex("bafy")]),
        s.market,
        "TaskPastDeadline",
        [taskId, BigInt(deadline)],
      );
    });

    it("test_submitProof_withoutClaim_revertsWhilePaused", async () => {
      const { s, zkType, requesterW, workerW, worker } = await world();
      const taskId = await openZk(s, requesterW, zkType);
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomError(
        worker.market.write.submitProof([taskId, OUTPUT_COMMITMENT, ruleProof(taskId, workerW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT), toHex("bafy")]),
        s.market,
        "EnforcedPause",
      );
    });

    it("test_submitProof_withoutClaim_revertsNotClaimerWhileAnotherHoldsALiveClaimAndTakesALapsedOne", async () => {
      const { s, claimedZk, workerW, otherW, other, addr, check } = await world();
      const taskId = await claimedZk();
      const proof = ruleProof(taskId, otherW.account.address, INPUT_COMMITMENT, OUTPUT_COMMITMENT);
      await viem.assertions.revertWithCustomErrorWithArgs(
        other.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]),
        s.market,
        "NotClaimer",
        [taskId, addr(otherW)],
      );
      // Once the claim lapsed, a proof expires it (the lapsed worker pays, as when a claim takes it over) and wins.
      const { claimDeadline } = await s.market.read.taskOf([taskId]);
      await time.increaseTo(BigInt(claimDeadline) + 1n);
      const hash = await other.market.write.submitProof([taskId, OUTPUT_COMMITMENT, proof, toHex("bafy-zk-out")]);
      await viem.assertions.emit(hash, s.market, "ClaimExpiredReopened");
      const task = await s.market.read.taskOf([taskId]);
      assert.deepEqual([task.status, getAddress(task.worker)], [TaskStatus.Accepted, addr(otherW)]);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n);
      await check([taskId]);
    });
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

  describe("finalize", () => {
    it("test_finalize_revertsAuditWindowOpenOnAProvedTask", async () => {
      const { s, provedZk } = await world();
      const { taskId } = await provedZk();
      const closesAt = await s.market.read.auditWindowClosesAt([taskId]);
      await time.setNextBlockTimestamp(closesAt);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [taskId, closesAt]);
    });

    it("test_finalize_paysTheZkWorkerAfterTheAuditWindow", async () => {
      const { s, provedZk, requesterW, workerW, check } = await world();
      const { taskId } = await provedZk();
      await time.setNextBlockTimestamp((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      // Genesis-funded pay arrives as genesis; the work credit is the task's work value, not its price.
      const wk = await s.account(workerW.account.address);
      assert.deepEqual(
        [wk.balance, wk.genesis, wk.earned, wk.stake, wk.lockedStake],
        [0n, GENESIS - WORKER_STAKE + BOUNTY, WORK_VALUE, WORKER_STAKE, 0n],
      );
      assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), BOUNTY);
      // The unused audit reserve comes back; the platform fee goes to the treasury.
      assert.equal((await s.account(requesterW.account.address)).genesis, GENESIS - ESCROW + 3n * FEE);
      assert.deepEqual([await s.ledger.read.treasury(), await s.ledger.read.treasuryGenesis()], [PLATFORM_FEE, PLATFORM_FEE]);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      await check([taskId]);
    });

    it("test_unstake_revertsStakeStillLockedUntilTheProvedTaskIsFinal", async () => {
      const { s, provedZk, worker, workerW, addr, check } = await world();
      const { taskId } = await provedZk();
      await s.wait(await worker.registry.write.requestUnstake());
      await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + BigInt(defaultParams.unstakeCooldown));
      await viem.assertions.revertWithCustomErrorWithArgs(worker.registry.write.unstake([1n]), s.registry, "StakeStillLocked", [
        addr(workerW),
        CLAIM_LOCK,
      ]);
      await s.wait(await s.market.write.finalize([taskId]));
      await s.wait(await worker.registry.write.unstake([WORKER_STAKE]));
      assert.equal((await s.account(workerW.account.address)).stake, 0n);
      await check([taskId]);
    });

    it("test_forceAudit_revertsAuditWindowClosedOnAProvedTask", async () => {
      const { s, provedZk, requester } = await world();
      const { taskId } = await provedZk();
      const closesAt = await s.market.read.auditWindowClosesAt([taskId]);
      await time.setNextBlockTimestamp(closesAt + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "AuditWindowClosed", [
        taskId,
        closesAt,
      ]);
    });
  });

  describe("data-availability dispute (forced audit of a proved task)", () => {
    /** A proved zk task whose worker published `published` as its output CID; the auditors recompute `honest`. */
    async function disputed(published: string) {
      const w = await world();
      const { taskId } = await w.provedZk(toHex(`bafy-output-${published}`));
      await w.s.wait(await w.requester.market.write.forceAudit([taskId]));
      assert.equal((await w.s.ledger.read.escrowOf([taskId])).amount, ESCROW, "the dispute escrows nothing more");
      await w.s.drawAuditors(taskId);
      const auditors = (await w.s.market.read.auditOf([taskId])).members.map((m) => w.s.walletOf(m.account));
      // The pool is three members besides the requester and the worker: all three audit.
      assert.deepEqual(
        new Set(auditors.map((a) => a.account.address)),
        new Set(w.s.wallets.slice(3, 6).map((a) => a.account.address)),
      );
      const results = [];
      for (const a of auditors) results.push(await w.s.commitAs(a, taskId, "honest"));
      for (const [i, a] of auditors.entries()) await w.s.revealAs(a, taskId, results[i]!);
      const hash = await w.s.market.write.finalizeAudit([taskId]);
      return { ...w, taskId, auditors, hash };
    }

    it("test_zkDispute_wrongOutputBytesProveFraud", async () => {
      const { s, taskId, hash, workerW, requesterW, auditors, addr, check } = await disputed("not-the-proven-bytes");
      const honest = s.result(taskId, workerW.account.address, "honest");
      await viem.assertions.emitWithArgs(hash, s.market, "FraudProven", [taskId, addr(workerW), FRAUD_SLASH, honest.digest]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Fraudulent);
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), true);
      const wk = await s.account(workerW.account.address);
      assert.deepEqual(
        [wk.balance, wk.genesis, wk.stake, wk.lockedStake],
        [WORKER_STAKE - FRAUD_SLASH, GENESIS - WORKER_STAKE, 0n, 0n],
        "never paid; its stake slashed and the rest of the slash as debt",
      );
      // The requester gets its escrow back as genesis, less the auditors' fees (paid from the reserve).
      assert.equal((await s.account(requesterW.account.address)).genesis, GENESIS - 3n * FEE);
      for (const a of auditors) {
        assert.equal((await s.account(a.account.address)).genesis, GENESIS - POOL_STAKE + FEE + REWARD_EACH);
      }
      await check([taskId]);
    });

    it("test_zkDispute_correctOutputIsCleanAndPaysTheWorker", async () => {
      const { s, taskId, hash, workerW, requesterW, auditors, check } = await disputed("honest");
      await viem.assertions.emitWithArgs(hash, s.market, "AuditClean", [taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      const wk = await s.account(workerW.account.address);
      assert.deepEqual([wk.genesis, wk.earned, wk.lockedStake], [GENESIS - WORKER_STAKE + BOUNTY, WORK_VALUE, 0n]);
      for (const a of auditors) {
        const acc = await s.account(a.account.address);
        assert.deepEqual([acc.genesis, acc.lockedStake], [GENESIS - POOL_STAKE + FEE, 0n], "auditors paid from the reserve");
      }
      // The whole escrow is spent: bounty, three auditor fees and the platform fee.
      assert.equal((await s.account(requesterW.account.address)).genesis, GENESIS - ESCROW);
      assert.equal(await s.ledger.read.treasury(), PLATFORM_FEE);
      await check([taskId]);
    });
  });
});

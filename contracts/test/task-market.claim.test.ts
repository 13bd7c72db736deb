/**
 * TaskMarket.claim / release / expireClaim: one test per rule and one per revert (DESIGN §3 step 2, issue 9).
 * Defaults: claim window 10 min, at most 5 active claims, 10% of the bounty locked from stake per claim. A claim left
 * to expire (expireClaim, expire, or a claim taking a stale claim over) costs the worker expirySlashBps (1%) of the
 * bounty and 1 reputation; a released claim costs nothing.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, getAddress, parseEther } from "viem";
import { VerificationMode, bpsShare, defaultParams } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { ruleProof } from "../test-support/economic-attacks.ts";
import { IMAGE_RESIZE, type Setup, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const CLAIM_WINDOW = defaultParams.claimWindow;
const BOUNTY = 1_000n;
const CLAIM_LOCK = bpsShare(BOUNTY, defaultParams.claimStakeBps); // 100
const EXPIRY_SLASH = bpsShare(BOUNTY, defaultParams.expirySlashBps); // 10
const WORKER_STAKE = 2_000n;

describe("TaskMarket claim / release / expireClaim", async () => {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const { time } = networkHelpers;

  /** The world of the running test: after it, both ledger invariants are checked over every task it posted. */
  let current: Setup | undefined;
  afterEach(async () => {
    const s = current;
    current = undefined;
    if (!s) return;
    const ids = (await s.market.getEvents.TaskPosted({}, { fromBlock: 0n })).map((e) => e.args.taskId!);
    await s.conserved(ids);
    await s.genesisKept(ids);
  });

  async function world() {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    current = s;
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const otherW = s.wallets[3]!;
    const requester = await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, WORKER_STAKE, false);
    const other = await s.registerWorker(otherW, WORKER_STAKE, false);
    const invariants = async (taskIds: Hex[]) => {
      await s.conserved(taskIds);
      await s.genesisKept(taskIds);
    };
    const reputation = async (a: Address) => (await s.registry.read.workerOf([a])).reputation;
    return { s, requesterW, workerW, otherW, requester, worker, other, invariants, account: s.account, reputation };
  }

  /** Bans `account` through the market's own authority (the fraud path itself is covered in the audit tests). */
  async function banAs(s: Awaited<ReturnType<typeof world>>["s"], account: Address, duration: number) {
    await networkHelpers.impersonateAccount(s.market.address);
    await networkHelpers.setBalance(s.market.address, parseEther("1"));
    const marketWallet = await viem.getWalletClient(s.market.address);
    const registry = await viem.getContractAt("WorkerRegistry", s.registry.address, { client: { wallet: marketWallet } });
    await s.wait(await registry.write.ban([account, duration]));
    await networkHelpers.stopImpersonatingAccount(s.market.address);
  }

  describe("claim", () => {
    it("test_claim_locksTaskForDefaultClaimWindow", async () => {
      const { s, requesterW, worker, workerW, invariants } = await world();
      const taskId = await s.post(requesterW);
      const at = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(at);
      await viem.assertions.emitWithArgs(worker.market.write.claim([taskId]), s.market, "TaskClaimed", [
        taskId,
        getAddress(workerW.account.address),
        BigInt(at + CLAIM_WINDOW),
      ]);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Claimed);
      assert.equal(task.worker, getAddress(workerW.account.address));
      assert.equal(task.claimDeadline, at + CLAIM_WINDOW);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 1n);
      await invariants([taskId]);
    });

    it("test_claim_usesLongerClaimWindowRequestedByTask", async () => {
      const { s, requesterW, worker } = await world();
      const taskId = await s.post(requesterW, { claimWindow: 3 * CLAIM_WINDOW });
      const at = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(at);
      await s.wait(await worker.market.write.claim([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).claimDeadline, at + 3 * CLAIM_WINDOW);
    });

    it("test_claim_capsClaimWindowAtTaskDeadline", async () => {
      const { s, requesterW, worker, workerW } = await world();
      const deadline = (await time.latest()) + 200; // shorter than the claim window
      const taskId = await s.post(requesterW, { deadline });
      await viem.assertions.emitWithArgs(worker.market.write.claim([taskId]), s.market, "TaskClaimed", [
        taskId,
        getAddress(workerW.account.address),
        BigInt(deadline),
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).claimDeadline, deadline);
    });

    it("test_claim_locksClaimStakeShareOfBountyFromStake", async () => {
      const { s, requesterW, worker, workerW, account, invariants } = await world();
      const taskId = await s.post(requesterW, { bounty: 2_500n });
      await s.wait(await worker.market.write.claim([taskId]));
      const acc = await account(workerW.account.address);
      assert.equal(acc.stake, WORKER_STAKE, "stake itself is not moved");
      assert.equal(acc.lockedStake, bpsShare(2_500n, defaultParams.claimStakeBps));
      assert.equal(acc.lockedStake, 250n);
      assert.equal(await s.ledger.read.freeStake([workerW.account.address]), WORKER_STAKE - 250n);
      await invariants([taskId]);
    });

    it("test_claim_revertsWithLedgerInsufficientFreeStake", async () => {
      const { s, requesterW } = await world();
      const poorW = s.wallets[4]!;
      const poor = await s.registerWorker(poorW, 50n, false);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await viem.assertions.revertWithCustomErrorWithArgs(poor.market.write.claim([taskId]), s.ledger, "InsufficientFreeStake", [
        getAddress(poorW.account.address),
        50n,
        CLAIM_LOCK,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
    });

    it("test_claim_revertsWhenTaskPastDeadline", async () => {
      const { s, requesterW, worker } = await world();
      const deadline = (await time.latest()) + 200;
      const taskId = await s.post(requesterW, { deadline });
      await time.increaseTo(deadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([taskId]), s.market, "TaskPastDeadline", [
        taskId,
        BigInt(deadline),
      ]);
    });

    it("test_claim_revertsWhenTaskNotFound", async () => {
      const { s, worker } = await world();
      const unknown = `0x${"cd".repeat(32)}` as Hex;
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([unknown]), s.market, "TaskNotFound", [
        unknown,
      ]);
    });

    it("test_claim_revertsWithWrongStatusWhenClaimIsLive", async () => {
      const { s, requesterW, worker, other } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(other.market.write.claim([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
    });

    it("test_claim_revertsWithWrongStatusOnceCommitted", async () => {
      const { s, requesterW, worker, workerW, other } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      await s.commitAs(workerW, taskId, "out");
      // Even past the claim deadline: a committed task is no longer a claim that can go stale.
      await time.increase(CLAIM_WINDOW + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(other.market.write.claim([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Committed,
      ]);
    });

    it("test_claim_revertsWhenPaused", async () => {
      const { s, requesterW, worker } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomError(worker.market.write.claim([taskId]), s.market, "EnforcedPause");
      await s.wait(await s.market.write.unpause());
      await s.wait(await worker.market.write.claim([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Claimed);
    });

    it("test_claim_revertsWhenClaimingOwnTask", async () => {
      const { s, requesterW, requester } = await world();
      await s.wait(await requester.registry.write.stake([1_000n]));
      const taskId = await s.post(requesterW);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.claim([taskId]), s.market, "CannotWorkOwnTask", [
        taskId,
      ]);
    });

    it("test_claim_revertsWhenWorkerNotRegistered", async () => {
      const { s, requesterW } = await world();
      const strangerW = s.wallets[9]!;
      const stranger = await s.as(strangerW);
      const taskId = await s.post(requesterW);
      await viem.assertions.revertWithCustomErrorWithArgs(stranger.market.write.claim([taskId]), s.market, "WorkerNotRegistered", [
        getAddress(strangerW.account.address),
      ]);
    });

    it("test_claim_revertsWhenWorkerBanned", async () => {
      const { s, requesterW, worker, workerW } = await world();
      const taskId = await s.post(requesterW);
      await banAs(s, workerW.account.address, defaultParams.banDuration);
      const until = (await s.registry.read.workerOf([workerW.account.address])).bannedUntil;
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), true);
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([taskId]), s.market, "WorkerBanned", [
        getAddress(workerW.account.address),
        BigInt(until),
      ]);
    });

    it("test_claim_revertsWhenWorkerMissingCapability", async () => {
      const { s, requesterW } = await world();
      const narrowW = s.wallets[5]!;
      const narrow = await s.as(narrowW);
      await s.wait(await narrow.registry.write.register([1000, 0b10n])); // video-transcode only
      await s.wait(await narrow.registry.write.stake([1_000n]));
      const taskId = await s.post(requesterW, { typeId: IMAGE_RESIZE });
      await viem.assertions.revertWithCustomErrorWithArgs(narrow.market.write.claim([taskId]), s.market, "MissingCapability", [
        getAddress(narrowW.account.address),
        IMAGE_RESIZE,
      ]);
    });

    it("test_claim_revertsWhenWorkerExcludedAfterRejection", async () => {
      const { s, requesterW, worker, workerW, invariants } = await world();
      for (const v of s.wallets.slice(6, 8)) await s.registerWorker(v);
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      const bad = await s.commitAs(workerW, taskId, "wrong");
      await s.drawVerifiers(taskId);
      const verifiers = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
      const results = [];
      for (const v of verifiers) results.push(await s.commitAs(v, taskId, "right"));
      await s.revealAs(workerW, taskId, bad);
      for (const [i, v] of verifiers.entries()) await s.revealAs(v, taskId, results[i]!);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), true);
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([taskId]), s.market, "WorkerExcluded", [
        taskId,
        getAddress(workerW.account.address),
      ]);
      await invariants([taskId]);
    });
  });

  describe("preferred worker", () => {
    it("test_claim_preferredWorkerHasExclusiveWindowThenOpenToAll", async () => {
      const { s, requesterW, worker, workerW, other, otherW } = await world();
      const postAt = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(postAt);
      const taskA = await s.post(requesterW, { preferredWorker: workerW.account.address });
      const preferredUntil = postAt + CLAIM_WINDOW;
      assert.equal((await s.market.read.taskOf([taskA])).preferredUntil, preferredUntil);
      await viem.assertions.revertWithCustomErrorWithArgs(other.market.write.claim([taskA]), s.market, "PreferredWorkerWindow", [
        taskA,
        getAddress(workerW.account.address),
        BigInt(preferredUntil),
      ]);
      // The preferred worker may claim inside its window.
      await s.wait(await worker.market.write.claim([taskA]));
      assert.equal((await s.market.read.taskOf([taskA])).worker, getAddress(workerW.account.address));

      // A second task: once the exclusive window is over, anyone may claim.
      const taskB = await s.post(requesterW, { preferredWorker: workerW.account.address });
      const untilB = (await s.market.read.taskOf([taskB])).preferredUntil;
      await time.setNextBlockTimestamp(untilB - 1);
      await viem.assertions.revertWithCustomErrorWithArgs(other.market.write.claim([taskB]), s.market, "PreferredWorkerWindow", [
        taskB,
        getAddress(workerW.account.address),
        BigInt(untilB),
      ]);
      await time.setNextBlockTimestamp(untilB);
      await s.wait(await other.market.write.claim([taskB]));
      assert.equal((await s.market.read.taskOf([taskB])).worker, getAddress(otherW.account.address));
    });

    it("test_post_preferredWindowIsTheTasksClaimWindow", async () => {
      const { s, requesterW, workerW } = await world();
      const postAt = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(postAt);
      const taskId = await s.post(requesterW, { preferredWorker: workerW.account.address, claimWindow: 2 * CLAIM_WINDOW });
      assert.equal((await s.market.read.taskOf([taskId])).preferredUntil, postAt + 2 * CLAIM_WINDOW);
    });

    it("test_post_capsPreferredWindowAtTheDeadline", async () => {
      const { s, requesterW, workerW } = await world();
      const deadline = (await time.latest()) + 120; // shorter than the 10-minute claim window
      const taskId = await s.post(requesterW, { deadline, preferredWorker: workerW.account.address });
      assert.equal((await s.market.read.taskOf([taskId])).preferredUntil, deadline);
    });

    it("test_post_withoutPreferredWorkerHasNoExclusiveWindow", async () => {
      const { s, requesterW, other } = await world();
      const taskId = await s.post(requesterW);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.preferredWorker, ZERO_ADDRESS);
      assert.equal(task.preferredUntil, 0);
      await s.wait(await other.market.write.claim([taskId]));
    });
  });

  describe("active claims", () => {
    it("test_claim_revertsOnSixthActiveClaim", async () => {
      const { s, requesterW, worker, workerW, invariants } = await world();
      const ids: Hex[] = [];
      for (let i = 0; i < 6; i++) ids.push(await s.post(requesterW, { bounty: 500n }));
      for (let i = 0; i < 5; i++) await s.wait(await worker.market.write.claim([ids[i]!]));
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 5n);
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([ids[5]!]), s.market, "TooManyClaims", [
        getAddress(workerW.account.address),
        BigInt(defaultParams.maxActiveClaims),
      ]);
      // Releasing one frees a slot.
      await s.wait(await worker.market.write.release([ids[0]!]));
      await s.wait(await worker.market.write.claim([ids[5]!]));
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 5n);
      await invariants(ids);
    });

    it("test_commit_endsTheClaimAndFreesItsSlotButKeepsTheLock", async () => {
      const { s, requesterW, worker, workerW, account, invariants } = await world();
      const ids: Hex[] = [];
      for (let i = 0; i < 6; i++) ids.push(await s.post(requesterW, { bounty: 500n }));
      for (let i = 0; i < 5; i++) await s.wait(await worker.market.write.claim([ids[i]!]));
      await s.commitAs(workerW, ids[0]!, "out");
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 4n);
      assert.equal((await account(workerW.account.address)).lockedStake, 5n * 50n, "the committed task's lock stays");
      await s.wait(await worker.market.write.claim([ids[5]!]));
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 5n);
      assert.equal((await account(workerW.account.address)).lockedStake, 6n * 50n);
      await invariants(ids);
    });

    it("test_submitProof_endsTheClaimAndFreesItsSlot", async () => {
      const { s, requesterW, worker, workerW, account, invariants } = await world();
      const verifier = await viem.deployContract("RuleBasedProofVerifier");
      const zkType = await s.addType({ name: "zk-claims", modes: 2, zkVerifier: verifier.address });
      const taskId = await s.post(requesterW, { typeId: zkType, mode: VerificationMode.Zk, zkInputCommitment: 7n });
      await s.wait(await worker.market.write.claim([taskId]));
      const proof = ruleProof(taskId, workerW.account.address, 7n, 9n);
      await s.wait(await worker.market.write.submitProof([taskId, 9n, proof, "0x01"]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n);
      assert.equal((await account(workerW.account.address)).lockedStake, CLAIM_LOCK, "the lock stays until final");
      await invariants([taskId]);
    });
  });

  describe("release", () => {
    it("test_release_returnsTaskAndStakeWithoutPenalty", async () => {
      const { s, requesterW, worker, workerW, account, reputation, invariants } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      const before = await account(workerW.account.address);
      await viem.assertions.emitWithArgs(worker.market.write.release([taskId]), s.market, "ClaimReleased", [
        taskId,
        getAddress(workerW.account.address),
      ]);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Open);
      assert.equal(task.worker, ZERO_ADDRESS);
      assert.equal(task.claimDeadline, 0);
      const after = await account(workerW.account.address);
      assert.equal(after.lockedStake, 0n);
      assert.equal(after.stake, before.stake, "no slash");
      assert.equal(after.balance, before.balance);
      assert.equal(after.genesis, before.genesis);
      assert.equal(await s.ledger.read.treasury(), 0n);
      assert.equal(await reputation(workerW.account.address), 0, "no reputation loss");
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), false, "it may claim again");
      await invariants([taskId]);
    });

    it("test_release_revertsWhenNotClaimer", async () => {
      const { s, requesterW, worker, other, otherW } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(other.market.write.release([taskId]), s.market, "NotClaimer", [
        taskId,
        getAddress(otherW.account.address),
      ]);
    });

    it("test_release_revertsWithWrongStatusWhenNotClaimed", async () => {
      const { s, requesterW, worker } = await world();
      const taskId = await s.post(requesterW);
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.release([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Open,
      ]);
    });
  });

  describe("claim expiry", () => {
    it("test_expireClaim_revertsWhenClaimNotExpired", async () => {
      const { s, requesterW, worker } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      const claimDeadline = (await s.market.read.taskOf([taskId])).claimDeadline;
      await time.setNextBlockTimestamp(claimDeadline);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.expireClaim([taskId]), s.market, "ClaimNotExpired", [
        taskId,
        BigInt(claimDeadline),
      ]);
    });

    it("test_expireClaim_revertsWithWrongStatusWhenNotClaimed", async () => {
      const { s, requesterW } = await world();
      const taskId = await s.post(requesterW);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.expireClaim([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Open,
      ]);
    });

    it("test_expireClaim_reopensTaskSlashesExpiryShareAndCostsReputation", async () => {
      const { s, requesterW, worker, workerW, account, reputation, invariants } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      const claimDeadline = (await s.market.read.taskOf([taskId])).claimDeadline;
      await time.setNextBlockTimestamp(claimDeadline + 1);
      // Anyone may expire a stale claim.
      const hash = await s.market.write.expireClaim([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "ClaimExpiredReopened", [taskId, getAddress(workerW.account.address)]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [
        getAddress(workerW.account.address),
        EXPIRY_SLASH,
        EXPIRY_SLASH,
        EXPIRY_SLASH,
      ]);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Open);
      assert.equal(task.worker, ZERO_ADDRESS);
      assert.equal(await reputation(workerW.account.address), -1);
      const acc = await account(workerW.account.address);
      assert.equal(acc.lockedStake, 0n);
      assert.equal(acc.stake, WORKER_STAKE - EXPIRY_SLASH, "an expired claim costs expirySlashBps of the bounty");
      assert.equal(await s.ledger.read.treasury(), EXPIRY_SLASH);
      assert.equal(await s.ledger.read.treasuryGenesis(), EXPIRY_SLASH, "the stake was genesis credit: so is the slash");
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 1_060n, "the escrow stays for the next claim");
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), false, "not excluded: it may claim again");
      await s.wait(await worker.market.write.claim([taskId]));
      await invariants([taskId]);
    });

    it("test_expireClaim_slashScalesWithTheBounty", async () => {
      const { s, requesterW, worker, workerW, account, invariants } = await world();
      const taskId = await s.post(requesterW, { bounty: 7_000n });
      await s.wait(await worker.market.write.claim([taskId]));
      await time.increase(CLAIM_WINDOW + 1);
      await s.wait(await s.market.write.expireClaim([taskId]));
      assert.equal((await account(workerW.account.address)).stake, WORKER_STAKE - 70n);
      assert.equal(await s.ledger.read.treasury(), bpsShare(7_000n, defaultParams.expirySlashBps));
      await invariants([taskId]);
    });

    it("test_claim_takesOverStaleClaimInOneTransactionAndSlashesTheStaleWorker", async () => {
      const { s, requesterW, worker, workerW, other, otherW, account, reputation, invariants } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      const claimDeadline = (await s.market.read.taskOf([taskId])).claimDeadline;
      // Not stale yet: the task is simply taken.
      await time.setNextBlockTimestamp(claimDeadline);
      await viem.assertions.revertWithCustomErrorWithArgs(other.market.write.claim([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
      await time.setNextBlockTimestamp(claimDeadline + 1);
      const hash = await other.market.write.claim([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "ClaimExpiredReopened", [taskId, getAddress(workerW.account.address)]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskClaimed", [
        taskId,
        getAddress(otherW.account.address),
        BigInt(claimDeadline + 1 + CLAIM_WINDOW),
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).worker, getAddress(otherW.account.address));
      assert.equal(await reputation(workerW.account.address), -1);
      const stale = await account(workerW.account.address);
      assert.equal(stale.lockedStake, 0n);
      assert.equal(stale.stake, WORKER_STAKE - EXPIRY_SLASH);
      assert.equal(await s.ledger.read.treasury(), EXPIRY_SLASH);
      assert.equal((await account(otherW.account.address)).lockedStake, CLAIM_LOCK);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n);
      assert.equal(await s.market.read.activeClaims([otherW.account.address]), 1n);
      await invariants([taskId]);
    });

    it("test_claim_staleWorkerMayReclaimItsOwnStaleClaimPayingTheSlash", async () => {
      const { s, requesterW, worker, workerW, account, reputation, invariants } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      await time.increase(CLAIM_WINDOW + 1);
      await s.wait(await worker.market.write.claim([taskId]));
      const acc = await account(workerW.account.address);
      assert.equal(acc.stake, WORKER_STAKE - EXPIRY_SLASH, "renewing a claim by letting it expire is not free");
      assert.equal(acc.lockedStake, CLAIM_LOCK);
      assert.equal(await reputation(workerW.account.address), -1);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 1n);
      await invariants([taskId]);
    });
  });
});

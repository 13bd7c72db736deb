/**
 * Emergency pause by governance (issue 9 rules). A paused market takes no new obligations (post, claim,
 * forceAudit) but lets work in flight finish and credit go home (cancel, expire, release, expireClaim, commit,
 * draws, reveal, settle, decideAudit, finalize, finalizeAudit); every audit window it covers (the forced-audit window, the
 * wait before finalize, an audit's own lapse) is extended by the time it lasts (`pausedTime`,
 * `auditWindowClosesAt`). A paused registry takes no new workers, stake or pool members but lets them leave and
 * unstake. A paused ledger stops user transfers and cycle clearing; the operators' moves go on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Hex, toHex } from "viem";
import { VerificationMode, bpsShare, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { deployProtocol } from "../deploy/deploy-protocol.ts";
import { ALL_CAPABILITIES, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as const;
const DAY = 24 * 60 * 60;
const GRANT = defaultParams.genesisGrant;
const BOUNTY = 1_000n;
const ESCROW = escrowFor(BOUNTY, VerificationMode.Replicated);
const FEE = bpsShare(BOUNTY, defaultParams.verifierFeeBps);
const LOCK = bpsShare(BOUNTY, defaultParams.rejectSlashBps);
const CLAIM_LOCK = bpsShare(BOUNTY, defaultParams.claimStakeBps);
const AUDIT_WINDOW = defaultParams.auditWindow;
const PAUSE = 6 * 3600;

describe("Pause", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function pauseFixture() {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [gov, alice, bob, carol, dave, erin] = s.wallets;
    assert.ok(gov && alice && bob && carol && dave && erin);
    const requester = await s.registerWorker(alice, 0n, false);
    const worker = await s.registerWorker(bob, 2_000n, false);
    // Two pool members: the verifiers of every task, and nobody left to audit unless a test adds auditors.
    const v1 = await s.registerWorker(carol);
    const v2 = await s.registerWorker(dave);
    const check = async (taskIds: Hex[]) => {
      await s.conserved(taskIds);
      await s.genesisKept(taskIds);
    };
    type Wallet = (typeof s.wallets)[number];
    /** The worker commits, the drawn verifiers commit, and all three reveal the same output. */
    async function agreeingRound(taskId: Hex, workerW: Wallet = bob!) {
      const out = await s.commitAs(workerW, taskId, "good");
      await s.drawVerifiers(taskId);
      const round = await s.market.read.roundOf([taskId]);
      const verifiers = round.members.slice(1).map((m) => s.walletOf(m.account));
      const res = [];
      for (const v of verifiers) res.push(await s.commitAs(v, taskId, "good"));
      await s.revealAs(workerW, taskId, out);
      for (const [i, v] of verifiers.entries()) await s.revealAs(v, taskId, res[i]!);
      return verifiers;
    }
    /** A task of `requesterW` worked by `workerW`, agreed and settled: Accepted, nothing paid yet. */
    async function acceptedTask(requesterW: Wallet = alice!, workerW: Wallet = bob!, overrides: Parameters<typeof s.post>[1] = {}) {
      const taskId = await s.post(requesterW, { bounty: BOUNTY, ...overrides });
      await s.wait(await (await s.as(workerW)).market.write.claim([taskId]));
      await agreeingRound(taskId, workerW);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      return taskId;
    }
    /** Three more pool members, enough for an audit's three auditors. */
    async function addAuditors() {
      for (const w of s.wallets.slice(6, 9)) await s.registerWorker(w);
    }
    /** Pauses the market for `seconds`, ending with the unpause transaction. */
    async function pauseFor(seconds: number) {
      await s.wait(await s.market.write.pause());
      const pausedAt = await time.latest();
      await time.setNextBlockTimestamp(pausedAt + seconds);
      await s.wait(await s.market.write.unpause());
      return pausedAt;
    }
    return { s, gov, alice, bob, carol, dave, erin, requester, worker, v1, v2, check, agreeingRound, acceptedTask, addAuditors, pauseFor };
  }
  const load = () => networkHelpers.loadFixture(pauseFixture);

  const postParams = (deadline: number) => ({
    typeId: 0,
    mode: VerificationMode.Replicated,
    bounty: Number(BOUNTY),
    deadline,
    claimWindow: 0,
    inputBytes: 100_000,
    preferredWorker: ZERO_ADDRESS,
    zkInputCommitment: 0n,
    inputCid: toHex("bafy-paused"),
    spec: toHex("{}"),
  });

  // ------------------------------------------------------------------ market: what a pause stops

  describe("TaskMarket.pause: what it stops", () => {
    it("test_pause_isGovernancesAndEmitsPausedThenUnpaused", async () => {
      const { s, gov } = await load();
      await viem.assertions.emitWithArgs(s.market.write.pause(), s.market, "Paused", [gov.account.address]);
      assert.equal(await s.market.read.paused(), true);
      await viem.assertions.emitWithArgs(s.market.write.unpause(), s.market, "Unpaused", [gov.account.address]);
      assert.equal(await s.market.read.paused(), false);
    });

    it("test_pause_revertsOwnableUnauthorizedAccountForAnyoneButGovernance", async () => {
      const { s, alice, requester } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.pause(), s.market, "OwnableUnauthorizedAccount", [
        alice.account.address,
      ]);
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.unpause(), s.market, "OwnableUnauthorizedAccount", [
        alice.account.address,
      ]);
      assert.equal(await s.market.read.paused(), true);
    });

    it("test_post_revertsEnforcedPauseAndWorksAgainAfterUnpause", async () => {
      const { s, alice, requester, check } = await load();
      await s.wait(await s.market.write.pause());
      const deadline = (await time.latest()) + 3600;
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.post([postParams(deadline)]), s.market, "EnforcedPause", []);
      assert.equal(await s.market.read.nonces([alice.account.address]), 0n);
      assert.equal((await s.account(alice.account.address)).genesis, GRANT);
      await s.wait(await s.market.write.unpause());
      const taskId = await s.market.read.nextTaskId([alice.account.address]);
      await s.wait(await requester.market.write.post([postParams(deadline)]));
      assert.equal(await s.market.read.nonces([alice.account.address]), 1n);
      assert.equal((await s.account(alice.account.address)).genesis, GRANT - ESCROW);
      await check([taskId]);
    });

    it("test_claim_revertsEnforcedPause", async () => {
      const { s, alice, bob, worker } = await load();
      const taskId = await s.post(alice);
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([taskId]), s.market, "EnforcedPause", []);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      assert.equal((await s.account(bob.account.address)).lockedStake, 0n);
    });

    it("test_forceAudit_revertsEnforcedPause", async () => {
      const { s, requester, acceptedTask } = await load();
      const taskId = await acceptedTask();
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "EnforcedPause", []);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
    });
  });

  // ------------------------------------------------------------------ market: what keeps working

  describe("TaskMarket.pause: what keeps working", () => {
    it("test_cancel_stillRefundsTheRequesterWhilePaused", async () => {
      const { s, alice, requester, check } = await load();
      const taskId = await s.post(alice);
      await s.wait(await s.market.write.pause());
      await viem.assertions.emitWithArgs(requester.market.write.cancel([taskId]), s.market, "TaskCancelled", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Cancelled);
      assert.equal((await s.account(alice.account.address)).genesis, GRANT);
      await check([taskId]);
    });

    it("test_expire_stillRefundsATaskPastItsDeadlineWhilePaused", async () => {
      const { s, alice, check } = await load();
      const taskId = await s.post(alice, { deadline: (await time.latest()) + 100 });
      await s.wait(await s.market.write.pause());
      await time.increase(101);
      await viem.assertions.emitWithArgs(s.market.write.expire([taskId]), s.market, "TaskExpired", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await s.account(alice.account.address)).genesis, GRANT);
      await check([taskId]);
    });

    it("test_release_stillHandsAClaimBackWhilePaused", async () => {
      const { s, alice, bob, worker, check } = await load();
      const taskId = await s.post(alice);
      await s.wait(await worker.market.write.claim([taskId]));
      assert.equal((await s.account(bob.account.address)).lockedStake, CLAIM_LOCK);
      await s.wait(await s.market.write.pause());
      await viem.assertions.emitWithArgs(worker.market.write.release([taskId]), s.market, "ClaimReleased", [taskId, bob.account.address]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      assert.equal((await s.account(bob.account.address)).lockedStake, 0n);
      assert.equal(await s.market.read.activeClaims([bob.account.address]), 0n);
      await check([taskId]);
    });

    it("test_expireClaim_stillReopensAStaleClaimWithItsSlashWhilePaused", async () => {
      const { s, alice, bob, worker, check } = await load();
      const taskId = await s.post(alice);
      await s.wait(await worker.market.write.claim([taskId]));
      await s.wait(await s.market.write.pause());
      await time.increase(defaultParams.claimWindow + 1);
      await viem.assertions.emitWithArgs(s.market.write.expireClaim([taskId]), s.market, "ClaimExpiredReopened", [taskId, bob.account.address]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      const acc = await s.account(bob.account.address);
      assert.deepEqual([acc.lockedStake, acc.stake], [0n, 2_000n - bpsShare(BOUNTY, defaultParams.expirySlashBps)]);
      await check([taskId]);
    });

    it("test_replicatedRound_stillCommitsDrawsRevealsAndSettlesWhilePaused", async () => {
      const { s, alice, bob, worker, agreeingRound, check } = await load();
      const taskId = await s.post(alice);
      await s.wait(await worker.market.write.claim([taskId]));
      await s.wait(await s.market.write.pause());
      const verifiers = await agreeingRound(taskId);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        bob.account.address,
        s.result(taskId, bob.account.address, "good").digest,
        false,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      // Accepted moves no credit: the escrow is whole and the locks stay until final.
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      assert.equal((await s.account(bob.account.address)).lockedStake, CLAIM_LOCK);
      for (const v of verifiers) assert.equal((await s.account(v.account.address)).lockedStake, LOCK);
      await check([taskId]);
    });

    it("test_decideAudit_stillDecidesAndStartsTheRandomAuditWhilePaused", async () => {
      const s = await setupProtocol(connection, { auditRateBps: 10_000 });
      const [, alice, bob] = s.wallets;
      await s.registerWorker(alice!, 0n, false);
      const worker = await s.registerWorker(bob!, 2_000n, false);
      for (const w of s.wallets.slice(3, 8)) await s.registerWorker(w);
      const taskId = await s.post(alice!, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      await s.wait(await s.market.write.pause());
      const out = await s.commitAs(bob!, taskId, "good");
      await s.drawVerifiers(taskId);
      const verifiers = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
      const res = [];
      for (const v of verifiers) res.push(await s.commitAs(v, taskId, "good"));
      await s.revealAs(bob!, taskId, out);
      for (const [i, v] of verifiers.entries()) await s.revealAs(v, taskId, res[i]!);
      await s.wait(await s.market.write.settle([taskId]));
      // A pending decision is not something a pause may hold up: finalize still asks for it, and it goes through.
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditUndecided", [taskId]);
      const hash = s.market.write.decideAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditDecided", [taskId, true]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
      await s.drawAuditors(taskId);
      assert.notEqual((await s.market.read.auditOf([taskId])).commitDeadline, 0);
      await s.conserved([taskId]);
      await s.genesisKept([taskId]);
    });

    it("test_finalize_stillPaysAWindowThatClosedBeforeThePause", async () => {
      const { s, alice, bob, acceptedTask, check } = await load();
      const taskId = await acceptedTask();
      await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await s.wait(await s.market.write.pause());
      await time.increase(3600);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      assert.equal((await s.account(bob.account.address)).genesis, GRANT - 2_000n + BOUNTY);
      assert.equal((await s.account(alice.account.address)).genesis, GRANT - ESCROW + 3n * FEE);
      await check([taskId]);
    });

    it("test_audit_stillDrawsCommitsRevealsAndFinalizesWhilePaused", async () => {
      const { s, requester, acceptedTask, addAuditors, check } = await load();
      await addAuditors();
      const taskId = await acceptedTask();
      await s.wait(await requester.market.write.forceAudit([taskId]));
      await s.wait(await s.market.write.pause());
      await s.drawAuditors(taskId);
      const auditors = (await s.market.read.auditOf([taskId])).members.map((m) => s.walletOf(m.account));
      assert.equal(auditors.length, 3);
      const res = [];
      for (const a of auditors) res.push(await s.commitAs(a, taskId, "good"));
      for (const [i, a] of auditors.entries()) await s.revealAs(a, taskId, res[i]!);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      for (const a of auditors) assert.equal((await s.account(a.account.address)).genesis, GRANT - 5_000n + FEE);
      await check([taskId]);
    });
  });

  // ------------------------------------------------------------------ market: windows extended by pauses

  describe("TaskMarket.pause: audit windows are extended by the time paused", () => {
    it("test_pausedTime_addsUpEveryPause", async () => {
      const { s, pauseFor } = await load();
      assert.equal(await s.market.read.pausedTime(), 0n);
      await pauseFor(PAUSE);
      assert.equal(await s.market.read.pausedTime(), BigInt(PAUSE));
      await time.increase(3600); // unpaused time does not count
      assert.equal(await s.market.read.pausedTime(), BigInt(PAUSE));
      await pauseFor(100);
      assert.equal(await s.market.read.pausedTime(), BigInt(PAUSE + 100));
      // While a pause runs, it counts up to the block the view runs in.
      await s.wait(await s.market.write.pause());
      await time.increase(50);
      const running = await s.market.read.pausedTime();
      assert.ok(running >= BigInt(PAUSE + 150) && running <= BigInt(PAUSE + 151), `running pause: ${running}`);
    });

    it("test_auditWindowClosesAt_extendedOnlyByPausesSinceAcceptance", async () => {
      const { s, acceptedTask, pauseFor } = await load();
      await pauseFor(PAUSE); // before the task exists: extends nothing of it
      const taskId = await acceptedTask();
      const round = await s.market.read.roundOf([taskId]);
      assert.equal(round.pauseMark, PAUSE);
      const closesAt = BigInt(round.acceptedAt + AUDIT_WINDOW);
      assert.equal(await s.market.read.auditWindowClosesAt([taskId]), closesAt);
      await pauseFor(PAUSE);
      assert.equal(await s.market.read.auditWindowClosesAt([taskId]), closesAt + BigInt(PAUSE));
    });

    it("test_forceAudit_allowedPastTheOriginalWindowAndRevertsAuditWindowClosedPastTheExtendedOne", async () => {
      const { s, requester, acceptedTask, pauseFor } = await load();
      const taskId = await acceptedTask();
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      await pauseFor(PAUSE);
      const extended = BigInt(acceptedAt + AUDIT_WINDOW + PAUSE);
      assert.equal(await s.market.read.auditWindowClosesAt([taskId]), extended);
      const snapshot = await networkHelpers.takeSnapshot();
      await time.setNextBlockTimestamp(extended + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "AuditWindowClosed", [
        taskId,
        extended,
      ]);
      await snapshot.restore();
      await time.setNextBlockTimestamp(acceptedAt + AUDIT_WINDOW + 1);
      await s.wait(await requester.market.write.forceAudit([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
    });

    it("test_finalize_revertsAuditWindowOpenUntilTheExtendedWindowCloses", async () => {
      const { s, acceptedTask, pauseFor, check } = await load();
      const taskId = await acceptedTask();
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      await pauseFor(PAUSE);
      const extended = BigInt(acceptedAt + AUDIT_WINDOW + PAUSE);
      await time.setNextBlockTimestamp(acceptedAt + AUDIT_WINDOW + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [taskId, extended]);
      await time.setNextBlockTimestamp(extended);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [taskId, extended]);
      await time.setNextBlockTimestamp(extended + 1n);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId, BOUNTY]);
      await check([taskId]);
    });

    it("test_finalize_revertsAuditWindowOpenWhileThePauseStillRuns", async () => {
      const { s, acceptedTask } = await load();
      const taskId = await acceptedTask();
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      await s.wait(await s.market.write.pause());
      const pausedAt = await time.latest();
      // Past the unpaused window, still paused: the window keeps moving with the pause.
      const at = acceptedAt + AUDIT_WINDOW + 3600;
      await time.setNextBlockTimestamp(at);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [
        taskId,
        BigInt(acceptedAt + AUDIT_WINDOW + (at - pausedAt)),
      ]);
    });

    it("test_audit_lapseIsExtendedByAPause", async () => {
      // The pool holds only the two verifiers: the forced audit finds no auditor and can only lapse.
      const { s, requester, alice, acceptedTask, pauseFor, check } = await load();
      const taskId = await acceptedTask();
      await s.wait(await requester.market.write.forceAudit([taskId]));
      await s.drawAuditors(taskId);
      const { acceptedAt: startedAt } = await s.market.read.auditOf([taskId]);
      await pauseFor(PAUSE);
      const lapsesAt = BigInt(startedAt + AUDIT_WINDOW + PAUSE);
      // Past the unpaused lapse time the audit is still on: it may still draw, and it is not over.
      await time.setNextBlockTimestamp(startedAt + AUDIT_WINDOW + 1);
      await s.drawAuditors(taskId);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "RoundNotOver", [taskId]);
      await time.setNextBlockTimestamp(lapsesAt + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "AuditWindowClosed", [
        taskId,
        lapsesAt,
      ]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      assert.equal((await s.account(alice.account.address)).genesis, GRANT - ESCROW + 3n * FEE, "unused reserve refunded");
      await check([taskId]);
    });
  });

  // ------------------------------------------------------------------ registry

  describe("WorkerRegistry.pause", () => {
    it("test_register_revertsEnforcedPause", async () => {
      const { s, erin } = await load();
      await s.wait(await s.registry.write.pause());
      const e = await s.as(erin);
      await viem.assertions.revertWithCustomErrorWithArgs(e.registry.write.register([1000, ALL_CAPABILITIES]), s.registry, "EnforcedPause", []);
      assert.equal(await s.registry.read.isRegistered([erin.account.address]), false);
      assert.equal(await s.ledger.read.hasGenesis([erin.account.address]), false);
    });

    it("test_stake_revertsEnforcedPause", async () => {
      const { s, alice, requester } = await load();
      await s.wait(await s.registry.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(requester.registry.write.stake([1_000n]), s.registry, "EnforcedPause", []);
      assert.equal((await s.account(alice.account.address)).stake, 0n);
    });

    it("test_joinVerifierPool_revertsEnforcedPause", async () => {
      const { s, bob, worker } = await load();
      await s.wait(await s.registry.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(worker.registry.write.joinVerifierPool(), s.registry, "EnforcedPause", []);
      assert.equal((await s.registry.read.workerOf([bob.account.address])).poolIndex, 0);
    });

    it("test_registryPause_letsUpdateLeaveRequestUnstakeAndUnstake", async () => {
      const { s, carol, v1, check } = await load();
      await s.wait(await s.registry.write.pause());
      await s.wait(await v1.registry.write.update([2000, 1n]));
      assert.equal((await s.registry.read.workerOf([carol.account.address])).rateMilli, 2000);
      await s.wait(await v1.registry.write.leaveVerifierPool());
      assert.equal(await s.registry.read.poolSize(), 1n);
      await s.wait(await v1.registry.write.requestUnstake());
      await time.increase(DAY);
      await s.wait(await v1.registry.write.unstake([5_000n]));
      const acc = await s.account(carol.account.address);
      assert.deepEqual([acc.stake, acc.genesis], [0n, GRANT]);
      await check([]);
    });

    it("test_registryPause_revertsOwnableUnauthorizedAccountForAnyoneButGovernance", async () => {
      const { s, alice, requester } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(requester.registry.write.pause(), s.registry, "OwnableUnauthorizedAccount", [
        alice.account.address,
      ]);
      await s.wait(await s.registry.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(requester.registry.write.unpause(), s.registry, "OwnableUnauthorizedAccount", [
        alice.account.address,
      ]);
      assert.equal(await s.registry.read.paused(), true);
    });
  });

  // ------------------------------------------------------------------ ledger

  describe("CreditLedger.pause", () => {
    /**
     * Transferable credit, earned the only way there is: pay out of an escrow that was not genesis. Bob earns a
     * credit line with a task of a type worth 1 CC of work, stakes all his genesis credit, and posts a task on the
     * line; Alice works it and is paid in transferable credit once it is final.
     */
    async function transferableWorld() {
      const w = await load();
      const { s, alice, bob, worker, acceptedTask } = w;
      const heavy = await s.addType({ name: "heavy", modes: 1, workMsBase: 3_600_000 });
      const earned = await acceptedTask(alice, bob, { typeId: heavy });
      await time.increaseTo((await s.market.read.auditWindowClosesAt([earned])) + 1n);
      await s.wait(await s.market.write.finalize([earned]));
      assert.equal(await s.ledger.read.creditLimit([bob.account.address]), 500n);
      await s.wait(await worker.registry.write.stake([(await s.account(bob.account.address)).genesis]));
      await s.wait(await (await s.as(alice)).registry.write.stake([1_000n]));
      const bounty = 400n;
      const onCredit = await acceptedTask(bob, alice, { bounty });
      assert.equal((await s.ledger.read.escrowOf([onCredit])).genesis, 0n, "escrowed on the credit line");
      await time.increaseTo((await s.market.read.auditWindowClosesAt([onCredit])) + 1n);
      await s.wait(await s.market.write.finalize([onCredit]));
      assert.equal((await s.account(alice.account.address)).balance, bounty);
      return { ...w, taskIds: [earned, onCredit], bounty };
    }

    it("test_transfer_revertsEnforcedPauseAndWorksAgainAfterUnpause", async () => {
      const { s, alice, erin, requester, taskIds, bounty, check } = await transferableWorld();
      await s.wait(await s.ledger.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(requester.ledger.write.transfer([erin.account.address, 1n]), s.ledger, "EnforcedPause", []);
      assert.equal((await s.account(alice.account.address)).balance, bounty);
      await s.wait(await s.ledger.write.unpause());
      await s.wait(await requester.ledger.write.transfer([erin.account.address, 1n]));
      assert.equal((await s.account(alice.account.address)).balance, bounty - 1n);
      assert.equal((await s.account(erin.account.address)).balance, 1n);
      await check(taskIds);
    });

    it("test_clearCycle_revertsEnforcedPause", async () => {
      const { s, alice, bob, requester } = await load();
      await s.wait(await s.ledger.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.ledger.write.clearCycle([[alice.account.address, bob.account.address]]),
        s.ledger,
        "EnforcedPause",
        [],
      );
    });

    it("test_ledgerPause_letsTheMarketsLedgerMovesGoOn", async () => {
      const { s, bob, acceptedTask, check } = await load();
      await s.wait(await s.ledger.write.pause());
      const taskId = await acceptedTask();
      await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal((await s.account(bob.account.address)).genesis, GRANT - 2_000n + BOUNTY);
      await check([taskId]);
    });

    it("test_ledgerPause_revertsAccessControlUnauthorizedAccountForAnyoneButGovernance", async () => {
      const { s, alice, requester } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(requester.ledger.write.pause(), s.ledger, "AccessControlUnauthorizedAccount", [
        alice.account.address,
        DEFAULT_ADMIN_ROLE,
      ]);
      await s.wait(await s.ledger.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(requester.ledger.write.unpause(), s.ledger, "AccessControlUnauthorizedAccount", [
        alice.account.address,
        DEFAULT_ADMIN_ROLE,
      ]);
      assert.equal(await s.ledger.read.paused(), true);
    });
  });

  // ------------------------------------------------------------------ governance address

  describe("governance address", () => {
    it("test_pause_separateGovernanceAloneCanPauseAndTheDeployerKeepsNoPower", async () => {
      // The default network's ("generic") chain, deployed on directly: deployProtocol takes any chain type's helpers.
      const { viem } = await network.create();
      const wallets = await viem.getWalletClients();
      const [deployer, , , , , , , governance] = wallets;
      assert.ok(deployer && governance);
      const p = await deployProtocol(viem, { governance: governance.account.address });
      const asGov = {
        ledger: await viem.getContractAt("CreditLedger", p.ledger.address, { client: { wallet: governance } }),
        registry: await viem.getContractAt("WorkerRegistry", p.registry.address, { client: { wallet: governance } }),
        market: await viem.getContractAt("TaskMarket", p.market.address, { client: { wallet: governance } }),
      };
      await viem.assertions.revertWithCustomErrorWithArgs(p.market.write.pause(), p.market, "OwnableUnauthorizedAccount", [
        deployer.account.address,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(p.registry.write.pause(), p.registry, "OwnableUnauthorizedAccount", [
        deployer.account.address,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(p.ledger.write.pause(), p.ledger, "AccessControlUnauthorizedAccount", [
        deployer.account.address,
        DEFAULT_ADMIN_ROLE,
      ]);
      await viem.assertions.emitWithArgs(asGov.market.write.pause(), p.market, "Paused", [governance.account.address]);
      await viem.assertions.emitWithArgs(asGov.registry.write.pause(), p.registry, "Paused", [governance.account.address]);
      await viem.assertions.emitWithArgs(asGov.ledger.write.pause(), p.ledger, "Paused", [governance.account.address]);
      assert.deepEqual([await p.market.read.paused(), await p.registry.read.paused(), await p.ledger.read.paused()], [true, true, true]);
    });
  });
});

/**
 * TaskMarket audits (DESIGN §3 step 6): the random draw at acceptance (auditRateBps 10000 forces it, 0 prevents
 * it), clean audits, fraud (10x slash into debt, payment reversed, 30-day ban, auditors split half the bounty,
 * colluding verifiers slashed), audits forced by the requester, and finalize after the audit window.
 * Bounty 1000 mCC: verifier/auditor fee 10, platform fee 10, stake locks 100, fraud slash 10_000.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Hex, getAddress } from "viem";
import { type ProtocolParams, defaultParams } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const BOUNTY = 1_000n;
const ESCROW = 1_030n;
const FEE = 10n;
const LOCK = 100n;
const FRAUD_SLASH = 10_000n;
const WORKER_STAKE = 2_000n;
const POOL_STAKE = 5_000n;
const AUDIT_WINDOW = defaultParams.auditWindow;
const BAN = defaultParams.banDuration;

const Contribution = { None: 0, Drawn: 1, Committed: 2, Revealed: 3 } as const;

describe("TaskMarket audits", async () => {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function world(params: Partial<ProtocolParams>, poolSize = 5) {
    const s = await setupProtocol(connection, params);
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const requester = await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, WORKER_STAKE, false);
    const pool = s.wallets.slice(3, 3 + poolSize);
    for (const v of pool) await s.registerWorker(v, POOL_STAKE);
    const { conserved, walletOf, account, commitAs, revealAs } = s;

    /** A replicated task in which the worker and both verifiers reveal these outputs; returns before settle. */
    async function revealed(workerOutput: string, verifierOutput: string) {
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = await commitAs(workerW, taskId, workerOutput);
      await s.drawVerifiers(taskId);
      const round = await s.market.read.roundOf([taskId]);
      const verifiers = [walletOf(round.members[1]!.account), walletOf(round.members[2]!.account)];
      const vres = [];
      for (const v of verifiers) vres.push(await commitAs(v, taskId, verifierOutput));
      await revealAs(workerW, taskId, res);
      for (const [i, v] of verifiers.entries()) await revealAs(v, taskId, vres[i]!);
      return { taskId, res, verifiers };
    }
    /** Settles a revealed task; when the settle starts an audit, draws its auditors in the next block. */
    async function accepted(workerOutput = "good", verifierOutput = workerOutput) {
      const r = await revealed(workerOutput, verifierOutput);
      await s.wait(await s.market.write.settle([r.taskId]));
      if ((await s.market.read.taskOf([r.taskId])).status === TaskStatus.Auditing) await s.drawAuditors(r.taskId);
      return r;
    }
    const auditors = async (taskId: Hex) =>
      (await s.market.read.auditOf([taskId])).members.map((m) => walletOf(m.account));
    /** Each auditor commits then reveals its output (null: stays silent); ends past the reveal window if needed. */
    async function audit(taskId: Hex, outputs: (string | null)[]) {
      const list = await auditors(taskId);
      const results = [];
      for (const [i, a] of list.entries()) {
        results.push(outputs[i] === null ? null : await commitAs(a, taskId, outputs[i]!));
      }
      const { commitDeadline } = await s.market.read.auditOf([taskId]);
      if (outputs.includes(null)) await time.increaseTo(commitDeadline + 1);
      for (const [i, a] of list.entries()) if (results[i]) await revealAs(a, taskId, results[i]!);
      if (outputs.includes(null)) await time.increaseTo((await s.market.read.auditOf([taskId])).revealDeadline + 1);
      return list;
    }
    return { s, requesterW, workerW, requester, worker, pool, conserved, account, accepted, revealed, auditors, audit };
  }

  describe("random audit draw", () => {
    it("test_settle_drawsAuditAtAcceptanceWhenRateIsFull", async () => {
      const { s, revealed, workerW, pool, account, conserved } = await world({ auditRateBps: 10_000 });
      const { taskId, res, verifiers } = await revealed("good", "good");
      const hash = await s.market.write.settle([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        res.digest,
        true,
      ]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditStarted", [taskId, false]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
      // The audit only anchors its draw to this block; the auditors are drawn from a later one.
      const { blockNumber } = await s.wait(hash);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      const before = await s.market.read.auditOf([taskId]);
      for (const m of before.members) assert.equal(m.account, ZERO_ADDRESS, "no auditor drawn by settle itself");
      assert.equal(before.anchorBlock, Number(blockNumber));
      assert.equal(before.commitDeadline, 0);
      await s.drawAuditors(taskId);
      const a = await s.market.read.auditOf([taskId]);
      const expected = pool.filter((p) => !verifiers.includes(p)).map((p) => getAddress(p.account.address));
      assert.deepEqual(new Set(a.members.map((m) => m.account)), new Set(expected), "three fresh auditors");
      for (const m of a.members) {
        assert.equal(m.status, Contribution.Drawn);
        assert.equal((await account(m.account)).lockedStake, LOCK);
      }
      assert.equal(a.forced, false);
      assert.notEqual(a.commitDeadline, 0);
      // The worker is paid at acceptance; the audit may still reverse it.
      assert.equal((await account(workerW.account.address)).balance, BOUNTY);
      await conserved([taskId]);
    });

    it("test_settle_drawsNoAuditWhenRateIsZero", async () => {
      const { s, revealed, workerW, conserved } = await world({ auditRateBps: 0 });
      const { taskId, res } = await revealed("good", "good");
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        res.digest,
        false,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      for (const m of (await s.market.read.auditOf([taskId])).members) assert.equal(m.account, ZERO_ADDRESS);
      await conserved([taskId]);
    });
  });

  describe("clean audit", () => {
    it("test_finalizeAudit_cleanAuditPaysAuditorsFeeFromTreasury", async () => {
      // A 3% platform fee puts exactly three auditor fees in the treasury.
      const { s, accepted, account, audit, conserved } = await world({ auditRateBps: 10_000, platformFeeBps: 300 });
      const { taskId } = await accepted("good");
      assert.equal(await s.ledger.read.treasury(), 30n);
      const list = await audit(taskId, ["good", "good", "good"]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      for (const a of list) {
        const acc = await account(a.account.address);
        assert.deepEqual([acc.balance, acc.earned, acc.stake, acc.lockedStake], [FEE, FEE, POOL_STAKE, 0n]);
      }
      assert.equal(await s.ledger.read.treasury(), 0n);
      await conserved([taskId]);
    });

    it("test_finalizeAudit_cleanAuditPaysOnlyWhatTreasuryHolds", async () => {
      const { s, accepted, account, audit, conserved } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      assert.equal(await s.ledger.read.treasury(), 10n, "one platform fee");
      const list = await audit(taskId, ["good", "good", "good"]);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      const paid = [];
      for (const a of list) paid.push((await account(a.account.address)).balance);
      assert.deepEqual(paid, [10n, 0n, 0n], "auditors are paid in member order up to the treasury balance");
      assert.equal(await s.ledger.read.treasury(), 0n);
      await conserved([taskId]);
    });

    it("test_finalizeAudit_slashesDissentingAndSilentAuditorsOfCleanAudit", async () => {
      const { s, accepted, account, audit, conserved } = await world({ auditRateBps: 10_000, platformFeeBps: 300 });
      const { taskId } = await accepted("good");
      const list = await audit(taskId, ["good", "other", null]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      const [ok, wrong, silent] = await Promise.all(list.map((a) => account(a.account.address)));
      assert.deepEqual([ok!.balance, ok!.stake], [FEE, POOL_STAKE]);
      assert.deepEqual([wrong!.balance, wrong!.stake, wrong!.lockedStake], [0n, POOL_STAKE - LOCK, 0n]);
      assert.deepEqual([silent!.balance, silent!.stake, silent!.lockedStake], [0n, POOL_STAKE - LOCK, 0n]);
      assert.equal(await s.ledger.read.treasury(), 30n - FEE + 2n * LOCK);
      await conserved([taskId]);
    });

    it("test_finalizeAudit_revertsWhenRoundNotOver", async () => {
      const { s, accepted, auditors } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      assert.equal((await auditors(taskId)).length, 3);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "RoundNotOver", [
        taskId,
      ]);
    });

    it("test_finalizeAudit_lapsesWithoutAuditorsAfterAuditWindow", async () => {
      // Two pool members only: both serve as verifiers, nobody is left to audit.
      const { s, accepted, requesterW, workerW, pool, account, conserved } = await world({ auditRateBps: 10_000 }, 2);
      const { taskId } = await accepted("good");
      for (const m of (await s.market.read.auditOf([taskId])).members) assert.equal(m.account, ZERO_ADDRESS);
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(acceptedAt + AUDIT_WINDOW);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "RoundNotOver", [
        taskId,
      ]);
      await time.setNextBlockTimestamp(acceptedAt + AUDIT_WINDOW + 1);
      // A lapsed audit is not restarted by a late draw, even once the pool could fill it.
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "AuditWindowClosed", [
        taskId,
        BigInt(acceptedAt + AUDIT_WINDOW),
      ]);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      assert.equal((await account(workerW.account.address)).balance, BOUNTY, "payment stands");
      for (const v of pool) assert.equal((await account(v.account.address)).stake, POOL_STAKE);
      void requesterW;
      await conserved([taskId]);
    });
  });

  describe("fraud", () => {
    it("test_finalizeAudit_fraudSlashesReversesBansAndRewards", async () => {
      const { s, accepted, requesterW, workerW, worker, account, audit, conserved } = await world({ auditRateBps: 10_000 });
      // Worker and both verifiers collude on a wrong output.
      const { taskId, verifiers } = await accepted("forged");
      const honest = s.result(taskId, workerW.account.address, "honest"); // digest the auditors will reveal
      const list = await audit(taskId, ["honest", "honest", "honest"]);
      const at = (await time.latest()) + 2;
      await time.setNextBlockTimestamp(at);
      const hash = await s.market.write.finalizeAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "FraudProven", [
        taskId,
        getAddress(workerW.account.address),
        FRAUD_SLASH,
        honest.digest,
      ]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [getAddress(workerW.account.address), FRAUD_SLASH, WORKER_STAKE]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Fraudulent);

      // Worker: stake first, then into debt; the payment is reversed.
      const wk = await account(workerW.account.address);
      assert.equal(wk.stake, 0n);
      assert.equal(wk.lockedStake, 0n);
      assert.equal(wk.balance, BOUNTY - BOUNTY - (FRAUD_SLASH - WORKER_STAKE), "balance negative: -8000");
      assert.equal(wk.earned, 0n, "reversed payment is no longer earned credit");
      // Requester gets the bounty back.
      const req = await account(requesterW.account.address);
      assert.equal(req.balance, BOUNTY);
      assert.equal(req.genesis, GENESIS - ESCROW);
      assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), 0n);
      assert.equal(await s.ledger.read.owed([workerW.account.address, requesterW.account.address]), 0n);
      // Banned 30 days.
      const w = await s.registry.read.workerOf([workerW.account.address]);
      assert.equal(w.bannedUntil, at + BAN);
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), true);
      const next = await s.post(requesterW, { bounty: BOUNTY });
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([next]), s.market, "WorkerBanned", [
        getAddress(workerW.account.address),
        BigInt(at + BAN),
      ]);
      // Verifiers that vouched for the fraud are slashed (they keep the fee they were paid).
      for (const v of verifiers) {
        const acc = await account(v.account.address);
        assert.deepEqual([acc.stake, acc.lockedStake, acc.balance], [POOL_STAKE - LOCK, 0n, FEE]);
      }
      // Auditors split 50% of the bounty: 500 / 3 = 166 each (integer division).
      for (const a of list) {
        const acc = await account(a.account.address);
        assert.deepEqual([acc.balance, acc.stake, acc.lockedStake], [166n, POOL_STAKE, 0n]);
      }
      assert.equal(await s.ledger.read.treasury(), 10n + FRAUD_SLASH + 2n * LOCK - 3n * 166n);
      await conserved([taskId, next]);
    });

    it("test_finalizeAudit_fraudByTwoOfThreeAuditorsSplitsHalfBountyAndSlashesTheThird", async () => {
      const { s, accepted, account, audit, conserved } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("forged");
      const list = await audit(taskId, ["honest", "forged", "honest"]);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Fraudulent);
      const [a0, a1, a2] = await Promise.all(list.map((a) => account(a.account.address)));
      assert.deepEqual([a0!.balance, a2!.balance], [250n, 250n], "500 split between the two right auditors");
      assert.deepEqual([a1!.balance, a1!.stake], [0n, POOL_STAKE - LOCK], "auditor siding with the fraud slashed");
      await conserved([taskId]);
    });

    it("test_finalizeAudit_oneDissentingAuditorIsNotFraud", async () => {
      const { s, accepted, workerW, account, audit, conserved } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      await audit(taskId, ["good", "other", "good"]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      assert.equal((await account(workerW.account.address)).balance, BOUNTY);
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), false);
      await conserved([taskId]);
    });

    it("test_finalizeAudit_twoDissentersWhoDisagreeWithEachOtherAreNotFraud", async () => {
      const { s, accepted, workerW, account, audit, conserved } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      const list = await audit(taskId, ["other", "good", "third"]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      assert.equal((await account(workerW.account.address)).balance, BOUNTY, "payment stands");
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), false);
      const [a0, a1, a2] = await Promise.all(list.map((a) => account(a.account.address)));
      assert.deepEqual([a0!.stake, a2!.stake], [POOL_STAKE - LOCK, POOL_STAKE - LOCK], "both wrong auditors slashed");
      assert.equal(a1!.stake, POOL_STAKE, "the auditor who matched the accepted result keeps its stake");
      await conserved([taskId]);
    });
  });

  describe("forceAudit", () => {
    it("test_forceAudit_requesterPaysThreeAuditorFees", async () => {
      const { s, accepted, requester, requesterW, account, audit, conserved } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const forced = await requester.market.write.forceAudit([taskId]);
      await viem.assertions.emitWithArgs(forced, s.market, "AuditStarted", [taskId, true]);
      await viem.assertions.emitWithArgs(forced, s.market, "RandomnessAnchored", [taskId, (await s.wait(forced)).blockNumber]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
      for (const m of (await s.market.read.auditOf([taskId])).members) assert.equal(m.account, ZERO_ADDRESS, "drawn later");
      await s.drawAuditors(taskId);
      assert.equal((await s.market.read.auditOf([taskId])).forced, true);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 3n * FEE);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW - 3n * FEE);
      const list = await audit(taskId, ["good", "good", "good"]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      for (const a of list) assert.equal((await account(a.account.address)).balance, FEE, "paid from the requester's escrow");
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      assert.equal(await s.ledger.read.treasury(), FEE, "treasury untouched: platform fee only");
      await conserved([taskId]);
    });

    it("test_forceAudit_refundsAuditorFeesOnFraud", async () => {
      const { s, accepted, requester, requesterW, account, audit, conserved } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("forged");
      await s.wait(await requester.market.write.forceAudit([taskId]));
      await s.drawAuditors(taskId);
      const list = await audit(taskId, ["honest", "honest", "honest"]);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Fraudulent);
      const req = await account(requesterW.account.address);
      assert.equal(req.genesis, GENESIS - ESCROW, "the three auditor fees come back");
      assert.equal(req.balance, BOUNTY, "and the bounty");
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      for (const a of list) assert.equal((await account(a.account.address)).balance, 166n, "rewarded from the slash");
      await conserved([taskId]);
    });

    it("test_forceAudit_revertsWhenNotRequester", async () => {
      const { s, accepted, worker, workerW } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.forceAudit([taskId]), s.market, "NotRequester", [
        taskId,
        getAddress(workerW.account.address),
      ]);
    });

    it("test_forceAudit_revertsAfterAuditWindow", async () => {
      const { s, accepted, requester, conserved } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      const closesAt = BigInt(acceptedAt + AUDIT_WINDOW);
      await time.setNextBlockTimestamp(acceptedAt + AUDIT_WINDOW + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "AuditWindowClosed", [
        taskId,
        closesAt,
      ]);
      await conserved([taskId]);
    });

    it("test_forceAudit_allowedAtLastSecondOfWindow", async () => {
      const { s, accepted, requester } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(acceptedAt + AUDIT_WINDOW);
      await s.wait(await requester.market.write.forceAudit([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
    });
  });

  describe("finalize", () => {
    it("test_finalize_revertsWhileAuditWindowOpen", async () => {
      const { s, accepted } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(acceptedAt + AUDIT_WINDOW);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [
        taskId,
        BigInt(acceptedAt + AUDIT_WINDOW),
      ]);
    });

    it("test_finalize_makesAcceptedTaskFinalAfterAuditWindow", async () => {
      const { s, accepted, requester, workerW, account, conserved } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(acceptedAt + AUDIT_WINDOW + 1);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      assert.equal((await account(workerW.account.address)).balance, BOUNTY);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Final,
      ]);
      await conserved([taskId]);
    });

    it("test_finalize_revertsWhileAuditing", async () => {
      const { s, accepted } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Auditing,
      ]);
    });
  });

  describe("auditor draw and commits", () => {
    it("test_drawAuditors_waitsForPoolThenRetriggers", async () => {
      const { s, revealed, auditors, conserved } = await world({ auditRateBps: 10_000 }, 2);
      const { taskId } = await revealed("good", "good");
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
      // The short pool draws nobody and re-anchors to the block of this call.
      const short = await s.market.write.drawAuditors([taskId]);
      const { blockNumber } = await s.wait(short);
      await viem.assertions.emitWithArgs(short, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      let a = await s.market.read.auditOf([taskId]);
      for (const m of a.members) assert.equal(m.account, ZERO_ADDRESS, "nobody left in the pool to audit");
      assert.equal(a.commitDeadline, 0);
      assert.equal(a.anchorBlock, Number(blockNumber));
      const fresh = s.wallets.slice(10, 13);
      for (const w of fresh) await s.registerWorker(w, POOL_STAKE);
      const at = (await time.latest()) + 2;
      await time.setNextBlockTimestamp(at);
      await viem.assertions.emitWithArgs(s.market.write.drawAuditors([taskId]), s.market, "CommitWindowOpened", [
        taskId,
        BigInt(at + defaultParams.commitWindow),
        BigInt(at + defaultParams.commitWindow + defaultParams.revealWindow),
      ]);
      a = await s.market.read.auditOf([taskId]);
      assert.deepEqual(
        new Set(a.members.map((m) => m.account)),
        new Set(fresh.map((w) => getAddress(w.account.address))),
      );
      assert.equal((await auditors(taskId)).length, 3);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "NothingToDraw", [
        taskId,
      ]);
      await conserved([taskId]);
    });

    it("test_drawAuditors_revertsWhenNotAuditing", async () => {
      const { s, accepted } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Accepted,
      ]);
    });

    it("test_commit_revertsWhenWorkerOrVerifierTriesToAudit", async () => {
      const { s, accepted, worker, workerW } = await world({ auditRateBps: 10_000 });
      const { taskId, verifiers } = await accepted("good");
      const own = s.result(taskId, workerW.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.commit([taskId, own.commitment]), s.market, "NotDrawn", [
        taskId,
        getAddress(workerW.account.address),
      ]);
      const v = verifiers[0]!;
      const vr = s.result(taskId, v.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(v)).market.write.commit([taskId, vr.commitment]), s.market, "NotDrawn", [
        taskId,
        getAddress(v.account.address),
      ]);
    });

    it("test_reveal_auditRevealsOnlyAfterAllAuditorsCommitted", async () => {
      const { s, accepted, auditors } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      const [a0, a1] = await auditors(taskId);
      const r0 = s.result(taskId, a0!.account.address, "good");
      await s.wait(await (await s.as(a0!)).market.write.commit([taskId, r0.commitment]));
      await s.wait(await (await s.as(a1!)).market.write.commit([taskId, s.result(taskId, a1!.account.address, "good").commitment]));
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(a0!)).market.write.reveal([taskId, r0.cid, r0.salt]), s.market, "RevealNotOpen", [
        taskId,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(a0!)).market.write.commit([taskId, r0.commitment]),
        s.market,
        "AlreadyCommitted",
        [taskId, getAddress(a0!.account.address)],
      );
    });

    it("test_forceAudit_lapsesWithoutAuditorsAndRefundsFees", async () => {
      const { s, accepted, requester, requesterW, account, conserved } = await world({ auditRateBps: 0 }, 2);
      const { taskId } = await accepted("good");
      await s.wait(await requester.market.write.forceAudit([taskId]));
      await s.drawAuditors(taskId); // nobody to draw: re-anchors, does not revert
      for (const m of (await s.market.read.auditOf([taskId])).members) assert.equal(m.account, ZERO_ADDRESS);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW - 3n * FEE);
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(acceptedAt + AUDIT_WINDOW + 1);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW, "unused auditor fees refunded");
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      await conserved([taskId]);
    });
  });
});

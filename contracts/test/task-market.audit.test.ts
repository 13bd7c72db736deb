/**
 * TaskMarket audits (DESIGN §3 step 6, issue 9 rules): the random audit, which settle leaves pending and anchored
 * to its own block and `decideAudit` decides from that block's hash in a later transaction (unreadable hash ->
 * audited; finalize refuses an undecided audit), audits forced by the requester (funded by the audit reserve escrowed at post, window extended by pauses), the
 * auditor draw (anchored, never re-rolled, from the pool as of the anchor block), clean audits (the same payout
 * as finalize plus the auditors' fees from the reserve), lapsed audits, fraud (10x slash, reward capped by what
 * the slash recovered, ban, vouching verifiers slashed, honest dissenters made whole, escrow refunded), audits of
 * input-rejected acceptances, and stake that stays locked until the task is final.
 *
 * Bounty 1000 mCC: verifier/auditor fee 10, platform fee 10, escrow 1060 (30 of it the audit reserve), duty and
 * claim locks 100, fraud slash 10_000, auditors' reward pot 500. The requester's escrow is all genesis credit, so
 * everything paid out of it arrives as genesis. The task type's cost model gives a work value of 1000 mCC.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Hex, type Log, encodeAbiParameters, getAddress, keccak256, parseEventLogs, toHex } from "viem";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import { type ProtocolParams, VerificationMode, bpsShare, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const BOUNTY = 1_000n;
const ESCROW = escrowFor(BOUNTY, VerificationMode.Replicated); // 1060
const FEE = bpsShare(BOUNTY, defaultParams.verifierFeeBps); // 10
const PLATFORM_FEE = bpsShare(BOUNTY, defaultParams.platformFeeBps); // 10
const LOCK = bpsShare(BOUNTY, defaultParams.rejectSlashBps); // 100, a verifier's or auditor's duty lock
const CLAIM_LOCK = bpsShare(BOUNTY, defaultParams.claimStakeBps); // 100
const FRAUD_SLASH = BOUNTY * BigInt(defaultParams.fraudSlashMultiplier); // 10_000
const REWARD = bpsShare(BOUNTY, defaultParams.auditorRewardBps); // 500, shared by the rewarded
const REJECT_PAY = bpsShare(BOUNTY, defaultParams.inputRejectedPayBps); // 100
const WORK_VALUE = 1_000n; // the test type's cost model: 3,600,000 ms = 1000 mCC whatever the input
const WORKER_STAKE = 2_000n;
const POOL_STAKE = 5_000n;
const AUDIT_WINDOW = defaultParams.auditWindow;
const BAN = defaultParams.banDuration;
const HORIZON = 256;

const Contribution = { None: 0, Drawn: 1, Committed: 2, Revealed: 3 } as const;

describe("TaskMarket audits", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers, provider } = connection;
  const { time } = networkHelpers;

  /** Sends what `fn` sends into one block: automine is off meanwhile, and one block is mined at the end. */
  async function inOneBlock(fn: () => Promise<void>) {
    await provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      await fn();
    } finally {
      await networkHelpers.mine();
      await provider.request({ method: "evm_setAutomine", params: [true] });
    }
  }

  async function world(
    params: Partial<ProtocolParams>,
    { poolSize = 5, workerStake = WORKER_STAKE, requesterInPool = false, workerInPool = false } = {},
  ) {
    const s = await setupProtocol(connection, params);
    const typeId = await s.addType({
      name: "audited",
      modes: 1,
      workMsBase: 3_600_000,
      rejectedDigest: cidDigest(toHex("bafy-output-rejected")),
    });
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const requester = await s.registerWorker(requesterW, requesterInPool ? 1_000n : 0n, requesterInPool);
    const worker = await s.registerWorker(workerW, workerStake, workerInPool);
    const pool = s.wallets.slice(3, 3 + poolSize);
    for (const v of pool) await s.registerWorker(v, POOL_STAKE);
    const { walletOf, account, commitAs, revealAs } = s;
    const addr = (w: { account: { address: Hex } }) => getAddress(w.account.address);

    /** Credit conservation and genesis kept, over every account and the given tasks. */
    const check = async (taskIds: Hex[]) => {
      await s.conserved(taskIds);
      await s.genesisKept(taskIds);
    };

    /**
     * A task in which the worker reveals `workerOutput` and the verifiers (members 1 and 2) `verifierOutputs`;
     * returns before settle.
     */
    async function revealed(workerOutput: string, verifierOutputs: [string, string] = [workerOutput, workerOutput]) {
      const taskId = await s.post(requesterW, { typeId, bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = await commitAs(workerW, taskId, workerOutput);
      await s.drawVerifiers(taskId);
      const round = await s.market.read.roundOf([taskId]);
      const verifiers = [walletOf(round.members[1]!.account), walletOf(round.members[2]!.account)] as const;
      const vres = [await commitAs(verifiers[0], taskId, verifierOutputs[0]), await commitAs(verifiers[1], taskId, verifierOutputs[1])];
      await revealAs(workerW, taskId, res);
      for (const [i, v] of verifiers.entries()) await revealAs(v, taskId, vres[i]!);
      return { taskId, res, verifiers };
    }
    /**
     * Settles a revealed task; when settle leaves the random audit pending, decides it in the next block, and when
     * that starts an audit, draws its auditors in the block after.
     */
    async function accepted(workerOutput = "good", verifierOutputs: [string, string] = [workerOutput, workerOutput]) {
      const r = await revealed(workerOutput, verifierOutputs);
      await s.wait(await s.market.write.settle([r.taskId]));
      if ((await s.market.read.roundOf([r.taskId])).auditPending) await s.wait(await s.market.write.decideAudit([r.taskId]));
      if ((await s.market.read.taskOf([r.taskId])).status === TaskStatus.Auditing) await s.drawAuditors(r.taskId);
      return r;
    }
    /**
     * The random audit decision as decideAudit makes it, computed here from the hash of the round's anchor (the
     * settle block): audited iff keccak256(abi.encode(hash, taskId, bytes32("audit"))) % 10000 < auditRateBps.
     */
    async function auditOutcome(taskId: Hex) {
      const { anchorBlock } = await s.market.read.roundOf([taskId]);
      const { hash } = await s.publicClient.getBlock({ blockNumber: BigInt(anchorBlock) });
      const seed = BigInt(
        keccak256(
          encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }], [hash!, taskId, toHex("audit", { size: 32 })]),
        ),
      );
      return seed % 10_000n < BigInt(params.auditRateBps ?? defaultParams.auditRateBps);
    }
    /**
     * Settles a revealed task in a block whose hash gives the wanted audit decision: a settle whose block gives the
     * other one is undone (evm snapshot) and tried again one block later. Returns the settle transaction's hash.
     */
    async function settleDeciding(taskId: Hex, audited: boolean) {
      for (let tries = 0; tries < 64; tries++) {
        const before = await networkHelpers.takeSnapshot();
        const hash = await s.market.write.settle([taskId]);
        await s.wait(hash);
        if ((await auditOutcome(taskId)) === audited) return hash;
        await before.restore();
        await networkHelpers.mine();
      }
      throw new Error(`no settle block in 64 gave audited = ${audited}`);
    }
    /** An accepted task (no random audit) whose audit the requester forces; auditors drawn in the next block. */
    async function forced(workerOutput = "good", verifierOutputs: [string, string] = [workerOutput, workerOutput]) {
      const r = await accepted(workerOutput, verifierOutputs);
      await s.wait(await requester.market.write.forceAudit([r.taskId]));
      await s.drawAuditors(r.taskId);
      return r;
    }
    const auditors = async (taskId: Hex) =>
      (await s.market.read.auditOf([taskId])).members.filter((m) => m.account !== ZERO_ADDRESS).map((m) => walletOf(m.account));
    /**
     * Each auditor commits then reveals its output (null: never commits); when one is silent, the commit and
     * reveal windows are waited out so that the audit is over.
     */
    async function audit(taskId: Hex, outputs: (string | null)[]) {
      const list = await auditors(taskId);
      const results = [];
      for (const [i, a] of list.entries()) results.push(outputs[i] === null ? null : await commitAs(a, taskId, outputs[i]!));
      if (outputs.includes(null)) await time.increaseTo((await s.market.read.auditOf([taskId])).commitDeadline + 1);
      for (const [i, a] of list.entries()) if (results[i]) await revealAs(a, taskId, results[i]!);
      if (outputs.includes(null)) await time.increaseTo((await s.market.read.auditOf([taskId])).revealDeadline + 1);
      return list;
    }
    const status = async (taskId: Hex) => (await s.market.read.taskOf([taskId])).status;
    /** Names of the market events a transaction emitted. */
    const eventsOf = async (hash: Hex) =>
      parseEventLogs({ abi: s.market.abi, logs: (await s.wait(hash)).logs as Log[] }).map((e) => e.eventName as string);
    return {
      eventsOf,
      s,
      typeId,
      requesterW,
      workerW,
      requester,
      worker,
      pool,
      addr,
      account,
      check,
      revealed,
      accepted,
      auditOutcome,
      settleDeciding,
      forced,
      auditors,
      audit,
      status,
    };
  }

  // ================================================================ random audit: settle leaves it pending, decideAudit decides

  describe("random audit: settle leaves it pending", () => {
    it("test_settle_acceptsWithTheAuditPendingAnchoredToTheSettleBlockAndMovesNoCredit", async () => {
      const { s, eventsOf, revealed, workerW, addr, account, check, status } = await world({ auditRateBps: 10_000 });
      const { taskId, res, verifiers } = await revealed("good");
      const hash = await s.market.write.settle([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskAccepted", [taskId, addr(workerW), res.digest, false]);
      const { blockNumber } = await s.wait(hash);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      const names = await eventsOf(hash);
      for (const n of ["AuditDecided", "AuditStarted"]) assert.ok(!names.includes(n), `settle emits no ${n}: the audit is not decided yet`);
      // Accepted even at a 100% rate: the decision comes later, from this block's hash.
      assert.equal(await status(taskId), TaskStatus.Accepted);
      const r = await s.market.read.roundOf([taskId]);
      assert.deepEqual([r.auditPending, r.anchorBlock], [true, Number(blockNumber)]);
      const a = await s.market.read.auditOf([taskId]);
      assert.deepEqual([a.acceptedAt, a.anchorBlock], [0, 0], "no audit started");
      // Nothing is paid: the escrow is whole and every lock of the round stays.
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.genesis, wk.lockedStake], [GENESIS - WORKER_STAKE, CLAIM_LOCK]);
      for (const v of verifiers) {
        const acc = await account(v.account.address);
        assert.deepEqual([acc.genesis, acc.stake, acc.lockedStake], [GENESIS - POOL_STAKE, POOL_STAKE, LOCK]);
      }
      assert.equal(await s.ledger.read.treasury(), 0n);
      await check([taskId]);
    });

    it("test_settle_leavesNoAuditPendingAtZeroRate", async () => {
      const { s, eventsOf, revealed, workerW, addr, check, status } = await world({ auditRateBps: 0 });
      const { taskId, res } = await revealed("good");
      const hash = await s.market.write.settle([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskAccepted", [taskId, addr(workerW), res.digest, false]);
      assert.ok(!(await eventsOf(hash)).includes("RandomnessAnchored"), "nothing to anchor");
      assert.equal(await status(taskId), TaskStatus.Accepted);
      assert.equal((await s.market.read.roundOf([taskId])).auditPending, false);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.decideAudit([taskId]), s.market, "NothingToDraw", [taskId]);
      const a = await s.market.read.auditOf([taskId]);
      assert.deepEqual([a.acceptedAt, a.anchorBlock], [0, 0], "no audit started");
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      await check([taskId]);
    });
  });

  describe("decideAudit", () => {
    it("test_decideAudit_atFullRateStartsTheAuditAndAnchorsTheAuditorDraw", async () => {
      const { s, revealed, workerW, account, check, status } = await world({ auditRateBps: 10_000 });
      const { taskId, verifiers } = await revealed("good");
      await s.wait(await s.market.write.settle([taskId]));
      // Anyone may decide it: here an account with no part in the protocol.
      const outsider = s.wallets[15]!;
      const hash = await (await s.as(outsider)).market.write.decideAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditDecided", [taskId, true]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditStarted", [taskId, false]);
      const { blockNumber } = await s.wait(hash);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      assert.equal(await status(taskId), TaskStatus.Auditing);
      assert.equal((await s.market.read.roundOf([taskId])).auditPending, false);
      const a = await s.market.read.auditOf([taskId]);
      for (const m of a.members) assert.equal(m.account, ZERO_ADDRESS, "decideAudit draws no auditor itself");
      const { timestamp } = await s.publicClient.getBlock({ blockNumber });
      assert.deepEqual([a.forced, a.anchorBlock, a.commitDeadline, a.acceptedAt], [false, Number(blockNumber), 0, Number(timestamp)]);
      // Still nothing is paid.
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      assert.equal((await account(workerW.account.address)).lockedStake, CLAIM_LOCK);
      for (const v of verifiers) assert.equal((await account(v.account.address)).lockedStake, LOCK);
      assert.equal(await s.ledger.read.treasury(), 0n);
      // The auditors are drawn from the next block on.
      await s.drawAuditors(taskId);
      assert.notEqual((await s.market.read.auditOf([taskId])).commitDeadline, 0);
      await check([taskId]);
    });

    it("test_decideAudit_revertsAnchorNotReadyInTheSettleBlock", async () => {
      const { s, revealed, check, status } = await world({ auditRateBps: 10_000 });
      const { taskId } = await revealed("good");
      const anchorBlock = (await s.publicClient.getBlockNumber()) + 1n;
      await inOneBlock(async () => {
        await s.market.write.settle([taskId]);
        await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.decideAudit([taskId]), s.market, "AnchorNotReady", [
          taskId,
          anchorBlock,
        ]);
      });
      const r = await s.market.read.roundOf([taskId]);
      assert.deepEqual([r.auditPending, r.anchorBlock], [true, Number(anchorBlock)]);
      assert.equal(await status(taskId), TaskStatus.Accepted);
      // From the next block on the decision goes through.
      await viem.assertions.emitWithArgs(s.market.write.decideAudit([taskId]), s.market, "AuditDecided", [taskId, true]);
      await check([taskId]);
    });

    it("test_decideAudit_revertsNothingToDrawOnceDecidedUnaudited", async () => {
      const { s, eventsOf, revealed, settleDeciding, check, status } = await world({ auditRateBps: 5_000 });
      const { taskId } = await revealed("good");
      await settleDeciding(taskId, false);
      const hash = await s.market.write.decideAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditDecided", [taskId, false]);
      const names = await eventsOf(hash);
      for (const n of ["AuditStarted", "RandomnessAnchored"]) assert.ok(!names.includes(n), `no ${n} when not audited`);
      assert.equal(await status(taskId), TaskStatus.Accepted);
      assert.equal((await s.market.read.roundOf([taskId])).auditPending, false);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.decideAudit([taskId]), s.market, "NothingToDraw", [taskId]);
      await check([taskId]);
    });

    it("test_decideAudit_revertsWrongStatusOnceAudited", async () => {
      const { s, revealed, check } = await world({ auditRateBps: 10_000 });
      const { taskId } = await revealed("good");
      await s.wait(await s.market.write.settle([taskId]));
      await s.wait(await s.market.write.decideAudit([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.decideAudit([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Auditing,
      ]);
      await check([taskId]);
    });

    it("test_decideAudit_revertsWrongStatusBeforeAcceptanceAndTaskNotFound", async () => {
      const { s, revealed } = await world({ auditRateBps: 10_000 });
      const { taskId } = await revealed("good");
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.decideAudit([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Revealing,
      ]);
      const unknown = toHex("no such task", { size: 32 });
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.decideAudit([unknown]), s.market, "TaskNotFound", [unknown]);
    });

    it("test_decideAudit_decidesFromTheSettleBlockHashWhenEverItIsCalled", async () => {
      // A 50% rate, so that both decisions occur: each settle block's hash gives one, computed here beforehand.
      const { s, revealed, auditOutcome } = await world({ auditRateBps: 5_000 });
      const { taskId } = await revealed("good");
      const seen = new Set<boolean>();
      for (let tries = 0; tries < 40 && seen.size < 2; tries++) {
        const beforeSettle = await networkHelpers.takeSnapshot();
        await s.wait(await s.market.write.settle([taskId]));
        const expected = await auditOutcome(taskId);
        seen.add(expected);
        // Decided in the very next block, or 200 blocks later: the same outcome, the settle block's.
        const settled = await networkHelpers.takeSnapshot();
        await viem.assertions.emitWithArgs(s.market.write.decideAudit([taskId]), s.market, "AuditDecided", [taskId, expected]);
        assert.equal((await s.market.read.taskOf([taskId])).status, expected ? TaskStatus.Auditing : TaskStatus.Accepted);
        await settled.restore();
        await networkHelpers.mine(200);
        await viem.assertions.emitWithArgs(s.market.write.decideAudit([taskId]), s.market, "AuditDecided", [taskId, expected]);
        await beforeSettle.restore();
        await networkHelpers.mine(); // the next try settles in another block
      }
      assert.deepEqual(seen, new Set([true, false]), "both decisions occurred");
    });

    it("test_decideAudit_auditsOnceTheSettleBlockHashIsUnreadable", async () => {
      // A 0.01% rate: with a readable hash an audit is all but impossible, so this audit is the stale-hash rule.
      const { s, revealed, auditOutcome, check, status } = await world({ auditRateBps: 1 });
      const { taskId } = await revealed("good");
      // The reveals' blocks no longer matter: settling long after the last one decides from the settle block.
      await networkHelpers.mine(HORIZON + 44);
      const { blockNumber: settleBlock } = await s.wait(await s.market.write.settle([taskId]));
      assert.equal(BigInt((await s.market.read.roundOf([taskId])).anchorBlock), settleBlock);
      const settled = await networkHelpers.takeSnapshot();
      // Block settle + 256: the hash is still readable, the decision is the hash's.
      await networkHelpers.mine(HORIZON - 1);
      const readable = await s.market.write.decideAudit([taskId]);
      assert.equal((await s.wait(readable)).blockNumber, settleBlock + BigInt(HORIZON));
      await viem.assertions.emitWithArgs(readable, s.market, "AuditDecided", [taskId, await auditOutcome(taskId)]);
      await settled.restore();
      // Block settle + 257: unreadable, so audited; waiting it out gains a worker that fears the audit nothing.
      await networkHelpers.mine(HORIZON);
      const stale = await s.market.write.decideAudit([taskId]);
      assert.equal((await s.wait(stale)).blockNumber, settleBlock + BigInt(HORIZON) + 1n);
      await viem.assertions.emitWithArgs(stale, s.market, "AuditDecided", [taskId, true]);
      await viem.assertions.emitWithArgs(stale, s.market, "AuditStarted", [taskId, false]);
      assert.equal(await status(taskId), TaskStatus.Auditing);
      await check([taskId]);
    });

    it("test_decideAudit_pastTheAuditWindowStillStartsTheAudit", async () => {
      const { s, revealed, settleDeciding, check, status } = await world({ auditRateBps: 5_000 });
      const { taskId } = await revealed("good");
      await settleDeciding(taskId, true);
      await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      // Nobody decided within the window: finalize still refuses, and the decision still audits.
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditUndecided", [taskId]);
      await viem.assertions.emitWithArgs(s.market.write.decideAudit([taskId]), s.market, "AuditDecided", [taskId, true]);
      assert.equal(await status(taskId), TaskStatus.Auditing);
      await s.drawAuditors(taskId);
      assert.notEqual((await s.market.read.auditOf([taskId])).commitDeadline, 0, "the audit runs in full");
      await check([taskId]);
    });

    it("test_finalize_revertsAuditUndecidedUntilTheAuditIsDecided", async () => {
      const { s, revealed, settleDeciding, workerW, account, check, status } = await world({ auditRateBps: 5_000 });
      const { taskId } = await revealed("good");
      await settleDeciding(taskId, false);
      await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditUndecided", [taskId]);
      assert.equal(await status(taskId), TaskStatus.Accepted);
      await viem.assertions.emitWithArgs(s.market.write.decideAudit([taskId]), s.market, "AuditDecided", [taskId, false]);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal(await status(taskId), TaskStatus.Final);
      assert.equal((await account(workerW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY);
      await check([taskId]);
    });

    it("test_forceAudit_duringAPendingDecisionClearsItAndStartsTheForcedAudit", async () => {
      const { s, eventsOf, revealed, requester, workerW, audit, check, status } = await world({ auditRateBps: 10_000 });
      const { taskId } = await revealed("good");
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.roundOf([taskId])).auditPending, true);
      const hash = await requester.market.write.forceAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditStarted", [taskId, true]);
      assert.ok(!(await eventsOf(hash)).includes("AuditDecided"));
      assert.equal(await status(taskId), TaskStatus.Auditing);
      assert.equal((await s.market.read.roundOf([taskId])).auditPending, false, "the forced audit makes the random one moot");
      assert.equal((await s.market.read.auditOf([taskId])).forced, true);
      // The random audit can no longer start a second audit.
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.decideAudit([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Auditing,
      ]);
      // The forced audit runs and ends as any audit does.
      await s.drawAuditors(taskId);
      await audit(taskId, ["good", "good", "good"]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal(await status(taskId), TaskStatus.Final);
      await check([taskId]);
    });
  });

  // ================================================================ forceAudit

  describe("forceAudit", () => {
    it("test_forceAudit_startsAnAuditFundedByTheReserveWithoutNewEscrow", async () => {
      const { s, accepted, requester, requesterW, account, check, status } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const before = await account(requesterW.account.address);
      const hash = await requester.market.write.forceAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditStarted", [taskId, true]);
      const { blockNumber } = await s.wait(hash);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      assert.equal(await status(taskId), TaskStatus.Auditing);
      const a = await s.market.read.auditOf([taskId]);
      assert.deepEqual([a.forced, a.anchorBlock], [true, Number(blockNumber)]);
      for (const m of a.members) assert.equal(m.account, ZERO_ADDRESS, "auditors are drawn later");
      // The audit reserve escrowed at post pays the auditors: the requester escrows nothing more.
      assert.deepEqual(await account(requesterW.account.address), before);
      assert.equal(before.genesis, GENESIS - ESCROW);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      await check([taskId]);
    });

    it("test_forceAudit_revertsWhenNotRequester", async () => {
      const { s, accepted, worker, workerW, addr } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.forceAudit([taskId]), s.market, "NotRequester", [
        taskId,
        addr(workerW),
      ]);
    });

    it("test_forceAudit_revertsWhenNotAccepted", async () => {
      const { s, forced, requester } = await world({ auditRateBps: 0 });
      const { taskId } = await forced("good");
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Auditing,
      ]);
    });

    it("test_forceAudit_revertsAuditWindowClosedAfterTheWindow", async () => {
      const { s, accepted, requester, check, status } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      const closesAt = BigInt(acceptedAt + AUDIT_WINDOW);
      assert.equal(await s.market.read.auditWindowClosesAt([taskId]), closesAt);
      await time.setNextBlockTimestamp(closesAt + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "AuditWindowClosed", [
        taskId,
        closesAt,
      ]);
      assert.equal(await status(taskId), TaskStatus.Accepted);
      await check([taskId]);
    });

    it("test_forceAudit_allowedAtTheLastSecondOfTheWindow", async () => {
      const { s, accepted, requester, status } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      await time.setNextBlockTimestamp(await s.market.read.auditWindowClosesAt([taskId]));
      await s.wait(await requester.market.write.forceAudit([taskId]));
      assert.equal(await status(taskId), TaskStatus.Auditing);
    });

    it("test_forceAudit_windowIsExtendedByAPause", async () => {
      const { s, accepted, requester, status } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      const PAUSE = 2 * 3600;
      await s.wait(await s.market.write.pause());
      const pausedAt = await time.latest();
      await time.setNextBlockTimestamp(pausedAt + PAUSE);
      await s.wait(await s.market.write.unpause());
      assert.equal(await s.market.read.pausedTime(), BigInt(PAUSE));
      const closesAt = BigInt(acceptedAt + AUDIT_WINDOW + PAUSE);
      assert.equal(await s.market.read.auditWindowClosesAt([taskId]), closesAt);
      const snapshot = await networkHelpers.takeSnapshot();
      await time.setNextBlockTimestamp(closesAt + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "AuditWindowClosed", [
        taskId,
        closesAt,
      ]);
      await snapshot.restore();
      // Past the window as it was before the pause, within it as the pause extended it.
      await time.setNextBlockTimestamp(closesAt);
      await s.wait(await requester.market.write.forceAudit([taskId]));
      assert.equal(await status(taskId), TaskStatus.Auditing);
    });
  });

  // ================================================================ drawAuditors

  describe("drawAuditors", () => {
    it("test_drawAuditors_revertsAnchorNotReadyInTheAnchorBlock", async () => {
      const { s, accepted, requester, check } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const anchorBlock = (await s.publicClient.getBlockNumber()) + 1n;
      await inOneBlock(async () => {
        await requester.market.write.forceAudit([taskId]);
        await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "AnchorNotReady", [
          taskId,
          anchorBlock,
        ]);
      });
      assert.equal((await s.market.read.auditOf([taskId])).anchorBlock, Number(anchorBlock));
      // From the next block on the draw goes through.
      await s.drawAuditors(taskId);
      assert.notEqual((await s.market.read.auditOf([taskId])).commitDeadline, 0);
      await check([taskId]);
    });

    it("test_drawAuditors_revertsAnchorLapsedAndTheAuditLapsesCleanWithoutReRoll", async () => {
      const { s, accepted, requester, requesterW, workerW, check, status, account } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      await s.wait(await requester.market.write.forceAudit([taskId]));
      const { anchorBlock } = await s.market.read.auditOf([taskId]);
      await networkHelpers.mine(HORIZON);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "AnchorLapsed", [
        taskId,
        BigInt(anchorBlock),
      ]);
      // The anchor is never replaced: the audit is over, clean, well within its time window.
      assert.equal((await s.market.read.auditOf([taskId])).anchorBlock, anchorBlock);
      assert.ok(BigInt(await time.latest()) < (await s.market.read.auditWindowClosesAt([taskId])));
      const hash = await s.market.write.finalizeAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditClean", [taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal(await status(taskId), TaskStatus.Final);
      assert.equal((await account(workerW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY);
      // The unused audit reserve goes back to the requester.
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW + 3n * FEE);
      await check([taskId]);
    });

    it("test_drawAuditors_revertsAuditWindowClosedOnceTheAuditLapsed", async () => {
      // Two pool members: both are the verifiers, nobody is left to audit.
      const { s, accepted, requester, check } = await world({ auditRateBps: 0 }, { poolSize: 2 });
      const { taskId } = await accepted("good");
      await s.wait(await requester.market.write.forceAudit([taskId]));
      await s.drawAuditors(taskId); // short pool: draws nobody, re-anchors
      for (const m of (await s.market.read.auditOf([taskId])).members) assert.equal(m.account, ZERO_ADDRESS);
      const { acceptedAt: startedAt } = await s.market.read.auditOf([taskId]);
      const lapsesAt = BigInt(startedAt + AUDIT_WINDOW);
      // Even a pool that could fill the audit now does not restart it.
      for (const w of s.wallets.slice(10, 13)) await s.registerWorker(w, POOL_STAKE);
      await time.setNextBlockTimestamp(lapsesAt + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "AuditWindowClosed", [
        taskId,
        lapsesAt,
      ]);
      await check([taskId]);
    });

    it("test_drawAuditors_readsThePoolAsOfTheAnchorBlock", async () => {
      const { s, accepted, requester, account, check } = await world({ auditRateBps: 0 }, { poolSize: 2 });
      const { taskId } = await accepted("good");
      await s.wait(await requester.market.write.forceAudit([taskId]));
      // Three members join after the anchor: the draw anchored before them cannot see them.
      const fresh = s.wallets.slice(10, 13);
      for (const w of fresh) await s.registerWorker(w, POOL_STAKE);
      const short = await s.market.write.drawAuditors([taskId]);
      const { blockNumber } = await s.wait(short);
      await viem.assertions.emitWithArgs(short, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      let a = await s.market.read.auditOf([taskId]);
      for (const m of a.members) assert.equal(m.account, ZERO_ADDRESS, "nobody in the anchor block's pool can audit");
      assert.deepEqual([a.poolShort, a.anchorBlock, a.commitDeadline], [true, Number(blockNumber), 0]);
      // The short draw re-anchored to a block in which they were members: the next draw seats them.
      const at = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(at);
      const full = await s.market.write.drawAuditors([taskId]);
      await viem.assertions.emitWithArgs(full, s.market, "CommitWindowOpened", [
        taskId,
        BigInt(at + defaultParams.commitWindow),
        BigInt(at + defaultParams.commitWindow + defaultParams.revealWindow),
      ]);
      a = await s.market.read.auditOf([taskId]);
      assert.deepEqual(new Set(a.members.map((m) => m.account)), new Set(fresh.map((w) => getAddress(w.account.address))));
      for (const m of a.members) {
        assert.equal(m.status, Contribution.Drawn);
        assert.equal((await account(m.account)).lockedStake, LOCK, "each auditor locks its duty stake");
      }
      assert.equal(a.poolShort, false);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "NothingToDraw", [taskId]);
      await check([taskId]);
    });

    it("test_drawAuditors_skipsMembersThatLeftThePoolSinceTheAnchor", async () => {
      // Five members: two verify, three are left to audit; one of those leaves once the audit is anchored.
      const { s, accepted, requester, pool, check } = await world({ auditRateBps: 0 });
      const { taskId, verifiers } = await accepted("good");
      await s.wait(await requester.market.write.forceAudit([taskId]));
      const spare = pool.filter((w) => !verifiers.includes(w));
      assert.equal(spare.length, 3);
      const leaver = spare[0]!;
      await s.wait(await (await s.as(leaver)).registry.write.leaveVerifierPool());
      await s.drawAuditors(taskId);
      const a = await s.market.read.auditOf([taskId]);
      const seated = a.members.map((m) => m.account).filter((m) => m !== ZERO_ADDRESS);
      assert.deepEqual(new Set(seated), new Set(spare.slice(1).map((w) => getAddress(w.account.address))));
      assert.equal(a.poolShort, true, "one seat stays empty rather than go to a member that left");
      assert.equal(a.commitDeadline, 0);
      await check([taskId]);
    });

    it("test_drawAuditors_excludesTheRequesterTheWorkerAndTheVerifiers", async () => {
      const { s, accepted, requester, requesterW, workerW, pool, check } = await world(
        { auditRateBps: 0 },
        { requesterInPool: true, workerInPool: true },
      );
      assert.equal(await s.registry.read.poolSize(), 7n);
      const { taskId, verifiers } = await accepted("good");
      await s.wait(await requester.market.write.forceAudit([taskId]));
      await s.drawAuditors(taskId);
      const a = await s.market.read.auditOf([taskId]);
      const barred = [requesterW, workerW, ...verifiers].map((w) => getAddress(w.account.address));
      const expected = pool.map((w) => getAddress(w.account.address)).filter((x) => !barred.includes(x));
      assert.deepEqual(new Set(a.members.map((m) => m.account)), new Set(expected), "the three others audit");
      assert.notEqual(a.commitDeadline, 0);
      await check([taskId]);
    });

    it("test_drawAuditors_revertsWrongStatusWhenNotAuditing", async () => {
      const { s, accepted } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawAuditors([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Accepted,
      ]);
    });

    it("test_commit_revertsNotDrawnWhenTheWorkerOrAVerifierTriesToAudit", async () => {
      const { s, forced, worker, workerW, addr } = await world({ auditRateBps: 0 });
      const { taskId, verifiers } = await forced("good");
      const own = s.result(taskId, workerW.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.commit([taskId, own.commitment]), s.market, "NotDrawn", [
        taskId,
        addr(workerW),
      ]);
      const v = verifiers[0];
      const vr = s.result(taskId, v.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(v)).market.write.commit([taskId, vr.commitment]), s.market, "NotDrawn", [
        taskId,
        addr(v),
      ]);
    });

    it("test_reveal_auditRevealsOnlyOnceEveryAuditorCommitted", async () => {
      const { s, forced, auditors, addr } = await world({ auditRateBps: 0 });
      const { taskId } = await forced("good");
      const [a0, a1] = await auditors(taskId);
      const r0 = await s.commitAs(a0!, taskId, "good");
      await s.commitAs(a1!, taskId, "good");
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(a0!)).market.write.reveal([taskId, r0.cid, r0.salt]), s.market, "RevealNotOpen", [
        taskId,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(a0!)).market.write.commit([taskId, r0.commitment]), s.market, "AlreadyCommitted", [
        taskId,
        addr(a0!),
      ]);
    });
  });

  // ================================================================ finalizeAudit: clean

  describe("finalizeAudit: clean", () => {
    it("test_finalizeAudit_cleanPaysLikeFinalizePlusTheAuditorsFeesFromTheReserve", async () => {
      const { s, accepted, requesterW, workerW, account, audit, check, status } = await world({ auditRateBps: 10_000 });
      const { taskId, verifiers } = await accepted("good");
      const list = await audit(taskId, ["good", "good", "good"]);
      const hash = await s.market.write.finalizeAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditClean", [taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal(await status(taskId), TaskStatus.Final);
      const wk = await account(workerW.account.address);
      assert.deepEqual(
        [wk.balance, wk.genesis, wk.earned, wk.stake, wk.lockedStake],
        [0n, GENESIS - WORKER_STAKE + BOUNTY, WORK_VALUE, WORKER_STAKE, 0n],
        "the worker gets its bounty as genesis (the escrow was genesis) and its work value as work credit",
      );
      for (const m of [...verifiers, ...list]) {
        const acc = await account(m.account.address);
        assert.deepEqual(
          [acc.balance, acc.genesis, acc.earned, acc.stake, acc.lockedStake],
          [0n, GENESIS - POOL_STAKE + FEE, FEE, POOL_STAKE, 0n],
          "verifiers and auditors: fee paid, stake unlocked",
        );
      }
      // The reserve paid the three auditors: nothing is left to refund.
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      assert.deepEqual([await s.ledger.read.treasury(), await s.ledger.read.treasuryGenesis()], [PLATFORM_FEE, PLATFORM_FEE]);
      assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), BOUNTY);
      await check([taskId]);
    });

    it("test_finalizeAudit_cleanSlashesWrongAndSilentAuditorsAndRefundsTheirFees", async () => {
      const { s, accepted, requesterW, account, audit, check, status } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      const list = await audit(taskId, ["good", "other", null]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal(await status(taskId), TaskStatus.Final);
      const [ok, wrong, silent] = await Promise.all(list.map((a) => account(a.account.address)));
      assert.deepEqual([ok!.genesis, ok!.stake, ok!.lockedStake], [GENESIS - POOL_STAKE + FEE, POOL_STAKE, 0n]);
      for (const bad of [wrong!, silent!]) {
        assert.deepEqual([bad.genesis, bad.stake, bad.lockedStake], [GENESIS - POOL_STAKE, POOL_STAKE - LOCK, 0n]);
      }
      // The two unpaid auditor fees return to the requester.
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW + 2n * FEE);
      assert.equal(await s.ledger.read.treasury(), PLATFORM_FEE + 2n * LOCK);
      await check([taskId]);
    });

    it("test_finalizeAudit_twoDissentersWhoDisagreeWithEachOtherAreNotFraud", async () => {
      const { s, accepted, workerW, account, audit, check, status } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      const list = await audit(taskId, ["other", "good", "third"]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal(await status(taskId), TaskStatus.Final);
      assert.equal((await account(workerW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY, "the worker is paid");
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), false);
      const [a0, a1, a2] = await Promise.all(list.map((a) => account(a.account.address)));
      assert.deepEqual([a0!.stake, a2!.stake], [POOL_STAKE - LOCK, POOL_STAKE - LOCK], "both wrong auditors slashed");
      assert.deepEqual([a1!.stake, a1!.genesis], [POOL_STAKE, GENESIS - POOL_STAKE + FEE]);
      await check([taskId]);
    });

    it("test_finalizeAudit_revertsRoundNotOver", async () => {
      const { s, forced, auditors } = await world({ auditRateBps: 0 });
      const { taskId } = await forced("good");
      assert.equal((await auditors(taskId)).length, 3);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "RoundNotOver", [taskId]);
    });

    it("test_finalizeAudit_revertsRoundNotOverWhileAnUndrawnAuditIsInItsWindow", async () => {
      const { s, accepted, requester } = await world({ auditRateBps: 0 }, { poolSize: 2 });
      const { taskId } = await accepted("good");
      await s.wait(await requester.market.write.forceAudit([taskId]));
      const { acceptedAt: startedAt } = await s.market.read.auditOf([taskId]);
      await time.setNextBlockTimestamp(startedAt + AUDIT_WINDOW);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "RoundNotOver", [taskId]);
    });

    it("test_finalizeAudit_revertsWrongStatusWhenNotAuditing", async () => {
      const { s, accepted } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Accepted,
      ]);
    });

    it("test_finalizeAudit_lapsesCleanWithoutAuditorsAfterTheAuditWindow", async () => {
      // Two pool members only: both serve as verifiers, nobody is left to audit the random audit.
      const { s, accepted, requesterW, workerW, pool, account, check, status } = await world({ auditRateBps: 10_000 }, { poolSize: 2 });
      const { taskId } = await accepted("good");
      for (const m of (await s.market.read.auditOf([taskId])).members) assert.equal(m.account, ZERO_ADDRESS);
      const { acceptedAt: startedAt } = await s.market.read.auditOf([taskId]);
      await time.setNextBlockTimestamp(startedAt + AUDIT_WINDOW + 1);
      const hash = await s.market.write.finalizeAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditClean", [taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal(await status(taskId), TaskStatus.Final);
      assert.equal((await account(workerW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY);
      for (const v of pool) {
        const acc = await account(v.account.address);
        assert.deepEqual([acc.genesis, acc.stake, acc.lockedStake], [GENESIS - POOL_STAKE + FEE, POOL_STAKE, 0n]);
      }
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW + 3n * FEE, "reserve refunded");
      await check([taskId]);
    });

    it("test_finalizeAudit_auditorsOfAnAuditThatNeverRanAreJustUnlocked", async () => {
      // Three pool members: two verify, the third is the only auditor the pool can give; the audit never fills.
      const { s, forced, requesterW, account, check, status, auditors } = await world({ auditRateBps: 0 }, { poolSize: 3 });
      const { taskId } = await forced("good");
      const [only] = await auditors(taskId);
      assert.ok(only);
      assert.equal((await auditors(taskId)).length, 1);
      assert.equal((await account(only.account.address)).lockedStake, LOCK);
      const { acceptedAt: startedAt } = await s.market.read.auditOf([taskId]);
      await time.setNextBlockTimestamp(startedAt + AUDIT_WINDOW + 1);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal(await status(taskId), TaskStatus.Final);
      const acc = await account(only.account.address);
      assert.deepEqual(
        [acc.genesis, acc.stake, acc.lockedStake, acc.earned],
        [GENESIS - POOL_STAKE, POOL_STAKE, 0n, 0n],
        "no pay, no slash: the audit never ran",
      );
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW + 3n * FEE);
      await check([taskId]);
    });
  });

  // ================================================================ finalizeAudit: fraud

  describe("finalizeAudit: fraud", () => {
    it("test_finalizeAudit_fraudSlashesTheWorkerBansItAndRefundsTheEscrowAsGenesis", async () => {
      const { s, accepted, requesterW, workerW, worker, typeId, addr, account, audit, check, status } = await world({ auditRateBps: 10_000 });
      // The worker and both verifiers collude on a wrong output.
      const { taskId, verifiers } = await accepted("forged");
      const honest = s.result(taskId, workerW.account.address, "honest"); // the digest the auditors reveal
      const list = await audit(taskId, ["honest", "honest", "honest"]);
      const hash = await s.market.write.finalizeAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "FraudProven", [taskId, addr(workerW), FRAUD_SLASH, honest.digest]);
      // Slashed 10x the bounty: its 2000 stake, the rest as debt; only the stake was recovered.
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [addr(workerW), FRAUD_SLASH, WORKER_STAKE, WORKER_STAKE]);
      const each = REWARD / 3n; // 166: the recovered 2000 covers the full share
      for (const a of list) await viem.assertions.emitWithArgs(hash, s.ledger, "SlashRewarded", [addr(workerW), addr(a), each, each]);
      assert.equal(await status(taskId), TaskStatus.Fraudulent);

      const wk = await account(workerW.account.address);
      assert.deepEqual(
        [wk.balance, wk.genesis, wk.earned, wk.stake, wk.lockedStake],
        [WORKER_STAKE - FRAUD_SLASH, GENESIS - WORKER_STAKE, 0n, 0n, 0n],
        "never paid, slashed into debt",
      );
      // The escrow returns to the requester as it was paid in (genesis), less the auditors' fees.
      assert.deepEqual(
        [(await account(requesterW.account.address)).genesis, (await account(requesterW.account.address)).balance],
        [GENESIS - 3n * FEE, 0n],
      );
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), 0n);
      // Banned for the ban duration, out of every claim meanwhile.
      const { timestamp } = await s.publicClient.getBlock({ blockNumber: (await s.wait(hash)).blockNumber });
      assert.equal(BigInt((await s.registry.read.workerOf([workerW.account.address])).bannedUntil), timestamp + BigInt(BAN));
      const next = await s.post(requesterW, { typeId, bounty: BOUNTY });
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([next]), s.market, "WorkerBanned", [
        addr(workerW),
        timestamp + BigInt(BAN),
      ]);
      // The verifiers that vouched for the fraud: unlocked and slashed their lock, no fee.
      for (const v of verifiers) {
        const acc = await account(v.account.address);
        assert.deepEqual([acc.genesis, acc.stake, acc.lockedStake], [GENESIS - POOL_STAKE, POOL_STAKE - LOCK, 0n]);
      }
      // The auditors: their fee from the reserve and their reward share, as genesis (the slashed stake was).
      for (const a of list) {
        const acc = await account(a.account.address);
        assert.deepEqual([acc.balance, acc.genesis, acc.stake, acc.lockedStake], [0n, GENESIS - POOL_STAKE + FEE + each, POOL_STAKE, 0n]);
      }
      assert.equal(await s.ledger.read.treasury(), FRAUD_SLASH + 2n * LOCK - 3n * each, "no platform fee on fraud");
      assert.equal(await s.ledger.read.treasuryGenesis(), WORKER_STAKE + 2n * LOCK - 3n * each);
      await check([taskId, next]);
    });

    it("test_finalizeAudit_fraudByAWellStakedWorkerPaysTheFullRewardWithoutDebt", async () => {
      const { s, forced, workerW, addr, account, audit, check } = await world({ auditRateBps: 0 }, { workerStake: GENESIS });
      const { taskId } = await forced("forged");
      const list = await audit(taskId, ["honest", "honest", "honest"]);
      const hash = await s.market.write.finalizeAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [addr(workerW), FRAUD_SLASH, FRAUD_SLASH, FRAUD_SLASH]);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.balance, wk.genesis, wk.stake, wk.lockedStake], [0n, 0n, 0n, 0n], "the stake covered the whole slash");
      for (const a of list) {
        await viem.assertions.emitWithArgs(hash, s.ledger, "SlashRewarded", [addr(workerW), addr(a), REWARD / 3n, REWARD / 3n]);
        assert.equal((await account(a.account.address)).genesis, GENESIS - POOL_STAKE + FEE + REWARD / 3n);
      }
      await check([taskId]);
    });

    it("test_finalizeAudit_fraudRewardIsCappedByWhatTheSlashRecovered", async () => {
      // The worker stakes just enough for its claim: the 10x slash lands almost all as debt.
      const stake = 200n;
      const { s, forced, workerW, addr, account, audit, check } = await world({ auditRateBps: 0 }, { workerStake: stake });
      const { taskId } = await forced("forged");
      const list = await audit(taskId, ["honest", "honest", "honest"]);
      const hash = await s.market.write.finalizeAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [addr(workerW), FRAUD_SLASH, stake, stake]);
      const each = stake / 3n; // 66 < 166: the debt part pays nobody
      assert.ok(each < REWARD / 3n);
      for (const a of list) {
        await viem.assertions.emitWithArgs(hash, s.ledger, "SlashRewarded", [addr(workerW), addr(a), each, each]);
        assert.equal((await account(a.account.address)).genesis, GENESIS - POOL_STAKE + FEE + each);
      }
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.balance, wk.stake], [stake - FRAUD_SLASH, 0n]);
      // The rewards never exceed what was recovered.
      assert.ok(3n * each <= stake);
      assert.equal(await s.ledger.read.treasury(), FRAUD_SLASH + 2n * LOCK - 3n * each);
      await check([taskId]);
    });

    it("test_finalizeAudit_fraudByTwoOfThreeAuditorsSharesTheRewardAndSlashesTheThird", async () => {
      const { s, forced, requesterW, account, audit, check, status } = await world({ auditRateBps: 0 });
      const { taskId } = await forced("forged");
      const list = await audit(taskId, ["honest", "forged", "honest"]);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      assert.equal(await status(taskId), TaskStatus.Fraudulent);
      const [a0, a1, a2] = await Promise.all(list.map((a) => account(a.account.address)));
      const each = REWARD / 2n;
      for (const right of [a0!, a2!]) assert.deepEqual([right.genesis, right.stake], [GENESIS - POOL_STAKE + FEE + each, POOL_STAKE]);
      assert.deepEqual([a1!.genesis, a1!.stake, a1!.lockedStake], [GENESIS - POOL_STAKE, POOL_STAKE - LOCK, 0n], "siding with the fraud");
      // The unpaid auditor's fee is refunded with the rest.
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - 2n * FEE);
      await check([taskId]);
    });

    it("test_finalizeAudit_fraudMakesTheHonestDissentingVerifierWholeAndRewardsIt", async () => {
      const { s, forced, account, audit, check, status } = await world({ auditRateBps: 0 });
      // The worker and verifier 1 accept garbage; verifier 2 dissents with the true output.
      const { taskId, verifiers } = await forced("forged", ["forged", "honest"]);
      const [vouching, dissenter] = verifiers;
      assert.equal((await account(dissenter.account.address)).lockedStake, LOCK, "the dissenter stays locked meanwhile");
      const list = await audit(taskId, ["honest", "honest", "honest"]);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      assert.equal(await status(taskId), TaskStatus.Fraudulent);
      const each = REWARD / 4n; // three auditors and the dissenter
      const d = await account(dissenter.account.address);
      assert.deepEqual(
        [d.genesis, d.earned, d.stake, d.lockedStake],
        [GENESIS - POOL_STAKE + FEE + each, FEE, POOL_STAKE, 0n],
        "unlocked, its fee and a reward share",
      );
      const v = await account(vouching.account.address);
      assert.deepEqual([v.genesis, v.stake, v.lockedStake], [GENESIS - POOL_STAKE, POOL_STAKE - LOCK, 0n]);
      for (const a of list) assert.equal((await account(a.account.address)).genesis, GENESIS - POOL_STAKE + FEE + each);
      await check([taskId]);
    });

    it("test_finalizeAudit_fraudSlashesADissenterWithYetAnotherWrongResult", async () => {
      const { s, forced, account, audit, check } = await world({ auditRateBps: 0 });
      const { taskId, verifiers } = await forced("forged", ["forged", "third"]);
      const list = await audit(taskId, ["honest", "honest", "honest"]);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      for (const v of verifiers) {
        const acc = await account(v.account.address);
        assert.deepEqual([acc.genesis, acc.stake, acc.lockedStake], [GENESIS - POOL_STAKE, POOL_STAKE - LOCK, 0n]);
      }
      for (const a of list) assert.equal((await account(a.account.address)).genesis, GENESIS - POOL_STAKE + FEE + REWARD / 3n);
      await check([taskId]);
    });

    it("test_finalizeAudit_oneDissentingAuditorIsNotFraud", async () => {
      const { s, forced, workerW, account, audit, check, status } = await world({ auditRateBps: 0 });
      const { taskId } = await forced("good");
      await audit(taskId, ["good", "other", "good"]);
      await viem.assertions.emitWithArgs(s.market.write.finalizeAudit([taskId]), s.market, "AuditClean", [taskId]);
      assert.equal(await status(taskId), TaskStatus.Final);
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), false);
      assert.equal((await account(workerW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY);
      await check([taskId]);
    });
  });

  // ================================================================ input-rejected acceptances

  describe("audits of input-rejected acceptances", () => {
    it("test_finalizeAudit_cleanAuditOfAnInputRejectedResultEndsInputRejected", async () => {
      const { s, revealed, requesterW, workerW, addr, account, audit, check, status } = await world({ auditRateBps: 10_000 });
      const { taskId, res, verifiers } = await revealed("rejected");
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        addr(workerW),
        res.digest,
        true,
      ]);
      assert.equal((await s.market.read.roundOf([taskId])).inputRejected, true);
      await s.wait(await s.market.write.decideAudit([taskId]));
      await s.drawAuditors(taskId);
      const list = await audit(taskId, ["rejected", "rejected", "rejected"]);
      const hash = await s.market.write.finalizeAudit([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "AuditClean", [taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskFinalized", [taskId, REJECT_PAY]);
      assert.equal(await status(taskId), TaskStatus.InputRejected);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.genesis, wk.earned, wk.lockedStake], [GENESIS - WORKER_STAKE + REJECT_PAY, 0n, 0n], "reject pay, no work credit");
      for (const m of [...verifiers, ...list]) {
        const acc = await account(m.account.address);
        assert.deepEqual([acc.genesis, acc.earned, acc.stake, acc.lockedStake], [GENESIS - POOL_STAKE + FEE, 0n, POOL_STAKE, 0n]);
      }
      // The requester pays the reject pay, five fees and the platform fee; the rest of the bounty comes back.
      const paid = REJECT_PAY + 5n * FEE + PLATFORM_FEE;
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - paid);
      await check([taskId]);
    });

    it("test_finalizeAudit_auditProvesAFalseInputRejectionFraudulent", async () => {
      const { s, revealed, requesterW, workerW, account, audit, check, status } = await world({ auditRateBps: 10_000 });
      // The worker and both verifiers claim the input cannot be processed; the auditors process it.
      const { taskId } = await revealed("rejected");
      await s.wait(await s.market.write.settle([taskId]));
      await s.wait(await s.market.write.decideAudit([taskId]));
      await s.drawAuditors(taskId);
      await audit(taskId, ["real", "real", "real"]);
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      assert.equal(await status(taskId), TaskStatus.Fraudulent);
      assert.equal(await s.registry.read.isBanned([workerW.account.address]), true);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.balance, wk.stake, wk.genesis], [WORKER_STAKE - FRAUD_SLASH, 0n, GENESIS - WORKER_STAKE]);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - 3n * FEE);
      await check([taskId]);
    });
  });

  // ================================================================ stake locked until final

  describe("stake stays locked until the task is final", () => {
    it("test_unstake_revertsStakeStillLockedUntilTheAcceptedTaskIsFinal", async () => {
      const { s, accepted, worker, workerW, addr, account, check } = await world({ auditRateBps: 0 });
      const { taskId, verifiers } = await accepted("good");
      const v = await s.as(verifiers[0]);
      await s.wait(await worker.registry.write.requestUnstake());
      await s.wait(await v.registry.write.requestUnstake());
      // Past the cooldown and the audit window, but nobody finalized: the locks stand.
      await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + BigInt(defaultParams.unstakeCooldown));
      await viem.assertions.revertWithCustomErrorWithArgs(worker.registry.write.unstake([1n]), s.registry, "StakeStillLocked", [
        addr(workerW),
        CLAIM_LOCK,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(v.registry.write.unstake([1n]), s.registry, "StakeStillLocked", [
        addr(verifiers[0]),
        LOCK,
      ]);
      await s.wait(await s.market.write.finalize([taskId]));
      await s.wait(await worker.registry.write.unstake([WORKER_STAKE]));
      await s.wait(await v.registry.write.unstake([POOL_STAKE]));
      assert.deepEqual([(await account(workerW.account.address)).stake, (await account(verifiers[0].account.address)).stake], [0n, 0n]);
      await check([taskId]);
    });

    it("test_unstake_revertsStakeStillLockedForWorkerAndAuditorsUntilTheAuditIsFinal", async () => {
      const { s, forced, worker, workerW, auditors, addr, check } = await world({ auditRateBps: 0 });
      const { taskId } = await forced("good");
      const [first] = await auditors(taskId);
      const a = await s.as(first!);
      await s.wait(await worker.registry.write.requestUnstake());
      await s.wait(await a.registry.write.requestUnstake());
      await time.increase(AUDIT_WINDOW + defaultParams.unstakeCooldown);
      // The worker's claim lock on the audited task is held until the task is final: no stake leaves meanwhile.
      await viem.assertions.revertWithCustomErrorWithArgs(worker.registry.write.unstake([1n]), s.registry, "StakeStillLocked", [
        addr(workerW),
        CLAIM_LOCK,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1n]), s.registry, "StakeStillLocked", [addr(first!), LOCK]);
      // The auditors never committed and the reveal window is long closed: the audit ends clean, and the silent
      // auditors lose their lock.
      await s.wait(await s.market.write.finalizeAudit([taskId]));
      await s.wait(await worker.registry.write.unstake([WORKER_STAKE]));
      await s.wait(await a.registry.write.unstake([POOL_STAKE - LOCK]));
      await check([taskId]);
    });
  });

  // ================================================================ finalize

  describe("finalize", () => {
    it("test_finalize_revertsAuditWindowOpen", async () => {
      const { s, accepted } = await world({ auditRateBps: 0 });
      const { taskId } = await accepted("good");
      const { acceptedAt } = await s.market.read.roundOf([taskId]);
      const closesAt = BigInt(acceptedAt + AUDIT_WINDOW);
      await time.setNextBlockTimestamp(closesAt);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [taskId, closesAt]);
    });

    it("test_finalize_paysOutAfterTheAuditWindowAndRefundsTheReserve", async () => {
      const { s, accepted, requester, requesterW, workerW, account, check, status } = await world({ auditRateBps: 0 });
      const { taskId, verifiers } = await accepted("good");
      await time.setNextBlockTimestamp((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId, BOUNTY]);
      assert.equal(await status(taskId), TaskStatus.Final);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.genesis, wk.earned, wk.lockedStake], [GENESIS - WORKER_STAKE + BOUNTY, WORK_VALUE, 0n]);
      for (const v of verifiers) assert.equal((await account(v.account.address)).genesis, GENESIS - POOL_STAKE + FEE);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW + 3n * FEE);
      assert.equal(await s.ledger.read.treasury(), PLATFORM_FEE);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Final,
      ]);
      await check([taskId]);
    });

    it("test_finalize_slashesTheDissentingVerifierAndRefundsItsFee", async () => {
      const { s, accepted, requesterW, account, check } = await world({ auditRateBps: 0 });
      const { taskId, verifiers } = await accepted("good", ["good", "other"]);
      const [agreeing, dissenter] = verifiers;
      assert.deepEqual(
        [(await account(dissenter.account.address)).stake, (await account(dissenter.account.address)).lockedStake],
        [POOL_STAKE, LOCK],
        "not slashed at acceptance: an audit might prove it right",
      );
      await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await s.wait(await s.market.write.finalize([taskId]));
      const d = await account(dissenter.account.address);
      assert.deepEqual([d.genesis, d.stake, d.lockedStake], [GENESIS - POOL_STAKE, POOL_STAKE - LOCK, 0n]);
      assert.equal((await account(agreeing.account.address)).genesis, GENESIS - POOL_STAKE + FEE);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW + 3n * FEE + FEE);
      assert.equal(await s.ledger.read.treasury(), PLATFORM_FEE + LOCK);
      await check([taskId]);
    });

    it("test_finalize_revertsWrongStatusWhileAuditing", async () => {
      const { s, accepted } = await world({ auditRateBps: 10_000 });
      const { taskId } = await accepted("good");
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Auditing,
      ]);
    });
  });
});

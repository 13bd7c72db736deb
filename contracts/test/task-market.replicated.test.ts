/**
 * TaskMarket replicated mode (2-of-3 commit-reveal, DESIGN §3 step 3): the verifier draw, the commit and reveal
 * windows, replacement of silent verifiers, the three outcomes with exact balances, and the lapse of a round
 * that never got its verifiers. Bounty 1000 mCC: verifier fee 10, platform fee 10, stake locks 100.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, getAddress, parseEventLogs } from "viem";
import { defaultParams } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const COMMIT_WINDOW = defaultParams.commitWindow;
const REVEAL_WINDOW = defaultParams.revealWindow;
const ESCROW = 1_030n; // bounty 1000 + 2 x 10 verifier fees + 10 platform fee
const FEE = 10n;
const LOCK = 100n; // claim lock, verifier lock and reject slash: 10% of the bounty
const WORKER_STAKE = 2_000n;
const VERIFIER_STAKE = 5_000n;

const Contribution = { None: 0, Drawn: 1, Committed: 2, Revealed: 3 } as const;
const Reject = { VerifiersDisagreed: 0, WorkerSilent: 1, NoConsensus: 2 } as const;

describe("TaskMarket replicated rounds", async () => {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function world(verifierCount = 2, auditRateBps = 0) {
    const s = await setupProtocol(connection, { auditRateBps });
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, WORKER_STAKE, false);
    const pool = s.wallets.slice(3, 3 + verifierCount);
    for (const v of pool) await s.registerWorker(v, VERIFIER_STAKE);
    const { conserved, walletOf, account, commitAs, revealAs } = s;
    const reputation = async (a: Address) => (await s.registry.read.workerOf([a])).reputation;
    /** The two drawn verifiers, as wallets, in member order (1, 2). */
    const drawn = async (taskId: Hex) => {
      const r = await s.market.read.roundOf([taskId]);
      return [walletOf(r.members[1]!.account), walletOf(r.members[2]!.account)] as const;
    };
    /**
     * Posts, claims and commits the worker's result, then draws the verifiers in the next block; returns the
     * task and the worker's result.
     */
    const committed = async (output = "good") => {
      const taskId = await s.post(requesterW, { bounty: 1_000n });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = await commitAs(workerW, taskId, output);
      await s.drawVerifiers(taskId);
      return { taskId, res };
    };
    return {
      s,
      requesterW,
      workerW,
      worker,
      pool,
      conserved,
      walletOf,
      account,
      reputation,
      drawn,
      commitAs,
      revealAs,
      committed,
    };
  }

  describe("verifier draw", () => {
    it("test_commit_drawsVerifiersOnlyAfterWorkerCommit", async () => {
      const { s, requesterW, worker, workerW, pool, commitAs, account, conserved } = await world(2);
      const taskId = await s.post(requesterW, { bounty: 1_000n });
      await s.wait(await worker.market.write.claim([taskId]));
      const before = await s.market.read.roundOf([taskId]);
      assert.equal(before.commitDeadline, 0);
      for (const m of before.members) assert.equal(m.account, ZERO_ADDRESS);
      for (const v of pool) assert.equal((await account(v.account.address)).lockedStake, 0n);

      // The worker's commit draws nobody: it anchors the draw to its own block, whose hash it cannot know.
      const res = s.result(taskId, workerW.account.address, "good");
      const commitHash = await worker.market.write.commit([taskId, res.commitment]);
      const { blockNumber: anchor, logs } = await s.wait(commitHash);
      await viem.assertions.emitWithArgs(commitHash, s.market, "ResultCommitted", [taskId, getAddress(workerW.account.address), 0n]);
      await viem.assertions.emitWithArgs(commitHash, s.market, "RandomnessAnchored", [taskId, anchor]);
      const drawnEvents = parseEventLogs({ abi: s.market.abi, logs, eventName: ["VerifierDrawn", "CommitWindowOpened"] });
      assert.equal(drawnEvents.length, 0, "the commit itself neither draws nor opens the window");
      const anchored = await s.market.read.roundOf([taskId]);
      assert.equal(anchored.anchorBlock, Number(anchor));
      assert.equal(anchored.commitDeadline, 0);
      for (const m of anchored.members.slice(1)) assert.equal(m.account, ZERO_ADDRESS);
      for (const v of pool) assert.equal((await account(v.account.address)).lockedStake, 0n);

      // Anyone draws from a later block.
      const at = (await time.latest()) + 3;
      await time.setNextBlockTimestamp(at);
      const hash = await s.market.write.drawVerifiers([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "CommitWindowOpened", [
        taskId,
        BigInt(at + COMMIT_WINDOW),
        BigInt(at + COMMIT_WINDOW + REVEAL_WINDOW),
      ]);
      const after = await s.market.read.roundOf([taskId]);
      assert.equal(after.members[0]!.account, getAddress(workerW.account.address));
      assert.equal(after.members[0]!.status, Contribution.Committed);
      assert.equal(after.sealOrDigest[0], res.commitment);
      assert.deepEqual(
        new Set([after.members[1]!.account, after.members[2]!.account]),
        new Set(pool.map((v) => getAddress(v.account.address))),
      );
      assert.equal(after.members[1]!.status, Contribution.Drawn);
      assert.equal(after.members[2]!.status, Contribution.Drawn);
      assert.equal(after.commits, 1);
      assert.equal(after.commitDeadline, at + COMMIT_WINDOW);
      for (const v of pool) assert.equal((await account(v.account.address)).lockedStake, LOCK);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Committed);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n, "the claim is done");
      assert.equal((await account(workerW.account.address)).lockedStake, LOCK, "claim stake stays locked");
      void commitAs;
      await conserved([taskId]);
    });

    it("test_drawVerifiers_neverDrawsRequesterOrWorker", async () => {
      const { s, requesterW, workerW, worker, pool } = await world(2);
      // Requester and worker are in the pool too, with enough free stake: only the exclusion keeps them out.
      await s.wait(await (await s.as(requesterW)).registry.write.stake([1_000n]));
      await s.wait(await (await s.as(requesterW)).registry.write.joinVerifierPool());
      await s.wait(await worker.registry.write.joinVerifierPool());
      assert.equal(await s.registry.read.poolSize(), 4n);
      const expected = new Set(pool.map((v) => getAddress(v.account.address)));
      for (let i = 1; i <= 6; i++) {
        await networkHelpers.setPrevRandao(BigInt(i) * 0x1234567n);
        const taskId = await s.post(requesterW, { bounty: 1_000n });
        await s.wait(await worker.market.write.claim([taskId]));
        const res = s.result(taskId, workerW.account.address, "good");
        await s.wait(await worker.market.write.commit([taskId, res.commitment]));
        await s.drawVerifiers(taskId);
        const r = await s.market.read.roundOf([taskId]);
        assert.deepEqual(new Set([r.members[1]!.account, r.members[2]!.account]), expected, `draw ${i}`);
      }
    });

    it("test_drawVerifiers_waitsForPoolThenRetriggers", async () => {
      const { s, committed, pool, conserved } = await world(1);
      const [v1] = pool;
      const { taskId } = await committed();
      let r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[1]!.account, getAddress(v1!.account.address));
      assert.equal(r.members[2]!.account, ZERO_ADDRESS, "second seat waits for the pool");
      assert.equal(r.commitDeadline, 0, "no commit window until both verifiers are drawn");
      assert.equal(BigInt(r.anchorBlock), await s.publicClient.getBlockNumber(), "the short draw re-anchored to its block");
      // A drawn verifier cannot commit before the window opens.
      const early = s.result(taskId, v1!.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(v1!)).market.write.commit([taskId, early.commitment]),
        s.market,
        "CommitWindowClosed",
        [taskId, 0n],
      );
      // Re-triggering with no new pool member changes nothing but the anchor.
      const retry = await s.market.write.drawVerifiers([taskId]);
      await viem.assertions.emitWithArgs(retry, s.market, "RandomnessAnchored", [taskId, (await s.wait(retry)).blockNumber]);
      assert.equal((await s.market.read.roundOf([taskId])).members[2]!.account, ZERO_ADDRESS);

      const v2 = s.wallets[10]!;
      await s.registerWorker(v2, VERIFIER_STAKE);
      const at = (await time.latest()) + 3;
      await time.setNextBlockTimestamp(at);
      const hash = await s.market.write.drawVerifiers([taskId]); // anyone may re-trigger
      await viem.assertions.emitWithArgs(hash, s.market, "VerifierDrawn", [taskId, getAddress(v2.account.address), 2n]);
      r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[2]!.account, getAddress(v2.account.address));
      assert.equal(r.commitDeadline, at + COMMIT_WINDOW);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "NothingToDraw", [
        taskId,
      ]);
      await conserved([taskId]);
    });

    it("test_drawVerifiers_revertsBeforeWorkerCommit", async () => {
      const { s, requesterW, worker } = await world(2);
      const taskId = await s.post(requesterW, { bounty: 1_000n });
      await s.wait(await worker.market.write.claim([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
    });
  });

  describe("draws seeded by an anchored block hash", () => {
    it("test_drawVerifiers_reanchorsWhenAnchorHashIsTooOld", async () => {
      const { s, requesterW, worker, workerW, pool, account, conserved } = await world(2);
      const taskId = await s.post(requesterW, { bounty: 1_000n });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = s.result(taskId, workerW.account.address, "good");
      const { blockNumber: anchor } = await s.wait(await worker.market.write.commit([taskId, res.commitment]));
      // Over 256 blocks later the anchor's hash is no longer readable: the call re-anchors and draws nobody.
      await networkHelpers.mine(300);
      const stale = await s.market.write.drawVerifiers([taskId]);
      const { blockNumber: reanchor, logs } = await s.wait(stale);
      assert.ok(reanchor > anchor + 256n);
      await viem.assertions.emitWithArgs(stale, s.market, "RandomnessAnchored", [taskId, reanchor]);
      const drawnEvents = parseEventLogs({ abi: s.market.abi, logs, eventName: ["VerifierDrawn", "CommitWindowOpened"] });
      assert.equal(drawnEvents.length, 0, "nothing drawn from an unreadable hash");
      let r = await s.market.read.roundOf([taskId]);
      assert.equal(r.anchorBlock, Number(reanchor));
      assert.equal(r.commitDeadline, 0);
      for (const m of r.members.slice(1)) assert.equal(m.account, ZERO_ADDRESS);
      for (const v of pool) assert.equal((await account(v.account.address)).lockedStake, 0n);
      // A later call reads the fresh anchor's hash and draws.
      const at = (await time.latest()) + 3;
      await time.setNextBlockTimestamp(at);
      await viem.assertions.emitWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "CommitWindowOpened", [
        taskId,
        BigInt(at + COMMIT_WINDOW),
        BigInt(at + COMMIT_WINDOW + REVEAL_WINDOW),
      ]);
      r = await s.market.read.roundOf([taskId]);
      assert.deepEqual(
        new Set([r.members[1]!.account, r.members[2]!.account]),
        new Set(pool.map((v) => getAddress(v.account.address))),
      );
      for (const v of pool) assert.equal((await account(v.account.address)).lockedStake, LOCK);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "NothingToDraw", [
        taskId,
      ]);
      await conserved([taskId]);
    });

    it("test_settle_auditsWhenTheRevealHashIsTooOld", async () => {
      // auditRateBps 1: a readable hash all but never draws an audit, so an audit here comes from staleness.
      const { s, committed, drawn, commitAs, revealAs, workerW, conserved } = await world(2, 1);
      const { taskId, res } = await committed("good");
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      const rb = await commitAs(b, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      const { blockNumber: lastReveal } = await revealAs(b, taskId, rb);
      assert.equal((await s.market.read.roundOf([taskId])).anchorBlock, Number(lastReveal), "the last reveal anchors");
      // Waiting out the 256 readable block hashes must not re-roll the audit: it makes it certain.
      await networkHelpers.mine(300);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        res.digest,
        true,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
      assert.equal((await s.ledger.read.accountOf([workerW.account.address])).balance, 1_000n);
      await conserved([taskId]);
    });
  });

  describe("replaceSilentVerifiers", () => {
    it("test_replaceSilentVerifiers_replacesOnceWithReputationLoss", async () => {
      const { s, committed, drawn, commitAs, pool, account, reputation, conserved } = await world(3);
      const { taskId } = await committed();
      const [active, silent] = await drawn(taskId);
      const spare = pool.find((v) => v !== active && v !== silent)!;
      await commitAs(active, taskId, "good");
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(commitDeadline);
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.market.write.replaceSilentVerifiers([taskId]),
        s.market,
        "CannotReplace",
        [taskId],
      );
      const at = commitDeadline + 1;
      await time.setNextBlockTimestamp(at);
      const replaced = await s.market.write.replaceSilentVerifiers([taskId]);
      await viem.assertions.emitWithArgs(replaced, s.market, "VerifierReplaced", [taskId, getAddress(silent.account.address), 2n]);
      // The replacement only re-anchors; the seat is filled by drawVerifiers from a later block.
      await viem.assertions.emitWithArgs(replaced, s.market, "RandomnessAnchored", [taskId, (await s.wait(replaced)).blockNumber]);
      const emptied = await s.market.read.roundOf([taskId]);
      assert.equal(emptied.members[2]!.account, ZERO_ADDRESS);
      assert.equal(emptied.commitDeadline, 0);
      await time.setNextBlockTimestamp(at + 1);
      const hash = await s.market.write.drawVerifiers([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "VerifierDrawn", [taskId, getAddress(spare.account.address), 2n]);
      assert.equal(await reputation(silent.account.address), -1);
      const silentAcc = await account(silent.account.address);
      assert.equal(silentAcc.lockedStake, 0n);
      assert.equal(silentAcc.stake, VERIFIER_STAKE, "replacement costs reputation, not stake");
      assert.equal(await s.market.read.excluded([taskId, silent.account.address]), true);
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[1]!.account, getAddress(active.account.address));
      assert.equal(r.members[1]!.status, Contribution.Committed, "the committed verifier keeps its seat");
      assert.equal(r.members[2]!.account, getAddress(spare.account.address));
      assert.equal(r.commitDeadline, at + 1 + COMMIT_WINDOW);
      assert.equal(r.replacements, 1);
      assert.equal((await account(spare.account.address)).lockedStake, LOCK);

      // Only once per round.
      await time.increaseTo(r.commitDeadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.market.write.replaceSilentVerifiers([taskId]),
        s.market,
        "CannotReplace",
        [taskId],
      );
      await conserved([taskId]);
    });

    it("test_replaceSilentVerifiers_revertsWhenAllCommitted", async () => {
      const { s, committed, drawn, commitAs } = await world(2);
      const { taskId } = await committed();
      const [a, b] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      await commitAs(b, taskId, "good");
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(commitDeadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.market.write.replaceSilentVerifiers([taskId]),
        s.market,
        "CannotReplace",
        [taskId],
      );
    });
  });

  describe("reveal phase", () => {
    it("test_reveal_revertsUntilAllCommitted", async () => {
      const { s, committed, drawn, commitAs, worker } = await world(2);
      const { taskId, res } = await committed();
      const [a, b] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.reveal([taskId, res.cid, res.salt]), s.market, "RevealNotOpen", [
        taskId,
      ]);
      const at = (await time.latest()) + 2;
      await time.setNextBlockTimestamp(at);
      await commitAs(b, taskId, "good");
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.commits, 3);
      assert.equal(r.revealDeadline, at + REVEAL_WINDOW, "all in: the reveal window opens at once");
      await viem.assertions.emitWithArgs(worker.market.write.reveal([taskId, res.cid, res.salt]), s.market, "ResultRevealed", [
        taskId,
        getAddress(s.wallets[2]!.account.address),
        res.digest,
        res.cid,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Revealing);
    });

    it("test_reveal_opensWhenCommitWindowCloses", async () => {
      const { s, committed, drawn, commitAs, worker } = await world(2);
      const { taskId, res } = await committed();
      const [a] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(commitDeadline);
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.reveal([taskId, res.cid, res.salt]), s.market, "RevealNotOpen", [
        taskId,
      ]);
      await time.setNextBlockTimestamp(commitDeadline + 1);
      await s.wait(await worker.market.write.reveal([taskId, res.cid, res.salt]));
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[0]!.status, Contribution.Revealed);
      assert.equal(r.sealOrDigest[0], res.digest, "the commitment is replaced by the digest");
    });

    it("test_settle_revertsWhenRoundNotOver", async () => {
      const { s, committed, drawn, commitAs, revealAs, workerW } = await world(2);
      const { taskId, res } = await committed();
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      await commitAs(b, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
    });
  });

  describe("outcomes", () => {
    it("test_settle_acceptsWhenWorkerAndOneVerifierAgree_slashesDissenter", async () => {
      const w = await world(2);
      const { s, committed, drawn, commitAs, revealAs, requesterW, workerW, account, reputation, conserved } = w;
      const { taskId, res } = await committed("good");
      const [agree, dissent] = await drawn(taskId);
      const ra = await commitAs(agree, taskId, "good");
      const rd = await commitAs(dissent, taskId, "bad");
      await revealAs(workerW, taskId, res);
      await revealAs(agree, taskId, ra);
      await revealAs(dissent, taskId, rd);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        res.digest,
        false,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      const req = await account(requesterW.account.address);
      assert.equal(req.genesis, GENESIS - ESCROW + FEE, "the dissenter's fee goes back to the requester");
      assert.equal(req.balance, 0n);
      const wk = await account(workerW.account.address);
      assert.equal(wk.balance, 1_000n);
      assert.equal(wk.earned, 1_000n);
      assert.equal(wk.stake, WORKER_STAKE);
      assert.equal(wk.lockedStake, 0n);
      const ag = await account(agree.account.address);
      assert.equal(ag.balance, FEE);
      assert.equal(ag.stake, VERIFIER_STAKE);
      assert.equal(ag.lockedStake, 0n);
      const ds = await account(dissent.account.address);
      assert.equal(ds.balance, 0n);
      assert.equal(ds.stake, VERIFIER_STAKE - LOCK, "dissenting verifier slashed 10% of the bounty");
      assert.equal(ds.lockedStake, 0n);
      assert.equal(await s.ledger.read.treasury(), FEE + LOCK, "platform fee + slash");
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), 1_000n);
      assert.equal(await reputation(workerW.account.address), 1);
      assert.equal(await reputation(agree.account.address), 1);
      assert.equal(await reputation(dissent.account.address), 0);
      await conserved([taskId]);
    });

    it("test_settle_rejectsWhenVerifiersAgreeAgainstWorker", async () => {
      const { s, committed, drawn, commitAs, revealAs, requesterW, workerW, account, reputation, conserved } = await world(2);
      const { taskId, res } = await committed("lazy");
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      const rb = await commitAs(b, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await revealAs(b, taskId, rb);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.VerifiersDisagreed,
      ]);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Open, "back to the queue");
      assert.equal(task.worker, ZERO_ADDRESS);
      assert.equal((await s.market.read.roundOf([taskId])).members[1]!.account, ZERO_ADDRESS, "round cleared");
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW, "escrow intact for the next round");
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW);
      const wk = await account(workerW.account.address);
      assert.equal(wk.stake, WORKER_STAKE - LOCK, "worker slashed 10% of the bounty");
      assert.equal(wk.lockedStake, 0n);
      assert.equal(wk.balance, 0n);
      assert.equal(await reputation(workerW.account.address), -1);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), true);
      for (const v of [a, b]) {
        const acc = await account(v.account.address);
        assert.equal(acc.balance, FEE, "verifier fee paid from the treasury (the worker's slash)");
        assert.equal(acc.stake, VERIFIER_STAKE);
        assert.equal(acc.lockedStake, 0n);
      }
      assert.equal(await s.ledger.read.treasury(), LOCK - 2n * FEE);
      await conserved([taskId]);
    });

    it("test_settle_rejectsWhenWorkerSilent", async () => {
      const { s, committed, drawn, commitAs, revealAs, workerW, account, conserved } = await world(2);
      const { taskId } = await committed("good");
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      const rb = await commitAs(b, taskId, "good");
      await revealAs(a, taskId, ra);
      await revealAs(b, taskId, rb);
      const { revealDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(revealDeadline + 1);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.WorkerSilent,
      ]);
      assert.equal((await account(workerW.account.address)).stake, WORKER_STAKE - LOCK);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), true);
      for (const v of [a, b]) assert.equal((await account(v.account.address)).balance, FEE);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      await conserved([taskId]);
    });

    it("test_settle_noConsensusReopensWithoutSlashingRevealedParties", async () => {
      const { s, committed, drawn, commitAs, revealAs, requesterW, workerW, worker, account, reputation, conserved } =
        await world(2);
      const { taskId, res } = await committed("one");
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "two");
      const rb = await commitAs(b, taskId, "three");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await revealAs(b, taskId, rb);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.NoConsensus,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      const wk = await account(workerW.account.address);
      assert.equal(wk.stake, WORKER_STAKE);
      assert.equal(wk.lockedStake, 0n);
      assert.equal(await reputation(workerW.account.address), 0);
      for (const v of [a, b]) {
        const acc = await account(v.account.address);
        assert.deepEqual([acc.stake, acc.lockedStake, acc.balance], [VERIFIER_STAKE, 0n, 0n]);
      }
      assert.equal(await s.ledger.read.treasury(), 0n);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW);
      // The worker lost the claim but is not excluded: it may claim again.
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), false);
      await s.wait(await worker.market.write.claim([taskId]));
      await conserved([taskId]);
    });

    it("test_settle_slashesSilentVerifierOnAccept", async () => {
      const { s, committed, drawn, commitAs, revealAs, requesterW, workerW, account, conserved } = await world(2);
      const { taskId, res } = await committed("good");
      const [a, silent] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      await commitAs(silent, taskId, "good"); // commits, never reveals
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      const { revealDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(revealDeadline + 1);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      const sl = await account(silent.account.address);
      assert.equal(sl.stake, VERIFIER_STAKE - LOCK);
      assert.equal(sl.lockedStake, 0n);
      assert.equal(sl.balance, 0n);
      assert.equal((await account(a.account.address)).balance, FEE);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW + FEE);
      assert.equal(await s.ledger.read.treasury(), FEE + LOCK);
      await conserved([taskId]);
    });

    it("test_settle_slashesSilentVerifierOnNoConsensus", async () => {
      const { s, committed, drawn, commitAs, revealAs, workerW, account, conserved } = await world(2);
      const { taskId, res } = await committed("one");
      const [a, silent] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "two");
      // `silent` never commits: after the commit window everyone else reveals.
      const { commitDeadline, revealDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(commitDeadline + 1);
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await time.increaseTo(revealDeadline + 1);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.NoConsensus,
      ]);
      assert.equal((await account(silent.account.address)).stake, VERIFIER_STAKE - LOCK, "silent verifier slashed");
      assert.equal((await account(a.account.address)).stake, VERIFIER_STAKE, "revealed verifier not slashed");
      assert.equal((await account(workerW.account.address)).stake, WORKER_STAKE, "worker not slashed");
      assert.equal(await s.ledger.read.treasury(), LOCK);
      await conserved([taskId]);
    });
  });

  describe("lapse", () => {
    it("test_settle_lapsesRoundWithoutVerifiersAtDeadlineAndRefunds", async () => {
      const { s, committed, pool, requesterW, workerW, account, reputation, conserved } = await world(1);
      const [v1] = pool;
      const { taskId } = await committed("good");
      const { deadline } = await s.market.read.taskOf([taskId]);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
      await time.increaseTo(deadline + 1);
      const hash = await s.market.write.settle([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.NoConsensus,
      ]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskExpired", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS, "full refund");
      // Nobody could reveal (the commit window never opened): nobody is at fault.
      const v = await account(v1!.account.address);
      assert.deepEqual([v.stake, v.lockedStake], [VERIFIER_STAKE, 0n]);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.stake, wk.lockedStake], [WORKER_STAKE, 0n], "worker not slashed for a pool too small");
      assert.equal(await reputation(workerW.account.address), 0);
      assert.equal(await s.ledger.read.treasury(), 0n);
      await conserved([taskId]);
    });

    it("test_settle_lapsesWhenReplacementFindsNobodyWithoutSlashingAnyone", async () => {
      // Two pool members only: once the silent one is replaced there is nobody left to draw.
      const { s, committed, drawn, commitAs, requesterW, workerW, account, reputation, conserved } = await world(2);
      const { taskId, res } = await committed("good");
      const [active, silent] = await drawn(taskId);
      await commitAs(active, taskId, "good");
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(commitDeadline + 1);
      await s.wait(await s.market.write.replaceSilentVerifiers([taskId]));
      await s.drawVerifiers(taskId); // nobody left: draws nothing and re-anchors
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[2]!.account, ZERO_ADDRESS);
      assert.equal(r.commitDeadline, 0, "the round is waiting for the pool again");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(workerW)).market.write.reveal([taskId, res.cid, res.salt]),
        s.market,
        "RevealNotOpen",
        [taskId],
      );
      const { deadline } = await s.market.read.taskOf([taskId]);
      await time.increaseTo(deadline + 1);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.NoConsensus,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS, "full refund");
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.stake, wk.lockedStake], [WORKER_STAKE, 0n]);
      const ac = await account(active.account.address);
      assert.deepEqual([ac.stake, ac.lockedStake, ac.balance], [VERIFIER_STAKE, 0n, 0n], "committed verifier not slashed");
      assert.equal(await reputation(silent.account.address), -1, "the silent one only lost reputation");
      assert.equal((await account(silent.account.address)).stake, VERIFIER_STAKE);
      await conserved([taskId]);
    });
  });

  describe("after a rejection", () => {
    it("test_settle_reopenedTaskCompletesWithIntactEscrow", async () => {
      const { s, committed, drawn, commitAs, revealAs, requesterW, workerW, account, conserved } = await world(3);
      const { taskId, res } = await committed("wrong");
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "right");
      const rb = await commitAs(b, taskId, "right");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await revealAs(b, taskId, rb);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);

      // A second worker takes the task and does it right; the escrow still pays everybody.
      const secondW = s.wallets[12]!;
      const second = await s.registerWorker(secondW, WORKER_STAKE, false);
      await s.wait(await second.market.write.claim([taskId]));
      const r2 = await commitAs(secondW, taskId, "right");
      await s.drawVerifiers(taskId);
      const [c, d] = await drawn(taskId);
      const rc = await commitAs(c, taskId, "right");
      const rd = await commitAs(d, taskId, "right");
      await revealAs(secondW, taskId, r2);
      await revealAs(c, taskId, rc);
      await revealAs(d, taskId, rd);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      assert.equal((await account(secondW.account.address)).balance, 1_000n);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW, "paid once, nothing more");
      // Treasury: first worker's slash 100 - 2 fees + platform fee 10.
      assert.equal(await s.ledger.read.treasury(), LOCK - 2n * FEE + FEE);
      await conserved([taskId]);
    });

    it("test_settle_replacementVerifierCompletesRound", async () => {
      const { s, committed, drawn, commitAs, revealAs, pool, workerW, account, conserved } = await world(3);
      const { taskId, res } = await committed("good");
      const [active, silent] = await drawn(taskId);
      const spare = pool.find((v) => v !== active && v !== silent)!;
      const ra = await commitAs(active, taskId, "good");
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(commitDeadline + 1);
      await s.wait(await s.market.write.replaceSilentVerifiers([taskId]));
      await s.drawVerifiers(taskId);
      // The replaced verifier can no longer commit: it is not a member any more.
      const late = s.result(taskId, silent.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(silent)).market.write.commit([taskId, late.commitment]),
        s.market,
        "NotDrawn",
        [taskId, getAddress(silent.account.address)],
      );
      const rs = await commitAs(spare, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(active, taskId, ra);
      await revealAs(spare, taskId, rs);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      assert.equal((await account(active.account.address)).balance, FEE);
      assert.equal((await account(spare.account.address)).balance, FEE);
      const sl = await account(silent.account.address);
      assert.deepEqual([sl.balance, sl.stake, sl.lockedStake], [0n, VERIFIER_STAKE, 0n]);
      await conserved([taskId]);
    });
  });

  describe("commit and reveal reverts", () => {
    it("test_commit_revertsWhenCommitWindowClosed", async () => {
      const { s, committed, drawn } = await world(2);
      const { taskId } = await committed("good");
      const [a] = await drawn(taskId);
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(commitDeadline + 1);
      const late = s.result(taskId, a.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(a)).market.write.commit([taskId, late.commitment]),
        s.market,
        "CommitWindowClosed",
        [taskId, BigInt(commitDeadline)],
      );
    });

    it("test_commit_revertsOnZeroCommitment", async () => {
      const { s, requesterW, worker } = await world(2);
      const taskId = await s.post(requesterW, { bounty: 1_000n });
      await s.wait(await worker.market.write.claim([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.commit([taskId, `0x${"00".repeat(32)}`]),
        s.market,
        "ZeroCommitment",
        [],
      );
    });

    it("test_commit_revertsWhenWorkerClaimExpired", async () => {
      const { s, requesterW, worker, workerW } = await world(2);
      const taskId = await s.post(requesterW, { bounty: 1_000n });
      await s.wait(await worker.market.write.claim([taskId]));
      const { claimDeadline } = await s.market.read.taskOf([taskId]);
      await time.increaseTo(claimDeadline + 1);
      const res = s.result(taskId, workerW.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.commit([taskId, res.commitment]), s.market, "ClaimExpired", [
        taskId,
        BigInt(claimDeadline),
      ]);
    });

    it("test_reveal_revertsWhenNotCommitted", async () => {
      const { s, committed, drawn, commitAs } = await world(2);
      const { taskId } = await committed("good");
      const [a, silent] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(commitDeadline + 1);
      const r = s.result(taskId, silent.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(silent)).market.write.reveal([taskId, r.cid, r.salt]),
        s.market,
        "NotCommitted",
        [taskId, getAddress(silent.account.address)],
      );
      const outsider = s.wallets[13]!;
      const o = s.result(taskId, outsider.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(outsider)).market.write.reveal([taskId, o.cid, o.salt]),
        s.market,
        "NotCommitted",
        [taskId, getAddress(outsider.account.address)],
      );
    });

    it("test_reveal_revertsWhenAlreadyRevealed", async () => {
      const { s, committed, drawn, commitAs, worker, workerW } = await world(2);
      const { taskId, res } = await committed("good");
      const [a, b] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      await commitAs(b, taskId, "good");
      await s.wait(await worker.market.write.reveal([taskId, res.cid, res.salt]));
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.reveal([taskId, res.cid, res.salt]), s.market, "NotCommitted", [
        taskId,
        getAddress(workerW.account.address),
      ]);
      assert.equal((await s.market.read.roundOf([taskId])).reveals, 1, "counted once");
    });

    it("test_settle_revertsWhenOpen", async () => {
      const { s, requesterW } = await world(2);
      const taskId = await s.post(requesterW, { bounty: 1_000n });
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Open,
      ]);
    });
  });
});

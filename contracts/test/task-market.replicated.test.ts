/**
 * TaskMarket replicated mode (2-of-3 commit-reveal, DESIGN §3 step 3, issue 9): the worker's commit anchors the
 * verifier draw, which reads the pool as it stood in the anchor block; commit and reveal gating; every settle
 * outcome with its exact amounts; replacements of silent verifiers; input-rejected results; and finalize, which
 * alone pays (with the escrow's genesis share), records the IOU and raises work credit by min(pay, workValue).
 * Bounty 1000 mCC: escrow 1060 (platform fee 10, audit reserve 30, two verifier fees of 10), stake locks 100.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, encodeAbiParameters, getAddress, keccak256, parseEventLogs, toHex } from "viem";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import {
  type ProtocolParams,
  VerificationMode,
  bpsShare,
  creditLimit,
  defaultParams,
  escrowFor,
  workValue,
} from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { IMAGE_RESIZE, type Setup, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const COMMIT_WINDOW = defaultParams.commitWindow;
const REVEAL_WINDOW = defaultParams.revealWindow;
const AUDIT_WINDOW = defaultParams.auditWindow;
const BOUNTY = 1_000n;
const ESCROW = escrowFor(BOUNTY, VerificationMode.Replicated); // 1060
const FEE = bpsShare(BOUNTY, defaultParams.verifierFeeBps); // 10
const PLATFORM_FEE = bpsShare(BOUNTY, defaultParams.platformFeeBps); // 10
const LOCK = bpsShare(BOUNTY, defaultParams.rejectSlashBps); // 100: verifier duty lock, reject slash
const CLAIM_LOCK = bpsShare(BOUNTY, defaultParams.claimStakeBps); // 100
const REJECT_PAY = bpsShare(BOUNTY, defaultParams.inputRejectedPayBps); // 100
const WORKER_STAKE = 2_000n;
const VERIFIER_STAKE = 5_000n;
const HORIZON = 256;
const MAX_REPLACEMENTS = 2;
/** The binary CID of the canonical "input cannot be processed" output of the types this file registers. */
const REJECTED_CID = toHex("bafy-canonical-input-rejected");

const Contribution = { None: 0, Drawn: 1, Committed: 2, Revealed: 3 } as const;
const Reject = { VerifiersDisagreed: 0, WorkerSilent: 1, NoConsensus: 2, DrawLapsed: 3 } as const;

/** What a drawn verifier does: commit `out` and reveal it (unless `reveal` is false); null: never commits. */
type Part = { out: string; reveal?: boolean } | null;

describe("TaskMarket replicated rounds", async () => {
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

  const automine = (on: boolean) => connection.provider.request({ method: "evm_setAutomine", params: [on] });
  /** Runs `send` with automine off (its transactions go to the mempool), then mines them all in one block. */
  async function inOneBlock<T>(send: () => Promise<T>): Promise<T> {
    await automine(false);
    try {
      const out = await send();
      await networkHelpers.mine();
      return out;
    } finally {
      await automine(true);
    }
  }

  async function world(verifierCount = 2, params: Partial<ProtocolParams> = {}) {
    const s = await setupProtocol(connection, { auditRateBps: 0, ...params });
    current = s;
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const requester = await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, WORKER_STAKE, false);
    const pool = s.wallets.slice(3, 3 + verifierCount);
    for (const v of pool) await s.registerWorker(v, VERIFIER_STAKE);
    const { walletOf, account, commitAs, revealAs } = s;
    const invariants = async (taskIds: Hex[]) => {
      await s.conserved(taskIds);
      await s.genesisKept(taskIds);
    };
    const reputation = async (a: Address) => (await s.registry.read.workerOf([a])).reputation;
    /** The two drawn verifiers, as wallets, in member order (1, 2). */
    const drawn = async (taskId: Hex) => {
      const r = await s.market.read.roundOf([taskId]);
      return [walletOf(r.members[1]!.account), walletOf(r.members[2]!.account)] as const;
    };
    /** Posts, claims and commits the worker's result (anchoring the draw); returns the task and that result. */
    const anchored = async (output = "good", post: Parameters<typeof s.post>[1] = {}) => {
      const taskId = await s.post(requesterW, { bounty: BOUNTY, ...post });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = await commitAs(workerW, taskId, output);
      return { taskId, res };
    };
    /** As `anchored`, then draws the verifiers in the next block. */
    const committed = async (output = "good", post: Parameters<typeof s.post>[1] = {}) => {
      const r = await anchored(output, post);
      await s.drawVerifiers(r.taskId);
      return r;
    };
    /** Calls drawVerifiers until the commit window opens (a draw can come out short and re-anchor). */
    const drawUntilFull = async (taskId: Hex, tries = 32) => {
      for (let i = 0; i < tries; i++) {
        await s.drawVerifiers(taskId);
        if ((await s.market.read.roundOf([taskId])).commitDeadline !== 0) return i + 1;
      }
      throw new Error("the commit window never opened");
    };
    /**
     * Plays the drawn verifiers' part of the round and the worker's reveal; ends past the commit window if someone
     * never commits, and past the reveal window if someone does not reveal.
     */
    const play = async (taskId: Hex, workerRes: { cid: Hex; salt: Hex } | null, parts: [Part, Part]) => {
      const verifiers = await drawn(taskId);
      const results = [];
      for (const [i, v] of verifiers.entries()) results.push(parts[i] ? await commitAs(v, taskId, parts[i]!.out) : null);
      if (parts.includes(null)) await time.increaseTo((await s.market.read.roundOf([taskId])).commitDeadline + 1);
      if (workerRes) await revealAs(workerW, taskId, workerRes);
      for (const [i, v] of verifiers.entries()) {
        if (results[i] && parts[i]!.reveal !== false) await revealAs(v, taskId, results[i]!);
      }
      const everyoneRevealed = workerRes !== null && parts.every((p) => p !== null && p.reveal !== false);
      if (!everyoneRevealed) await time.increaseTo((await s.market.read.roundOf([taskId])).revealDeadline + 1);
      return { verifiers, results };
    };
    /** A task accepted with the given verifier outputs (settled in the block after the last reveal). */
    const accepted = async (workerOut: string, parts: [Part, Part], post: Parameters<typeof s.post>[1] = {}) => {
      const { taskId, res } = await committed(workerOut, post);
      const { verifiers, results } = await play(taskId, res, parts);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      return { taskId, res, verifiers, results };
    };
    const pastAuditWindow = async (taskId: Hex) =>
      time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
    return {
      s,
      requesterW,
      workerW,
      requester,
      worker,
      pool,
      invariants,
      walletOf,
      account,
      reputation,
      drawn,
      commitAs,
      revealAs,
      anchored,
      committed,
      drawUntilFull,
      play,
      accepted,
      pastAuditWindow,
    };
  }
  type World = Awaited<ReturnType<typeof world>>;

  /** Every credit-holding field of the given accounts, to check that nothing moved. */
  const snapshot = async (w: World, accounts: Address[], taskId: Hex) => ({
    accounts: await Promise.all(accounts.map((a) => w.account(a))),
    escrow: await w.s.ledger.read.escrowOf([taskId]),
    treasury: await w.s.ledger.read.treasury(),
    treasuryGenesis: await w.s.ledger.read.treasuryGenesis(),
  });

  /**
   * The verifier draw as TaskMarket + WorkerRegistry make it: seeded by the anchor block's hash, reading the pool as
   * it stood in the anchor block (order and size), skipping members in `skip` (those that left the pool since).
   */
  async function anchoredDraw(s: World["s"], taskId: Hex, anchor: bigint, count: number, skip: Set<string>) {
    const hash = (await s.publicClient.getBlock({ blockNumber: anchor })).hash!;
    const seed = BigInt(
      keccak256(
        encodeAbiParameters(
          [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
          [hash, taskId, toHex("verifiers", { size: 32 })],
        ),
      ),
    );
    const size = await s.registry.read.poolSizeAt([anchor]);
    const start = seed % size;
    const out: Address[] = [];
    for (let i = 0n; i < size && out.length < count; i++) {
      const m = await s.registry.read.poolMemberAt([(start + i) % size, anchor]);
      if (m !== ZERO_ADDRESS && !skip.has(m.toLowerCase())) out.push(m);
    }
    return out;
  }

  // ================================================================ commit and draw

  describe("commit anchors the draw", () => {
    it("test_commit_anchorsTheDrawToItsBlockAndDrawsNobody", async () => {
      const { s, requesterW, worker, workerW, pool, account, invariants } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const before = await s.market.read.roundOf([taskId]);
      assert.equal(before.anchorBlock, 0);
      for (const m of before.members) assert.equal(m.account, ZERO_ADDRESS);

      const res = s.result(taskId, workerW.account.address, "good");
      const hash = await worker.market.write.commit([taskId, res.commitment]);
      const { blockNumber: anchor, logs } = await s.wait(hash);
      await viem.assertions.emitWithArgs(hash, s.market, "ResultCommitted", [taskId, getAddress(workerW.account.address), 0n]);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, anchor]);
      const drawnEvents = parseEventLogs({ abi: s.market.abi, logs, eventName: ["VerifierDrawn", "CommitWindowOpened"] });
      assert.equal(drawnEvents.length, 0, "the commit itself neither draws nor opens the window");
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.anchorBlock, Number(anchor));
      assert.equal(r.commitDeadline, 0);
      assert.equal(r.commits, 1);
      assert.equal(r.members[0]!.account, getAddress(workerW.account.address));
      assert.equal(r.members[0]!.status, Contribution.Committed);
      assert.equal(r.sealOrDigest[0], res.commitment);
      for (const m of r.members.slice(1)) assert.equal(m.account, ZERO_ADDRESS);
      for (const v of pool) assert.equal((await account(v.account.address)).lockedStake, 0n);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Committed);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n, "the claim is done");
      assert.equal((await account(workerW.account.address)).lockedStake, CLAIM_LOCK, "claim stake stays locked");
      await invariants([taskId]);
    });

    it("test_drawVerifiers_drawsBothFromALaterBlockLocksThemAndOpensTheCommitWindow", async () => {
      const { s, anchored, pool, account, invariants } = await world(2);
      const { taskId } = await anchored();
      const at = (await time.latest()) + 3;
      await time.setNextBlockTimestamp(at);
      const hash = await s.market.write.drawVerifiers([taskId]); // anyone may draw
      await viem.assertions.emitWithArgs(hash, s.market, "CommitWindowOpened", [
        taskId,
        BigInt(at + COMMIT_WINDOW),
        BigInt(at + COMMIT_WINDOW + REVEAL_WINDOW),
      ]);
      const r = await s.market.read.roundOf([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "VerifierDrawn", [taskId, r.members[1]!.account, 1n]);
      await viem.assertions.emitWithArgs(hash, s.market, "VerifierDrawn", [taskId, r.members[2]!.account, 2n]);
      assert.deepEqual(
        new Set([r.members[1]!.account, r.members[2]!.account]),
        new Set(pool.map((v) => getAddress(v.account.address))),
      );
      assert.equal(r.members[1]!.status, Contribution.Drawn);
      assert.equal(r.members[2]!.status, Contribution.Drawn);
      assert.equal(r.commitDeadline, at + COMMIT_WINDOW);
      assert.equal(r.revealDeadline, at + COMMIT_WINDOW + REVEAL_WINDOW);
      assert.equal(r.poolShort, false);
      for (const v of pool) assert.equal((await account(v.account.address)).lockedStake, LOCK);
      await invariants([taskId]);
    });

    it("test_drawVerifiers_revertsAnchorNotReadyInTheAnchorBlock", async () => {
      const { s, requesterW, worker, workerW } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = s.result(taskId, workerW.account.address, "good");
      const anchor = (await s.publicClient.getBlockNumber()) + 1n;
      const { commitHash, drawHash } = await inOneBlock(async () => {
        const commitHash = await worker.market.write.commit([taskId, res.commitment], { gas: 500_000n });
        // Estimated against the pending block, which holds the commit: the anchor's hash is not known yet.
        await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "AnchorNotReady", [
          taskId,
          anchor,
        ]);
        const drawHash = await s.market.write.drawVerifiers([taskId], { gas: 1_000_000n });
        return { commitHash, drawHash };
      });
      const committedIn = await s.publicClient.getTransactionReceipt({ hash: commitHash });
      const drawIn = await s.publicClient.getTransactionReceipt({ hash: drawHash });
      assert.equal(committedIn.blockNumber, anchor);
      assert.equal(drawIn.blockNumber, anchor, "both in the anchor block");
      assert.equal(committedIn.status, "success");
      assert.equal(drawIn.status, "reverted", "a draw in the anchor block itself reverts");
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.anchorBlock, Number(anchor));
      assert.equal(r.members[1]!.account, ZERO_ADDRESS);
      // From the next block on it draws.
      await s.drawVerifiers(taskId);
      assert.notEqual((await s.market.read.roundOf([taskId])).commitDeadline, 0);
    });

    it("test_drawVerifiers_drawsUpToTheLastBlockOfTheHorizon", async () => {
      const { s, anchored } = await world(2);
      const { taskId } = await anchored();
      const anchor = BigInt((await s.market.read.roundOf([taskId])).anchorBlock);
      await networkHelpers.mine(HORIZON - 1); // the draw lands in block anchor + 256: the hash is still readable
      const { blockNumber } = await s.drawVerifiers(taskId);
      assert.equal(blockNumber, anchor + BigInt(HORIZON));
      assert.notEqual((await s.market.read.roundOf([taskId])).commitDeadline, 0);
    });

    it("test_drawVerifiers_revertsAnchorLapsedPastTheHorizonAndNeverReanchors", async () => {
      const { s, anchored, pool, account } = await world(2);
      const { taskId } = await anchored();
      const anchor = (await s.market.read.roundOf([taskId])).anchorBlock;
      await networkHelpers.mine(HORIZON); // the next block is anchor + 257: the hash is unreadable
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "AnchorLapsed", [
        taskId,
        BigInt(anchor),
      ]);
      await networkHelpers.mine(10);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "AnchorLapsed", [
        taskId,
        BigInt(anchor),
      ]);
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.anchorBlock, anchor, "a lapsed anchor is never replaced by a fresh roll");
      for (const v of pool) assert.equal((await account(v.account.address)).lockedStake, 0n);
    });

    it("test_drawVerifiers_readsThePoolAsOfTheAnchorBlock_leaversSkippedJoinersIgnored", async () => {
      const { s, anchored, pool, account, invariants } = await world(6);
      const { taskId } = await anchored();
      const anchor = BigInt((await s.market.read.roundOf([taskId])).anchorBlock);
      assert.equal(await s.registry.read.poolSizeAt([anchor]), 6n);
      // The two the anchored draw would seat leave after the anchor (swap-and-pop reorders the live pool), and two
      // new members join: none of that may change the draw beyond skipping the leavers.
      const first = await anchoredDraw(s, taskId, anchor, 2, new Set());
      for (const a of first) await s.wait(await (await s.as(s.walletOf(a))).registry.write.leaveVerifierPool());
      const joiners = [s.wallets[9]!, s.wallets[10]!];
      for (const j of joiners) await s.registerWorker(j, VERIFIER_STAKE);
      assert.equal(await s.registry.read.poolSize(), 6n);
      const expected = await anchoredDraw(s, taskId, anchor, 2, new Set(first.map((a) => a.toLowerCase())));
      await s.drawVerifiers(taskId);
      const r = await s.market.read.roundOf([taskId]);
      assert.deepEqual([r.members[1]!.account, r.members[2]!.account], expected);
      for (const j of joiners) {
        assert.ok(!expected.includes(getAddress(j.account.address)));
        assert.equal((await account(j.account.address)).lockedStake, 0n);
      }
      for (const a of first) assert.equal((await account(a)).lockedStake, 0n, "a member that left is skipped");
      assert.equal(pool.length, 6);
      await invariants([taskId]);
    });

    it("test_drawVerifiers_neverDrawsRequesterOrWorker", async () => {
      const { s, requesterW, workerW, requester, worker, pool } = await world(2);
      // Requester and worker are in the pool too, with enough free stake: only the exclusion keeps them out.
      await s.wait(await requester.registry.write.stake([1_000n]));
      await s.wait(await requester.registry.write.joinVerifierPool());
      await s.wait(await worker.registry.write.joinVerifierPool());
      assert.equal(await s.registry.read.poolSize(), 4n);
      const expected = new Set(pool.map((v) => getAddress(v.account.address)));
      for (let i = 0; i < 4; i++) {
        const taskId = await s.post(requesterW, { bounty: BOUNTY });
        await s.wait(await worker.market.write.claim([taskId]));
        await s.commitAs(workerW, taskId, "good");
        await s.drawVerifiers(taskId);
        const r = await s.market.read.roundOf([taskId]);
        assert.deepEqual(new Set([r.members[1]!.account, r.members[2]!.account]), expected, `draw ${i}`);
      }
    });

    it("test_drawVerifiers_shortPoolFillsWhatItCanSetsPoolShortAndReanchors", async () => {
      const { s, anchored, worker, pool, account, invariants } = await world(1);
      const [v1] = pool;
      const v2 = s.wallets[10]!;
      const v2c = await s.registerWorker(v2, VERIFIER_STAKE, false);
      // v2 joins in the anchor block itself: its join holds from the next block, so the anchored draw cannot see it.
      const taskId = await s.post(s.wallets[1]!, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = s.result(taskId, s.wallets[2]!.account.address, "good");
      await inOneBlock(async () => {
        await v2c.registry.write.joinVerifierPool({ gas: 500_000n });
        await worker.market.write.commit([taskId, res.commitment], { gas: 500_000n });
      });
      const anchor = (await s.market.read.roundOf([taskId])).anchorBlock;
      assert.equal(await s.registry.read.poolSizeAt([BigInt(anchor)]), 1n);

      const hash = await s.market.write.drawVerifiers([taskId]);
      const { blockNumber } = await s.wait(hash);
      await viem.assertions.emitWithArgs(hash, s.market, "VerifierDrawn", [taskId, getAddress(v1!.account.address), 1n]);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      let r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[1]!.account, getAddress(v1!.account.address));
      assert.equal(r.members[2]!.account, ZERO_ADDRESS, "second seat waits for the pool");
      assert.equal(r.poolShort, true);
      assert.equal(r.commitDeadline, 0, "no commit window until both verifiers are drawn");
      assert.equal(r.anchorBlock, Number(blockNumber), "the short draw re-anchored to its own block");
      assert.equal((await account(v1!.account.address)).lockedStake, LOCK);
      assert.equal((await account(v2.account.address)).lockedStake, 0n);
      // A drawn verifier cannot commit before the window opens.
      const early = s.result(taskId, v1!.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(v1!)).market.write.commit([taskId, early.commitment]),
        s.market,
        "CommitWindowClosed",
        [taskId, 0n],
      );

      // The new anchor's pool holds v2: the next draw (anyone may call it) fills the seat.
      const at = (await time.latest()) + 3;
      await time.setNextBlockTimestamp(at);
      const fill = await s.market.write.drawVerifiers([taskId]);
      await viem.assertions.emitWithArgs(fill, s.market, "VerifierDrawn", [taskId, getAddress(v2.account.address), 2n]);
      r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[2]!.account, getAddress(v2.account.address));
      assert.equal(r.poolShort, false);
      assert.equal(r.commitDeadline, at + COMMIT_WINDOW);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "NothingToDraw", [
        taskId,
      ]);
      await invariants([taskId]);
    });

    it("test_drawVerifiers_shortPoolRetryWithoutNewMembersOnlyReanchors", async () => {
      const { s, committed } = await world(1);
      const { taskId } = await committed();
      const retry = await s.market.write.drawVerifiers([taskId]);
      const { blockNumber, logs } = await s.wait(retry);
      await viem.assertions.emitWithArgs(retry, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      assert.equal(parseEventLogs({ abi: s.market.abi, logs, eventName: "VerifierDrawn" }).length, 0);
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[2]!.account, ZERO_ADDRESS);
      assert.equal(r.poolShort, true);
      assert.equal(r.anchorBlock, Number(blockNumber));
    });

    it("test_drawVerifiers_revertsWithWrongStatusBeforeWorkerCommit", async () => {
      const { s, requesterW, worker } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
    });

    it("test_drawVerifiers_revertsNothingToDrawOnceEverySeatIsFilled", async () => {
      const { s, committed } = await world(2);
      const { taskId } = await committed();
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "NothingToDraw", [
        taskId,
      ]);
    });
  });

  // ================================================================ commit and reveal gating

  describe("commit reverts", () => {
    it("test_commit_revertsOnZeroCommitment", async () => {
      const { s, requesterW, worker } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.commit([taskId, `0x${"00".repeat(32)}`]),
        s.market,
        "ZeroCommitment",
        [],
      );
    });

    it("test_commit_revertsWithWrongStatusWhenOpen", async () => {
      const { s, requesterW, worker, workerW } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      const res = s.result(taskId, workerW.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.commit([taskId, res.commitment]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Open,
      ]);
    });

    it("test_commit_revertsWhenNotTheClaimer", async () => {
      const { s, requesterW, worker, pool } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const intruder = pool[0]!;
      const res = s.result(taskId, intruder.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(intruder)).market.write.commit([taskId, res.commitment]),
        s.market,
        "NotClaimer",
        [taskId, getAddress(intruder.account.address)],
      );
    });

    it("test_commit_revertsWithWrongModeForZkTask", async () => {
      const { s, requesterW, worker, workerW } = await world(2);
      const verifier = await viem.deployContract("RuleBasedProofVerifier");
      const zkType = await s.addType({ name: "zk-commit", modes: 2, zkVerifier: verifier.address });
      const taskId = await s.post(requesterW, { typeId: zkType, mode: VerificationMode.Zk, zkInputCommitment: 5n });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = s.result(taskId, workerW.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.commit([taskId, res.commitment]), s.market, "WrongMode", [
        taskId,
        VerificationMode.Zk,
      ]);
    });

    it("test_commit_revertsWhenWorkerClaimExpired", async () => {
      const { s, requesterW, worker, workerW } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const { claimDeadline } = await s.market.read.taskOf([taskId]);
      await time.increaseTo(claimDeadline + 1);
      const res = s.result(taskId, workerW.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.commit([taskId, res.commitment]), s.market, "ClaimExpired", [
        taskId,
        BigInt(claimDeadline),
      ]);
    });

    it("test_commit_revertsWhenNotDrawn", async () => {
      const { s, committed } = await world(2);
      const { taskId } = await committed();
      const outsider = s.wallets[13]!;
      const res = s.result(taskId, outsider.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(outsider)).market.write.commit([taskId, res.commitment]),
        s.market,
        "NotDrawn",
        [taskId, getAddress(outsider.account.address)],
      );
    });

    it("test_commit_revertsWhenAlreadyCommitted", async () => {
      const { s, committed, drawn, commitAs } = await world(2);
      const { taskId } = await committed();
      const [a] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      const again = s.result(taskId, a.account.address, "other");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(a)).market.write.commit([taskId, again.commitment]),
        s.market,
        "AlreadyCommitted",
        [taskId, getAddress(a.account.address)],
      );
    });

    it("test_commit_revertsWhenCommitWindowClosed", async () => {
      const { s, committed, drawn } = await world(2);
      const { taskId } = await committed();
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
  });

  describe("reveal gating", () => {
    it("test_reveal_revertsUntilAllCommittedThenOpensAtOnce", async () => {
      const { s, committed, drawn, commitAs, worker, workerW } = await world(2);
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
        getAddress(workerW.account.address),
        res.digest,
        res.cid,
      ]);
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

    it("test_reveal_firstRevealMarksTheTaskRevealedAndRevealing", async () => {
      const { s, committed, drawn, commitAs, revealAs, workerW } = await world(2);
      const { taskId, res } = await committed();
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      await commitAs(b, taskId, "good");
      assert.equal((await s.market.read.taskOf([taskId])).revealed, false);
      await revealAs(a, taskId, ra); // a verifier's reveal counts too
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.revealed, true);
      assert.equal(task.status, TaskStatus.Revealing);
      assert.equal((await s.market.read.roundOf([taskId])).reveals, 1);
      await revealAs(workerW, taskId, res);
      assert.equal((await s.market.read.roundOf([taskId])).reveals, 2);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Revealing);
    });

    it("test_reveal_revertsWhenRevealWindowClosed", async () => {
      const { s, committed, drawn, commitAs, worker } = await world(2);
      const { taskId, res } = await committed();
      const [a, b] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      await commitAs(b, taskId, "good");
      const { revealDeadline } = await s.market.read.roundOf([taskId]);
      await time.increaseTo(revealDeadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.reveal([taskId, res.cid, res.salt]),
        s.market,
        "RevealWindowClosed",
        [taskId, BigInt(revealDeadline)],
      );
    });

    it("test_reveal_revertsOnMismatchWithTheCommitment", async () => {
      const { s, committed, drawn, commitAs, worker, workerW } = await world(2);
      const { taskId, res } = await committed("good");
      const [a, b] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      await commitAs(b, taskId, "good");
      const other = s.result(taskId, workerW.account.address, "other");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.reveal([taskId, other.cid, res.salt]), s.market, "RevealMismatch", [
        taskId,
        getAddress(workerW.account.address),
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.reveal([taskId, res.cid, keccak256(toHex("wrong salt"))]),
        s.market,
        "RevealMismatch",
        [taskId, getAddress(workerW.account.address)],
      );
    });

    it("test_reveal_revertsWhenNotCommitted", async () => {
      const { s, committed, drawn, commitAs } = await world(2);
      const { taskId } = await committed();
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
      const { taskId, res } = await committed();
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

    it("test_reveal_revertsWithWrongStatusWhileClaimed", async () => {
      const { s, requesterW, worker, workerW } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const res = s.result(taskId, workerW.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.reveal([taskId, res.cid, res.salt]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
    });
  });

  // ================================================================ settle gating

  describe("settle gating", () => {
    it("test_settle_revertsWithWrongStatusWhenOpen", async () => {
      const { s, requesterW } = await world(2);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Open,
      ]);
    });

    it("test_settle_revertsRoundNotOverBeforeAllRevealedOrTheRevealWindowCloses", async () => {
      const { s, committed, drawn, commitAs, revealAs, workerW } = await world(2);
      const { taskId, res } = await committed();
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      await commitAs(b, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
      const { revealDeadline } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(revealDeadline);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
    });

    it("test_settle_revertsRoundNotOverWhileADrawIsDueEvenPastTheDeadline", async () => {
      const { s, anchored } = await world(2);
      const { taskId } = await anchored();
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
      // Past the task deadline, the pool is full and the anchor readable: the draw is simply due.
      const { deadline } = await s.market.read.taskOf([taskId]);
      await time.increaseTo(deadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
      await networkHelpers.mine(HORIZON - 2); // the next block is anchor + 256 or less: still readable
      assert.ok(BigInt(await s.publicClient.getBlockNumber()) < BigInt((await s.market.read.roundOf([taskId])).anchorBlock) + 256n);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
    });

    it("test_settle_revertsRoundNotOverWhilePoolShortBeforeTheDeadline", async () => {
      const { s, committed } = await world(1);
      const { taskId } = await committed();
      assert.equal((await s.market.read.roundOf([taskId])).poolShort, true);
      const { deadline } = await s.market.read.taskOf([taskId]);
      await time.setNextBlockTimestamp(deadline);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
    });

    it("test_settle_inTheBlockOfTheLastRevealAcceptsAndAnchorsTheAuditToItsOwnBlock", async () => {
      // Settle no longer reads the last reveal's block hash, so it may run in that very block even when an audit
      // can be drawn: the audit is decided later, from the settle block's hash (decideAudit).
      const { s, committed, drawn, commitAs, revealAs, workerW } = await world(2, { auditRateBps: 1000 });
      const { taskId, res } = await committed();
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      const rb = await commitAs(b, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      const [revealHash, settleHash] = await inOneBlock(async () => [
        await (await s.as(b)).market.write.reveal([taskId, rb.cid, rb.salt], { gas: 500_000n }),
        await s.market.write.settle([taskId], { gas: 2_000_000n }),
      ]);
      const reveal = await s.publicClient.getTransactionReceipt({ hash: revealHash! });
      const settle = await s.publicClient.getTransactionReceipt({ hash: settleHash! });
      assert.deepEqual([reveal.status, settle.status], ["success", "success"]);
      assert.equal(settle.blockNumber, reveal.blockNumber, "the last reveal and settle share a block");
      await viem.assertions.emitWithArgs(settleHash!, s.market, "TaskAccepted", [taskId, getAddress(workerW.account.address), res.digest, false]);
      await viem.assertions.emitWithArgs(settleHash!, s.market, "RandomnessAnchored", [taskId, settle.blockNumber]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      const r = await s.market.read.roundOf([taskId]);
      assert.deepEqual([r.auditPending, BigInt(r.anchorBlock)], [true, settle.blockNumber]);
    });
  });

  // ================================================================ acceptance and finalize

  describe("acceptance pays nothing", () => {
    it("test_settle_acceptsWithoutPayingAndKeepsEveryLock", async () => {
      const w = await world(2);
      const { s, committed, drawn, commitAs, revealAs, requesterW, workerW, account, reputation, invariants } = w;
      const { taskId, res } = await committed("good");
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      const rb = await commitAs(b, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await revealAs(b, taskId, rb);
      const parties = [requesterW, workerW, a, b].map((x) => x.account.address);
      const before = await snapshot(w, parties, taskId);
      const hash = await s.market.write.settle([taskId]);
      const { blockNumber } = await s.wait(hash);
      const at = (await s.publicClient.getBlock({ blockNumber })).timestamp;
      await viem.assertions.emitWithArgs(hash, s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        res.digest,
        false,
      ]);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkAccepted", [getAddress(workerW.account.address), at]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      assert.deepEqual(await snapshot(w, parties, taskId), before, "no credit moved, no lock released");
      assert.equal(before.escrow.amount, ESCROW);
      assert.equal((await account(workerW.account.address)).lockedStake, CLAIM_LOCK);
      for (const v of [a, b]) assert.equal((await account(v.account.address)).lockedStake, LOCK);
      assert.equal(await reputation(workerW.account.address), 1);
      // Reputation is the worker's (DESIGN §3.5); agreeing verifiers earn their fee at finalization.
      assert.equal(await reputation(a.account.address), 0);
      assert.equal(await reputation(b.account.address), 0);
      assert.equal((await s.registry.read.workerOf([workerW.account.address])).lastAcceptedAt, Number(at));
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.acceptedAt, Number(at));
      assert.equal(r.pauseMark, 0);
      assert.equal(r.inputRejected, false);
      assert.equal(await s.market.read.auditWindowClosesAt([taskId]), at + BigInt(AUDIT_WINDOW));
      assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), 0n, "no IOU yet");
      await invariants([taskId]);
    });

    it("test_settle_acceptsTwoOfThreeAndKeepsTheDissenterLocked", async () => {
      const { s, accepted, account, reputation, invariants } = await world(2);
      const { taskId, verifiers } = await accepted("good", [{ out: "good" }, { out: "bad" }]);
      const [agree, dissent] = verifiers;
      const ds = await account(dissent.account.address);
      assert.deepEqual([ds.stake, ds.lockedStake], [VERIFIER_STAKE, LOCK], "a dissenter is not slashed at acceptance");
      assert.equal((await account(agree.account.address)).lockedStake, LOCK);
      assert.equal(await reputation(agree.account.address), 0);
      assert.equal(await reputation(dissent.account.address), 0);
      assert.equal(await s.ledger.read.treasury(), 0n);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      await invariants([taskId]);
    });

    it("test_settle_acceptSlashesASilentVerifierAtOnce", async () => {
      const { s, accepted, account, reputation, invariants } = await world(2);
      const { taskId, verifiers } = await accepted("good", [{ out: "good" }, { out: "good", reveal: false }]);
      const [a, silent] = verifiers;
      const sl = await account(silent.account.address);
      assert.deepEqual([sl.stake, sl.lockedStake, sl.balance], [VERIFIER_STAKE - LOCK, 0n, 0n]);
      assert.equal(await reputation(silent.account.address), -1, "silence costs reputation as well as the lock");
      assert.equal((await account(a.account.address)).lockedStake, LOCK, "the agreeing verifier stays locked");
      assert.equal(await s.ledger.read.treasury(), LOCK);
      assert.equal(await s.ledger.read.treasuryGenesis(), LOCK, "its stake was genesis credit");
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW, "the escrow is untouched");
      await invariants([taskId]);
    });

    it("test_settle_acceptSlashesAVerifierThatNeverCommitted", async () => {
      const { s, committed, play, account, invariants } = await world(2);
      const { taskId, res } = await committed("good");
      const { verifiers } = await play(taskId, res, [{ out: "good" }, null]);
      // The worker and one verifier agree: no replacement is possible, the round is decided.
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.replaceSilentVerifiers([taskId]), s.market, "CannotReplace", [
        taskId,
      ]);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      const sl = await account(verifiers[1].account.address);
      assert.deepEqual([sl.stake, sl.lockedStake], [VERIFIER_STAKE - LOCK, 0n]);
      assert.equal(await s.ledger.read.treasury(), LOCK);
      await invariants([taskId]);
    });

    it("test_settle_longAfterTheLastRevealLeavesTheAuditToTheSettleBlockAndWaitingItOutAudits", async () => {
      // auditRateBps 1: a readable hash all but never draws an audit, so an audit here comes from staleness.
      const { s, committed, drawn, commitAs, revealAs, workerW, account, invariants } = await world(2, { auditRateBps: 1 });
      const { taskId, res } = await committed("good");
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      const rb = await commitAs(b, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await revealAs(b, taskId, rb);
      const worker0 = await account(workerW.account.address);
      // The reveals' hashes are long unreadable: that no longer audits the task, settle anchors the decision anew.
      await networkHelpers.mine(300);
      const hash = await s.market.write.settle([taskId]);
      const { blockNumber: settleBlock } = await s.wait(hash);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskAccepted", [taskId, getAddress(workerW.account.address), res.digest, false]);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, settleBlock]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      assert.equal(BigInt((await s.market.read.roundOf([taskId])).anchorBlock), settleBlock);
      // Waiting out the settle block's 256 readable hashes must not re-roll the audit: it makes it certain.
      await networkHelpers.mine(HORIZON);
      const decide = await s.market.write.decideAudit([taskId]);
      assert.equal((await s.wait(decide)).blockNumber, settleBlock + BigInt(HORIZON) + 1n);
      await viem.assertions.emitWithArgs(decide, s.market, "AuditDecided", [taskId, true]);
      await viem.assertions.emitWithArgs(decide, s.market, "AuditStarted", [taskId, false]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
      assert.deepEqual(await account(workerW.account.address), worker0, "nothing paid under audit");
      await invariants([taskId]);
    });
  });

  describe("finalize pays", () => {
    it("test_finalize_revertsWhileTheAuditWindowIsOpen", async () => {
      const { s, accepted } = await world(2);
      const { taskId } = await accepted("good", [{ out: "good" }, { out: "good" }]);
      const closesAt = await s.market.read.auditWindowClosesAt([taskId]);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [
        taskId,
        closesAt,
      ]);
      await time.setNextBlockTimestamp(closesAt); // at the close itself: still open
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditWindowOpen", [
        taskId,
        closesAt,
      ]);
    });

    it("test_finalize_revertsWithWrongStatusUnlessAccepted", async () => {
      const { s, committed } = await world(2);
      const { taskId } = await committed();
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Committed,
      ]);
    });

    it("test_finalize_paysWorkerVerifiersAndPlatformRefundsTheRestAndReleasesEveryLock", async () => {
      const { s, accepted, pastAuditWindow, requesterW, workerW, account, invariants } = await world(2);
      const { taskId, verifiers } = await accepted("good", [{ out: "good" }, { out: "good" }]);
      const [a, b] = verifiers;
      const before = await Promise.all([requesterW, workerW, a, b].map((x) => account(x.account.address)));
      const wv = BigInt((await s.market.read.taskOf([taskId])).workValue);
      await pastAuditWindow(taskId);
      // Anyone may finalize.
      const hash = await s.market.write.finalize([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskFinalized", [taskId, BOUNTY]);
      const worker = getAddress(workerW.account.address);
      const requester = getAddress(requesterW.account.address);
      // The escrow is all genesis credit: every payment out of it is genesis credit too.
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowPaid", [taskId, worker, BOUNTY, BOUNTY, wv < BOUNTY ? wv : BOUNTY]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "IouRecorded", [requester, worker, BOUNTY, 0n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowToTreasury", [taskId, PLATFORM_FEE, PLATFORM_FEE]);
      const refund = ESCROW - BOUNTY - 2n * FEE - PLATFORM_FEE; // the unused audit reserve
      assert.equal(refund, 3n * FEE);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [taskId, requester, refund, refund]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      const after = await Promise.all([requesterW, workerW, a, b].map((x) => account(x.account.address)));
      assert.equal(after[0]!.genesis - before[0]!.genesis, refund);
      assert.equal(after[0]!.genesis, GENESIS - BOUNTY - 2n * FEE - PLATFORM_FEE);
      assert.equal(after[1]!.genesis - before[1]!.genesis, BOUNTY, "a genesis-funded bounty is received as genesis credit");
      for (const i of [2, 3]) assert.equal(after[i]!.genesis - before[i]!.genesis, FEE);
      for (const [i, acc] of after.entries()) {
        assert.equal(acc.balance, before[i]!.balance, "nothing became transferable");
        assert.equal(acc.stake, before[i]!.stake, "nobody slashed");
        assert.equal(acc.lockedStake, 0n, "every lock released");
      }
      assert.equal(await s.ledger.read.treasury(), PLATFORM_FEE);
      assert.equal(await s.ledger.read.treasuryGenesis(), PLATFORM_FEE);
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: 0n, genesis: 0n });
      assert.equal(await s.ledger.read.owed([requester, worker]), BOUNTY, "the IOU is recorded at finalize");
      assert.equal(await s.ledger.read.owed([requester, getAddress(a.account.address)]), 0n, "verifier fees carry no IOU");
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Final,
      ]);
      await invariants([taskId]);
    });

    it("test_finalize_slashesTheDissenterAndRefundsItsFee", async () => {
      const { s, accepted, pastAuditWindow, requesterW, workerW, account, reputation, invariants } = await world(2);
      const { taskId, verifiers } = await accepted("good", [{ out: "good" }, { out: "bad" }]);
      const [agree, dissent] = verifiers;
      const d0 = await account(dissent.account.address);
      await pastAuditWindow(taskId);
      const hash = await s.market.write.finalize([taskId]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [getAddress(dissent.account.address), LOCK, LOCK, LOCK]);
      const ds = await account(dissent.account.address);
      assert.deepEqual([ds.stake, ds.lockedStake, ds.genesis], [VERIFIER_STAKE - LOCK, 0n, d0.genesis], "slashed, no fee");
      assert.equal((await account(agree.account.address)).genesis, GENESIS - VERIFIER_STAKE + FEE);
      assert.equal((await account(workerW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY);
      // The dissenter's fee goes back to the requester with the audit reserve.
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - BOUNTY - FEE - PLATFORM_FEE);
      assert.equal(await s.ledger.read.treasury(), PLATFORM_FEE + LOCK);
      assert.equal(await reputation(dissent.account.address), 0);
      await invariants([taskId]);
    });

    it("test_finalize_afterASilentVerifierWasSlashedRefundsItsFee", async () => {
      const { s, accepted, pastAuditWindow, requesterW, account, invariants } = await world(2);
      const { taskId, verifiers } = await accepted("good", [{ out: "good" }, { out: "good", reveal: false }]);
      await pastAuditWindow(taskId);
      await s.wait(await s.market.write.finalize([taskId]));
      const sl = await account(verifiers[1].account.address);
      assert.deepEqual([sl.stake, sl.lockedStake, sl.genesis], [VERIFIER_STAKE - LOCK, 0n, GENESIS - VERIFIER_STAKE]);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - BOUNTY - FEE - PLATFORM_FEE);
      assert.equal(await s.ledger.read.treasury(), LOCK + PLATFORM_FEE, "slashed once, at settle");
      await invariants([taskId]);
    });

    it("test_finalize_workCreditIsMinOfPayAndWorkValue_raisedAtFinalizeOnly", async () => {
      const { s, accepted, pastAuditWindow, workerW, account, invariants } = await world(2);
      // 300 mCC of work: below the bounty, above a verifier fee.
      const typeId = await s.addType({ name: "metered-300", modes: 1, workMsBase: 300 * 3600 });
      const { taskId, verifiers } = await accepted("good", [{ out: "good" }, { out: "good" }], { typeId });
      assert.equal((await s.market.read.taskOf([taskId])).workValue, 300);
      for (const x of [workerW, ...verifiers]) assert.equal((await account(x.account.address)).earned, 0n, "nothing at acceptance");
      await pastAuditWindow(taskId);
      const hash = await s.market.write.finalize([taskId]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowPaid", [taskId, getAddress(workerW.account.address), BOUNTY, BOUNTY, 300n]);
      assert.equal((await account(workerW.account.address)).earned, 300n, "min(1000 pay, 300 work value)");
      for (const v of verifiers) assert.equal((await account(v.account.address)).earned, FEE, "min(10 fee, 300 work value)");
      assert.equal(await s.ledger.read.creditLimit([workerW.account.address]), creditLimit(300n));
      assert.equal(creditLimit(300n), 150n);
      await invariants([taskId]);
    });

    it("test_finalize_workCreditCappedByTheWorkValueForEveryPayee", async () => {
      const { s, accepted, pastAuditWindow, workerW, account, invariants } = await world(2);
      // 5 mCC of work: below even a verifier fee. A bounty 200x the work buys no more credit line.
      const typeId = await s.addType({ name: "metered-5", modes: 1, workMsBase: 5 * 3600 });
      const heavy = await s.addType({ name: "metered-2000", modes: 1, workMsBase: 2000 * 3600 });
      const light = await accepted("good", [{ out: "good" }, { out: "good" }], { typeId });
      await pastAuditWindow(light.taskId);
      await s.wait(await s.market.write.finalize([light.taskId]));
      assert.equal((await account(workerW.account.address)).earned, 5n);
      for (const v of light.verifiers) assert.equal((await account(v.account.address)).earned, 5n);
      // 2000 mCC of work for a 1000 bounty: the pay caps it.
      const big = await accepted("good", [{ out: "good" }, { out: "good" }], { typeId: heavy });
      await pastAuditWindow(big.taskId);
      await s.wait(await s.market.write.finalize([big.taskId]));
      assert.equal((await account(workerW.account.address)).earned, 5n + BOUNTY);
      await invariants([light.taskId, big.taskId]);
    });

    it("test_finalize_defaultTypeWorkValueFollowsItsOnChainCostModel", async () => {
      const { s, accepted, pastAuditWindow, workerW, account } = await world(2);
      const policy = await s.taskTypes.read.policyOf([IMAGE_RESIZE]);
      const expected = workValue({ msBase: policy.workMsBase, msPerMiB: policy.workMsPerMiB }, 100_000);
      const { taskId } = await accepted("good", [{ out: "good" }, { out: "good" }]);
      assert.equal(BigInt((await s.market.read.taskOf([taskId])).workValue), expected);
      await pastAuditWindow(taskId);
      await s.wait(await s.market.write.finalize([taskId]));
      assert.equal((await account(workerW.account.address)).earned, expected < BOUNTY ? expected : BOUNTY);
    });

    it("test_finalize_payCarriesTheEscrowsGenesisShareProRata", async () => {
      const w = await world(4);
      const { s, accepted, pastAuditWindow, workerW, account, invariants } = w;
      // The worker earns a credit line on a task valued at 1000 mCC of work, then posts a task that spends all its
      // genesis credit and part of the line: that escrow is only partly genesis.
      const heavy = await s.addType({ name: "heavy", modes: 1, workMsBase: 1000 * 3600 });
      const first = await accepted("good", [{ out: "good" }, { out: "good" }], { typeId: heavy });
      await pastAuditWindow(first.taskId);
      await s.wait(await s.market.write.finalize([first.taskId]));
      const line = await s.ledger.read.creditLimit([workerW.account.address]);
      assert.equal(line, 500n);
      const held = (await account(workerW.account.address)).genesis;
      let bounty = ((held + 300n) * 10_000n) / 10_600n;
      while (escrowFor(bounty, VerificationMode.Replicated) > held + 300n) bounty -= 1n;
      const escrowed = escrowFor(bounty, VerificationMode.Replicated);
      const secondW = s.wallets[12]!;
      const second = await s.registerWorker(secondW, 5_000n, false);
      const taskId = await s.post(workerW, { bounty });
      const e = await s.ledger.read.escrowOf([taskId]);
      assert.deepEqual(e, { amount: escrowed, genesis: held }, "genesis first, then the credit line");
      assert.equal((await account(workerW.account.address)).balance, -(escrowed - held));
      await s.wait(await second.market.write.claim([taskId]));
      const res = await s.commitAs(secondW, taskId, "out");
      await s.drawVerifiers(taskId);
      const verifiers = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
      const vres = [];
      for (const v of verifiers) vres.push(await s.commitAs(v, taskId, "out"));
      await s.revealAs(secondW, taskId, res);
      for (const [i, v] of verifiers.entries()) await s.revealAs(v, taskId, vres[i]!);
      await s.wait(await s.market.write.settle([taskId]));
      const before = await account(secondW.account.address);
      await pastAuditWindow(taskId);
      const hash = await s.market.write.finalize([taskId]);
      const asGenesis = (bounty * held) / escrowed;
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowPaid", [
        taskId,
        getAddress(secondW.account.address),
        bounty,
        asGenesis,
        0n, // image-resize at 100 kB is worth less than one mCC of work
      ]);
      const after = await account(secondW.account.address);
      assert.equal(after.genesis - before.genesis, asGenesis);
      assert.equal(BigInt(after.balance) - BigInt(before.balance), bounty - asGenesis, "only the non-genesis part is transferable");
      assert.ok(bounty - asGenesis > 0n && asGenesis > 0n);
      await invariants([first.taskId, taskId]);
    });
  });

  // ================================================================ rejections

  describe("rejections", () => {
    it("test_settle_verifiersDisagreed_slashesWorkerRewardsVerifiersFromTheSlashAndReopens", async () => {
      const { s, committed, play, requesterW, workerW, account, reputation, invariants } = await world(2);
      const { taskId, res } = await committed("lazy");
      const { verifiers } = await play(taskId, res, [{ out: "good" }, { out: "good" }]);
      const hash = await s.market.write.settle([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.VerifiersDisagreed,
      ]);
      for (const v of verifiers) {
        // The worker's stake is genesis-sourced: the reward carries the slash's genesis share.
        await viem.assertions.emitWithArgs(hash, s.ledger, "SlashRewarded", [
          getAddress(workerW.account.address),
          getAddress(v.account.address),
          FEE,
          FEE,
        ]);
      }
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Open, "back to the queue");
      assert.equal(task.worker, ZERO_ADDRESS);
      assert.equal(task.revealed, true);
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[0]!.account, ZERO_ADDRESS, "round cleared");
      assert.equal(r.anchorBlock, 0);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW, "escrow intact for the next round");
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.stake, wk.lockedStake, wk.balance], [WORKER_STAKE - LOCK, 0n, 0n]);
      assert.equal(await reputation(workerW.account.address), -1);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), true);
      for (const v of verifiers) {
        const acc = await account(v.account.address);
        assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.lockedStake], [GENESIS - VERIFIER_STAKE + FEE, 0n, VERIFIER_STAKE, 0n]);
        assert.equal(await reputation(v.account.address), 0);
      }
      assert.equal(await s.ledger.read.treasury(), LOCK - 2n * FEE);
      await invariants([taskId]);
    });

    it("test_settle_workerSilent_whenVerifiersAgree", async () => {
      const { s, committed, play, workerW, account, invariants } = await world(2);
      const { taskId } = await committed("good");
      const { verifiers } = await play(taskId, null, [{ out: "good" }, { out: "good" }]);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.WorkerSilent,
      ]);
      assert.equal((await account(workerW.account.address)).stake, WORKER_STAKE - LOCK);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), true);
      for (const v of verifiers) assert.equal((await account(v.account.address)).genesis, GENESIS - VERIFIER_STAKE + FEE);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      assert.equal(await s.ledger.read.treasury(), LOCK - 2n * FEE);
      await invariants([taskId]);
    });

    it("test_settle_workerSilent_rewardsOnlyTheVerifiersThatRevealedAndSlashesTheSilentOne", async () => {
      const { s, committed, play, workerW, account, invariants } = await world(2);
      const { taskId } = await committed("good");
      const { verifiers } = await play(taskId, null, [{ out: "one" }, { out: "two", reveal: false }]);
      const [revealer, silent] = verifiers;
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.WorkerSilent,
      ]);
      assert.equal((await account(workerW.account.address)).stake, WORKER_STAKE - LOCK);
      const rv = await account(revealer.account.address);
      assert.deepEqual([rv.genesis, rv.stake, rv.lockedStake], [GENESIS - VERIFIER_STAKE + FEE, VERIFIER_STAKE, 0n]);
      const sl = await account(silent.account.address);
      assert.deepEqual([sl.genesis, sl.stake, sl.lockedStake], [GENESIS - VERIFIER_STAKE, VERIFIER_STAKE - LOCK, 0n]);
      assert.equal(await s.ledger.read.treasury(), LOCK - FEE + LOCK);
      await invariants([taskId]);
    });

    it("test_settle_drawLapsed_slashesAndExcludesTheWorker", async () => {
      const { s, anchored, workerW, account, reputation, invariants } = await world(2);
      const { taskId } = await anchored();
      await networkHelpers.mine(HORIZON - 1);
      // The draw is still possible (block anchor + 256): the round is not over.
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
      // One block later it lapsed: nobody drew within 256 blocks, and it is never re-rolled.
      await networkHelpers.mine(1);
      const hash = await s.market.write.settle([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.DrawLapsed,
      ]);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.stake, wk.lockedStake], [WORKER_STAKE - LOCK, 0n]);
      assert.equal(await reputation(workerW.account.address), -1);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), true);
      assert.equal(await s.ledger.read.treasury(), LOCK, "nobody revealed: nobody is rewarded");
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Open);
      assert.equal(task.revealed, false);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      await invariants([taskId]);
    });

    it("test_settle_lapsedDrawOfAShortPool_isNobodysFaultAndReleasesTheDrawnVerifier", async () => {
      const { s, committed, pool, workerW, account, invariants } = await world(1);
      const { taskId } = await committed();
      assert.equal((await s.market.read.roundOf([taskId])).poolShort, true);
      await networkHelpers.mine(HORIZON + 1);
      // A pool too short to fill the round is nobody's doing: the worker is not slashed for its lapse.
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.NoConsensus,
      ]);
      const v = await account(pool[0]!.account.address);
      assert.deepEqual([v.stake, v.lockedStake], [VERIFIER_STAKE, 0n], "its commit window never opened");
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.stake, wk.lockedStake], [WORKER_STAKE, 0n]);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), false);
      await invariants([taskId]);
    });

    it("test_settle_noConsensus_reopensWithoutSlashingAnyoneWhoRevealed", async () => {
      const { s, committed, play, requesterW, workerW, worker, account, reputation, invariants } = await world(2);
      const { taskId, res } = await committed("one");
      const { verifiers } = await play(taskId, res, [{ out: "two" }, { out: "three" }]);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.NoConsensus,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.stake, wk.lockedStake], [WORKER_STAKE, 0n]);
      assert.equal(await reputation(workerW.account.address), 0);
      for (const v of verifiers) {
        const acc = await account(v.account.address);
        assert.deepEqual([acc.stake, acc.lockedStake, acc.genesis], [VERIFIER_STAKE, 0n, GENESIS - VERIFIER_STAKE]);
        assert.equal(await reputation(v.account.address), 0);
      }
      assert.equal(await s.ledger.read.treasury(), 0n);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - ESCROW);
      // The worker lost the claim but is not excluded: it may claim again.
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), false);
      await s.wait(await worker.market.write.claim([taskId]));
      await invariants([taskId]);
    });

    it("test_settle_noConsensus_shortPoolPastTheDeadlineExpiresWithAFullRefund", async () => {
      const { s, committed, pool, requesterW, workerW, account, reputation, invariants } = await world(1);
      const { taskId } = await committed("good");
      const { deadline } = await s.market.read.taskOf([taskId]);
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
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS, "nothing revealed: a full refund");
      const v = await account(pool[0]!.account.address);
      assert.deepEqual([v.stake, v.lockedStake], [VERIFIER_STAKE, 0n], "nobody could reveal: nobody is at fault");
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.stake, wk.lockedStake], [WORKER_STAKE, 0n], "worker not slashed for a pool too small");
      assert.equal(await reputation(workerW.account.address), 0);
      assert.equal(await s.ledger.read.treasury(), 0n);
      await invariants([taskId]);
    });

    it("test_settle_rejectionPastTheDeadlineExpiresARevealedTaskWithItsBountyToTheTreasury", async () => {
      const { s, committed, play, requesterW, workerW, invariants } = await world(2);
      const deadline = (await time.latest()) + 1800;
      const { taskId, res } = await committed("lazy", { deadline });
      await play(taskId, res, [{ out: "good" }, { out: "good" }]);
      await time.increaseTo(deadline + 1);
      const hash = await s.market.write.settle([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.VerifiersDisagreed,
      ]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskExpired", [taskId]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowToTreasury", [taskId, BOUNTY, BOUNTY]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await s.account(requesterW.account.address)).genesis, GENESIS - BOUNTY);
      assert.equal(await s.ledger.read.treasury(), LOCK - 2n * FEE + BOUNTY);
      await invariants([taskId]);
    });

    it("test_settle_rejectedTaskCompletesLaterWithTheEscrowIntact", async () => {
      const { s, committed, play, pastAuditWindow, requesterW, account, invariants } = await world(3);
      const { taskId, res } = await committed("wrong");
      await play(taskId, res, [{ out: "right" }, { out: "right" }]);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      // A second worker takes the task and does it right; the escrow still pays everybody once.
      const secondW = s.wallets[12]!;
      const second = await s.registerWorker(secondW, WORKER_STAKE, false);
      await s.wait(await second.market.write.claim([taskId]));
      const r2 = await s.commitAs(secondW, taskId, "right");
      await s.drawVerifiers(taskId);
      const vs = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
      const vr = [];
      for (const v of vs) vr.push(await s.commitAs(v, taskId, "right"));
      await s.revealAs(secondW, taskId, r2);
      for (const [i, v] of vs.entries()) await s.revealAs(v, taskId, vr[i]!);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      await pastAuditWindow(taskId);
      await s.wait(await s.market.write.finalize([taskId]));
      assert.equal((await account(secondW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY);
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - BOUNTY - 2n * FEE - PLATFORM_FEE, "paid once");
      // Treasury: the first worker's slash less two fees, and the platform fee.
      assert.equal(await s.ledger.read.treasury(), LOCK - 2n * FEE + PLATFORM_FEE);
      await invariants([taskId]);
    });
  });

  describe("a reopened task's next round (F1)", () => {
    /**
     * Round 1 ends with `end` and reopens the task (its reveals made it Revealing and `revealed`); a second worker
     * claims it, and round 2's first reveal, by a verifier, must move it from Committed to Revealing again (before
     * the fix only the task's first reveal ever did, and settle then took it Committed -> Accepted).
     */
    async function secondRound(end: "verifiersDisagreed" | "noConsensus") {
      const w = await world(4);
      const { s, committed, play, invariants } = w;
      const { taskId, res } = await committed("wrong");
      await play(taskId, res, end === "verifiersDisagreed" ? [{ out: "right" }, { out: "right" }] : [{ out: "other" }, { out: "third" }]);
      await s.wait(await s.market.write.settle([taskId]));
      let task = await s.market.read.taskOf([taskId]);
      assert.deepEqual([task.status, task.revealed], [TaskStatus.Open, true]);
      const secondW = s.wallets[12]!;
      const second = await s.registerWorker(secondW, WORKER_STAKE, false);
      await s.wait(await second.market.write.claim([taskId]));
      const r2 = await s.commitAs(secondW, taskId, "right");
      await s.drawVerifiers(taskId);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Committed);
      const vs = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
      const vr = [];
      for (const v of vs) vr.push(await s.commitAs(v, taskId, "right"));
      await s.revealAs(vs[0]!, taskId, vr[0]!);
      task = await s.market.read.taskOf([taskId]);
      assert.deepEqual([task.status, task.revealed], [TaskStatus.Revealing, true], "round 2's first reveal makes it Revealing");
      await s.revealAs(secondW, taskId, r2);
      await s.revealAs(vs[1]!, taskId, vr[1]!);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Revealing);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted, "Revealing -> Accepted");
      await invariants([taskId]);
    }
    it("test_reveal_afterARoundTheVerifiersRejectedMovesTheReopenedTaskToRevealing", () => secondRound("verifiersDisagreed"));
    it("test_reveal_afterARoundWithoutConsensusMovesTheReopenedTaskToRevealing", () => secondRound("noConsensus"));
  });

  // ================================================================ replacements

  describe("replacement of silent verifiers", () => {
    it("test_settle_replacesSilentVerifierAfterTheRevealWindowAndTheRoundGoesOnToAcceptance", async () => {
      const { s, committed, play, pastAuditWindow, requesterW, workerW, account, reputation, invariants } = await world(3);
      const { taskId, res } = await committed("good");
      const { verifiers } = await play(taskId, res, [{ out: "other" }, { out: "good", reveal: false }]);
      const [dissent, silent] = verifiers;
      const hash = await s.market.write.settle([taskId]);
      const { blockNumber } = await s.wait(hash);
      await viem.assertions.emitWithArgs(hash, s.market, "VerifierReplaced", [taskId, getAddress(silent.account.address), 2n]);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, blockNumber]);
      assert.equal(
        parseEventLogs({ abi: s.market.abi, logs: (await s.wait(hash)).logs, eventName: "TaskRejected" }).length,
        0,
        "the round is not rejected",
      );
      const sl = await account(silent.account.address);
      assert.deepEqual([sl.stake, sl.lockedStake], [VERIFIER_STAKE - LOCK, 0n], "a committed verifier that stays silent is slashed");
      assert.equal(await reputation(silent.account.address), -1);
      assert.equal(await s.market.read.excluded([taskId, silent.account.address]), true);
      let r = await s.market.read.roundOf([taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Revealing);
      assert.equal(r.replacements, 1);
      assert.equal(r.commitDeadline, 0);
      assert.equal(r.revealDeadline, 0);
      assert.equal(r.commits, 2);
      assert.equal(r.reveals, 2);
      assert.equal(r.members[0]!.status, Contribution.Revealed, "the worker's reveal stands");
      assert.equal(r.members[1]!.status, Contribution.Revealed);
      assert.equal(r.members[2]!.account, ZERO_ADDRESS);
      assert.equal((await account(workerW.account.address)).lockedStake, CLAIM_LOCK);

      await s.drawVerifiers(taskId);
      r = await s.market.read.roundOf([taskId]);
      const fresh = s.walletOf(r.members[2]!.account);
      assert.ok(![dissent, silent].includes(fresh));
      const rf = await s.commitAs(fresh, taskId, "good");
      r = await s.market.read.roundOf([taskId]);
      assert.equal(r.commits, 3, "all in again: the reveal window opens");
      await s.revealAs(fresh, taskId, rf);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        res.digest,
        false,
      ]);
      await pastAuditWindow(taskId);
      await s.wait(await s.market.write.finalize([taskId]));
      assert.equal((await account(fresh.account.address)).genesis, GENESIS - VERIFIER_STAKE + FEE);
      assert.equal((await account(dissent.account.address)).stake, VERIFIER_STAKE - LOCK, "the dissenter is slashed at finalize");
      assert.equal((await account(workerW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY);
      // The silent verifier saved the requester nothing: it pays the bounty, one fee and the platform fee.
      assert.equal((await account(requesterW.account.address)).genesis, GENESIS - BOUNTY - FEE - PLATFORM_FEE);
      assert.equal(await s.ledger.read.treasury(), 2n * LOCK + PLATFORM_FEE);
      await invariants([taskId]);
    });

    it("test_settle_replacesBothSilentVerifiersAndTheRoundGoesOn", async () => {
      const { s, committed, play, drawUntilFull, workerW, account, invariants } = await world(4);
      const { taskId, res } = await committed("good");
      const { verifiers } = await play(taskId, res, [
        { out: "good", reveal: false },
        { out: "good", reveal: false },
      ]);
      const hash = await s.market.write.settle([taskId]);
      for (const [i, v] of verifiers.entries()) {
        await viem.assertions.emitWithArgs(hash, s.market, "VerifierReplaced", [taskId, getAddress(v.account.address), BigInt(i + 1)]);
        assert.equal((await account(v.account.address)).stake, VERIFIER_STAKE - LOCK);
      }
      await drawUntilFull(taskId);
      const fresh = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
      for (const f of fresh) assert.ok(!verifiers.includes(f));
      const fr = [];
      for (const f of fresh) fr.push(await s.commitAs(f, taskId, "good"));
      for (const [i, f] of fresh.entries()) await s.revealAs(f, taskId, fr[i]!);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        res.digest,
        false,
      ]);
      await invariants([taskId]);
    });

    it("test_settle_maxReplacementsReachedEndsInNoConsensus", async () => {
      const { s, committed, drawn, commitAs, revealAs, drawUntilFull, requesterW, workerW, account, reputation, invariants } =
        await world(6);
      const { taskId, res } = await committed("good");
      // Replacement 1, in the commit window: B never commits.
      const [a, b] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "bad");
      await time.increaseTo((await s.market.read.roundOf([taskId])).commitDeadline + 1);
      await s.wait(await s.market.write.replaceSilentVerifiers([taskId]));
      await drawUntilFull(taskId);
      // Replacement 2, after the reveal window: C commits and stays silent; worker and A disagree.
      const c = (await drawn(taskId))[1];
      await commitAs(c, taskId, "good");
      await revealAs(workerW, taskId, res);
      await revealAs(a, taskId, ra);
      await time.increaseTo((await s.market.read.roundOf([taskId])).revealDeadline + 1);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "VerifierReplaced", [
        taskId,
        getAddress(c.account.address),
        2n,
      ]);
      assert.equal((await s.market.read.roundOf([taskId])).replacements, MAX_REPLACEMENTS);
      await drawUntilFull(taskId);
      // Third seat holder D never commits: no replacement is left.
      const d = (await drawn(taskId))[1];
      assert.ok(![a, b, c].includes(d));
      await time.increaseTo((await s.market.read.roundOf([taskId])).commitDeadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.replaceSilentVerifiers([taskId]), s.market, "CannotReplace", [
        taskId,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "RoundNotOver", [taskId]);
      await time.increaseTo((await s.market.read.roundOf([taskId])).revealDeadline + 1);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.NoConsensus,
      ]);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Open);
      assert.equal(task.revealed, true, "the requester saw a result: it can no longer cancel for a refund");
      const wk = await account(workerW.account.address);
      assert.deepEqual([wk.stake, wk.lockedStake], [WORKER_STAKE, 0n], "no consensus is nobody's fault");
      const [accA, accB, accC, accD] = await Promise.all([a, b, c, d].map((x) => account(x.account.address)));
      assert.deepEqual([accA!.stake, accA!.lockedStake], [VERIFIER_STAKE, 0n], "A revealed");
      assert.deepEqual([accB!.stake, accB!.lockedStake], [VERIFIER_STAKE, 0n], "B never committed: replaced without slash");
      assert.deepEqual([accC!.stake, accC!.lockedStake], [VERIFIER_STAKE - LOCK, 0n], "C committed and stayed silent");
      assert.deepEqual([accD!.stake, accD!.lockedStake], [VERIFIER_STAKE - LOCK, 0n], "D silent in an open commit window");
      assert.equal(await reputation(b.account.address), -1);
      assert.equal(await reputation(c.account.address), -1);
      assert.equal(await s.ledger.read.treasury(), 2n * LOCK);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW);
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(requesterW)).market.write.cancel([taskId]), s.market, "AlreadyRevealed", [
        taskId,
      ]);
      await invariants([taskId]);
    });

    it("test_replaceSilentVerifiers_vacatesANeverCommittedVerifierWithoutSlashAndRedraws", async () => {
      const { s, committed, drawn, commitAs, pool, account, reputation, invariants } = await world(3);
      const { taskId } = await committed();
      const [active, silent] = await drawn(taskId);
      const spare = pool.find((v) => v !== active && v !== silent)!;
      await commitAs(active, taskId, "good");
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(commitDeadline + 1);
      const hash = await s.market.write.replaceSilentVerifiers([taskId]); // anyone may call it
      await viem.assertions.emitWithArgs(hash, s.market, "VerifierReplaced", [taskId, getAddress(silent.account.address), 2n]);
      await viem.assertions.emitWithArgs(hash, s.market, "RandomnessAnchored", [taskId, (await s.wait(hash)).blockNumber]);
      const sl = await account(silent.account.address);
      assert.deepEqual([sl.stake, sl.lockedStake], [VERIFIER_STAKE, 0n], "never committed: reputation, not stake");
      assert.equal(await reputation(silent.account.address), -1);
      assert.equal(await s.market.read.excluded([taskId, silent.account.address]), true);
      let r = await s.market.read.roundOf([taskId]);
      assert.equal(r.replacements, 1);
      assert.equal(r.commitDeadline, 0);
      assert.equal(r.members[1]!.account, getAddress(active.account.address));
      assert.equal(r.members[1]!.status, Contribution.Committed, "the committed verifier keeps its seat");
      assert.equal(r.members[2]!.account, ZERO_ADDRESS);
      const at = (await time.latest()) + 2;
      await time.setNextBlockTimestamp(at);
      await viem.assertions.emitWithArgs(s.market.write.drawVerifiers([taskId]), s.market, "VerifierDrawn", [
        taskId,
        getAddress(spare.account.address),
        2n,
      ]);
      r = await s.market.read.roundOf([taskId]);
      assert.equal(r.commitDeadline, at + COMMIT_WINDOW);
      assert.equal((await account(spare.account.address)).lockedStake, LOCK);
      // The replaced verifier can no longer commit: it is not a member any more.
      const late = s.result(taskId, silent.account.address, "good");
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(silent)).market.write.commit([taskId, late.commitment]),
        s.market,
        "NotDrawn",
        [taskId, getAddress(silent.account.address)],
      );
      await invariants([taskId]);
    });

    it("test_replaceSilentVerifiers_worksWhileRevealingAndEarlierRevealsStand", async () => {
      const { s, committed, drawn, commitAs, revealAs, workerW, invariants } = await world(3);
      const { taskId, res } = await committed();
      const [a, silent] = await drawn(taskId);
      const ra = await commitAs(a, taskId, "good");
      await time.increaseTo((await s.market.read.roundOf([taskId])).commitDeadline + 1);
      await revealAs(workerW, taskId, res);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Revealing);
      await s.wait(await s.market.write.replaceSilentVerifiers([taskId]));
      await s.drawVerifiers(taskId);
      const fresh = (await drawn(taskId))[1];
      assert.notEqual(fresh, silent);
      const rf = await commitAs(fresh, taskId, "good");
      await revealAs(a, taskId, ra);
      await revealAs(fresh, taskId, rf);
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.reveals, 3);
      assert.equal(r.sealOrDigest[0], res.digest);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        res.digest,
        false,
      ]);
      await invariants([taskId]);
    });

    it("test_replaceSilentVerifiers_revertsCannotReplaceBeforeTheCommitWindowCloses", async () => {
      const { s, committed, drawn, commitAs } = await world(3);
      const { taskId } = await committed();
      await commitAs((await drawn(taskId))[0], taskId, "good");
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      await time.setNextBlockTimestamp(commitDeadline);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.replaceSilentVerifiers([taskId]), s.market, "CannotReplace", [
        taskId,
      ]);
    });

    it("test_replaceSilentVerifiers_revertsCannotReplaceWhileTheDrawIsPending", async () => {
      const { s, committed } = await world(1);
      const { taskId } = await committed();
      assert.equal((await s.market.read.roundOf([taskId])).commitDeadline, 0);
      await time.increase(COMMIT_WINDOW + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.replaceSilentVerifiers([taskId]), s.market, "CannotReplace", [
        taskId,
      ]);
    });

    it("test_replaceSilentVerifiers_revertsCannotReplaceWhenAllCommitted", async () => {
      const { s, committed, drawn, commitAs } = await world(3);
      const { taskId } = await committed();
      const [a, b] = await drawn(taskId);
      await commitAs(a, taskId, "good");
      await commitAs(b, taskId, "good");
      await time.increaseTo((await s.market.read.roundOf([taskId])).commitDeadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.replaceSilentVerifiers([taskId]), s.market, "CannotReplace", [
        taskId,
      ]);
    });

    it("test_replaceSilentVerifiers_revertsCannotReplaceAfterMaxReplacements", async () => {
      const { s, committed, drawUntilFull } = await world(6);
      const { taskId } = await committed();
      for (let i = 0; i < MAX_REPLACEMENTS; i++) {
        // Nobody commits: both seats are vacated each time.
        await time.increaseTo((await s.market.read.roundOf([taskId])).commitDeadline + 1);
        await s.wait(await s.market.write.replaceSilentVerifiers([taskId]));
        await drawUntilFull(taskId);
      }
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.replacements, MAX_REPLACEMENTS);
      await time.increaseTo(r.commitDeadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.replaceSilentVerifiers([taskId]), s.market, "CannotReplace", [
        taskId,
      ]);
    });

    it("test_drawVerifiers_fillsEverySeatWhenTheAnchoredPoolHoldsEnoughEligibleMembers", async () => {
      // Spec (ITaskMarket.Round.poolShort, issue-9 notes): a draw is short only when it "found too few eligible
      // members". After two replacements, 4 of the 6 pool members are out of this task and 2 are eligible: a draw
      // must fill both seats, whatever the anchor. The search below picks an anchor whose scan meets the excluded
      // members first (the case where the draw's candidate margin could run out).
      const { s, committed, drawUntilFull } = await world(6);
      const { taskId } = await committed();
      await time.increaseTo((await s.market.read.roundOf([taskId])).commitDeadline + 1);
      await s.wait(await s.market.write.replaceSilentVerifiers([taskId])); // nobody committed: both seats vacated
      await drawUntilFull(taskId);
      const { commitDeadline } = await s.market.read.roundOf([taskId]);
      let anchor = 0n;
      for (let i = 0; i < 24 && anchor === 0n; i++) {
        const snap = await networkHelpers.takeSnapshot();
        await time.setNextBlockTimestamp(commitDeadline + 1 + i);
        await s.wait(await s.market.write.replaceSilentVerifiers([taskId]));
        const a = BigInt((await s.market.read.roundOf([taskId])).anchorBlock);
        const firstFour = await anchoredDraw(s, taskId, a, 4, new Set());
        let out = 0;
        for (const c of firstFour) if (await s.market.read.excluded([taskId, c])) out += 1;
        if (out >= 3) anchor = a;
        else await snap.restore();
      }
      assert.notEqual(anchor, 0n, "no anchor of 24 met the excluded members first");
      const pool: Address[] = [];
      for (let i = 0n; i < (await s.registry.read.poolSizeAt([anchor])); i++) pool.push(await s.registry.read.poolMemberAt([i, anchor]));
      const eligible: Address[] = [];
      for (const m of pool) if (!(await s.market.read.excluded([taskId, m]))) eligible.push(m);
      assert.equal(eligible.length, 2, "two eligible members in the anchored pool");
      for (const m of eligible) assert.ok((await s.ledger.read.freeStake([m])) >= LOCK);
      await s.drawVerifiers(taskId);
      const r = await s.market.read.roundOf([taskId]);
      assert.deepEqual(
        new Set([r.members[1]!.account, r.members[2]!.account]),
        new Set(eligible),
        "both eligible members drawn",
      );
      assert.equal(r.poolShort, false);
      assert.notEqual(r.commitDeadline, 0);
    });

    it("test_replaceSilentVerifiers_revertsWithWrongStatusOutsideTheRound", async () => {
      const { s, requesterW, accepted } = await world(2);
      const open = await s.post(requesterW, { bounty: BOUNTY });
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.replaceSilentVerifiers([open]), s.market, "WrongStatus", [
        open,
        TaskStatus.Open,
      ]);
      const { taskId } = await accepted("good", [{ out: "good" }, { out: "good" }]);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.replaceSilentVerifiers([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Accepted,
      ]);
    });
  });

  // ================================================================ input rejected

  describe("input rejected", () => {
    /** A type whose canonical input-rejected output is REJECTED_CID, worth 500 mCC of work per task. */
    const rejectingType = (s: World["s"]) =>
      s.addType({ name: "rejecting", modes: 1, workMsBase: 500 * 3600, rejectedDigest: cidDigest(REJECTED_CID) });

    it("test_settle_acceptsAnAgreedInputRejectedResultWithoutPaying", async () => {
      const w = await world(2);
      const { s, requesterW, worker, workerW, invariants } = w;
      const typeId = await rejectingType(s);
      const taskId = await s.post(requesterW, { bounty: BOUNTY, typeId });
      await s.wait(await worker.market.write.claim([taskId]));
      const wr = s.resultWithCid(taskId, workerW.account.address, REJECTED_CID);
      await s.wait(await worker.market.write.commit([taskId, wr.commitment]));
      await s.drawVerifiers(taskId);
      const vs = await w.drawn(taskId);
      const vr = vs.map((v) => s.resultWithCid(taskId, v.account.address, REJECTED_CID));
      for (const [i, v] of vs.entries()) await s.wait(await (await s.as(v)).market.write.commit([taskId, vr[i]!.commitment]));
      await s.revealAs(workerW, taskId, wr);
      for (const [i, v] of vs.entries()) await s.revealAs(v, taskId, vr[i]!);
      const before = await snapshot(w, [requesterW, workerW, ...vs].map((x) => x.account.address), taskId);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        getAddress(workerW.account.address),
        cidDigest(REJECTED_CID),
        true,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      assert.equal((await s.market.read.roundOf([taskId])).inputRejected, true);
      assert.deepEqual(await snapshot(w, [requesterW, workerW, ...vs].map((x) => x.account.address), taskId), before);
      await invariants([taskId]);
    });

    it("test_finalize_inputRejected_paysTheRejectShareAndFeesWithoutWorkCreditAndRefundsTheRest", async () => {
      const w = await world(2);
      const { s, requesterW, worker, workerW, account, pastAuditWindow, invariants } = w;
      const typeId = await rejectingType(s);
      const taskId = await s.post(requesterW, { bounty: BOUNTY, typeId });
      assert.equal((await s.market.read.taskOf([taskId])).workValue, 500);
      await s.wait(await worker.market.write.claim([taskId]));
      const wr = s.resultWithCid(taskId, workerW.account.address, REJECTED_CID);
      await s.wait(await worker.market.write.commit([taskId, wr.commitment]));
      await s.drawVerifiers(taskId);
      const vs = await w.drawn(taskId);
      const vr = vs.map((v) => s.resultWithCid(taskId, v.account.address, REJECTED_CID));
      for (const [i, v] of vs.entries()) await s.wait(await (await s.as(v)).market.write.commit([taskId, vr[i]!.commitment]));
      await s.revealAs(workerW, taskId, wr);
      for (const [i, v] of vs.entries()) await s.revealAs(v, taskId, vr[i]!);
      await s.wait(await s.market.write.settle([taskId]));
      const before = await Promise.all([requesterW, workerW, ...vs].map((x) => account(x.account.address)));
      await pastAuditWindow(taskId);
      const hash = await s.market.write.finalize([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskFinalized", [taskId, REJECT_PAY]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowPaid", [taskId, getAddress(workerW.account.address), REJECT_PAY, REJECT_PAY, 0n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "IouRecorded", [
        getAddress(requesterW.account.address),
        getAddress(workerW.account.address),
        REJECT_PAY,
        0n,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.InputRejected);
      const after = await Promise.all([requesterW, workerW, ...vs].map((x) => account(x.account.address)));
      assert.equal(after[1]!.genesis - before[1]!.genesis, REJECT_PAY, "inputRejectedPayBps of the bounty");
      for (const i of [2, 3]) assert.equal(after[i]!.genesis - before[i]!.genesis, FEE);
      for (const acc of after) {
        assert.equal(acc.earned, 0n, "a rejected input is no verified work: no work credit");
        assert.equal(acc.lockedStake, 0n);
      }
      for (const [i, acc] of after.entries()) assert.equal(acc.stake, before[i]!.stake, "nobody honest is slashed");
      const refund = ESCROW - REJECT_PAY - 2n * FEE - PLATFORM_FEE;
      assert.equal(after[0]!.genesis - before[0]!.genesis, refund, "the unpaid bounty and the reserve come back");
      assert.equal(await s.ledger.read.owed([requesterW.account.address, workerW.account.address]), REJECT_PAY);
      assert.equal(await s.ledger.read.treasury(), PLATFORM_FEE);
      await invariants([taskId]);
    });

    it("test_settle_workerClaimingInputRejectedForGoodInputIsOutvoted", async () => {
      const w = await world(2);
      const { s, requesterW, worker, workerW, account, invariants } = w;
      const typeId = await rejectingType(s);
      const taskId = await s.post(requesterW, { bounty: BOUNTY, typeId });
      await s.wait(await worker.market.write.claim([taskId]));
      const wr = s.resultWithCid(taskId, workerW.account.address, REJECTED_CID);
      await s.wait(await worker.market.write.commit([taskId, wr.commitment]));
      await s.drawVerifiers(taskId);
      await w.play(taskId, wr, [{ out: "real" }, { out: "real" }]);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskRejected", [
        taskId,
        getAddress(workerW.account.address),
        Reject.VerifiersDisagreed,
      ]);
      assert.equal((await account(workerW.account.address)).stake, WORKER_STAKE - LOCK);
      await invariants([taskId]);
    });
  });
});

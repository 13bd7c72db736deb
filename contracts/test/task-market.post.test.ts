/**
 * TaskMarket.post / cancel / expire: one test per rule and one per revert (DESIGN §3 steps 1 and 7, issue 9).
 * Escrow = bounty + platform fee (1%) + audit reserve (3 auditor fees of 1%) + two verifier fees (replicated only):
 * bounty 1000 -> 1060 replicated, 1040 zk. Genesis credit is spent first. The task's work value is the type's cost
 * model for the declared input: floor((workMsBase + floor(workMsPerMiB x inputBytes / 2^20)) / 3600), capped to 24 bits.
 * A task whose result was revealed is never cancelled, and if it expires its bounty goes to the treasury.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { network } from "hardhat";
import { type Hex, getAddress, keccak256, toHex } from "viem";
import { computeTaskId } from "../../lib/protocol/hashes.ts";
import { VerificationMode, bpsShare, defaultParams, escrowFor, workValue } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { IMAGE_RESIZE, type Setup, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const BOUNTY = 1_000n;
const FEE = bpsShare(BOUNTY, defaultParams.verifierFeeBps); // 10
const LOCK = bpsShare(BOUNTY, defaultParams.rejectSlashBps); // 100
const ESCROW = escrowFor(BOUNTY, VerificationMode.Replicated); // 1060
const EXPIRY_SLASH = bpsShare(BOUNTY, defaultParams.expirySlashBps); // 10
const MAX_UINT32 = 4_294_967_295;

describe("TaskMarket post / cancel / expire", async () => {
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
    const requester = await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, 2_000n, false);
    const zkVerifier = await viem.deployContract("RuleBasedProofVerifier");
    // A type allowed in both modes (replicated | zk) next to the genesis types.
    const zkType = await s.addType({ name: "zk-type", modes: 3, zkVerifier: zkVerifier.address });
    const { conserved, genesisKept } = s;
    /** Both ledger invariants over the given tasks. */
    const invariants = async (taskIds: Hex[]) => {
      await conserved(taskIds);
      await genesisKept(taskIds);
    };
    const params = async (overrides: Record<string, unknown> = {}) => ({
      typeId: IMAGE_RESIZE,
      mode: VerificationMode.Replicated as number,
      bounty: Number(BOUNTY),
      deadline: (await time.latest()) + 3600,
      claimWindow: 0,
      inputBytes: 100_000,
      preferredWorker: ZERO_ADDRESS as `0x${string}`,
      zkInputCommitment: 0n,
      inputCid: toHex("bafy-input") as Hex,
      spec: toHex('{"width":64,"height":64}') as Hex,
      ...overrides,
    });
    return { s, requesterW, workerW, requester, worker, zkType, invariants, params };
  }

  /**
   * A task whose worker's result was revealed and rejected (both verifiers agree on another result): it is back in
   * the queue (Open) with `revealed` set. The worker is slashed its lock; the verifiers get their fee out of it.
   */
  async function revealedAndReopened(w: Awaited<ReturnType<typeof world>>, deadline?: number) {
    const { s, requesterW, workerW, worker } = w;
    for (const v of s.wallets.slice(3, 5)) await s.registerWorker(v, 5_000n);
    const taskId = await s.post(requesterW, { bounty: BOUNTY, ...(deadline ? { deadline } : {}) });
    await s.wait(await worker.market.write.claim([taskId]));
    const res = await s.commitAs(workerW, taskId, "wrong");
    await s.drawVerifiers(taskId);
    const round = await s.market.read.roundOf([taskId]);
    const verifiers = round.members.slice(1).map((m) => s.walletOf(m.account));
    const vres = [];
    for (const v of verifiers) vres.push(await s.commitAs(v, taskId, "right"));
    await s.revealAs(workerW, taskId, res);
    for (const [i, v] of verifiers.entries()) await s.revealAs(v, taskId, vres[i]!);
    await s.wait(await s.market.write.settle([taskId]));
    const task = await s.market.read.taskOf([taskId]);
    assert.equal(task.status, TaskStatus.Open, "rejected: back in the queue");
    assert.equal(task.revealed, true);
    return { taskId, verifiers };
  }

  describe("post", () => {
    it("test_post_escrowsBountyFeesAndAuditReserve_replicated", async () => {
      const { s, requesterW, requester, params, invariants } = await world();
      // 1000 + 1% platform + 3 x 1% audit reserve + 2 x 1% verifier fees.
      assert.equal(ESCROW, BOUNTY + 10n + 3n * FEE + 2n * FEE);
      assert.equal(ESCROW, 1_060n);
      assert.equal(await s.market.read.escrowFor([BOUNTY, VerificationMode.Replicated]), ESCROW);
      const taskId = await s.market.read.nextTaskId([requesterW.account.address]);
      await viem.assertions.emitWithArgs(requester.market.write.post([await params()]), s.ledger, "Escrowed", [
        taskId,
        getAddress(requesterW.account.address),
        ESCROW,
        ESCROW, // all of it from genesis credit
      ]);
      const escrow = await s.ledger.read.escrowOf([taskId]);
      assert.equal(escrow.amount, ESCROW);
      assert.equal(escrow.genesis, ESCROW, "genesis credit is spent first");
      const acc = await s.account(requesterW.account.address);
      assert.equal(acc.genesis, GENESIS - ESCROW);
      assert.equal(acc.balance, 0n);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Open);
      assert.equal(task.bounty, Number(BOUNTY));
      assert.equal(task.requester, getAddress(requesterW.account.address));
      assert.equal(task.revealed, false);
      await invariants([taskId]);
    });

    it("test_post_escrowsBountyPlatformFeeAndAuditReserve_zk", async () => {
      const { s, requesterW, zkType, invariants } = await world();
      const bounty = 5_000n;
      const expected = bounty + 50n + 3n * 50n; // no verifier fees in zk mode, the audit reserve all the same
      assert.equal(escrowFor(bounty, VerificationMode.Zk), expected);
      assert.equal(await s.market.read.escrowFor([bounty, VerificationMode.Zk]), expected);
      assert.equal(await s.market.read.escrowFor([BOUNTY, VerificationMode.Zk]), 1_040n);
      const taskId = await s.post(requesterW, { typeId: zkType, mode: VerificationMode.Zk, bounty, zkInputCommitment: 77n });
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: expected, genesis: expected });
      assert.equal((await s.account(requesterW.account.address)).genesis, GENESIS - expected);
      assert.equal(await s.market.read.zkInputCommitment([taskId]), 77n);
      assert.equal((await s.market.read.taskOf([taskId])).mode, VerificationMode.Zk);
      await invariants([taskId]);
    });

    it("test_post_escrowForRoundsEachFeeDown", async () => {
      const { s } = await world();
      // 1% of 199 is 1 (not 1.99): 199 + 1 platform + 3 reserve + 2 verifier fees.
      assert.equal(await s.market.read.escrowFor([199n, VerificationMode.Replicated]), 199n + 6n);
      assert.equal(await s.market.read.escrowFor([199n, VerificationMode.Zk]), 199n + 4n);
      assert.equal(escrowFor(199n, VerificationMode.Replicated), 205n);
    });

    it("test_post_storesAndEmitsWorkValueFromCostModelAndInputBytes", async () => {
      const { s, requesterW, requester, workerW, params, invariants } = await world();
      // 2 CC base + 1 CC per MiB of declared input, in reference ms (1 mCC = 3600 ms).
      const model = { msBase: 7_200_000, msPerMiB: 3_600_000 };
      const typeId = await s.addType({ name: "metered", modes: 1, workMsBase: model.msBase, workMsPerMiB: model.msPerMiB });
      const inputBytes = 1_572_864; // 1.5 MiB
      assert.equal(workValue(model, inputBytes), 3_500n);
      const taskId = await s.market.read.nextTaskId([requesterW.account.address]);
      const p = await params({
        typeId,
        bounty: 2_500,
        claimWindow: 1200,
        inputBytes,
        preferredWorker: workerW.account.address,
        inputCid: toHex("bafy-posted"),
        spec: toHex('{"w":1}'),
      });
      await viem.assertions.emitWithArgs(requester.market.write.post([p]), s.market, "TaskPosted", [
        taskId,
        getAddress(requesterW.account.address),
        typeId,
        VerificationMode.Replicated,
        2_500n,
        BigInt(p.deadline),
        1200n,
        BigInt(inputBytes),
        3_500n,
        getAddress(workerW.account.address),
        0n,
        toHex("bafy-posted"),
        toHex('{"w":1}'),
      ]);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.workValue, 3_500);
      assert.equal(task.claimWindow, 1200);
      assert.equal(task.preferredWorker, getAddress(workerW.account.address));
      await invariants([taskId]);
    });

    it("test_post_floorsWorkValue", async () => {
      const { s, requesterW } = await world();
      // 3599 ms of base work + 3599.99... ms for 1 byte short of a MiB: 7198 ms, one whole mCC.
      const typeId = await s.addType({ name: "floored", modes: 1, workMsBase: 3_599, workMsPerMiB: 3_600 });
      const one = await s.post(requesterW, { typeId, inputBytes: 1_048_575 });
      assert.equal((await s.market.read.taskOf([one])).workValue, 1);
      assert.equal(workValue({ msBase: 3_599, msPerMiB: 3_600 }, 1_048_575), 1n);
      // Below one mCC of work the task counts for nothing.
      const zero = await s.post(requesterW, { typeId, inputBytes: 0 });
      assert.equal((await s.market.read.taskOf([zero])).workValue, 0);
    });

    it("test_post_capsWorkValueAt24Bits", async () => {
      const { s, requesterW } = await world();
      const typeId = await s.addType({ name: "huge", modes: 1, workMsBase: MAX_UINT32, workMsPerMiB: MAX_UINT32 });
      const taskId = await s.post(requesterW, { typeId, inputBytes: MAX_UINT32 });
      assert.equal((await s.market.read.taskOf([taskId])).workValue, 0xffffff);
      assert.equal(workValue({ msBase: MAX_UINT32, msPerMiB: MAX_UINT32 }, MAX_UINT32), 0xffffffn);
    });

    it("test_post_taskIdEqualsNextTaskIdAndComputeTaskId", async () => {
      const { s, requesterW, requester, params } = await world();
      const chainId = BigInt(await s.publicClient.getChainId());
      const me = requesterW.account.address;
      const predicted0 = await s.market.read.nextTaskId([me]);
      assert.equal(predicted0, computeTaskId(chainId, s.market.address, me, 0n));
      const { result: returned } = await requester.market.simulate.post([await params()], { account: requesterW.account.address });
      assert.equal(returned, predicted0, "post returns the predicted id");
      const id0 = await s.post(requesterW);
      assert.equal(id0, predicted0);
      assert.equal(await s.market.read.nonces([me]), 1n);
      const id1 = await s.post(requesterW);
      assert.equal(id1, computeTaskId(chainId, s.market.address, me, 1n));
      assert.notEqual(id0, id1);
      assert.equal((await s.market.read.taskOf([id1])).status, TaskStatus.Open);
    });

    it("test_post_acceptsMaximumCidAndSpecSizes", async () => {
      const { s, requesterW, requester, params } = await world();
      const taskId = await s.market.read.nextTaskId([requesterW.account.address]);
      const p = await params({ inputCid: toHex(new Uint8Array(128).fill(1)), spec: toHex(new Uint8Array(4096).fill(2)) });
      await s.wait(await requester.market.write.post([p]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
    });

    it("test_post_revertsWhenBountyTooSmall", async () => {
      const { s, requester, params } = await world();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ bounty: 99 })]),
        s.market,
        "BountyTooSmall",
        [99n, 100n],
      );
    });

    it("test_post_revertsWhenDeadlineTooSoon", async () => {
      const { s, requester, params } = await world();
      const at = (await time.latest()) + 10;
      const p = await params({ deadline: at });
      await time.setNextBlockTimestamp(at);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.post([p]), s.market, "DeadlineTooSoon", [
        BigInt(at),
        BigInt(at + 1),
      ]);
    });

    it("test_post_revertsWhenClaimWindowTooShort", async () => {
      const { s, requester, params } = await world();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ claimWindow: 599 })]),
        s.market,
        "ClaimWindowTooShort",
        [599n, 600n],
      );
    });

    it("test_post_revertsWhenInputCidEmpty", async () => {
      const { s, requester, params } = await world();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ inputCid: "0x", spec: toHex("abc") })]),
        s.market,
        "InvalidInput",
        [0n, 3n],
      );
    });

    it("test_post_revertsWhenInputCidOversize", async () => {
      const { s, requester, params } = await world();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ inputCid: toHex(new Uint8Array(129)), spec: toHex("ab") })]),
        s.market,
        "InvalidInput",
        [129n, 2n],
      );
    });

    it("test_post_revertsWhenSpecOversize", async () => {
      const { s, requester, params } = await world();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ inputCid: toHex("cid"), spec: toHex(new Uint8Array(4097)) })]),
        s.market,
        "InvalidInput",
        [3n, 4097n],
      );
    });

    it("test_post_revertsWhenZkCommitmentGivenForReplicated", async () => {
      const { s, requester, params } = await world();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ zkInputCommitment: 5n })]),
        s.market,
        "ZkCommitmentMismatch",
        [VerificationMode.Replicated, 5n],
      );
    });

    it("test_post_revertsWhenZkCommitmentMissingForZk", async () => {
      const { s, requester, params, zkType } = await world();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ typeId: zkType, mode: VerificationMode.Zk })]),
        s.market,
        "ZkCommitmentMismatch",
        [VerificationMode.Zk, 0n],
      );
    });

    it("test_post_revertsWhenModeNotAllowed", async () => {
      const { s, requester, params } = await world();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ mode: VerificationMode.Zk, zkInputCommitment: 1n })]),
        s.market,
        "ModeNotAllowed",
        [IMAGE_RESIZE, VerificationMode.Zk],
      );
    });

    it("test_post_revertsWhenTaskTypeInactive", async () => {
      const { s, requester, params } = await world();
      const t = await s.taskTypes.read.taskType([IMAGE_RESIZE]);
      await s.wait(
        await s.taskTypes.write.updateTaskType([IMAGE_RESIZE, t.codeCid, t.rejectedDigest, { ...t.policy, active: false }]),
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params()]),
        s.market,
        "TaskTypeInactive",
        [IMAGE_RESIZE],
      );
    });

    it("test_post_revertsWithLedgerInsufficientCredit", async () => {
      const { s, requester, requesterW, params, invariants } = await world();
      // 10 CC of genesis and no work credit, hence no credit line: a 10_000 bounty needs 10_600.
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ bounty: 10_000 })]),
        s.ledger,
        "InsufficientCredit",
        [getAddress(requesterW.account.address), GENESIS, escrowFor(10_000n, VerificationMode.Replicated)],
      );
      assert.equal(escrowFor(10_000n, VerificationMode.Replicated), 10_600n);
      assert.equal(await s.market.read.nonces([requesterW.account.address]), 0n, "nothing posted");
      await invariants([]);
    });

    it("test_post_revertsWithInsufficientCreditForUnregisteredAccount", async () => {
      const { s, params } = await world();
      const stranger = s.wallets[9]!;
      const c = await s.as(stranger);
      await viem.assertions.revertWithCustomErrorWithArgs(
        c.market.write.post([await params()]),
        s.ledger,
        "InsufficientCredit",
        [getAddress(stranger.account.address), 0n, ESCROW],
      );
    });

    it("test_post_revertsWhenPaused", async () => {
      const { s, requester, params } = await world();
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomError(requester.market.write.post([await params()]), s.market, "EnforcedPause");
    });
  });

  describe("cancel", () => {
    it("test_cancel_refundsFullEscrowToGenesis", async () => {
      const { s, requesterW, requester, invariants } = await world();
      const taskId = await s.post(requesterW);
      const hash = await requester.market.write.cancel([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskCancelled", [taskId]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [
        taskId,
        getAddress(requesterW.account.address),
        ESCROW,
        ESCROW,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Cancelled);
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: 0n, genesis: 0n });
      const acc = await s.account(requesterW.account.address);
      assert.equal(acc.genesis, GENESIS, "genesis escrow goes back to genesis, not to the transferable balance");
      assert.equal(acc.balance, 0n);
      assert.equal(await s.ledger.read.treasury(), 0n, "the audit reserve and every fee come back too");
      await invariants([taskId]);
    });

    it("test_cancel_revertsWhenNotRequester", async () => {
      const { s, requesterW, worker, workerW } = await world();
      const taskId = await s.post(requesterW);
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.cancel([taskId]), s.market, "NotRequester", [
        taskId,
        getAddress(workerW.account.address),
      ]);
    });

    it("test_cancel_revertsWithWrongStatusAfterClaim", async () => {
      const { s, requesterW, requester, worker, invariants } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.cancel([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW, "escrow untouched");
      await invariants([taskId]);
    });

    it("test_cancel_revertsWithWrongStatusDuringTheRound", async () => {
      const { s, requesterW, requester, worker, workerW } = await world();
      for (const v of s.wallets.slice(3, 5)) await s.registerWorker(v, 5_000n);
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      await s.commitAs(workerW, taskId, "out");
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.cancel([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Committed,
      ]);
    });

    it("test_cancel_revertsWithAlreadyRevealedWhenARevealedTaskIsBackInTheQueue", async () => {
      const w = await world();
      const { s, requesterW, requester, invariants } = w;
      const { taskId } = await revealedAndReopened(w);
      const before = await s.account(requesterW.account.address);
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.cancel([taskId]), s.market, "AlreadyRevealed", [
        taskId,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, ESCROW, "no refund");
      assert.deepEqual(await s.account(requesterW.account.address), before);
      await invariants([taskId]);
    });

    it("test_cancel_revertsWhenTaskNotFound", async () => {
      const { s, requester } = await world();
      const unknown = `0x${"ab".repeat(32)}` as Hex;
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.cancel([unknown]), s.market, "TaskNotFound", [
        unknown,
      ]);
    });
  });

  describe("expire", () => {
    it("test_expire_revertsWhenDeadlineNotPassed", async () => {
      const { s, requesterW } = await world();
      const deadline = (await time.latest()) + 3600;
      const taskId = await s.post(requesterW, { deadline });
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.expire([taskId]), s.market, "DeadlineNotPassed", [
        taskId,
        BigInt(deadline),
      ]);
      await time.setNextBlockTimestamp(deadline); // at the deadline itself: not passed yet
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.expire([taskId]), s.market, "DeadlineNotPassed", [
        taskId,
        BigInt(deadline),
      ]);
    });

    it("test_expire_revertsWhenTaskNotFound", async () => {
      const { s } = await world();
      const unknown = keccak256(toHex("no such task"));
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.expire([unknown]), s.market, "TaskNotFound", [unknown]);
    });

    it("test_expire_refundsFullEscrowAfterDeadline", async () => {
      const { s, requesterW, invariants } = await world();
      const deadline = (await time.latest()) + 3600;
      const taskId = await s.post(requesterW, { deadline });
      await time.setNextBlockTimestamp(deadline + 1);
      // Anyone may expire it.
      const hash = await s.market.write.expire([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskExpired", [taskId]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [
        taskId,
        getAddress(requesterW.account.address),
        ESCROW,
        ESCROW,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      assert.equal((await s.account(requesterW.account.address)).genesis, GENESIS);
      assert.equal(await s.ledger.read.treasury(), 0n, "nothing was revealed: nothing is kept");
      await invariants([taskId]);
    });

    it("test_expire_revertsWithWrongStatusWhileClaimIsLive", async () => {
      const { s, requesterW, worker } = await world();
      const deadline = (await time.latest()) + 3600;
      const taskId = await s.post(requesterW, { deadline });
      await time.increaseTo(deadline - 100);
      await s.wait(await worker.market.write.claim([taskId])); // claim deadline capped at the task deadline
      assert.equal((await s.market.read.taskOf([taskId])).claimDeadline, deadline);
      await time.setNextBlockTimestamp(deadline);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.expire([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
    });

    it("test_expire_endsAStaleClaimWithTheExpirySlashThenRefunds", async () => {
      const { s, requesterW, worker, workerW, invariants } = await world();
      const deadline = (await time.latest()) + 3600;
      const taskId = await s.post(requesterW, { deadline });
      await time.increaseTo(deadline - 100);
      await s.wait(await worker.market.write.claim([taskId]));
      await time.setNextBlockTimestamp(deadline + 1);
      const hash = await s.market.write.expire([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "ClaimExpiredReopened", [taskId, getAddress(workerW.account.address)]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskExpired", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await s.account(requesterW.account.address)).genesis, GENESIS, "full refund");
      const w = await s.account(workerW.account.address);
      assert.equal(w.lockedStake, 0n);
      assert.equal(w.stake, 2_000n - EXPIRY_SLASH, "the stale claim costs expirySlashBps of the bounty");
      assert.equal(await s.ledger.read.treasury(), EXPIRY_SLASH);
      assert.equal((await s.registry.read.workerOf([workerW.account.address])).reputation, -1);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n);
      await invariants([taskId]);
    });

    it("test_expire_revealedTaskSendsBountyToTreasuryAndRefundsTheRest", async () => {
      const w = await world();
      const { s, requesterW, invariants } = w;
      const deadline = (await time.latest()) + 3600;
      const { taskId } = await revealedAndReopened(w, deadline);
      // The rejection paid each verifier its fee out of the worker's slash.
      const treasuryBefore = await s.ledger.read.treasury();
      assert.equal(treasuryBefore, LOCK - 2n * FEE);
      const treasuryGenesisBefore = await s.ledger.read.treasuryGenesis();
      await time.setNextBlockTimestamp(deadline + 1);
      const hash = await s.market.write.expire([taskId]);
      await viem.assertions.emitWithArgs(hash, s.market, "TaskExpired", [taskId]);
      // The escrow is all genesis credit, so the bounty reaches the treasury as genesis-sourced credit.
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowToTreasury", [taskId, BOUNTY, BOUNTY]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [
        taskId,
        getAddress(requesterW.account.address),
        ESCROW - BOUNTY,
        ESCROW - BOUNTY,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal(await s.ledger.read.treasury(), treasuryBefore + BOUNTY);
      assert.equal(await s.ledger.read.treasuryGenesis(), treasuryGenesisBefore + BOUNTY);
      const acc = await s.account(requesterW.account.address);
      assert.equal(acc.genesis, GENESIS - BOUNTY, "the requester saw a result: it pays the bounty, not the fees");
      assert.equal(acc.balance, 0n);
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: 0n, genesis: 0n });
      await invariants([taskId]);
    });
  });
});

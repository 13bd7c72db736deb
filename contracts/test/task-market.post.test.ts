/**
 * TaskMarket.post / cancel / expire: one test per rule and one per revert (DESIGN §3 steps 1 and 7).
 * Escrow = bounty + 2 verifier fees + platform fee (replicated) or bounty + platform fee (zk).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Hex, getAddress, toHex } from "viem";
import { computeTaskId } from "../../lib/protocol/hashes.ts";
import { VerificationMode, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { IMAGE_RESIZE, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const BOUNTY = 1_000n;

describe("TaskMarket post / cancel / expire", async () => {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function world() {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const requester = await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, 2_000n, false);
    const zkVerifier = await viem.deployContract("RuleBasedProofVerifier");
    // A zk-capable type (replicated | zk) next to the genesis types.
    await s.wait(await s.taskTypes.write.addTaskType(["zk-type", "", 3, zkVerifier.address]));
    const zkType = Number((await s.taskTypes.read.typeCount()) - 1n);
    const everyone = s.wallets.map((w) => w.account.address);
    const conserved = async (taskIds: Hex[]) => {
      const t = await s.creditTotals(everyone, taskIds);
      assert.equal(t.held, t.issued, "credit conservation: held == issued");
    };
    const params = async (overrides: Record<string, unknown> = {}) => ({
      typeId: IMAGE_RESIZE,
      mode: VerificationMode.Replicated as number,
      bounty: Number(BOUNTY),
      deadline: (await time.latest()) + 3600,
      claimWindow: 0,
      preferredWorker: ZERO_ADDRESS as `0x${string}`,
      zkInputCommitment: 0n,
      inputCid: toHex("bafy-input") as Hex,
      spec: toHex('{"width":64,"height":64}') as Hex,
      ...overrides,
    });
    return { s, requesterW, workerW, requester, worker, zkType, conserved, params };
  }

  describe("post", () => {
    it("test_post_escrowsBountyTwoVerifierFeesAndPlatformFee_replicated", async () => {
      const { s, requesterW, conserved } = await world();
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      const expected = BOUNTY + 2n * 10n + 10n; // 1% per verifier, 1% platform
      assert.equal(expected, escrowFor(BOUNTY, VerificationMode.Replicated));
      assert.equal(await s.market.read.escrowFor([BOUNTY, VerificationMode.Replicated]), expected);
      const escrow = await s.ledger.read.escrowOf([taskId]);
      assert.equal(escrow.amount, 1_030n);
      assert.equal(escrow.genesis, 1_030n, "paid from genesis credit first");
      const acc = await s.ledger.read.accountOf([requesterW.account.address]);
      assert.equal(acc.genesis, GENESIS - 1_030n);
      assert.equal(acc.balance, 0n);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.status, TaskStatus.Open);
      assert.equal(task.bounty, Number(BOUNTY));
      assert.equal(task.requester, getAddress(requesterW.account.address));
      await conserved([taskId]);
    });

    it("test_post_escrowsBountyAndPlatformFee_zk", async () => {
      const { s, requesterW, zkType, conserved } = await world();
      const taskId = await s.post(requesterW, {
        typeId: zkType,
        mode: VerificationMode.Zk,
        bounty: 5_000n,
        zkInputCommitment: 77n,
      });
      assert.equal(await s.market.read.escrowFor([5_000n, VerificationMode.Zk]), 5_050n);
      assert.equal(escrowFor(5_000n, VerificationMode.Zk), 5_050n);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 5_050n);
      assert.equal((await s.ledger.read.accountOf([requesterW.account.address])).genesis, GENESIS - 5_050n);
      assert.equal(await s.market.read.zkInputCommitment([taskId]), 77n);
      await conserved([taskId]);
    });

    it("test_post_taskIdEqualsNextTaskIdAndComputeTaskId", async () => {
      const { s, requesterW, requester } = await world();
      const chainId = BigInt(await s.publicClient.getChainId());
      const me = requesterW.account.address;
      const predicted0 = await s.market.read.nextTaskId([me]);
      assert.equal(predicted0, computeTaskId(chainId, s.market.address, me, 0n));
      const { result: returned } = await requester.market.simulate.post([
        {
          typeId: IMAGE_RESIZE,
          mode: VerificationMode.Replicated,
          bounty: 1_000,
          deadline: (await time.latest()) + 3600,
          claimWindow: 0,
          preferredWorker: ZERO_ADDRESS,
          zkInputCommitment: 0n,
          inputCid: toHex("bafy"),
          spec: "0x",
        },
      ], { account: requesterW.account });
      assert.equal(returned, predicted0, "post returns the predicted id");
      const id0 = await s.post(requesterW);
      assert.equal(id0, predicted0);
      assert.equal(await s.market.read.nonces([me]), 1n);
      const id1 = await s.post(requesterW);
      assert.equal(id1, computeTaskId(chainId, s.market.address, me, 1n));
      assert.notEqual(id0, id1);
      assert.equal((await s.market.read.taskOf([id1])).status, TaskStatus.Open);
    });

    it("test_post_emitsTaskPostedWithAllArgs", async () => {
      const { s, requesterW, requester, workerW, params } = await world();
      const taskId = await s.market.read.nextTaskId([requesterW.account.address]);
      const p = await params({
        bounty: 2_500,
        claimWindow: 1200,
        preferredWorker: workerW.account.address,
        inputCid: toHex("bafy-posted"),
        spec: toHex('{"w":1}'),
      });
      await viem.assertions.emitWithArgs(requester.market.write.post([p]), s.market, "TaskPosted", [
        taskId,
        getAddress(requesterW.account.address),
        IMAGE_RESIZE,
        VerificationMode.Replicated,
        2_500n,
        BigInt(p.deadline),
        1200n,
        getAddress(workerW.account.address),
        0n,
        toHex("bafy-posted"),
        toHex('{"w":1}'),
      ]);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.claimWindow, 1200);
      assert.equal(task.preferredWorker, getAddress(workerW.account.address));
    });

    it("test_post_acceptsMaximumCidAndSpecSizes", async () => {
      const { s, requester, params } = await world();
      const taskId = await s.market.read.nextTaskId([s.wallets[1]!.account.address]);
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
      await time.setNextBlockTimestamp(at);
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ deadline: at })]),
        s.market,
        "DeadlineTooSoon",
        [BigInt(at), BigInt(at + 1)],
      );
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
      await s.wait(await s.taskTypes.write.updateTaskType([IMAGE_RESIZE, "", 1, ZERO_ADDRESS, false]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params()]),
        s.market,
        "TaskTypeInactive",
        [IMAGE_RESIZE],
      );
    });

    it("test_post_revertsWithLedgerInsufficientCredit", async () => {
      const { s, requester, requesterW, params, conserved } = await world();
      // 10 CC of genesis, no earned credit hence no credit line: 10_000 bounty needs 10_300.
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([await params({ bounty: 10_000 })]),
        s.ledger,
        "InsufficientCredit",
        [getAddress(requesterW.account.address), GENESIS, 10_300n],
      );
      assert.equal(await s.market.read.nonces([requesterW.account.address]), 0n, "nothing posted");
      await conserved([]);
    });

    it("test_post_revertsWithInsufficientCreditForUnregisteredAccount", async () => {
      const { s, params } = await world();
      const stranger = s.wallets[9]!;
      const c = await s.as(stranger);
      await viem.assertions.revertWithCustomErrorWithArgs(
        c.market.write.post([await params()]),
        s.ledger,
        "InsufficientCredit",
        [getAddress(stranger.account.address), 0n, 1_030n],
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
      const { s, requesterW, requester, conserved } = await world();
      const taskId = await s.post(requesterW);
      await viem.assertions.emitWithArgs(requester.market.write.cancel([taskId]), s.market, "TaskCancelled", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Cancelled);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      const acc = await s.ledger.read.accountOf([requesterW.account.address]);
      assert.equal(acc.genesis, GENESIS, "genesis escrow goes back to genesis, not to the transferable balance");
      assert.equal(acc.balance, 0n);
      await conserved([taskId]);
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
      const { s, requesterW, requester, worker, conserved } = await world();
      const taskId = await s.post(requesterW);
      await s.wait(await worker.market.write.claim([taskId]));
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.cancel([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 1_030n, "escrow untouched");
      await conserved([taskId]);
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
      await time.increaseTo(deadline - 1); // the next block is at the deadline itself: still not passed
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.expire([taskId]), s.market, "DeadlineNotPassed", [
        taskId,
        BigInt(deadline),
      ]);
    });

    it("test_expire_refundsFullEscrowAfterDeadline", async () => {
      const { s, requesterW, conserved } = await world();
      const deadline = (await time.latest()) + 3600;
      const taskId = await s.post(requesterW, { deadline });
      await time.increaseTo(deadline);
      // Anyone may expire it.
      await viem.assertions.emitWithArgs(s.market.write.expire([taskId]), s.market, "TaskExpired", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
      assert.equal((await s.ledger.read.accountOf([requesterW.account.address])).genesis, GENESIS);
      await conserved([taskId]);
    });

    it("test_expire_endsAStaleClaimThenRefunds", async () => {
      const { s, requesterW, worker, workerW, conserved } = await world();
      const deadline = (await time.latest()) + 3600;
      const taskId = await s.post(requesterW, { deadline });
      await time.increaseTo(deadline - 100);
      await s.wait(await worker.market.write.claim([taskId])); // claim deadline capped at the task deadline
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.expire([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Claimed,
      ]);
      await time.increaseTo(deadline);
      await s.wait(await s.market.write.expire([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await s.ledger.read.accountOf([requesterW.account.address])).genesis, GENESIS);
      const w = await s.ledger.read.accountOf([workerW.account.address]);
      assert.equal(w.lockedStake, 0n);
      assert.equal((await s.registry.read.workerOf([workerW.account.address])).reputation, -1);
      assert.equal(await s.market.read.activeClaims([workerW.account.address]), 0n);
      await conserved([taskId]);
    });
  });
});

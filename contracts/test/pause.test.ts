/**
 * Emergency pause by governance. A paused market takes no new work (post, claim, forceAudit) but lets work
 * in flight finish and credit go home (cancel, expire, release, expireClaim, commit, reveal, settle,
 * finalize). A paused registry takes no new workers, stake or pool members but lets them leave and unstake.
 * A paused ledger stops user transfers and cycle clearing; the operators' moves go on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Hex, toHex } from "viem";
import { defaultParams, escrowFor, VerificationMode } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { deployProtocol } from "../deploy/deploy-protocol.ts";
import { ALL_CAPABILITIES, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as const;
const DAY = 24 * 60 * 60;
const GRANT = defaultParams.genesisGrant;

describe("Pause", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;

  async function pauseFixture() {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [gov, alice, bob, carol, dave, erin] = s.wallets;
    assert.ok(gov && alice && bob && carol && dave && erin);
    const requester = await s.registerWorker(alice, 0n, false);
    const worker = await s.registerWorker(bob, 2_000n, false);
    const v1 = await s.registerWorker(carol);
    const v2 = await s.registerWorker(dave);
    const everyone = s.wallets.map((w) => w.account.address);
    async function assertConserved(tasks: Hex[]) {
      const totals = await s.creditTotals(everyone, tasks);
      assert.equal(totals.held, totals.issued, "credit held != genesis issued");
    }
    /** Worker commit, both verifiers commit, all three reveal the same output. */
    async function agreeingRound(taskId: Hex) {
      const out = s.result(taskId, bob!.account.address, "good");
      await s.wait(await worker.market.write.commit([taskId, out.commitment]));
      await s.drawVerifiers(taskId);
      const a = s.result(taskId, carol!.account.address, "good");
      const b = s.result(taskId, dave!.account.address, "good");
      await s.wait(await v1.market.write.commit([taskId, a.commitment]));
      await s.wait(await v2.market.write.commit([taskId, b.commitment]));
      await s.wait(await worker.market.write.reveal([taskId, out.cid, out.salt]));
      await s.wait(await v1.market.write.reveal([taskId, a.cid, a.salt]));
      await s.wait(await v2.market.write.reveal([taskId, b.cid, b.salt]));
    }
    return { s, gov, alice, bob, carol, dave, erin, requester, worker, v1, v2, assertConserved, agreeingRound };
  }
  const load = () => networkHelpers.loadFixture(pauseFixture);

  const postParams = (deadline: number) => ({
    typeId: 0,
    mode: VerificationMode.Replicated,
    bounty: 1_000,
    deadline,
    claimWindow: 0,
    preferredWorker: ZERO_ADDRESS,
    zkInputCommitment: 0n,
    inputCid: toHex("bafy-paused"),
    spec: toHex("{}"),
  });
  const now = async (s: Awaited<ReturnType<typeof pauseFixture>>["s"]) =>
    Number((await s.publicClient.getBlock()).timestamp);

  // ------------------------------------------------------------------ market

  describe("TaskMarket.pause", () => {
    it("is governance's: it emits Paused and unpause emits Unpaused", async () => {
      const { s, gov } = await load();
      await viem.assertions.emitWithArgs(s.market.write.pause(), s.market, "Paused", [gov.account.address]);
      assert.equal(await s.market.read.paused(), true);
      await viem.assertions.emitWithArgs(s.market.write.unpause(), s.market, "Unpaused", [gov.account.address]);
      assert.equal(await s.market.read.paused(), false);
    });

    it("reverts OwnableUnauthorizedAccount when anyone but governance pauses or unpauses", async () => {
      const { s, alice, requester } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.pause(), s.market, "OwnableUnauthorizedAccount", [
        alice.account.address,
      ]);
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.unpause(),
        s.market,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      assert.equal(await s.market.read.paused(), true);
    });

    it("post reverts EnforcedPause, and works again after unpause", async () => {
      const { s, alice, requester } = await load();
      await s.wait(await s.market.write.pause());
      const deadline = (await now(s)) + 3600;
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.post([postParams(deadline)]),
        s.market,
        "EnforcedPause",
        [],
      );
      assert.equal(await s.market.read.nonces([alice.account.address]), 0n);
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, GRANT);
      await s.wait(await s.market.write.unpause());
      await s.wait(await requester.market.write.post([postParams(deadline)]));
      assert.equal(await s.market.read.nonces([alice.account.address]), 1n);
    });

    it("claim reverts EnforcedPause", async () => {
      const { s, worker } = await load();
      const taskId = await s.post(s.wallets[1]!);
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([taskId]), s.market, "EnforcedPause", []);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
    });

    it("forceAudit reverts EnforcedPause, while finalize still closes the task", async () => {
      const { s, alice, worker, requester, agreeingRound, assertConserved } = await load();
      const taskId = await s.post(alice);
      await s.wait(await worker.market.write.claim([taskId]));
      await agreeingRound(taskId);
      await s.wait(await s.market.write.settle([taskId]));
      await s.wait(await s.market.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.market.write.forceAudit([taskId]),
        s.market,
        "EnforcedPause",
        [],
      );
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      await networkHelpers.time.increase(DAY + 1);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
      await assertConserved([taskId]);
    });

    it("cancel still refunds the requester", async () => {
      const { s, alice, requester, assertConserved } = await load();
      const taskId = await s.post(alice);
      await s.wait(await s.market.write.pause());
      await viem.assertions.emitWithArgs(requester.market.write.cancel([taskId]), s.market, "TaskCancelled", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Cancelled);
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, GRANT);
      await assertConserved([taskId]);
    });

    it("expire still refunds a task past its deadline", async () => {
      const { s, alice, assertConserved } = await load();
      const taskId = await s.post(alice, { deadline: (await now(s)) + 100 });
      await s.wait(await s.market.write.pause());
      await networkHelpers.time.increase(101);
      await viem.assertions.emitWithArgs(s.market.write.expire([taskId]), s.market, "TaskExpired", [taskId]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Expired);
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, GRANT);
      await assertConserved([taskId]);
    });

    it("release still hands a claim back and unlocks the stake", async () => {
      const { s, alice, bob, worker, assertConserved } = await load();
      const taskId = await s.post(alice);
      await s.wait(await worker.market.write.claim([taskId]));
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).lockedStake, 100n);
      await s.wait(await s.market.write.pause());
      await viem.assertions.emitWithArgs(worker.market.write.release([taskId]), s.market, "ClaimReleased", [
        taskId,
        bob.account.address,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).lockedStake, 0n);
      assert.equal(await s.market.read.activeClaims([bob.account.address]), 0n);
      await assertConserved([taskId]);
    });

    it("expireClaim still reopens a stale claim", async () => {
      const { s, alice, bob, worker } = await load();
      const taskId = await s.post(alice);
      await s.wait(await worker.market.write.claim([taskId]));
      await s.wait(await s.market.write.pause());
      await networkHelpers.time.increase(defaultParams.claimWindow + 1);
      await viem.assertions.emitWithArgs(s.market.write.expireClaim([taskId]), s.market, "ClaimExpiredReopened", [
        taskId,
        bob.account.address,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).lockedStake, 0n);
    });

    it("commit, reveal and settle still finish a claimed task and pay everyone", async () => {
      const { s, alice, bob, carol, dave, worker, agreeingRound, assertConserved } = await load();
      const taskId = await s.post(alice, { bounty: 1_000n });
      await s.wait(await worker.market.write.claim([taskId]));
      await s.wait(await s.market.write.pause());
      await agreeingRound(taskId);
      await viem.assertions.emitWithArgs(s.market.write.settle([taskId]), s.market, "TaskAccepted", [
        taskId,
        bob.account.address,
        s.result(taskId, bob.account.address, "good").digest,
        false,
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).balance, 1_000n);
      assert.equal((await s.ledger.read.accountOf([carol.account.address])).balance, 10n);
      assert.equal((await s.ledger.read.accountOf([dave.account.address])).balance, 10n);
      assert.equal(await s.ledger.read.treasury(), 10n);
      assert.equal(
        (await s.ledger.read.accountOf([alice.account.address])).genesis,
        GRANT - escrowFor(1_000n, VerificationMode.Replicated),
      );
      await assertConserved([taskId]);
    });
  });

  // ------------------------------------------------------------------ registry

  describe("WorkerRegistry.pause", () => {
    it("register reverts EnforcedPause", async () => {
      const { s, erin } = await load();
      await s.wait(await s.registry.write.pause());
      const e = await s.as(erin);
      await viem.assertions.revertWithCustomErrorWithArgs(
        e.registry.write.register([1000, ALL_CAPABILITIES]),
        s.registry,
        "EnforcedPause",
        [],
      );
      assert.equal(await s.registry.read.isRegistered([erin.account.address]), false);
      assert.equal(await s.ledger.read.hasGenesis([erin.account.address]), false);
    });

    it("stake reverts EnforcedPause", async () => {
      const { s, alice, requester } = await load();
      await s.wait(await s.registry.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(requester.registry.write.stake([1_000n]), s.registry, "EnforcedPause", []);
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).stake, 0n);
    });

    it("joinVerifierPool reverts EnforcedPause", async () => {
      const { s, bob, worker } = await load();
      await s.wait(await s.registry.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(worker.registry.write.joinVerifierPool(), s.registry, "EnforcedPause", []);
      assert.equal((await s.registry.read.workerOf([bob.account.address])).poolIndex, 0);
    });

    it("update, leaveVerifierPool, requestUnstake and unstake still work", async () => {
      const { s, carol, v1, assertConserved } = await load();
      await s.wait(await s.registry.write.pause());
      await s.wait(await v1.registry.write.update([2000, 1n]));
      assert.equal((await s.registry.read.workerOf([carol.account.address])).rateMilli, 2000);
      await s.wait(await v1.registry.write.leaveVerifierPool());
      assert.equal(await s.registry.read.poolSize(), 1n);
      await s.wait(await v1.registry.write.requestUnstake());
      await networkHelpers.time.increase(DAY);
      await s.wait(await v1.registry.write.unstake([5_000n]));
      const acc = await s.ledger.read.accountOf([carol.account.address]);
      assert.deepEqual([acc.stake, acc.genesis], [0n, GRANT]);
      await assertConserved([]);
    });

    it("reverts OwnableUnauthorizedAccount when anyone but governance pauses or unpauses", async () => {
      const { s, alice, requester } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.registry.write.pause(),
        s.registry,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      await s.wait(await s.registry.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.registry.write.unpause(),
        s.registry,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      assert.equal(await s.registry.read.paused(), true);
    });
  });

  // ------------------------------------------------------------------ ledger

  describe("CreditLedger.pause", () => {
    it("transfer reverts EnforcedPause", async () => {
      const { s, alice, bob, worker, agreeingRound, assertConserved } = await load();
      const taskId = await s.post(alice);
      await s.wait(await worker.market.write.claim([taskId]));
      await agreeingRound(taskId);
      await s.wait(await s.market.write.settle([taskId]));
      await s.wait(await s.ledger.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.ledger.write.transfer([alice.account.address, 1n]),
        s.ledger,
        "EnforcedPause",
        [],
      );
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).balance, 1_000n);
      await s.wait(await s.ledger.write.unpause());
      await s.wait(await worker.ledger.write.transfer([alice.account.address, 1n]));
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).balance, 1n);
      await assertConserved([taskId]);
    });

    it("clearCycle reverts EnforcedPause", async () => {
      const { s, alice, bob, requester } = await load();
      await s.wait(await s.ledger.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.ledger.write.clearCycle([[alice.account.address, bob.account.address]]),
        s.ledger,
        "EnforcedPause",
        [],
      );
    });

    it("lets the market's ledger moves go on: a whole task posts, settles and pays while the ledger is paused", async () => {
      const { s, alice, bob, worker, agreeingRound, assertConserved } = await load();
      await s.wait(await s.ledger.write.pause());
      const taskId = await s.post(alice);
      await s.wait(await worker.market.write.claim([taskId]));
      await agreeingRound(taskId);
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).balance, 1_000n);
      await assertConserved([taskId]);
    });

    it("reverts AccessControlUnauthorizedAccount when anyone but governance pauses or unpauses", async () => {
      const { s, alice, requester } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.ledger.write.pause(),
        s.ledger,
        "AccessControlUnauthorizedAccount",
        [alice.account.address, DEFAULT_ADMIN_ROLE],
      );
      await s.wait(await s.ledger.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(
        requester.ledger.write.unpause(),
        s.ledger,
        "AccessControlUnauthorizedAccount",
        [alice.account.address, DEFAULT_ADMIN_ROLE],
      );
      assert.equal(await s.ledger.read.paused(), true);
    });
  });

  // ------------------------------------------------------------------ governance address

  describe("governance address", () => {
    it("a separate governance address alone can pause; the deployer keeps no power", async () => {
      // deployProtocol takes the generic chain type's helpers.
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
      assert.deepEqual(
        [await p.market.read.paused(), await p.registry.read.paused(), await p.ledger.read.paused()],
        [true, true, true],
      );
    });
  });
});

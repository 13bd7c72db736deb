/**
 * WorkerRegistry: registration, stake and unstake cooldown, the verifier pool (swap-and-pop), the draw,
 * and the market-only reputation and bans. One test per rule and per revert.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import type { Address, Hex } from "viem";
import { defaultParams } from "../../lib/protocol/params.ts";
import { OPERATOR_ROLE } from "../deploy/deploy-protocol.ts";
import { ALL_CAPABILITIES, setupProtocol } from "../test-support/fixture.ts";

const DAY = 24 * 60 * 60;
const GRANT = defaultParams.genesisGrant;
const MIN_VERIFIER_STAKE = defaultParams.minVerifierStake;

describe("WorkerRegistry", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;

  async function registryFixture() {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [gov, alice, bob, carol, dave, erin] = s.wallets;
    const fakeMarket = s.wallets[18];
    const op = s.wallets[19];
    assert.ok(gov && alice && bob && carol && dave && erin && fakeMarket && op);
    await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, op.account.address]));
    const opLedger = await viem.getContractAt("CreditLedger", s.ledger.address, { client: { wallet: op } });
    const everyone = s.wallets.map((w) => w.account.address);
    async function assertConserved(tasks: Hex[] = []) {
      const totals = await s.creditTotals(everyone, tasks);
      assert.equal(totals.held, totals.issued, "credit held != genesis issued");
    }
    const blockTime = async (hash: Hex) => {
      const receipt = await s.wait(hash);
      return (await s.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
    };
    return { s, gov, alice, bob, carol, dave, erin, fakeMarket, op, opLedger, assertConserved, blockTime };
  }

  /** The registry with its market pointed at a plain account, to call the market-only functions directly. */
  async function fakeMarketFixture() {
    const f = await registryFixture();
    await f.s.wait(await f.s.registry.write.setMarket([f.fakeMarket.account.address]));
    const asMarket = await viem.getContractAt("WorkerRegistry", f.s.registry.address, {
      client: { wallet: f.fakeMarket },
    });
    return { ...f, asMarket };
  }

  /** Alice, Bob, Carol and Dave registered with 2 CC staked each and in the pool, in that order. */
  async function poolFixture() {
    const f = await fakeMarketFixture();
    const members = [f.alice, f.bob, f.carol, f.dave];
    for (const w of members) await f.s.registerWorker(w, 2_000n, true);
    const [A, B, C, D] = members.map((w) => w.account.address) as [Address, Address, Address, Address];
    return { ...f, A, B, C, D };
  }

  const load = () => networkHelpers.loadFixture(registryFixture);
  const lower = (xs: readonly string[]) => xs.map((x) => x.toLowerCase());

  // ------------------------------------------------------------------ register / update

  describe("WorkerRegistry.register", () => {
    it("registers the rate and capabilities, grants genesis and emits WorkerRegistered with genesisGranted", async () => {
      const { s, alice, blockTime } = await load();
      const a = await s.as(alice);
      const hash = await a.registry.write.register([1500, 0b101n]);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkerRegistered", [alice.account.address, 1500n, 0b101n, GRANT]);
      const at = await blockTime(hash);
      const w = await s.registry.read.workerOf([alice.account.address]);
      assert.deepEqual(w, {
        registeredAt: Number(at),
        rateMilli: 1500,
        bannedUntil: 0,
        lastAcceptedAt: 0,
        openAudits: 0,
        reputation: 0,
        unstakeRequestedAt: 0,
        poolIndex: 0,
        capabilities: 0b101n,
      });
      assert.equal(await s.registry.read.isRegistered([alice.account.address]), true);
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, GRANT);
      assert.deepEqual(
        await Promise.all([0, 1, 2].map((t) => s.registry.read.canWork([alice.account.address, t]))),
        [true, false, true],
      );
    });

    it("reverts ZeroRate for a zero benchmark rate", async () => {
      const { s, alice } = await load();
      const a = await s.as(alice);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.register([0, ALL_CAPABILITIES]), s.registry, "ZeroRate", []);
      assert.equal(await s.registry.read.isRegistered([alice.account.address]), false);
    });

    it("reverts AlreadyRegistered for a second registration", async () => {
      const { s, alice, assertConserved } = await load();
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.registry.write.register([2000, 1n]),
        s.registry,
        "AlreadyRegistered",
        [alice.account.address],
      );
      assert.equal(await s.ledger.read.genesisIssued(), GRANT);
      await assertConserved();
    });
  });

  describe("WorkerRegistry.update", () => {
    it("updates the rate and capabilities and emits WorkerUpdated", async () => {
      const { s, alice } = await load();
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.emitWithArgs(a.registry.write.update([2000, 0b10n]), s.registry, "WorkerUpdated", [
        alice.account.address,
        2000n,
        0b10n,
      ]);
      const w = await s.registry.read.workerOf([alice.account.address]);
      assert.equal(w.rateMilli, 2000);
      assert.equal(w.capabilities, 0b10n);
      assert.equal(await s.registry.read.canWork([alice.account.address, 0]), false);
      assert.equal(await s.registry.read.canWork([alice.account.address, 1]), true);
    });

    it("reverts ZeroRate for a zero benchmark rate", async () => {
      const { s, alice } = await load();
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.update([0, 1n]), s.registry, "ZeroRate", []);
    });

    it("reverts NotRegistered for an unregistered account", async () => {
      const { s, bob } = await load();
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(b.registry.write.update([1000, 1n]), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });
  });

  // ------------------------------------------------------------------ stake / unstake

  describe("WorkerRegistry.stake", () => {
    it("stakes the worker's credit in the ledger, genesis first", async () => {
      const { s, alice, assertConserved } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.emitWithArgs(a.registry.write.stake([3_000n]), s.ledger, "Staked", [
        alice.account.address,
        3_000n,
        3_000n,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.genesis, acc.stake, acc.stakeGenesis], [7_000n, 3_000n, 3_000n]);
      await assertConserved();
    });

    it("reverts NotRegistered for an unregistered account", async () => {
      const { s, bob } = await load();
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(b.registry.write.stake([1n]), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });

    it("reverts InsufficientCredit (ledger) when staking more than the worker holds", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.stake([GRANT + 1n]), s.ledger, "InsufficientCredit", [
        alice.account.address,
        GRANT,
        GRANT + 1n,
      ]);
    });

    it("cancels a pending unstake request", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 3_000n, false);
      await s.wait(await a.registry.write.requestUnstake());
      await s.wait(await a.registry.write.stake([1_000n]));
      assert.equal((await s.registry.read.workerOf([alice.account.address])).unstakeRequestedAt, 0);
      await networkHelpers.time.increase(DAY + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1n]), s.registry, "UnstakeNotRequested", [
        alice.account.address,
      ]);
    });
  });

  describe("WorkerRegistry.requestUnstake", () => {
    it("records the request, emits UnstakeRequested with the end of the cooldown, and leaves the pool", async () => {
      const { s, alice, bob, blockTime } = await load();
      const a = await s.registerWorker(alice, 3_000n, true);
      await s.registerWorker(bob, 3_000n, true);
      const hash = await a.registry.write.requestUnstake();
      const at = await blockTime(hash);
      await viem.assertions.emitWithArgs(hash, s.registry, "UnstakeRequested", [
        alice.account.address,
        at + BigInt(defaultParams.unstakeCooldown),
      ]);
      await viem.assertions.emitWithArgs(hash, s.registry, "VerifierPoolLeft", [alice.account.address]);
      const w = await s.registry.read.workerOf([alice.account.address]);
      assert.equal(w.unstakeRequestedAt, Number(at));
      assert.equal(w.poolIndex, 0);
      assert.equal(await s.registry.read.poolSize(), 1n);
      assert.equal((await s.registry.read.poolMember([0n])).toLowerCase(), bob.account.address.toLowerCase());
    });

    it("reverts NotRegistered for an unregistered account", async () => {
      const { s, bob } = await load();
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(b.registry.write.requestUnstake(), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });
  });

  describe("WorkerRegistry.unstake", () => {
    it("keeps the stake until the audit window of the last accepted work has closed", async () => {
      const { s, alice, asMarket, blockTime } = await (async () => {
        const f = await networkHelpers.loadFixture(fakeMarketFixture);
        return f;
      })();
      const a = await s.registerWorker(alice, 3_000n, false);
      const requestedAt = await blockTime(await a.registry.write.requestUnstake());
      // Work accepted half a day after the request: its audit window outlasts the cooldown.
      await networkHelpers.time.setNextBlockTimestamp(requestedAt + BigInt(DAY / 2));
      const acceptedAt = await blockTime(await asMarket.write.recordAcceptedWork([alice.account.address]));
      assert.equal((await s.registry.read.workerOf([alice.account.address])).lastAcceptedAt, Number(acceptedAt));
      const availableAt = acceptedAt + BigInt(defaultParams.auditWindow);
      assert.ok(availableAt > requestedAt + BigInt(defaultParams.unstakeCooldown));
      await networkHelpers.time.setNextBlockTimestamp(requestedAt + BigInt(defaultParams.unstakeCooldown));
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1_000n]), s.registry, "UnstakeCooldown", [
        alice.account.address,
        availableAt,
      ]);
      await networkHelpers.time.setNextBlockTimestamp(availableAt);
      await s.wait(await a.registry.write.unstake([1_000n]));
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).stake, 2_000n);
    });

    it("reverts UnstakeNotRequested without a request", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 3_000n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1_000n]), s.registry, "UnstakeNotRequested", [
        alice.account.address,
      ]);
    });

    it("reverts UnstakeCooldown with availableAt until the cooldown has passed", async () => {
      const { s, alice, blockTime } = await load();
      const a = await s.registerWorker(alice, 3_000n, false);
      const requestedAt = await blockTime(await a.registry.write.requestUnstake());
      const availableAt = requestedAt + BigInt(defaultParams.unstakeCooldown);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1_000n]), s.registry, "UnstakeCooldown", [
        alice.account.address,
        availableAt,
      ]);
      // The last second of the cooldown still reverts.
      await networkHelpers.time.setNextBlockTimestamp(availableAt - 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1_000n]), s.registry, "UnstakeCooldown", [
        alice.account.address,
        availableAt,
      ]);
      await networkHelpers.time.setNextBlockTimestamp(availableAt);
      await s.wait(await a.registry.write.unstake([1_000n]));
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).stake, 2_000n);
    });

    it("after the cooldown returns genesis-sourced stake to genesis", async () => {
      const { s, alice, assertConserved } = await load();
      const a = await s.registerWorker(alice, 3_000n, false);
      await s.wait(await a.registry.write.requestUnstake());
      await networkHelpers.time.increase(DAY);
      await viem.assertions.emitWithArgs(a.registry.write.unstake([3_000n]), s.ledger, "Unstaked", [
        alice.account.address,
        3_000n,
        3_000n,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.stakeGenesis], [GRANT, 0n, 0n, 0n]);
      await assertConserved();
    });

    it("reverts StakeStillLocked while a claim is open, and succeeds once the claim is gone", async () => {
      const { s, alice, bob, assertConserved } = await load();
      await s.registerWorker(bob, 0n, false);
      const a = await s.registerWorker(alice, 3_000n, false);
      const taskId = await s.post(bob, { bounty: 1_000n, deadline: Number((await s.publicClient.getBlock()).timestamp) + 3 * DAY });
      await s.wait(await a.market.write.claim([taskId]));
      await s.wait(await a.registry.write.requestUnstake());
      await networkHelpers.time.increase(DAY + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1n]), s.registry, "StakeStillLocked", [
        alice.account.address,
        100n, // 10% of the bounty, locked by the claim
      ]);
      await s.wait(await s.market.write.expireClaim([taskId]));
      await s.wait(await a.registry.write.unstake([3_000n]));
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).stake, 0n);
      await assertConserved([taskId]);
    });

    it("reverts InsufficientFreeStake (ledger) when unstaking more than the stake", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 3_000n, false);
      await s.wait(await a.registry.write.requestUnstake());
      await networkHelpers.time.increase(DAY);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([3_001n]), s.ledger, "InsufficientFreeStake", [
        alice.account.address,
        3_000n,
        3_001n,
      ]);
    });

    it("reverts NotRegistered for an unregistered account", async () => {
      const { s, bob } = await load();
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(b.registry.write.unstake([1n]), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });
  });

  // ------------------------------------------------------------------ verifier pool

  describe("WorkerRegistry.joinVerifierPool", () => {
    it("adds the worker at the end of the pool with a 1-based index", async () => {
      const { s, alice, bob } = await load();
      await s.registerWorker(bob, MIN_VERIFIER_STAKE, true);
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, false);
      await viem.assertions.emitWithArgs(a.registry.write.joinVerifierPool(), s.registry, "VerifierPoolJoined", [
        alice.account.address,
      ]);
      assert.equal(await s.registry.read.poolSize(), 2n);
      assert.equal((await s.registry.read.poolMember([1n])).toLowerCase(), alice.account.address.toLowerCase());
      assert.equal((await s.registry.read.workerOf([alice.account.address])).poolIndex, 2);
    });

    it("reverts StakeBelowVerifierMinimum under the minimum verifier stake", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE - 1n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.registry.write.joinVerifierPool(),
        s.registry,
        "StakeBelowVerifierMinimum",
        [alice.account.address, MIN_VERIFIER_STAKE - 1n, MIN_VERIFIER_STAKE],
      );
      assert.equal(await s.registry.read.poolSize(), 0n);
    });

    it("reverts AlreadyInPool for a member", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, true);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.joinVerifierPool(), s.registry, "AlreadyInPool", [
        alice.account.address,
      ]);
      assert.equal(await s.registry.read.poolSize(), 1n);
    });

    it("reverts Banned with the end of the ban for a banned worker", async () => {
      const { s, alice, asMarket, blockTime } = await networkHelpers.loadFixture(fakeMarketFixture);
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, false);
      const at = await blockTime(await asMarket.write.ban([alice.account.address, 1000]));
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.joinVerifierPool(), s.registry, "Banned", [
        alice.account.address,
        at + 1000n,
      ]);
    });

    it("reverts NotRegistered for an unregistered account", async () => {
      const { s, bob } = await load();
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(b.registry.write.joinVerifierPool(), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });

    it("cancels a pending unstake request", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, true);
      await s.wait(await a.registry.write.requestUnstake());
      await s.wait(await a.registry.write.joinVerifierPool());
      assert.equal((await s.registry.read.workerOf([alice.account.address])).unstakeRequestedAt, 0);
      await networkHelpers.time.increase(DAY + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1n]), s.registry, "UnstakeNotRequested", [
        alice.account.address,
      ]);
    });
  });

  describe("WorkerRegistry.leaveVerifierPool", () => {
    it("reverts NotInPool for a non-member", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.leaveVerifierPool(), s.registry, "NotInPool", [
        alice.account.address,
      ]);
    });

    it("swaps the last member into the leaver's slot and keeps every index consistent", async () => {
      const { s, alice, bob, dave, A, B, C, D } = await networkHelpers.loadFixture(poolFixture);
      async function assertPool(expected: Address[], gone: Address[]) {
        assert.equal(await s.registry.read.poolSize(), BigInt(expected.length));
        for (const [i, x] of expected.entries()) {
          assert.equal((await s.registry.read.poolMember([BigInt(i)])).toLowerCase(), x.toLowerCase());
          assert.equal((await s.registry.read.workerOf([x])).poolIndex, i + 1);
        }
        for (const x of gone) assert.equal((await s.registry.read.workerOf([x])).poolIndex, 0);
      }
      await assertPool([A, B, C, D], []);
      await viem.assertions.emitWithArgs((await s.as(bob)).registry.write.leaveVerifierPool(), s.registry, "VerifierPoolLeft", [B]);
      await assertPool([A, D, C], [B]);
      await s.wait(await (await s.as(alice)).registry.write.leaveVerifierPool());
      await assertPool([C, D], [A, B]);
      await s.wait(await (await s.as(dave)).registry.write.leaveVerifierPool()); // the last member
      await assertPool([C], [A, B, D]);
      await s.wait(await (await s.as(bob)).registry.write.joinVerifierPool());
      await assertPool([C, B], [A, D]);
    });
  });

  // ------------------------------------------------------------------ draw

  describe("WorkerRegistry.draw", () => {
    const none: Address[] = [];

    it("returns up to count distinct members from seed % size, wrapping around", async () => {
      const { s, A, B, C, D } = await networkHelpers.loadFixture(poolFixture);
      assert.deepEqual(lower(await s.registry.read.draw([1n, 2n, 0, 0n, none])), lower([B, C]));
      assert.deepEqual(lower(await s.registry.read.draw([3n, 3n, 0, 0n, none])), lower([D, A, B]));
      assert.deepEqual(lower(await s.registry.read.draw([4n * 1000n + 2n, 1n, 0, 0n, none])), lower([C]));
      const all = await s.registry.read.draw([2n, 10n, 0, 0n, none]);
      assert.deepEqual(lower(all), lower([C, D, A, B]));
      assert.equal(new Set(lower(all)).size, 4);
    });

    it("excludes the given addresses", async () => {
      const { s, A, B, C, D } = await networkHelpers.loadFixture(poolFixture);
      assert.deepEqual(lower(await s.registry.read.draw([0n, 4n, 0, 0n, [B, D]])), lower([A, C]));
      assert.deepEqual(lower(await s.registry.read.draw([1n, 4n, 0, 0n, [A, B, C, D]])), []);
    });

    it("excludes members without the capability", async () => {
      const { s, carol, A, B, C, D } = await networkHelpers.loadFixture(poolFixture);
      await s.wait(await (await s.as(carol)).registry.write.update([1000, 0b1n]));
      assert.deepEqual(lower(await s.registry.read.draw([0n, 4n, 3, 0n, none])), lower([A, B, D]));
      assert.deepEqual(lower(await s.registry.read.draw([0n, 4n, 0, 0n, none])), lower([A, B, C, D]));
    });

    it("excludes members whose stake fell under the verifier minimum", async () => {
      const { s, opLedger, A, B, C, D } = await networkHelpers.loadFixture(poolFixture);
      await s.wait(await opLedger.write.slash([D, 2_000n - MIN_VERIFIER_STAKE + 1n]));
      assert.equal((await s.ledger.read.accountOf([D])).stake, MIN_VERIFIER_STAKE - 1n);
      assert.deepEqual(lower(await s.registry.read.draw([0n, 4n, 0, 0n, none])), lower([A, B, C]));
    });

    it("excludes members with less free stake than the amount to lock", async () => {
      const { s, opLedger, A, B, C, D } = await networkHelpers.loadFixture(poolFixture);
      await s.wait(await opLedger.write.lockStake([B, 1_500n])); // 500 free
      assert.deepEqual(lower(await s.registry.read.draw([0n, 4n, 0, 501n, none])), lower([A, C, D]));
      assert.deepEqual(lower(await s.registry.read.draw([0n, 4n, 0, 500n, none])), lower([A, B, C, D]));
    });

    it("never returns a banned worker: the ban takes it out of the pool until it rejoins after the ban", async () => {
      const { s, bob, asMarket, A, B, C, D } = await networkHelpers.loadFixture(poolFixture);
      await s.wait(await asMarket.write.ban([B, 1000]));
      assert.deepEqual(lower(await s.registry.read.draw([0n, 4n, 0, 0n, none])), lower([A, D, C]));
      await networkHelpers.time.increase(1001);
      await s.wait(await (await s.as(bob)).registry.write.joinVerifierPool());
      assert.deepEqual(lower(await s.registry.read.draw([0n, 4n, 0, 0n, none])), lower([A, D, C, B]));
    });

    it("scans at most MAX_DRAW_SCAN (32) members from the start index, wrapping around", async () => {
      const { s } = await networkHelpers.loadFixture(registryFixture);
      assert.equal(await s.registry.read.MAX_DRAW_SCAN(), 32n);
      const members: Address[] = [];
      for (let i = 1; i <= 34; i++) {
        const address = `0x${(0xc0ffee00 + i).toString(16).padStart(40, "0")}` as Address;
        await networkHelpers.impersonateAccount(address);
        await networkHelpers.setBalance(address, 10n ** 18n);
        const wallet = await viem.getWalletClient(address);
        const registry = await viem.getContractAt("WorkerRegistry", s.registry.address, { client: { wallet } });
        await s.wait(await registry.write.register([1000, ALL_CAPABILITIES]));
        await s.wait(await registry.write.stake([MIN_VERIFIER_STAKE]));
        await s.wait(await registry.write.joinVerifierPool());
        members.push(address);
      }
      const none: Address[] = [];
      assert.deepEqual(lower(await s.registry.read.draw([0n, 40n, 0, 0n, none])), lower(members.slice(0, 32)));
      assert.deepEqual(
        lower(await s.registry.read.draw([33n, 40n, 0, 0n, none])),
        lower([members[33]!, ...members.slice(0, 31)]),
      );
      // Excluded members still use up the scan: nothing past the window is reached.
      assert.deepEqual(
        lower(await s.registry.read.draw([0n, 40n, 0, 0n, members.slice(0, 31)])),
        lower([members[31]!]),
      );
    });

    it("returns nothing from an empty pool or for a count of 0", async () => {
      const { s, A } = await networkHelpers.loadFixture(poolFixture);
      assert.deepEqual(await s.registry.read.draw([0n, 0n, 0, 0n, none]), []);
      const fresh = await setupProtocol(connection);
      assert.deepEqual(await fresh.registry.read.draw([0n, 3n, 0, 0n, [A]]), []);
    });
  });

  // ------------------------------------------------------------------ market only

  describe("WorkerRegistry.adjustReputation", () => {
    it("reverts NotMarket for any caller but the market", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.registry.write.adjustReputation([alice.account.address, 100]),
        s.registry,
        "NotMarket",
        [alice.account.address],
      );
      assert.equal((await s.registry.read.workerOf([alice.account.address])).reputation, 0);
    });

    it("adds the delta and emits ReputationChanged with the new reputation", async () => {
      const { s, alice, asMarket } = await networkHelpers.loadFixture(fakeMarketFixture);
      await s.registerWorker(alice, 0n, false);
      await viem.assertions.emitWithArgs(
        asMarket.write.adjustReputation([alice.account.address, -3]),
        s.registry,
        "ReputationChanged",
        [alice.account.address, -3n, -3n],
      );
      await viem.assertions.emitWithArgs(
        asMarket.write.adjustReputation([alice.account.address, 5]),
        s.registry,
        "ReputationChanged",
        [alice.account.address, 5n, 2n],
      );
      assert.equal((await s.registry.read.workerOf([alice.account.address])).reputation, 2);
    });
  });

  describe("WorkerRegistry.ban", () => {
    it("reverts NotMarket for any caller but the market", async () => {
      const { s, alice, gov } = await load();
      await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.registry.write.ban([alice.account.address, 1000]),
        s.registry,
        "NotMarket",
        [gov.account.address],
      );
      assert.equal(await s.registry.read.isBanned([alice.account.address]), false);
    });

    it("bans until now + duration, stops the worker working, and ends by itself", async () => {
      const { s, alice, asMarket, blockTime } = await networkHelpers.loadFixture(fakeMarketFixture);
      await s.registerWorker(alice, MIN_VERIFIER_STAKE, true);
      const hash = await asMarket.write.ban([alice.account.address, 1000]);
      const at = await blockTime(hash);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkerBanned", [alice.account.address, at + 1000n]);
      await viem.assertions.emitWithArgs(hash, s.registry, "VerifierPoolLeft", [alice.account.address]);
      assert.equal((await s.registry.read.workerOf([alice.account.address])).bannedUntil, Number(at + 1000n));
      assert.equal(await s.registry.read.isBanned([alice.account.address]), true);
      assert.equal(await s.registry.read.canWork([alice.account.address, 0]), false);
      assert.equal(await s.registry.read.poolSize(), 0n);
      await networkHelpers.time.increaseTo(at + 1000n);
      assert.equal(await s.registry.read.isBanned([alice.account.address]), false);
      assert.equal(await s.registry.read.canWork([alice.account.address, 0]), true);
    });
  });

  describe("WorkerRegistry.setMarket", () => {
    it("reverts OwnableUnauthorizedAccount for anyone but governance", async () => {
      const { s, alice } = await load();
      const a = await s.as(alice);
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.registry.write.setMarket([alice.account.address]),
        s.registry,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      assert.equal((await s.registry.read.market()).toLowerCase(), s.market.address.toLowerCase());
    });
  });
});

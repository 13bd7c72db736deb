/**
 * WorkerRegistry: registration, stake and unstake cooldown, the verifier pool with its history, the draw, and
 * the market-only reputation, accepted work, audits and bans. One test per rule and per revert.
 *
 * The pool keeps its history (IWorkerRegistry): every join or leave takes effect from the next block, and a draw
 * anchored to block `a` reads the pool's order and length as they stood at the end of block `a - 1`. The pool
 * tests below check that history against a plain swap-and-pop model, block by block.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, getAddress } from "viem";
import { defaultParams } from "../../lib/protocol/params.ts";
import { OPERATOR_ROLE } from "../deploy/deploy-protocol.ts";
import { ALL_CAPABILITIES, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";
import { mulberry32 } from "../test-support/random.ts";

const DAY = 24 * 60 * 60;
const GRANT = defaultParams.genesisGrant;
const MIN_VERIFIER_STAKE = defaultParams.minVerifierStake;
const SEED = 0x9001_0509;
/** Explicit gas for transactions sent with automine off (no estimate against a state that is not mined yet). */
const GAS = { gas: 1_000_000n };

describe("WorkerRegistry", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers, provider } = connection;

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
    const blockOf = async (hash: Hex) => (await s.wait(hash)).blockNumber;
    /** The anchor a draw made now would read: the pool after every mined block. */
    const nextBlock = async () => (await s.publicClient.getBlockNumber()) + 1n;
    return { s, gov, alice, bob, carol, dave, erin, fakeMarket, op, opLedger, assertConserved, blockTime, blockOf, nextBlock };
  }
  type F = Awaited<ReturnType<typeof registryFixture>>;

  /** The registry with its market pointed at a plain account, to call the market-only functions directly. */
  async function fakeMarketFixture() {
    const f = await registryFixture();
    await f.s.wait(await f.s.registry.write.setMarket([f.fakeMarket.account.address]));
    const asMarket = await viem.getContractAt("WorkerRegistry", f.s.registry.address, { client: { wallet: f.fakeMarket } });
    return { ...f, asMarket };
  }

  /** Alice, Bob, Carol and Dave registered with 2 CC staked each and in the pool, in that order. */
  async function poolFixture() {
    const f = await fakeMarketFixture();
    const members = [f.alice, f.bob, f.carol, f.dave];
    for (const w of members) await f.s.registerWorker(w, 2_000n, true);
    const [A, B, C, D] = members.map((w) => getAddress(w.account.address)) as [Address, Address, Address, Address];
    // Erin is registered and staked, outside the pool.
    await f.s.registerWorker(f.erin, 2_000n, false);
    const E = getAddress(f.erin.account.address);
    return { ...f, A, B, C, D, E };
  }

  const load = () => networkHelpers.loadFixture(registryFixture);
  const loadPool = () => networkHelpers.loadFixture(poolFixture);
  const lower = (xs: readonly string[]) => xs.map((x) => x.toLowerCase());
  const none: Address[] = [];

  /** The pool as draws anchored to `block` read it: [member of slot 0, slot 1, ...]. */
  async function poolAt(f: F, block: bigint): Promise<Address[]> {
    const size = await f.s.registry.read.poolSizeAt([block]);
    const members: Address[] = [];
    for (let i = 0n; i < size; i++) members.push(getAddress(await f.s.registry.read.poolMemberAt([i, block])));
    return members;
  }

  /** Sends `txs` into one block: automine off, explicit gas, one mined block. Returns that block's number. */
  async function inOneBlock(f: F, txs: (() => Promise<Hex>)[]): Promise<bigint> {
    await provider.request({ method: "evm_setAutomine", params: [false] });
    const hashes: Hex[] = [];
    try {
      for (const tx of txs) hashes.push(await tx());
      await networkHelpers.mine();
    } finally {
      await provider.request({ method: "evm_setAutomine", params: [true] });
    }
    const receipts = await Promise.all(hashes.map((hash) => f.s.wait(hash)));
    for (const r of receipts) assert.equal(r.status, "success");
    const blocks = new Set(receipts.map((r) => r.blockNumber));
    assert.equal(blocks.size, 1, "all in one block");
    return receipts[0]!.blockNumber;
  }

  // ------------------------------------------------------------------ register / update

  describe("WorkerRegistry.register", () => {
    it("test_register_storesRateAndCapabilitiesAndGrantsGenesis", async () => {
      const { s, alice, blockTime } = await load();
      const a = await s.as(alice);
      const hash = await a.registry.write.register([1500, 0b101n]);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkerRegistered", [alice.account.address, 1500n, 0b101n, GRANT]);
      const at = await blockTime(hash);
      assert.deepEqual(await s.registry.read.workerOf([alice.account.address]), {
        registeredAt: Number(at),
        rateMilli: 1500,
        bannedUntil: 0,
        reputation: 0,
        unstakeRequestedAt: 0,
        poolIndex: 0,
        lastAcceptedAt: 0,
        capabilities: 0b101n,
      });
      assert.equal(await s.registry.read.isRegistered([alice.account.address]), true);
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, GRANT);
      assert.deepEqual(
        await Promise.all([0, 1, 2].map((t) => s.registry.read.canWork([alice.account.address, t]))),
        [true, false, true],
      );
    });

    it("test_register_revertsZeroRate", async () => {
      const { s, alice } = await load();
      const a = await s.as(alice);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.register([0, ALL_CAPABILITIES]), s.registry, "ZeroRate", []);
      assert.equal(await s.registry.read.isRegistered([alice.account.address]), false);
    });

    it("test_register_revertsAlreadyRegistered", async () => {
      const { s, alice, assertConserved } = await load();
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.register([2000, 1n]), s.registry, "AlreadyRegistered", [
        alice.account.address,
      ]);
      assert.equal(await s.ledger.read.genesisIssued(), GRANT);
      await assertConserved();
    });
  });

  describe("WorkerRegistry.update", () => {
    it("test_update_replacesRateAndCapabilities", async () => {
      const { s, alice } = await load();
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.emitWithArgs(a.registry.write.update([2000, 0b10n]), s.registry, "WorkerUpdated", [
        alice.account.address,
        2000n,
        0b10n,
      ]);
      const w = await s.registry.read.workerOf([alice.account.address]);
      assert.deepEqual([w.rateMilli, w.capabilities], [2000, 0b10n]);
      assert.equal(await s.registry.read.canWork([alice.account.address, 0]), false);
      assert.equal(await s.registry.read.canWork([alice.account.address, 1]), true);
    });

    it("test_update_revertsZeroRate", async () => {
      const { s, alice } = await load();
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.update([0, 1n]), s.registry, "ZeroRate", []);
    });

    it("test_update_revertsNotRegistered", async () => {
      const { s, bob } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(bob)).registry.write.update([1000, 1n]), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });
  });

  // ------------------------------------------------------------------ stake / unstake

  describe("WorkerRegistry.stake", () => {
    it("test_stake_stakesTheWorkersCreditGenesisFirst", async () => {
      const { s, alice, assertConserved } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.emitWithArgs(a.registry.write.stake([3_000n]), s.ledger, "Staked", [alice.account.address, 3_000n, 3_000n]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.genesis, acc.stake, acc.stakeGenesis], [7_000n, 3_000n, 3_000n]);
      await assertConserved();
    });

    it("test_stake_revertsNotRegistered", async () => {
      const { s, bob } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(bob)).registry.write.stake([1n]), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });

    it("test_stake_revertsInsufficientCreditPastWhatTheWorkerHolds", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.stake([GRANT + 1n]), s.ledger, "InsufficientCredit", [
        alice.account.address,
        GRANT,
        GRANT + 1n,
      ]);
    });

    it("test_stake_cancelsAPendingUnstakeRequest", async () => {
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
    it("test_requestUnstake_recordsTheRequestAndLeavesThePoolFromTheNextBlock", async () => {
      const { s, alice, bob, blockTime, blockOf } = await load();
      const a = await s.registerWorker(alice, 3_000n, true);
      await s.registerWorker(bob, 3_000n, true);
      const hash = await a.registry.write.requestUnstake();
      const at = await blockTime(hash);
      const block = await blockOf(hash);
      await viem.assertions.emitWithArgs(hash, s.registry, "UnstakeRequested", [
        alice.account.address,
        at + BigInt(defaultParams.unstakeCooldown),
      ]);
      await viem.assertions.emitWithArgs(hash, s.registry, "VerifierPoolLeft", [alice.account.address, block + 1n]);
      const w = await s.registry.read.workerOf([alice.account.address]);
      assert.deepEqual([w.unstakeRequestedAt, w.poolIndex], [Number(at), 0]);
      assert.equal(await s.registry.read.poolSize(), 1n);
      assert.equal((await s.registry.read.poolMember([0n])).toLowerCase(), bob.account.address.toLowerCase());
    });

    it("test_requestUnstake_revertsNotRegistered", async () => {
      const { s, bob } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(bob)).registry.write.requestUnstake(), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });
  });

  describe("WorkerRegistry.unstake", () => {
    it("test_unstake_waitsForTheAuditWindowOfTheLastAcceptedWork", async () => {
      const { s, alice, asMarket, blockTime } = await networkHelpers.loadFixture(fakeMarketFixture);
      const a = await s.registerWorker(alice, 3_000n, false);
      const requestedAt = await blockTime(await a.registry.write.requestUnstake());
      // Work accepted half a day after the request: its audit window outlasts the cooldown.
      await networkHelpers.time.setNextBlockTimestamp(requestedAt + BigInt(DAY / 2));
      const acceptedAt = await blockTime(await asMarket.write.recordAcceptedWork([alice.account.address]));
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

    it("test_unstake_revertsUnstakeNotRequested", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 3_000n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unstake([1_000n]), s.registry, "UnstakeNotRequested", [
        alice.account.address,
      ]);
    });

    it("test_unstake_revertsUnstakeCooldownUntilTheCooldownHasPassed", async () => {
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

    it("test_unstake_returnsGenesisStakeToGenesis", async () => {
      const { s, alice, assertConserved } = await load();
      const a = await s.registerWorker(alice, 3_000n, false);
      await s.wait(await a.registry.write.requestUnstake());
      await networkHelpers.time.increase(DAY);
      await viem.assertions.emitWithArgs(a.registry.write.unstake([3_000n]), s.ledger, "Unstaked", [alice.account.address, 3_000n, 3_000n]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.stakeGenesis], [GRANT, 0n, 0n, 0n]);
      await assertConserved();
    });

    it("test_unstake_revertsStakeStillLockedWhileAClaimIsOpen", async () => {
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
      // The expired claim costs expirySlashBps (1%) of the bounty and unlocks the rest.
      await s.wait(await s.market.write.expireClaim([taskId]));
      const stake = (await s.ledger.read.accountOf([alice.account.address])).stake;
      assert.equal(stake, 3_000n - 10n);
      await s.wait(await a.registry.write.unstake([stake]));
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).stake, 0n);
      await assertConserved([taskId]);
    });


    it("test_unstake_revertsInsufficientFreeStakePastTheStake", async () => {
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

    it("test_unstake_revertsNotRegistered", async () => {
      const { s, bob } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(bob)).registry.write.unstake([1n]), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });
  });

  // ------------------------------------------------------------------ verifier pool: membership

  describe("WorkerRegistry.joinVerifierPool", () => {
    it("test_joinVerifierPool_appendsTheWorkerFromTheNextBlock", async () => {
      const { s, alice, bob, blockOf } = await load();
      await s.registerWorker(bob, MIN_VERIFIER_STAKE, true);
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, false);
      const hash = await a.registry.write.joinVerifierPool();
      const block = await blockOf(hash);
      await viem.assertions.emitWithArgs(hash, s.registry, "VerifierPoolJoined", [alice.account.address, block + 1n]);
      // poolSize/poolMember: the pool after this block's changes; poolSizeAt/poolMemberAt: as draws read it.
      assert.equal(await s.registry.read.poolSize(), 2n);
      assert.equal((await s.registry.read.poolMember([1n])).toLowerCase(), alice.account.address.toLowerCase());
      assert.equal((await s.registry.read.workerOf([alice.account.address])).poolIndex, 2);
      assert.equal(await s.registry.read.poolSizeAt([block]), 1n);
      assert.equal(await s.registry.read.poolMemberAt([1n, block]), ZERO_ADDRESS);
      assert.equal(await s.registry.read.poolSizeAt([block + 1n]), 2n);
      assert.equal((await s.registry.read.poolMemberAt([1n, block + 1n])).toLowerCase(), alice.account.address.toLowerCase());
    });

    it("test_joinVerifierPool_revertsStakeBelowVerifierMinimum", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE - 1n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.joinVerifierPool(), s.registry, "StakeBelowVerifierMinimum", [
        alice.account.address,
        MIN_VERIFIER_STAKE - 1n,
        MIN_VERIFIER_STAKE,
      ]);
      assert.equal(await s.registry.read.poolSize(), 0n);
    });

    it("test_joinVerifierPool_revertsAlreadyInPool", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, true);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.joinVerifierPool(), s.registry, "AlreadyInPool", [
        alice.account.address,
      ]);
      assert.equal(await s.registry.read.poolSize(), 1n);
    });

    it("test_joinVerifierPool_revertsBannedUntilTheBanEnds", async () => {
      const { s, alice, asMarket, blockTime } = await networkHelpers.loadFixture(fakeMarketFixture);
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, false);
      const at = await blockTime(await asMarket.write.ban([alice.account.address, 1000]));
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.joinVerifierPool(), s.registry, "Banned", [
        alice.account.address,
        at + 1000n,
      ]);
    });

    it("test_joinVerifierPool_revertsNotRegistered", async () => {
      const { s, bob } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(bob)).registry.write.joinVerifierPool(), s.registry, "NotRegistered", [
        bob.account.address,
      ]);
    });

    it("test_joinVerifierPool_cancelsAPendingUnstakeRequest", async () => {
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
    it("test_leaveVerifierPool_revertsNotInPool", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, MIN_VERIFIER_STAKE, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.leaveVerifierPool(), s.registry, "NotInPool", [
        alice.account.address,
      ]);
    });

    it("test_leaveVerifierPool_swapsTheLastMemberIntoTheLeaversSlot", async () => {
      const f = await loadPool();
      const { s, alice, bob, dave, A, B, C, D } = f;
      async function assertPool(expected: Address[], gone: Address[]) {
        assert.equal(await s.registry.read.poolSize(), BigInt(expected.length));
        for (const [i, x] of expected.entries()) {
          assert.equal(getAddress(await s.registry.read.poolMember([BigInt(i)])), x);
          assert.equal((await s.registry.read.workerOf([x])).poolIndex, i + 1);
        }
        for (const x of gone) assert.equal((await s.registry.read.workerOf([x])).poolIndex, 0);
        assert.deepEqual(await poolAt(f, await f.nextBlock()), expected, "the history agrees from the next block");
      }
      await assertPool([A, B, C, D], []);
      const hash = await (await s.as(bob)).registry.write.leaveVerifierPool();
      await viem.assertions.emitWithArgs(hash, s.registry, "VerifierPoolLeft", [B, (await f.blockOf(hash)) + 1n]);
      await assertPool([A, D, C], [B]);
      await s.wait(await (await s.as(alice)).registry.write.leaveVerifierPool());
      await assertPool([C, D], [A, B]);
      await s.wait(await (await s.as(dave)).registry.write.leaveVerifierPool()); // the last member
      await assertPool([C], [A, B, D]);
      await s.wait(await (await s.as(bob)).registry.write.joinVerifierPool());
      await assertPool([C, B], [A, D]);
    });

    it("test_leaveVerifierPool_isAllowedWhileTheRegistryIsPaused", async () => {
      const { s, bob, B } = await loadPool();
      await s.wait(await s.registry.write.pause());
      await s.wait(await (await s.as(bob)).registry.write.leaveVerifierPool());
      assert.equal((await s.registry.read.workerOf([B])).poolIndex, 0);
    });
  });

  // ------------------------------------------------------------------ verifier pool: history

  describe("WorkerRegistry.poolSizeAt and poolMemberAt", () => {
    it("test_poolSizeAt_isZeroBeforeAnyoneJoined", async () => {
      const { s, nextBlock } = await load();
      assert.equal(await s.registry.read.poolSizeAt([0n]), 0n);
      assert.equal(await s.registry.read.poolSizeAt([await nextBlock()]), 0n);
      assert.equal(await s.registry.read.poolMemberAt([0n, await nextBlock()]), ZERO_ADDRESS);
    });

    it("test_poolSizeAt_aLeaveTakesEffectFromTheNextBlock", async () => {
      const f = await loadPool();
      const { s, alice, A, B, C, D } = f;
      const block = await f.blockOf(await (await s.as(alice)).registry.write.leaveVerifierPool());
      assert.deepEqual(await poolAt(f, block), [A, B, C, D], "in its own block the leaver is still there");
      assert.deepEqual(await poolAt(f, block + 1n), [D, B, C]);
    });

    it("test_poolSizeAt_laterJoinsAndLeavesDoNotChangeAnEarlierBlock", async () => {
      const f = await loadPool();
      const { s, alice, carol, erin, A, B, C, D } = f;
      const anchor = await f.nextBlock();
      const before = await poolAt(f, anchor);
      assert.deepEqual(before, [A, B, C, D]);
      await s.wait(await (await s.as(erin)).registry.write.joinVerifierPool());
      await s.wait(await (await s.as(alice)).registry.write.leaveVerifierPool());
      await s.wait(await (await s.as(carol)).registry.write.leaveVerifierPool());
      await s.wait(await (await s.as(alice)).registry.write.joinVerifierPool());
      assert.deepEqual(await poolAt(f, anchor), before);
      assert.equal(await s.registry.read.poolSizeAt([anchor]), 4n);
      for (let i = 0n; i < 4n; i++) assert.equal(getAddress(await s.registry.read.poolMemberAt([i, anchor])), before[Number(i)]);
      assert.equal(await s.registry.read.poolMemberAt([4n, anchor]), ZERO_ADDRESS);
    });

    it("test_poolSizeAt_aJoinAndALeaveInOneBlockLeaveNoTrace", async () => {
      const f = await loadPool();
      const { s, erin, A, B, C, D, E } = f;
      const e = await s.as(erin);
      const block = await inOneBlock(f, [() => e.registry.write.joinVerifierPool(GAS), () => e.registry.write.leaveVerifierPool(GAS)]);
      assert.deepEqual(await poolAt(f, block + 1n), [A, B, C, D]);
      assert.equal(await s.registry.read.poolMemberAt([4n, block + 1n]), ZERO_ADDRESS);
      assert.equal((await s.registry.read.workerOf([E])).poolIndex, 0);
      assert.deepEqual(lower(await s.registry.read.draw([4n, block + 1n, 4n, 0, 0n, none])), lower([A, B, C, D]));
    });

    it("test_poolSizeAt_aLeaveAndARejoinInOneBlockMoveTheMemberToTheTail", async () => {
      const f = await loadPool();
      const { s, bob, A, B, C, D } = f;
      const b = await s.as(bob);
      const block = await inOneBlock(f, [() => b.registry.write.leaveVerifierPool(GAS), () => b.registry.write.joinVerifierPool(GAS)]);
      assert.deepEqual(await poolAt(f, block), [A, B, C, D]);
      assert.deepEqual(await poolAt(f, block + 1n), [A, D, C, B]);
      assert.equal((await s.registry.read.workerOf([B])).poolIndex, 4);
      assert.equal((await s.registry.read.workerOf([D])).poolIndex, 2);
    });

    it("test_poolSizeAt_aRejoinInALaterBlockAppendsFromTheBlockAfterIt", async () => {
      const f = await loadPool();
      const { s, bob, A, B, C, D } = f;
      const b = await s.as(bob);
      const left = await f.blockOf(await b.registry.write.leaveVerifierPool());
      await networkHelpers.mine(3);
      const rejoined = await f.blockOf(await b.registry.write.joinVerifierPool());
      assert.deepEqual(await poolAt(f, left), [A, B, C, D]);
      for (let block = left + 1n; block <= rejoined; block++) assert.deepEqual(await poolAt(f, block), [A, D, C], `block ${block}`);
      assert.deepEqual(await poolAt(f, rejoined + 1n), [A, D, C, B]);
    });

    it(`testFuzz_poolHistory_matchesASwapAndPopModelAtEveryBlock (seed ${SEED})`, async () => {
      const f = await load();
      const { s } = f;
      const rnd = mulberry32(SEED);
      const wallets = s.wallets.slice(1, 10);
      const handles = new Map<Address, Awaited<ReturnType<typeof s.as>>>();
      for (const w of wallets) handles.set(getAddress(w.account.address), await s.registerWorker(w, MIN_VERIFIER_STAKE, false));
      const accounts = [...handles.keys()];

      // The model: swap-and-pop over an array, changes effective from the block after the one they are mined in.
      const model: Address[] = [];
      const history: { from: bigint; pool: Address[] }[] = [{ from: 0n, pool: [] }];
      const start = await s.publicClient.getBlockNumber();
      for (let step = 0; step < 30; step++) {
        const ops = 1 + Math.floor(rnd() * 3);
        const txs: (() => Promise<Hex>)[] = [];
        for (let k = 0; k < ops; k++) {
          const who = accounts[Math.floor(rnd() * accounts.length)]!;
          const registry = handles.get(who)!.registry;
          const index = model.indexOf(who);
          if (index === -1) {
            model.push(who);
            txs.push(() => registry.write.joinVerifierPool(GAS));
          } else {
            const last = model.pop()!;
            if (index < model.length) model[index] = last;
            txs.push(() => registry.write.leaveVerifierPool(GAS));
          }
        }
        const block = await inOneBlock(f, txs);
        history.push({ from: block + 1n, pool: [...model] });
        if (rnd() < 0.3) await networkHelpers.mine(1 + Math.floor(rnd() * 3));
      }
      const end = (await s.publicClient.getBlockNumber()) + 1n;
      const expectedAt = (block: bigint) => [...history].reverse().find((h) => h.from <= block)!.pool;
      const inPoolNow = new Set(model);
      for (let block = start; block <= end; block++) {
        const expected = expectedAt(block);
        assert.deepEqual(await poolAt(f, block), expected, `pool at block ${block}`);
        assert.equal(await s.registry.read.poolMemberAt([BigInt(expected.length), block]), ZERO_ADDRESS);
        // A draw anchored here reads that order and length, and skips whoever is out of the pool now.
        if (expected.length > 0) {
          const seed = BigInt(Math.floor(rnd() * 1e9));
          const from = Number(seed % BigInt(expected.length));
          const rotated = [...expected.slice(from), ...expected.slice(0, from)].filter((x) => inPoolNow.has(x));
          const drawn = await s.registry.read.draw([seed, block, 3n, 0, 0n, none]);
          assert.deepEqual(drawn.map((x) => getAddress(x)), rotated.slice(0, 3), `draw at block ${block}, seed ${seed}`);
        }
      }
      for (const [i, x] of model.entries()) assert.equal((await s.registry.read.workerOf([x])).poolIndex, i + 1);
      for (const x of accounts.filter((a) => !inPoolNow.has(a))) assert.equal((await s.registry.read.workerOf([x])).poolIndex, 0);
      assert.equal(await s.registry.read.poolSize(), BigInt(model.length));
    });
  });

  // ------------------------------------------------------------------ draw

  describe("WorkerRegistry.draw", () => {
    it("test_draw_returnsUpToCountDistinctMembersFromSeedModSizeWrappingAround", async () => {
      const { s, nextBlock, A, B, C, D } = await loadPool();
      const at = await nextBlock();
      assert.deepEqual(lower(await s.registry.read.draw([1n, at, 2n, 0, 0n, none])), lower([B, C]));
      assert.deepEqual(lower(await s.registry.read.draw([3n, at, 3n, 0, 0n, none])), lower([D, A, B]));
      assert.deepEqual(lower(await s.registry.read.draw([4n * 1000n + 2n, at, 1n, 0, 0n, none])), lower([C]));
      const all = await s.registry.read.draw([2n, at, 10n, 0, 0n, none]);
      assert.deepEqual(lower(all), lower([C, D, A, B]));
      assert.equal(new Set(lower(all)).size, 4);
    });

    it("test_draw_atAnOldAnchorIsUnaffectedByLaterJoins", async () => {
      const f = await loadPool();
      const { s, erin, nextBlock } = f;
      const anchor = await nextBlock();
      const seeds = [0n, 1n, 2n, 3n, 5n, 6n, 7n, 11n];
      const before = await Promise.all(seeds.map((seed) => s.registry.read.draw([seed, anchor, 2n, 0, 0n, none])));
      // An attacker adds an account at the tail once the anchor's hash (the seed) is known...
      await s.wait(await (await s.as(erin)).registry.write.joinVerifierPool());
      await s.registerWorker(f.s.wallets[6]!, 2_000n, true);
      assert.equal(await s.registry.read.poolSize(), 6n);
      // ...and the draw anchored before reads the same length (same start slot) and the same order.
      const after = await Promise.all(seeds.map((seed) => s.registry.read.draw([seed, anchor, 2n, 0, 0n, none])));
      assert.deepEqual(after, before);
      // A draw anchored after the joins does read the grown pool: for some seed it differs.
      const later = await nextBlock();
      const moved = await Promise.all(seeds.map((seed) => s.registry.read.draw([seed, later, 2n, 0, 0n, none])));
      assert.notDeepEqual(moved, before);
    });

    it("test_draw_atAnOldAnchorSkipsMembersThatLeftSinceAndNeverCountsAMovedMemberTwice", async () => {
      const f = await loadPool();
      const { s, bob, nextBlock, A, C, D } = f;
      const anchor = await nextBlock();
      await s.wait(await (await s.as(bob)).registry.write.leaveVerifierPool());
      // Now [A, D, C]; the anchor still reads [A, B, C, D]: B is skipped and D is read only at its old slot.
      assert.deepEqual(lower(await s.registry.read.draw([1n, anchor, 2n, 0, 0n, none])), lower([C, D]));
      assert.deepEqual(lower(await s.registry.read.draw([1n, anchor, 4n, 0, 0n, none])), lower([C, D, A]));
      assert.deepEqual(lower(await s.registry.read.draw([0n, anchor, 4n, 0, 0n, none])), lower([A, C, D]));
    });

    it("test_draw_atAnOldAnchorDrawsALeaverWhoRejoinedFromItsOldSlotOnly", async () => {
      const f = await loadPool();
      const { s, bob, nextBlock, A, B, C, D } = f;
      const anchor = await nextBlock();
      const b = await s.as(bob);
      await s.wait(await b.registry.write.leaveVerifierPool());
      await s.wait(await b.registry.write.joinVerifierPool());
      assert.deepEqual(await poolAt(f, await nextBlock()), [A, D, C, B]);
      assert.deepEqual(lower(await s.registry.read.draw([1n, anchor, 4n, 0, 0n, none])), lower([B, C, D, A]));
    });

    it("test_draw_atAnAnchorBeforeAJoinerJoinedDoesNotDrawIt", async () => {
      const f = await loadPool();
      const { s, erin, A, B, C, D } = f;
      const hash = await (await s.as(erin)).registry.write.joinVerifierPool();
      const block = await f.blockOf(hash);
      // Anchored to the join's own block: the pool of the block before, without erin.
      assert.deepEqual(lower(await s.registry.read.draw([0n, block, 5n, 0, 0n, none])), lower([A, B, C, D]));
      assert.equal((await s.registry.read.draw([0n, block + 1n, 5n, 0, 0n, none])).length, 5);
    });

    it("test_draw_excludesTheGivenAddresses", async () => {
      const { s, nextBlock, A, B, C, D } = await loadPool();
      const at = await nextBlock();
      assert.deepEqual(lower(await s.registry.read.draw([0n, at, 4n, 0, 0n, [B, D]])), lower([A, C]));
      assert.deepEqual(await s.registry.read.draw([1n, at, 4n, 0, 0n, [A, B, C, D]]), []);
    });

    it("test_draw_skipsMembersWithoutTheCapability", async () => {
      const { s, carol, nextBlock, A, B, C, D } = await loadPool();
      await s.wait(await (await s.as(carol)).registry.write.update([1000, 0b1n]));
      const at = await nextBlock();
      assert.deepEqual(lower(await s.registry.read.draw([0n, at, 4n, 3, 0n, none])), lower([A, B, D]));
      assert.deepEqual(lower(await s.registry.read.draw([0n, at, 4n, 0, 0n, none])), lower([A, B, C, D]));
    });

    it("test_draw_skipsMembersWhoseStakeFellUnderTheVerifierMinimum", async () => {
      const { s, opLedger, nextBlock, A, B, C, D } = await loadPool();
      await s.wait(await opLedger.write.unlockAndSlash([D, 0n, 2_000n - MIN_VERIFIER_STAKE + 1n]));
      assert.equal((await s.ledger.read.accountOf([D])).stake, MIN_VERIFIER_STAKE - 1n);
      assert.deepEqual(lower(await s.registry.read.draw([0n, await nextBlock(), 4n, 0, 0n, none])), lower([A, B, C]));
    });

    it("test_draw_skipsMembersWithLessFreeStakeThanTheLock", async () => {
      const { s, opLedger, nextBlock, A, B, C, D } = await loadPool();
      await s.wait(await opLedger.write.lockStake([B, 1_500n])); // 500 free
      const at = await nextBlock();
      assert.deepEqual(lower(await s.registry.read.draw([0n, at, 4n, 0, 501n, none])), lower([A, C, D]));
      assert.deepEqual(lower(await s.registry.read.draw([0n, at, 4n, 0, 500n, none])), lower([A, B, C, D]));
    });

    it("test_draw_neverReturnsABannedWorker", async () => {
      const { s, bob, asMarket, nextBlock, A, B, C, D } = await loadPool();
      const anchor = await nextBlock();
      await s.wait(await asMarket.write.ban([B, 1000]));
      // Not from the current pool, and not from an anchor before the ban either.
      assert.deepEqual(lower(await s.registry.read.draw([0n, await nextBlock(), 4n, 0, 0n, none])), lower([A, D, C]));
      assert.deepEqual(lower(await s.registry.read.draw([1n, anchor, 4n, 0, 0n, none])), lower([C, D, A]));
      await networkHelpers.time.increase(1001);
      await s.wait(await (await s.as(bob)).registry.write.joinVerifierPool());
      assert.deepEqual(lower(await s.registry.read.draw([0n, await nextBlock(), 4n, 0, 0n, none])), lower([A, D, C, B]));
    });

    it("test_draw_scansAtMostMaxDrawScanMembersFromTheStart", async () => {
      const { s, nextBlock } = await load();
      assert.equal(await s.registry.read.MAX_DRAW_SCAN(), 32n);
      const members: Address[] = [];
      for (let i = 1; i <= 34; i++) {
        const address = getAddress(`0x${(0xc0ffee00 + i).toString(16).padStart(40, "0")}`);
        await networkHelpers.impersonateAccount(address);
        await networkHelpers.setBalance(address, 10n ** 18n);
        const wallet = await viem.getWalletClient(address);
        const registry = await viem.getContractAt("WorkerRegistry", s.registry.address, { client: { wallet } });
        await s.wait(await registry.write.register([1000, ALL_CAPABILITIES]));
        await s.wait(await registry.write.stake([MIN_VERIFIER_STAKE]));
        await s.wait(await registry.write.joinVerifierPool());
        members.push(address);
      }
      const at = await nextBlock();
      assert.deepEqual(lower(await s.registry.read.draw([0n, at, 40n, 0, 0n, none])), lower(members.slice(0, 32)));
      assert.deepEqual(lower(await s.registry.read.draw([33n, at, 40n, 0, 0n, none])), lower([members[33]!, ...members.slice(0, 31)]));
      // Excluded members still use up the scan: nothing past the window is reached.
      assert.deepEqual(lower(await s.registry.read.draw([0n, at, 40n, 0, 0n, members.slice(0, 31)])), lower([members[31]!]));
    });

    it("test_draw_returnsNothingFromAnEmptyPoolOrForACountOfZero", async () => {
      const { s, nextBlock, A } = await loadPool();
      assert.deepEqual(await s.registry.read.draw([0n, await nextBlock(), 0n, 0, 0n, none]), []);
      assert.deepEqual(await s.registry.read.draw([0n, 1n, 3n, 0, 0n, [A]]), []);
    });
  });

  // ------------------------------------------------------------------ market only

  describe("WorkerRegistry.adjustReputation", () => {
    it("test_adjustReputation_revertsNotMarket", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.adjustReputation([alice.account.address, 100]), s.registry, "NotMarket", [
        alice.account.address,
      ]);
      assert.equal((await s.registry.read.workerOf([alice.account.address])).reputation, 0);
    });

    it("test_adjustReputation_addsTheDelta", async () => {
      const { s, alice, asMarket } = await networkHelpers.loadFixture(fakeMarketFixture);
      await s.registerWorker(alice, 0n, false);
      await viem.assertions.emitWithArgs(asMarket.write.adjustReputation([alice.account.address, -3]), s.registry, "ReputationChanged", [
        alice.account.address,
        -3n,
        -3n,
      ]);
      await viem.assertions.emitWithArgs(asMarket.write.adjustReputation([alice.account.address, 5]), s.registry, "ReputationChanged", [
        alice.account.address,
        5n,
        2n,
      ]);
      assert.equal((await s.registry.read.workerOf([alice.account.address])).reputation, 2);
    });
  });

  describe("WorkerRegistry.recordAcceptedWork", () => {
    it("test_recordAcceptedWork_addsReputationAndRecordsWhen", async () => {
      const { s, alice, asMarket, blockTime } = await networkHelpers.loadFixture(fakeMarketFixture);
      await s.registerWorker(alice, 0n, false);
      const hash = await asMarket.write.recordAcceptedWork([alice.account.address]);
      const at = await blockTime(hash);
      await viem.assertions.emitWithArgs(hash, s.registry, "ReputationChanged", [alice.account.address, 1n, 1n]);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkAccepted", [alice.account.address, at]);
      const w = await s.registry.read.workerOf([alice.account.address]);
      assert.deepEqual([w.reputation, w.lastAcceptedAt], [1, Number(at)]);
    });

    it("test_recordAcceptedWork_revertsNotMarket", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.recordAcceptedWork([alice.account.address]), s.registry, "NotMarket", [
        alice.account.address,
      ]);
    });
  });

  describe("WorkerRegistry.ban", () => {
    it("test_ban_revertsNotMarket", async () => {
      const { s, alice, gov } = await load();
      await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(s.registry.write.ban([alice.account.address, 1000]), s.registry, "NotMarket", [
        gov.account.address,
      ]);
      assert.equal(await s.registry.read.isBanned([alice.account.address]), false);
    });

    it("test_ban_stopsTheWorkerAndTakesItOutOfThePoolUntilTheBanEnds", async () => {
      const { s, alice, asMarket, blockTime, blockOf } = await networkHelpers.loadFixture(fakeMarketFixture);
      await s.registerWorker(alice, MIN_VERIFIER_STAKE, true);
      const hash = await asMarket.write.ban([alice.account.address, 1000]);
      const at = await blockTime(hash);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkerBanned", [alice.account.address, at + 1000n]);
      await viem.assertions.emitWithArgs(hash, s.registry, "VerifierPoolLeft", [alice.account.address, (await blockOf(hash)) + 1n]);
      assert.equal((await s.registry.read.workerOf([alice.account.address])).bannedUntil, Number(at + 1000n));
      assert.equal(await s.registry.read.isBanned([alice.account.address]), true);
      assert.equal(await s.registry.read.canWork([alice.account.address, 0]), false);
      assert.equal(await s.registry.read.poolSize(), 0n);
      await networkHelpers.time.increaseTo(at + 1000n);
      assert.equal(await s.registry.read.isBanned([alice.account.address]), false);
      assert.equal(await s.registry.read.canWork([alice.account.address, 0]), true);
    });
  });

  // ------------------------------------------------------------------ governance

  describe("WorkerRegistry.setMarket", () => {
    it("test_setMarket_revertsOwnableUnauthorizedAccount", async () => {
      const { s, alice } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(alice)).registry.write.setMarket([alice.account.address]),
        s.registry,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      assert.equal((await s.registry.read.market()).toLowerCase(), s.market.address.toLowerCase());
    });
  });

  describe("WorkerRegistry.pause", () => {
    it("test_pause_stopsRegisterStakeAndJoin", async () => {
      const { s, alice, bob } = await load();
      const b = await s.registerWorker(bob, MIN_VERIFIER_STAKE, false);
      await s.wait(await s.registry.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(alice)).registry.write.register([1000, 1n]), s.registry, "EnforcedPause", []);
      await viem.assertions.revertWithCustomErrorWithArgs(b.registry.write.stake([1n]), s.registry, "EnforcedPause", []);
      await viem.assertions.revertWithCustomErrorWithArgs(b.registry.write.joinVerifierPool(), s.registry, "EnforcedPause", []);
      await s.wait(await s.registry.write.unpause());
      await s.wait(await b.registry.write.joinVerifierPool());
      assert.equal(await s.registry.read.poolSize(), 1n);
    });

    it("test_pause_revertsOwnableUnauthorizedAccount", async () => {
      const { s, alice } = await load();
      const a = await s.as(alice);
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.pause(), s.registry, "OwnableUnauthorizedAccount", [
        alice.account.address,
      ]);
      await s.wait(await s.registry.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(a.registry.write.unpause(), s.registry, "OwnableUnauthorizedAccount", [
        alice.account.address,
      ]);
    });
  });
});

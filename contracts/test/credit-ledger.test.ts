/**
 * CreditLedger: one test per rule and per revert (DESIGN §2). Most rules are driven through the operator
 * functions by a test account granted OPERATOR_ROLE, so that each amount is exact; genesis, posting and
 * cancelling go through the real registry and market. Every test that moves credit ends with the
 * conservation check: balances + genesis + stakes + escrow + treasury == genesis issued.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, keccak256, parseEventLogs, toHex } from "viem";
import { defaultParams, escrowFor, VerificationMode } from "../../lib/protocol/params.ts";
import { OPERATOR_ROLE } from "../deploy/deploy-protocol.ts";
import { ALL_CAPABILITIES, setupProtocol } from "../test-support/fixture.ts";

const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as const;
const GRANT = defaultParams.genesisGrant; // 10 CC
const T1 = keccak256(toHex("ledger-test-task-1"));
const T2 = keccak256(toHex("ledger-test-task-2"));

describe("CreditLedger", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;

  async function ledgerFixture() {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [gov, alice, bob, carol, dave, erin] = s.wallets;
    const funder = s.wallets[18];
    const funder2 = s.wallets[17];
    const op = s.wallets[19];
    assert.ok(gov && alice && bob && carol && dave && erin && funder && funder2 && op);
    await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, op.account.address]));
    const ledgerAs = (wallet: typeof op) =>
      viem.getContractAt("CreditLedger", s.ledger.address, { client: { wallet } });
    const opLedger = await ledgerAs(op);
    // The funder's genesis pays for the earned credit the tests hand out.
    await s.wait(await opLedger.write.grantGenesis([funder.account.address]));
    await s.wait(await opLedger.write.grantGenesis([funder2.account.address]));
    const everyone = s.wallets.map((w) => w.account.address);
    let fundingTask = 0;

    /** Gives `to` `amount` mCC of balance earned by work (raising its credit limit), paid from a funder's genesis. */
    async function giveEarned(to: Address, amount: bigint, earnedByWork = true) {
      const task = keccak256(toHex(`funding-${fundingTask++}`));
      const from = (await s.ledger.read.spendable([funder!.account.address])) >= amount ? funder! : funder2!;
      await s.wait(await opLedger.write.escrow([task, from.account.address, amount]));
      await s.wait(await opLedger.write.payFromEscrow([task, to, amount, earnedByWork]));
    }

    async function assertConserved(extraTasks: Hex[] = []) {
      const tasks = [T1, T2, ...extraTasks];
      for (let i = 0; i < fundingTask; i++) tasks.push(keccak256(toHex(`funding-${i}`)));
      const totals = await s.creditTotals(everyone, tasks);
      assert.equal(totals.held, totals.issued, "credit held != genesis issued");
    }

    return { s, gov, alice, bob, carol, dave, erin, funder, op, opLedger, ledgerAs, giveEarned, assertConserved };
  }

  async function genesisCapFixture() {
    const s = await setupProtocol(connection, { genesisAccounts: 3 });
    const op = s.wallets[19];
    assert.ok(op);
    await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, op.account.address]));
    const opLedger = await viem.getContractAt("CreditLedger", s.ledger.address, { client: { wallet: op } });
    return { s, opLedger };
  }

  const load = () => networkHelpers.loadFixture(ledgerFixture);

  /** A real replicated task, accepted 2-of-3: alice requests, bob works, carol and dave verify. Bob earns 1000. */
  async function acceptedTask(f: Awaited<ReturnType<typeof ledgerFixture>>) {
    const { s, alice, bob, carol, dave } = f;
    await s.registerWorker(alice, 0n, false);
    const w = await s.registerWorker(bob, 2_000n, false);
    const v1 = await s.registerWorker(carol);
    const v2 = await s.registerWorker(dave);
    const taskId = await s.post(alice, { bounty: 1_000n });
    await s.wait(await w.market.write.claim([taskId]));
    const out = s.result(taskId, bob.account.address, "good");
    await s.wait(await w.market.write.commit([taskId, out.commitment]));
    await s.drawVerifiers(taskId);
    const a = s.result(taskId, carol.account.address, "good");
    const b = s.result(taskId, dave.account.address, "good");
    await s.wait(await v1.market.write.commit([taskId, a.commitment]));
    await s.wait(await v2.market.write.commit([taskId, b.commitment]));
    await s.wait(await w.market.write.reveal([taskId, out.cid, out.salt]));
    await s.wait(await v1.market.write.reveal([taskId, a.cid, a.salt]));
    await s.wait(await v2.market.write.reveal([taskId, b.cid, b.salt]));
    await s.wait(await s.market.write.settle([taskId]));
    return taskId;
  }

  // ------------------------------------------------------------------ genesis

  describe("CreditLedger.grantGenesis", () => {
    it("grants 10 CC of genesis credit to each registered account and numbers them", async () => {
      const { s, alice, bob } = await load();
      const a = await s.as(alice);
      const b = await s.as(bob);
      // The two funders (accounts 1 and 2) were granted in the fixture.
      await viem.assertions.emitWithArgs(a.registry.write.register([1000, ALL_CAPABILITIES]), s.ledger, "GenesisGranted", [
        alice.account.address,
        GRANT,
        3n,
      ]);
      await viem.assertions.emitWithArgs(b.registry.write.register([1000, ALL_CAPABILITIES]), s.ledger, "GenesisGranted", [
        bob.account.address,
        GRANT,
        4n,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual(
        [acc.balance, acc.genesis, acc.earned, acc.stake, acc.stakeGenesis, acc.lockedStake],
        [0n, 10_000n, 0n, 0n, 0n, 0n],
      );
      assert.equal(await s.ledger.read.genesisIssued(), 4n * GRANT);
      assert.equal(await s.ledger.read.genesisAccountsGranted(), 4n);
      assert.equal(await s.ledger.read.hasGenesis([bob.account.address]), true);
    });

    it("grants nothing past genesisAccounts: the 4th registered gets 0 and genesisIssued stops growing", async () => {
      const { s } = await networkHelpers.loadFixture(genesisCapFixture);
      const [, w1, w2, w3, w4, w5] = s.wallets;
      assert.ok(w1 && w2 && w3 && w4 && w5);
      for (const w of [w1, w2, w3]) {
        await s.wait(await (await s.as(w)).registry.write.register([1000, ALL_CAPABILITIES]));
      }
      assert.equal(await s.ledger.read.genesisIssued(), 30_000n);
      const hash = await (await s.as(w4)).registry.write.register([1000, ALL_CAPABILITIES]);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkerRegistered", [
        w4.account.address,
        1000n,
        ALL_CAPABILITIES,
        0n,
      ]);
      const receipt = await s.wait(hash);
      assert.equal(parseEventLogs({ abi: s.ledger.abi, logs: receipt.logs, eventName: "GenesisGranted" }).length, 0);
      await s.wait(await (await s.as(w5)).registry.write.register([1000, ALL_CAPABILITIES]));
      assert.equal((await s.ledger.read.accountOf([w4.account.address])).genesis, 0n);
      assert.equal((await s.ledger.read.accountOf([w5.account.address])).genesis, 0n);
      assert.equal(await s.ledger.read.hasGenesis([w4.account.address]), true);
      assert.equal(await s.ledger.read.genesisIssued(), 30_000n);
      assert.equal(await s.ledger.read.genesisAccountsGranted(), 3n);
      const totals = await s.creditTotals(
        s.wallets.map((w) => w.account.address),
        [],
      );
      assert.equal(totals.held, totals.issued);
    });

    it("reverts GenesisAlreadyGranted when an account is granted twice", async () => {
      const { s, opLedger, alice } = await load();
      await s.wait(await (await s.as(alice)).registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.grantGenesis([alice.account.address]),
        s.ledger,
        "GenesisAlreadyGranted",
        [alice.account.address],
      );
      assert.equal(await s.ledger.read.genesisIssued(), 3n * GRANT);
    });

    it("reverts GenesisAlreadyGranted for an account that registered after the cap and got nothing", async () => {
      const { s, opLedger } = await networkHelpers.loadFixture(genesisCapFixture);
      const late = s.wallets[4];
      assert.ok(late);
      for (const w of s.wallets.slice(1, 4)) await s.wait(await opLedger.write.grantGenesis([w.account.address]));
      await s.wait(await opLedger.write.grantGenesis([late.account.address]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.grantGenesis([late.account.address]),
        s.ledger,
        "GenesisAlreadyGranted",
        [late.account.address],
      );
    });
  });

  // ------------------------------------------------------------------ transfer

  describe("CreditLedger.transfer", () => {
    it("reverts InsufficientTransferable when transferring genesis credit", async () => {
      const { s, alice, bob, assertConserved } = await load();
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.ledger.write.transfer([bob.account.address, 1n]),
        s.ledger,
        "InsufficientTransferable",
        [alice.account.address, 0n, 1n],
      );
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, GRANT);
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).balance, 0n);
      await assertConserved();
    });

    it("transfers credit earned by a real accepted task", async () => {
      const f = await load();
      const { s, bob, erin } = f;
      const taskId = await acceptedTask(f);
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).balance, 1_000n);
      const b = await s.as(bob);
      await viem.assertions.emitWithArgs(b.ledger.write.transfer([erin.account.address, 400n]), s.ledger, "Transferred", [
        bob.account.address,
        erin.account.address,
        400n,
      ]);
      const bobAcc = await s.ledger.read.accountOf([bob.account.address]);
      const erinAcc = await s.ledger.read.accountOf([erin.account.address]);
      assert.equal(bobAcc.balance, 600n);
      assert.equal(bobAcc.earned, 1_000n, "a transfer does not undo what was earned");
      assert.equal(erinAcc.balance, 400n);
      assert.equal(erinAcc.earned, 0n, "received credit is not earned by work");
      assert.equal(await s.ledger.read.creditLimit([erin.account.address]), 0n);
      await f.assertConserved([taskId]);
    });

    it("reverts InsufficientTransferable past the balance: the credit line is not transferable", async () => {
      const { s, bob, erin, giveEarned, assertConserved } = await load();
      await giveEarned(bob.account.address, 1_000n);
      assert.equal(await s.ledger.read.creditLimit([bob.account.address]), 500n);
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(
        b.ledger.write.transfer([erin.account.address, 1_001n]),
        s.ledger,
        "InsufficientTransferable",
        [bob.account.address, 1_000n, 1_001n],
      );
      await assertConserved();
    });

    it("reverts InsufficientTransferable for an account in debt", async () => {
      const { s, bob, erin, opLedger, giveEarned, assertConserved } = await load();
      await giveEarned(bob.account.address, 1_000n);
      await s.wait(await opLedger.write.escrow([T1, bob.account.address, 1_500n]));
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(
        b.ledger.write.transfer([erin.account.address, 1n]),
        s.ledger,
        "InsufficientTransferable",
        [bob.account.address, -500n, 1n],
      );
      await assertConserved();
    });

    it("reverts ZeroAmount for a zero transfer", async () => {
      const { s, bob, erin } = await load();
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(
        b.ledger.write.transfer([erin.account.address, 0n]),
        s.ledger,
        "ZeroAmount",
        [],
      );
    });
  });

  // ------------------------------------------------------------------ credit limit

  describe("CreditLedger.creditLimit", () => {
    it("is 0 for a new account", async () => {
      const { s, alice } = await load();
      await s.wait(await (await s.as(alice)).registry.write.register([1000, ALL_CAPABILITIES]));
      assert.equal(await s.ledger.read.creditLimit([alice.account.address]), 0n);
    });

    it("is half of the credit earned through verified work, rounded down", async () => {
      const { s, bob, assertConserved, giveEarned } = await load();
      await giveEarned(bob.account.address, 1_001n);
      assert.equal(await s.ledger.read.creditLimit([bob.account.address]), 500n);
      await assertConserved();
    });

    it("does not grow with credit paid without work", async () => {
      const { s, bob, assertConserved, giveEarned } = await load();
      await giveEarned(bob.account.address, 1_000n, false);
      const acc = await s.ledger.read.accountOf([bob.account.address]);
      assert.equal(acc.balance, 1_000n);
      assert.equal(acc.earned, 0n);
      assert.equal(await s.ledger.read.creditLimit([bob.account.address]), 0n);
      await assertConserved();
    });

    it("is capped at 100 CC", async () => {
      const { s, alice, bob, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      const b = await s.as(bob);
      // The same 10 CC goes round 21 times: bob earns 210 CC, whose half (105 CC) is above the cap.
      for (let i = 0; i < 21; i++) {
        await s.wait(await opLedger.write.escrow([T1, alice.account.address, GRANT]));
        await s.wait(await opLedger.write.payFromEscrow([T1, bob.account.address, GRANT, true]));
        await s.wait(await b.ledger.write.transfer([alice.account.address, GRANT]));
      }
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).earned, 210_000n);
      assert.equal(await s.ledger.read.creditLimit([bob.account.address]), 100_000n);
      assert.equal(await s.ledger.read.spendable([bob.account.address]), 100_000n);
      await assertConserved();
    });
  });

  describe("CreditLedger.spendable", () => {
    it("is genesis + balance + credit limit", async () => {
      const { s, alice, opLedger, giveEarned, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await giveEarned(alice.account.address, 1_000n);
      assert.equal(await s.ledger.read.spendable([alice.account.address]), 10_000n + 1_000n + 500n);
      await assertConserved();
    });

    it("is negative for an account pushed below its credit limit by a slash", async () => {
      const { s, bob, opLedger, giveEarned, assertConserved } = await load();
      await giveEarned(bob.account.address, 1_000n);
      await s.wait(await opLedger.write.slash([bob.account.address, 2_000n]));
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).balance, -1_000n);
      assert.equal(await s.ledger.read.spendable([bob.account.address]), -500n);
      await assertConserved();
    });
  });

  // ------------------------------------------------------------------ escrow

  describe("CreditLedger.escrow", () => {
    it("spends genesis before earned balance and records the genesis part", async () => {
      const { s, alice, opLedger, giveEarned, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await giveEarned(alice.account.address, 1_000n);
      await viem.assertions.emitWithArgs(opLedger.write.escrow([T1, alice.account.address, 10_500n]), s.ledger, "Escrowed", [
        T1,
        alice.account.address,
        10_500n,
        10_000n,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.equal(acc.genesis, 0n);
      assert.equal(acc.balance, 500n);
      assert.deepEqual(await s.ledger.read.escrowOf([T1]), { amount: 10_500n, genesis: 10_000n });
      await assertConserved();
    });

    it("may spend into the credit line down to -limit", async () => {
      const { s, bob, opLedger, giveEarned, assertConserved } = await load();
      await giveEarned(bob.account.address, 1_000n);
      await s.wait(await opLedger.write.escrow([T1, bob.account.address, 1_500n]));
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).balance, -500n);
      assert.equal(await s.ledger.read.spendable([bob.account.address]), 0n);
      assert.deepEqual(await s.ledger.read.escrowOf([T1]), { amount: 1_500n, genesis: 0n });
      await assertConserved();
    });

    it("reverts InsufficientCredit when spending past the credit limit", async () => {
      const { s, bob, opLedger, giveEarned, assertConserved } = await load();
      await giveEarned(bob.account.address, 1_000n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.escrow([T1, bob.account.address, 1_501n]),
        s.ledger,
        "InsufficientCredit",
        [bob.account.address, 1_500n, 1_501n],
      );
      await assertConserved();
    });

    it("reverts ZeroAmount for a zero escrow", async () => {
      const { s, bob, opLedger } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.escrow([T1, bob.account.address, 0n]),
        s.ledger,
        "ZeroAmount",
        [],
      );
    });

    it("lets an account pushed below -limit by a slash post nothing until the debt is worked off", async () => {
      const { s, bob, opLedger, giveEarned, assertConserved } = await load();
      await giveEarned(bob.account.address, 10_000n); // limit 5000
      await s.wait(await opLedger.write.slash([bob.account.address, 14_000n])); // balance -4000: within the limit
      const small = escrowFor(100n, VerificationMode.Replicated); // 103
      const posted = await s.post(bob, { bounty: 100n });
      assert.equal((await s.ledger.read.escrowOf([posted])).amount, small);
      await s.wait(await opLedger.write.slash([bob.account.address, 2_000n])); // balance -6103: past -5000
      assert.equal(await s.ledger.read.spendable([bob.account.address]), -1_103n);
      const b = await s.as(bob);
      const now = Number((await s.publicClient.getBlock()).timestamp);
      await viem.assertions.revertWithCustomErrorWithArgs(
        b.market.write.post([
          {
            typeId: 0,
            mode: VerificationMode.Replicated,
            bounty: 100,
            deadline: now + 3600,
            claimWindow: 0,
            preferredWorker: "0x0000000000000000000000000000000000000000",
            zkInputCommitment: 0n,
            inputCid: toHex("bafy-debtor"),
            spec: toHex("{}"),
          },
        ]),
        s.ledger,
        "InsufficientCredit",
        [bob.account.address, -1_103n, small],
      );
      // Working the debt off (earning 1200 more, limit +600) lets the account post again.
      await giveEarned(bob.account.address, 1_200n);
      assert.equal(await s.ledger.read.spendable([bob.account.address]), 697n);
      const again = await s.post(bob, { bounty: 100n });
      await assertConserved([posted, again]);
    });
  });

  describe("CreditLedger.refundEscrow", () => {
    it("returns the genesis part of a cancelled genesis-funded post to the genesis pot, not the balance", async () => {
      const { s, alice, bob, assertConserved } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      const taskId = await s.post(alice, { bounty: 1_000n });
      const escrowed = escrowFor(1_000n, VerificationMode.Replicated);
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: escrowed, genesis: escrowed });
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, GRANT - escrowed);
      await viem.assertions.emitWithArgs(a.market.write.cancel([taskId]), s.ledger, "EscrowRefunded", [
        taskId,
        alice.account.address,
        escrowed,
        escrowed,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.equal(acc.genesis, GRANT);
      assert.equal(acc.balance, 0n);
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: 0n, genesis: 0n });
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.ledger.write.transfer([bob.account.address, 1n]),
        s.ledger,
        "InsufficientTransferable",
        [alice.account.address, 0n, 1n],
      );
      await assertConserved([taskId]);
    });

    it("returns a mixed escrow of a cancelled post as genesis and balance, each to its own pot", async () => {
      const { s, alice, giveEarned, assertConserved } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await giveEarned(alice.account.address, 1_000n);
      const taskId = await s.post(alice, { bounty: 10_000n }); // escrow 10300: 10000 genesis + 300 balance
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: 10_300n, genesis: 10_000n });
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).balance, 700n);
      await viem.assertions.emitWithArgs(a.market.write.cancel([taskId]), s.ledger, "EscrowRefunded", [
        taskId,
        alice.account.address,
        10_300n,
        10_000n,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.equal(acc.genesis, GRANT);
      assert.equal(acc.balance, 1_000n);
      await assertConserved([taskId]);
    });

    it("after a payment, refunds the remaining genesis part first: a payment consumes non-genesis escrow first", async () => {
      const { s, alice, bob, opLedger, giveEarned, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await giveEarned(alice.account.address, 1_000n);
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 10_500n])); // 10000 genesis + 500
      await s.wait(await opLedger.write.payFromEscrow([T1, bob.account.address, 300n, true]));
      assert.deepEqual(await s.ledger.read.escrowOf([T1]), { amount: 10_200n, genesis: 10_000n });
      await s.wait(await opLedger.write.payFromEscrow([T1, bob.account.address, 700n, true]));
      assert.deepEqual(await s.ledger.read.escrowOf([T1]), { amount: 9_500n, genesis: 9_500n });
      await viem.assertions.emitWithArgs(
        opLedger.write.refundEscrow([T1, alice.account.address, 9_500n]),
        s.ledger,
        "EscrowRefunded",
        [T1, alice.account.address, 9_500n, 9_500n],
      );
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.equal(acc.genesis, 9_500n);
      assert.equal(acc.balance, 500n);
      assert.equal((await s.ledger.read.accountOf([bob.account.address])).balance, 1_000n);
      await assertConserved();
    });

    it("a partial refund returns genesis first and keeps the escrow's genesis part within its amount", async () => {
      const { s, alice, opLedger, giveEarned, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await giveEarned(alice.account.address, 1_000n);
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 10_500n]));
      await s.wait(await opLedger.write.refundEscrow([T1, alice.account.address, 10_200n]));
      assert.deepEqual(await s.ledger.read.escrowOf([T1]), { amount: 300n, genesis: 0n });
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.equal(acc.genesis, 10_000n);
      assert.equal(acc.balance, 500n + 200n);
      await assertConserved();
    });

    it("reverts InsufficientEscrow when refunding more than the task holds", async () => {
      const { s, alice, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 1_000n]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.refundEscrow([T1, alice.account.address, 1_001n]),
        s.ledger,
        "InsufficientEscrow",
        [T1, 1_000n, 1_001n],
      );
      await assertConserved();
    });

    it("is a no-op for a zero amount, even on a task with no escrow", async () => {
      const { s, alice, opLedger } = await load();
      const receipt = await s.wait(await opLedger.write.refundEscrow([T2, alice.account.address, 0n]));
      assert.equal(receipt.logs.length, 0);
    });
  });

  describe("CreditLedger.payFromEscrow", () => {
    it("pays the recipient's balance and counts it as earned when earned by work", async () => {
      const { s, alice, bob, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 1_000n]));
      await viem.assertions.emitWithArgs(
        opLedger.write.payFromEscrow([T1, bob.account.address, 600n, true]),
        s.ledger,
        "EscrowPaid",
        [T1, bob.account.address, 600n],
      );
      const acc = await s.ledger.read.accountOf([bob.account.address]);
      assert.equal(acc.balance, 600n);
      assert.equal(acc.earned, 600n);
      assert.equal(acc.genesis, 0n, "genesis spent on a task becomes the worker's earned balance");
      assert.deepEqual(await s.ledger.read.escrowOf([T1]), { amount: 400n, genesis: 400n });
      await assertConserved();
    });

    it("reverts InsufficientEscrow when paying more than the task holds", async () => {
      const { s, alice, bob, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 1_000n]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.payFromEscrow([T1, bob.account.address, 1_001n, true]),
        s.ledger,
        "InsufficientEscrow",
        [T1, 1_000n, 1_001n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.payFromEscrow([T2, bob.account.address, 1n, true]),
        s.ledger,
        "InsufficientEscrow",
        [T2, 0n, 1n],
      );
      await assertConserved();
    });
  });

  describe("CreditLedger.escrowToTreasury", () => {
    it("moves escrow to the treasury", async () => {
      const { s, alice, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 1_000n]));
      await viem.assertions.emitWithArgs(opLedger.write.escrowToTreasury([T1, 10n]), s.ledger, "EscrowToTreasury", [
        T1,
        10n,
      ]);
      assert.equal(await s.ledger.read.treasury(), 10n);
      assert.deepEqual(await s.ledger.read.escrowOf([T1]), { amount: 990n, genesis: 990n });
      await assertConserved();
    });

    it("reverts InsufficientEscrow when moving more than the task holds", async () => {
      const { s, alice, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 1_000n]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.escrowToTreasury([T1, 1_001n]),
        s.ledger,
        "InsufficientEscrow",
        [T1, 1_000n, 1_001n],
      );
      assert.equal(await s.ledger.read.treasury(), 0n);
      await assertConserved();
    });
  });

  describe("CreditLedger.payForWork", () => {
    it("in one call unlocks the claim stake, pays the bounty as earned, moves the fee to the treasury and records the IOU", async () => {
      const { s, alice, bob, opLedger, assertConserved } = await load();
      const [a, b] = [alice.account.address, bob.account.address];
      await s.wait(await opLedger.write.grantGenesis([a]));
      await s.wait(await opLedger.write.grantGenesis([b]));
      await s.wait(await opLedger.write.stakeFrom([b, 2_000n]));
      await s.wait(await opLedger.write.lockStake([b, 100n]));
      await s.wait(await opLedger.write.recordIou([b, a, 300n])); // netted first
      await s.wait(await opLedger.write.escrow([T1, a, 1_030n]));
      const hash = await opLedger.write.payForWork([T1, a, b, 1_000n, 10n, 100n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "StakeUnlocked", [b, 100n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowPaid", [T1, b, 1_000n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowToTreasury", [T1, 10n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "IouRecorded", [a, b, 1_000n, 300n]);
      const acc = await s.ledger.read.accountOf([b]);
      assert.deepEqual([acc.balance, acc.earned, acc.lockedStake, acc.stake], [1_000n, 1_000n, 0n, 2_000n]);
      assert.equal(await s.ledger.read.treasury(), 10n);
      assert.deepEqual(await s.ledger.read.escrowOf([T1]), { amount: 20n, genesis: 20n });
      assert.equal(await s.ledger.read.owed([a, b]), 700n);
      assert.equal(await s.ledger.read.owed([b, a]), 0n);
      await assertConserved();
    });

    it("reverts InsufficientEscrow when bounty and fee exceed the escrow", async () => {
      const { s, alice, bob, opLedger, assertConserved } = await load();
      const [a, b] = [alice.account.address, bob.account.address];
      await s.wait(await opLedger.write.grantGenesis([a]));
      await s.wait(await opLedger.write.escrow([T1, a, 1_005n]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.payForWork([T1, a, b, 1_000n, 10n, 0n]),
        s.ledger,
        "InsufficientEscrow",
        [T1, 5n, 10n],
      );
      assert.equal((await s.ledger.read.accountOf([b])).balance, 0n);
      await assertConserved();
    });
  });

  // ------------------------------------------------------------------ stake

  describe("CreditLedger.stakeFrom", () => {
    it("stakes genesis first and records the genesis part of the stake", async () => {
      const { s, alice, opLedger, giveEarned, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await giveEarned(alice.account.address, 1_000n);
      await viem.assertions.emitWithArgs(opLedger.write.stakeFrom([alice.account.address, 10_500n]), s.ledger, "Staked", [
        alice.account.address,
        10_500n,
        10_000n,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.stakeGenesis], [0n, 500n, 10_500n, 10_000n]);
      assert.equal(await s.ledger.read.freeStake([alice.account.address]), 10_500n);
      await assertConserved();
    });

    it("never uses the credit line: reverts InsufficientCredit past the credit held", async () => {
      const { s, bob, opLedger, giveEarned, assertConserved } = await load();
      await giveEarned(bob.account.address, 1_000n);
      assert.equal(await s.ledger.read.spendable([bob.account.address]), 1_500n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.stakeFrom([bob.account.address, 1_001n]),
        s.ledger,
        "InsufficientCredit",
        [bob.account.address, 1_000n, 1_001n],
      );
      await assertConserved();
    });

    it("reverts ZeroAmount for a zero stake", async () => {
      const { s, bob, opLedger } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.stakeFrom([bob.account.address, 0n]),
        s.ledger,
        "ZeroAmount",
        [],
      );
    });
  });

  describe("CreditLedger.unstakeTo", () => {
    it("returns genesis-sourced stake to genesis first, then to the balance", async () => {
      const { s, alice, opLedger, giveEarned, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await giveEarned(alice.account.address, 1_000n);
      await s.wait(await opLedger.write.stakeFrom([alice.account.address, 10_500n]));
      await viem.assertions.emitWithArgs(opLedger.write.unstakeTo([alice.account.address, 4_000n]), s.ledger, "Unstaked", [
        alice.account.address,
        4_000n,
        4_000n,
      ]);
      let acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.stakeGenesis], [4_000n, 500n, 6_500n, 6_000n]);
      await viem.assertions.emitWithArgs(opLedger.write.unstakeTo([alice.account.address, 6_500n]), s.ledger, "Unstaked", [
        alice.account.address,
        6_500n,
        6_000n,
      ]);
      acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.stakeGenesis], [10_000n, 1_000n, 0n, 0n]);
      await assertConserved();
    });

    it("reverts InsufficientFreeStake when part of the stake is locked", async () => {
      const { s, alice, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.stakeFrom([alice.account.address, 10_000n]));
      await s.wait(await opLedger.write.lockStake([alice.account.address, 3_000n]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.unstakeTo([alice.account.address, 7_001n]),
        s.ledger,
        "InsufficientFreeStake",
        [alice.account.address, 7_000n, 7_001n],
      );
      await assertConserved();
    });

    it("reverts ZeroAmount for a zero unstake", async () => {
      const { s, bob, opLedger } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.unstakeTo([bob.account.address, 0n]),
        s.ledger,
        "ZeroAmount",
        [],
      );
    });
  });

  describe("CreditLedger.lockStake", () => {
    it("locks free stake", async () => {
      const { s, alice, opLedger } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.stakeFrom([alice.account.address, 5_000n]));
      await viem.assertions.emitWithArgs(opLedger.write.lockStake([alice.account.address, 1_200n]), s.ledger, "StakeLocked", [
        alice.account.address,
        1_200n,
      ]);
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).lockedStake, 1_200n);
      assert.equal(await s.ledger.read.freeStake([alice.account.address]), 3_800n);
    });

    it("reverts InsufficientFreeStake when locking more than the free stake", async () => {
      const { s, alice, opLedger } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.stakeFrom([alice.account.address, 5_000n]));
      await s.wait(await opLedger.write.lockStake([alice.account.address, 4_000n]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        opLedger.write.lockStake([alice.account.address, 1_001n]),
        s.ledger,
        "InsufficientFreeStake",
        [alice.account.address, 1_000n, 1_001n],
      );
    });
  });

  describe("CreditLedger.unlockStake", () => {
    it("unlocks at most what is locked", async () => {
      const { s, alice, opLedger } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.stakeFrom([alice.account.address, 5_000n]));
      await s.wait(await opLedger.write.lockStake([alice.account.address, 3_000n]));
      await viem.assertions.emitWithArgs(
        opLedger.write.unlockStake([alice.account.address, 1_000n]),
        s.ledger,
        "StakeUnlocked",
        [alice.account.address, 1_000n],
      );
      await viem.assertions.emitWithArgs(
        opLedger.write.unlockStake([alice.account.address, 5_000n]),
        s.ledger,
        "StakeUnlocked",
        [alice.account.address, 2_000n],
      );
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).lockedStake, 0n);
      assert.equal(await s.ledger.read.freeStake([alice.account.address]), 5_000n);
    });
  });

  describe("CreditLedger.slash", () => {
    it("takes the stake first, its genesis part first, and credits the treasury", async () => {
      const { s, alice, opLedger, giveEarned, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await giveEarned(alice.account.address, 1_000n);
      await s.wait(await opLedger.write.stakeFrom([alice.account.address, 10_500n])); // 10000 genesis + 500 earned
      await viem.assertions.emitWithArgs(opLedger.write.slash([alice.account.address, 2_000n]), s.ledger, "Slashed", [
        alice.account.address,
        2_000n,
        2_000n,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.stake, acc.stakeGenesis, acc.balance, acc.genesis], [8_500n, 8_000n, 500n, 0n]);
      assert.equal(await s.ledger.read.treasury(), 2_000n);
      // Unstaking now returns the remaining genesis part to genesis and the earned part to the balance.
      await s.wait(await opLedger.write.unstakeTo([alice.account.address, 8_500n]));
      const after = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([after.genesis, after.balance], [8_000n, 1_000n]);
      await assertConserved();
    });

    it("takes what the stake does not cover from the balance, into debt, and leaves unstaked genesis alone", async () => {
      const { s, alice, opLedger, giveEarned, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await giveEarned(alice.account.address, 1_000n);
      await s.wait(await opLedger.write.stakeFrom([alice.account.address, 3_000n])); // all genesis
      await viem.assertions.emitWithArgs(opLedger.write.slash([alice.account.address, 5_000n]), s.ledger, "Slashed", [
        alice.account.address,
        5_000n,
        3_000n,
      ]);
      const acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.stake, acc.stakeGenesis, acc.balance, acc.genesis], [0n, 0n, -1_000n, 7_000n]);
      assert.equal(await s.ledger.read.treasury(), 5_000n);
      await assertConserved();
    });

    it("takes free stake before locked stake, and caps the locked amount at what is left", async () => {
      const { s, alice, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.stakeFrom([alice.account.address, 5_000n]));
      await s.wait(await opLedger.write.lockStake([alice.account.address, 4_000n]));
      await s.wait(await opLedger.write.slash([alice.account.address, 600n]));
      let acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.stake, acc.lockedStake], [4_400n, 4_000n]);
      assert.equal(await s.ledger.read.freeStake([alice.account.address]), 400n);
      await s.wait(await opLedger.write.slash([alice.account.address, 2_400n]));
      acc = await s.ledger.read.accountOf([alice.account.address]);
      assert.deepEqual([acc.stake, acc.lockedStake], [2_000n, 2_000n]);
      assert.equal(await s.ledger.read.freeStake([alice.account.address]), 0n);
      await assertConserved();
    });

    it("is a no-op for a zero amount", async () => {
      const { s, alice, opLedger } = await load();
      const receipt = await s.wait(await opLedger.write.slash([alice.account.address, 0n]));
      assert.equal(receipt.logs.length, 0);
      assert.equal(await s.ledger.read.treasury(), 0n);
    });
  });

  describe("CreditLedger.reversePayment", () => {
    it("moves credit back into debt and takes it off what was earned", async () => {
      const { s, alice, bob, opLedger, giveEarned, assertConserved } = await load();
      await giveEarned(bob.account.address, 1_000n);
      await viem.assertions.emitWithArgs(
        opLedger.write.reversePayment([bob.account.address, alice.account.address, 400n]),
        s.ledger,
        "PaymentReversed",
        [bob.account.address, alice.account.address, 400n],
      );
      let acc = await s.ledger.read.accountOf([bob.account.address]);
      assert.deepEqual([acc.balance, acc.earned], [600n, 600n]);
      await s.wait(await opLedger.write.reversePayment([bob.account.address, alice.account.address, 1_100n]));
      acc = await s.ledger.read.accountOf([bob.account.address]);
      assert.deepEqual([acc.balance, acc.earned], [-500n, 0n]);
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).balance, 1_500n);
      assert.equal(await s.ledger.read.creditLimit([bob.account.address]), 0n);
      await assertConserved();
    });
  });

  describe("CreditLedger.payFromTreasury", () => {
    it("pays at most what the treasury holds and counts it as earned", async () => {
      const { s, alice, carol, op, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 500n]));
      await s.wait(await opLedger.write.escrowToTreasury([T1, 500n]));
      const { result } = await opLedger.simulate.payFromTreasury([carol.account.address, 800n], { account: op.account.address });
      assert.equal(result, 500n);
      await viem.assertions.emitWithArgs(
        opLedger.write.payFromTreasury([carol.account.address, 800n]),
        s.ledger,
        "TreasuryPaid",
        [carol.account.address, 500n],
      );
      assert.equal(await s.ledger.read.treasury(), 0n);
      const acc = await s.ledger.read.accountOf([carol.account.address]);
      assert.deepEqual([acc.balance, acc.earned], [500n, 500n]);
      await assertConserved();
    });

    it("pays the full amount when the treasury holds enough", async () => {
      const { s, alice, carol, opLedger, assertConserved } = await load();
      await s.wait(await opLedger.write.grantGenesis([alice.account.address]));
      await s.wait(await opLedger.write.escrow([T1, alice.account.address, 500n]));
      await s.wait(await opLedger.write.escrowToTreasury([T1, 500n]));
      await s.wait(await opLedger.write.payFromTreasury([carol.account.address, 200n]));
      assert.equal(await s.ledger.read.treasury(), 300n);
      assert.equal((await s.ledger.read.accountOf([carol.account.address])).balance, 200n);
      await assertConserved();
    });

    it("pays nothing from an empty treasury and emits nothing", async () => {
      const { s, carol, op, opLedger } = await load();
      const { result } = await opLedger.simulate.payFromTreasury([carol.account.address, 800n], { account: op.account.address });
      assert.equal(result, 0n);
      const receipt = await s.wait(await opLedger.write.payFromTreasury([carol.account.address, 800n]));
      assert.equal(receipt.logs.length, 0);
      assert.equal((await s.ledger.read.accountOf([carol.account.address])).balance, 0n);
    });
  });

  // ------------------------------------------------------------------ IOUs

  describe("CreditLedger.recordIou", () => {
    it("records what the debtor owes the creditor", async () => {
      const { s, alice, bob, opLedger } = await load();
      await viem.assertions.emitWithArgs(
        opLedger.write.recordIou([alice.account.address, bob.account.address, 500n]),
        s.ledger,
        "IouRecorded",
        [alice.account.address, bob.account.address, 500n, 0n],
      );
      await s.wait(await opLedger.write.recordIou([alice.account.address, bob.account.address, 200n]));
      assert.equal(await s.ledger.read.owed([alice.account.address, bob.account.address]), 700n);
      assert.equal(await s.ledger.read.owed([bob.account.address, alice.account.address]), 0n);
    });

    it("nets against the reverse IOU first and records only the rest", async () => {
      const { s, alice, bob, opLedger } = await load();
      await s.wait(await opLedger.write.recordIou([bob.account.address, alice.account.address, 300n]));
      await viem.assertions.emitWithArgs(
        opLedger.write.recordIou([alice.account.address, bob.account.address, 500n]),
        s.ledger,
        "IouRecorded",
        [alice.account.address, bob.account.address, 500n, 300n],
      );
      assert.equal(await s.ledger.read.owed([bob.account.address, alice.account.address]), 0n);
      assert.equal(await s.ledger.read.owed([alice.account.address, bob.account.address]), 200n);
    });

    it("only shrinks the reverse IOU when it is larger", async () => {
      const { s, alice, bob, opLedger } = await load();
      await s.wait(await opLedger.write.recordIou([bob.account.address, alice.account.address, 300n]));
      await viem.assertions.emitWithArgs(
        opLedger.write.recordIou([alice.account.address, bob.account.address, 100n]),
        s.ledger,
        "IouRecorded",
        [alice.account.address, bob.account.address, 100n, 100n],
      );
      assert.equal(await s.ledger.read.owed([bob.account.address, alice.account.address]), 200n);
      assert.equal(await s.ledger.read.owed([alice.account.address, bob.account.address]), 0n);
    });
  });

  describe("CreditLedger.clearCycle", () => {
    async function triangle() {
      const f = await load();
      const { alice, bob, carol, opLedger, s } = f;
      const [a, b, c] = [alice.account.address, bob.account.address, carol.account.address];
      await s.wait(await opLedger.write.recordIou([a, b, 500n]));
      await s.wait(await opLedger.write.recordIou([b, c, 300n]));
      await s.wait(await opLedger.write.recordIou([c, a, 400n]));
      return { ...f, a, b, c };
    }

    it("clears a 3-cycle by its minimum edge, callable by anyone, and leaves balances unchanged", async () => {
      const { s, a, b, c, dave, giveEarned, assertConserved } = await triangle();
      await giveEarned(a, 700n);
      await giveEarned(b, 300n);
      const before = await Promise.all([a, b, c, dave.account.address].map((x) => s.ledger.read.accountOf([x])));
      const d = await s.as(dave);
      const { result } = await d.ledger.simulate.clearCycle([[a, b, c]], { account: dave.account.address });
      assert.equal(result, 300n);
      const hash = await d.ledger.write.clearCycle([[a, b, c]]);
      const [log] = parseEventLogs({ abi: s.ledger.abi, logs: (await s.wait(hash)).logs, eventName: "CycleCleared" });
      assert.ok(log);
      assert.equal(log.args.clearedBy.toLowerCase(), dave.account.address.toLowerCase());
      assert.deepEqual(
        log.args.path.map((x) => x.toLowerCase()),
        [a, b, c].map((x) => x.toLowerCase()),
      );
      assert.equal(log.args.amount, 300n);
      assert.equal(await s.ledger.read.owed([a, b]), 200n);
      assert.equal(await s.ledger.read.owed([b, c]), 0n);
      assert.equal(await s.ledger.read.owed([c, a]), 100n);
      const after = await Promise.all([a, b, c, dave.account.address].map((x) => s.ledger.read.accountOf([x])));
      assert.deepEqual(after, before);
      await assertConserved();
    });

    it("reverts NoDebtOnEdge once the cleared edge is gone", async () => {
      const { s, a, b, c, dave } = await triangle();
      const d = await s.as(dave);
      await s.wait(await d.ledger.write.clearCycle([[a, b, c]]));
      await viem.assertions.revertWithCustomErrorWithArgs(d.ledger.write.clearCycle([[a, b, c]]), s.ledger, "NoDebtOnEdge", [
        b,
        c,
      ]);
    });

    it("reverts NoDebtOnEdge when the path does not close", async () => {
      const { s, a, b, c, dave, opLedger } = await triangle();
      await s.wait(await opLedger.write.recordIou([a, c, 400n])); // nets c -> a to zero
      assert.equal(await s.ledger.read.owed([c, a]), 0n);
      const d = await s.as(dave);
      await viem.assertions.revertWithCustomErrorWithArgs(d.ledger.write.clearCycle([[a, b, c]]), s.ledger, "NoDebtOnEdge", [
        c,
        a,
      ]);
      assert.equal(await s.ledger.read.owed([a, b]), 500n);
    });

    it("reverts InvalidCycle for a path of one account", async () => {
      const { s, a, dave } = await triangle();
      const d = await s.as(dave);
      await viem.assertions.revertWithCustomErrorWithArgs(d.ledger.write.clearCycle([[a]]), s.ledger, "InvalidCycle", [1n]);
    });

    it("reverts InvalidCycle for a path longer than 16", async () => {
      const { s, dave } = await triangle();
      const d = await s.as(dave);
      const path = s.wallets.slice(0, 17).map((w) => w.account.address);
      await viem.assertions.revertWithCustomErrorWithArgs(d.ledger.write.clearCycle([path]), s.ledger, "InvalidCycle", [17n]);
    });
  });

  // ------------------------------------------------------------------ access

  describe("CreditLedger operator functions", () => {
    type OperatorCall = (l: Awaited<ReturnType<Awaited<ReturnType<typeof ledgerFixture>>["ledgerAs"]>>, x: Address) => Promise<Hex>;
    const calls: [string, OperatorCall][] = [
      ["grantGenesis", (l, x) => l.write.grantGenesis([x])],
      ["escrow", (l, x) => l.write.escrow([T1, x, 1n])],
      ["payFromEscrow", (l, x) => l.write.payFromEscrow([T1, x, 1n, true])],
      ["refundEscrow", (l, x) => l.write.refundEscrow([T1, x, 1n])],
      ["escrowToTreasury", (l) => l.write.escrowToTreasury([T1, 1n])],
      ["payFromTreasury", (l, x) => l.write.payFromTreasury([x, 1n])],
      ["stakeFrom", (l, x) => l.write.stakeFrom([x, 1n])],
      ["unstakeTo", (l, x) => l.write.unstakeTo([x, 1n])],
      ["lockStake", (l, x) => l.write.lockStake([x, 1n])],
      ["unlockStake", (l, x) => l.write.unlockStake([x, 1n])],
      ["slash", (l, x) => l.write.slash([x, 1n])],
      ["reversePayment", (l, x) => l.write.reversePayment([x, x, 1n])],
      ["recordIou", (l, x) => l.write.recordIou([x, x, 1n])],
      ["payForWork", (l, x) => l.write.payForWork([T1, x, x, 1n, 0n, 0n])],
      ["refundAllEscrow", (l, x) => l.write.refundAllEscrow([T1, x])],
      ["unlockAndSlash", (l, x) => l.write.unlockAndSlash([x, 1n, 1n])],
      ["punishFraud", (l, x) => l.write.punishFraud([x, x, 1n, 1n])],
    ];
    for (const [name, call] of calls) {
      it(`reverts NotOperator when a non-operator calls ${name}`, async () => {
        const { s, alice, ledgerAs } = await load();
        await viem.assertions.revertWithCustomErrorWithArgs(
          call(await ledgerAs(alice), alice.account.address),
          s.ledger,
          "NotOperator",
          [alice.account.address],
        );
      });
    }

    it("are held by the registry and the market only", async () => {
      const { s, gov } = await load();
      assert.equal(await s.ledger.read.hasRole([OPERATOR_ROLE, s.registry.address]), true);
      assert.equal(await s.ledger.read.hasRole([OPERATOR_ROLE, s.market.address]), true);
      assert.equal(await s.ledger.read.hasRole([OPERATOR_ROLE, gov.account.address]), false);
    });

    it("reverts AccessControlUnauthorizedAccount when a non-admin grants OPERATOR_ROLE", async () => {
      const { s, alice, ledgerAs } = await load();
      const l = await ledgerAs(alice);
      await viem.assertions.revertWithCustomErrorWithArgs(
        l.write.grantRole([OPERATOR_ROLE, alice.account.address]),
        s.ledger,
        "AccessControlUnauthorizedAccount",
        [alice.account.address, DEFAULT_ADMIN_ROLE],
      );
    });
  });
});

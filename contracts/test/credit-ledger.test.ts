/**
 * CreditLedger: one test per rule and per revert of ICreditLedger (DESIGN §2, §3a). The rules are driven through
 * the operator functions by a test account granted OPERATOR_ROLE, so that every amount is exact; genesis,
 * posting, cancelling and one finalized task go through the real registry and market. Every test that moves
 * credit ends with the ledger's two invariants, over every account and task it touched:
 *   credit conservation:   sum(balance + genesis + stake) + sum(escrow) + treasury == genesisIssued
 *   genesis stays genesis: sum(genesis + stakeGenesis) + sum(escrow.genesis) + treasuryGenesis == genesisIssued
 * and the genesis part of every pot (stake, escrow, treasury) within the pot.
 *
 * Transferable credit exists only as the other side of someone's debt, so the fixture gives a "bank" account a
 * credit line (genesis credit circulated through it as verified work) and `fund` pays out of that line.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type ContractEventName, type Hex, getAddress, keccak256, parseEventLogs, toHex } from "viem";
import { defaultParams, escrowFor, VerificationMode } from "../../lib/protocol/params.ts";
import { OPERATOR_ROLE } from "../deploy/deploy-protocol.ts";
import { ALL_CAPABILITIES, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";
import { mulberry32 } from "../test-support/random.ts";

const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as const;
const GRANT = defaultParams.genesisGrant; // 10 CC
const SEED = 0x1ed6_e209;

type SettlementIn = { account: Address; pay?: bigint; workCredit?: bigint; iou?: boolean; unlock?: bigint; slash?: bigint };
const settlement = (x: SettlementIn) => ({
  account: x.account,
  pay: x.pay ?? 0n,
  workCredit: x.workCredit ?? 0n,
  iou: x.iou ?? false,
  unlock: x.unlock ?? 0n,
  slash: x.slash ?? 0n,
});

describe("CreditLedger", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;

  async function ledgerFixture() {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [gov, alice, bob, carol, dave, erin] = s.wallets;
    const [bank, funder, funder2, op] = [s.wallets[16], s.wallets[17], s.wallets[18], s.wallets[19]];
    assert.ok(gov && alice && bob && carol && dave && erin && bank && funder && funder2 && op);
    await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, op.account.address]));
    const ledgerAs = (wallet: typeof op) => viem.getContractAt("CreditLedger", s.ledger.address, { client: { wallet } });
    const opLedger = await ledgerAs(op);
    const [A, B, C, D, E] = [alice, bob, carol, dave, erin].map((w) => getAddress(w.account.address)) as [
      Address,
      Address,
      Address,
      Address,
      Address,
    ];
    const [BANK, F1, F2] = [bank, funder, funder2].map((w) => getAddress(w.account.address)) as [Address, Address, Address];

    // Every task and account a test touches, for the invariants (a task id never used holds nothing).
    const tasks = new Set<Hex>();
    const extraAccounts = new Set<Address>();
    let taskCounter = 0;
    const newTask = (): Hex => {
      const t = keccak256(toHex(`ledger-task-${taskCounter++}`));
      tasks.add(t);
      return t;
    };
    const escrow = async (task: Hex, from: Address, amount: bigint) =>
      s.wait(await opLedger.write.escrow([task, from, amount]));
    const release = (task: Hex, requester: Address, settlements: SettlementIn[], toTreasury = 0n) =>
      opLedger.write.release([task, requester, settlements.map(settlement), toTreasury]);
    const grant = async (to: Address) => s.wait(await opLedger.write.grantGenesis([to]));

    // The bank earns 60 CC of work credit (a 30 CC credit line) from the funders' genesis, and sends the genesis
    // back without work credit: it ends with no credit, only a credit line.
    await grant(F1);
    await grant(F2);
    for (let round = 0; round < 3; round++) {
      for (const f of [F1, F2]) {
        const t = newTask();
        await escrow(t, f, GRANT);
        await s.wait(await release(t, f, [{ account: BANK, pay: GRANT, workCredit: GRANT }]));
      }
      const back = newTask();
      await escrow(back, BANK, 2n * GRANT);
      await s.wait(await release(back, BANK, [{ account: F1, pay: GRANT }, { account: F2, pay: GRANT }]));
    }

    /** Pays `to` `amount` of transferable credit out of the bank's credit line, with `workCredit` of work credit. */
    async function fund(to: Address, amount: bigint, workCredit = 0n) {
      const t = newTask();
      await escrow(t, BANK, amount);
      await s.wait(await release(t, BANK, [{ account: to, pay: amount, workCredit }]));
    }

    /** Both invariants over every wallet, the extra accounts and every task of the test (plus `more`). */
    async function assertInvariants(more: Hex[] = []) {
      let held = 0n;
      let genesis = 0n;
      const accounts = [...s.wallets.map((w) => w.account.address), ...extraAccounts];
      for (const a of accounts) {
        const acc = await s.ledger.read.accountOf([a]);
        held += acc.balance + acc.genesis + acc.stake;
        genesis += acc.genesis + acc.stakeGenesis;
        assert.ok(acc.stakeGenesis <= acc.stake, `stakeGenesis within stake of ${a}`);
        assert.ok(acc.lockedStake <= acc.stake, `lockedStake within stake of ${a}`);
      }
      for (const t of [...tasks, ...more]) {
        const e = await s.ledger.read.escrowOf([t]);
        held += e.amount;
        genesis += e.genesis;
        assert.ok(e.genesis <= e.amount, `escrow genesis within escrow of ${t}`);
      }
      const [treasury, treasuryGenesis, issued] = await Promise.all([
        s.ledger.read.treasury(),
        s.ledger.read.treasuryGenesis(),
        s.ledger.read.genesisIssued(),
      ]);
      held += treasury;
      genesis += treasuryGenesis;
      assert.equal(held, issued, "credit conservation: held == genesisIssued");
      assert.equal(genesis, issued, "genesis stays genesis: genesis held == genesisIssued");
      assert.ok(treasuryGenesis <= treasury, `treasury genesis ${treasuryGenesis} within treasury ${treasury}`);
    }

    const account = (a: Address) => s.ledger.read.accountOf([a]);
    return {
      s,
      gov,
      alice,
      bob,
      carol,
      dave,
      erin,
      op,
      A,
      B,
      C,
      D,
      E,
      BANK,
      F1,
      opLedger,
      ledgerAs,
      newTask,
      escrow,
      release,
      grant,
      fund,
      account,
      extraAccounts,
      assertInvariants,
    };
  }
  type F = Awaited<ReturnType<typeof ledgerFixture>>;
  const load = () => networkHelpers.loadFixture(ledgerFixture);

  async function genesisCapFixture() {
    const s = await setupProtocol(connection, { genesisAccounts: 3 });
    const op = s.wallets[19];
    assert.ok(op);
    await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, op.account.address]));
    const opLedger = await viem.getContractAt("CreditLedger", s.ledger.address, { client: { wallet: op } });
    return { s, opLedger };
  }

  const CAP = 2_000n;
  async function creditCapFixture() {
    const s = await setupProtocol(connection, { creditLimitCap: CAP });
    const [, funder, worker] = s.wallets;
    const op = s.wallets[19];
    assert.ok(funder && worker && op);
    await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, op.account.address]));
    const opLedger = await viem.getContractAt("CreditLedger", s.ledger.address, { client: { wallet: op } });
    return { s, opLedger, F: funder.account.address, W: worker.account.address };
  }

  /** Alice's genesis cut down to `genesis` by escrowing the rest into a task, and `balance` funded on top. */
  async function mixedAccount(f: F, who: Address, genesis: bigint, balance: bigint) {
    await f.grant(who);
    if (genesis < GRANT) await f.escrow(f.newTask(), who, GRANT - genesis);
    if (balance > 0n) await f.fund(who, balance);
    const acc = await f.account(who);
    assert.deepEqual([acc.genesis, acc.balance], [genesis, balance]);
  }

  async function logsOf<N extends ContractEventName<F["s"]["ledger"]["abi"]>>(f: F, hash: Hex, eventName: N) {
    const receipt = await f.s.wait(hash);
    return parseEventLogs({ abi: f.s.ledger.abi, logs: receipt.logs, eventName });
  }

  // ------------------------------------------------------------------ genesis

  describe("CreditLedger.grantGenesis", () => {
    it("test_grantGenesis_grantsGenesisCreditAndNumbersAccounts", async () => {
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
        [0n, GRANT, 0n, 0n, 0n, 0n],
      );
      assert.equal(await s.ledger.read.genesisIssued(), 4n * GRANT);
      assert.equal(await s.ledger.read.genesisAccountsGranted(), 4n);
      assert.equal(await s.ledger.read.hasGenesis([bob.account.address]), true);
    });

    it("test_grantGenesis_grantsNothingPastGenesisAccounts", async () => {
      const { s } = await networkHelpers.loadFixture(genesisCapFixture);
      const [, w1, w2, w3, w4, w5] = s.wallets;
      assert.ok(w1 && w2 && w3 && w4 && w5);
      for (const w of [w1, w2, w3]) await s.wait(await (await s.as(w)).registry.write.register([1000, ALL_CAPABILITIES]));
      assert.equal(await s.ledger.read.genesisIssued(), 3n * GRANT);
      const hash = await (await s.as(w4)).registry.write.register([1000, ALL_CAPABILITIES]);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkerRegistered", [w4.account.address, 1000n, ALL_CAPABILITIES, 0n]);
      const receipt = await s.wait(hash);
      assert.equal(parseEventLogs({ abi: s.ledger.abi, logs: receipt.logs, eventName: "GenesisGranted" }).length, 0);
      await s.wait(await (await s.as(w5)).registry.write.register([1000, ALL_CAPABILITIES]));
      assert.equal((await s.ledger.read.accountOf([w4.account.address])).genesis, 0n);
      assert.equal((await s.ledger.read.accountOf([w5.account.address])).genesis, 0n);
      assert.equal(await s.ledger.read.hasGenesis([w4.account.address]), true);
      assert.equal(await s.ledger.read.genesisIssued(), 3n * GRANT);
      assert.equal(await s.ledger.read.genesisAccountsGranted(), 3n);
      await s.conserved([]);
    });

    it("test_grantGenesis_revertsGenesisAlreadyGranted", async () => {
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

    it("test_grantGenesis_revertsGenesisAlreadyGrantedForAnAccountPastTheCap", async () => {
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
    it("test_transfer_movesTransferableCreditAndEmitsTransferred", async () => {
      const f = await load();
      const { s, bob, B, E } = f;
      await f.fund(B, 1_000n);
      await viem.assertions.emitWithArgs((await s.as(bob)).ledger.write.transfer([E, 400n]), s.ledger, "Transferred", [B, E, 400n]);
      assert.equal((await f.account(B)).balance, 600n);
      const erin = await f.account(E);
      assert.equal(erin.balance, 400n);
      assert.equal(erin.earned, 0n, "received credit is not work credit");
      assert.equal(await s.ledger.read.creditLimit([E]), 0n);
      await f.assertInvariants();
    });

    it("test_transfer_shrinksSenderEarnedByTheAmount", async () => {
      const f = await load();
      const { s, bob, B, E } = f;
      await f.fund(B, 1_000n, 1_000n);
      assert.equal(await s.ledger.read.creditLimit([B]), 500n);
      await s.wait(await (await s.as(bob)).ledger.write.transfer([E, 400n]));
      const acc = await f.account(B);
      assert.deepEqual([acc.balance, acc.earned], [600n, 600n]);
      assert.equal(await s.ledger.read.creditLimit([B]), 300n, "the credit line moved away with the credit");
      assert.equal((await f.account(E)).earned, 0n);
      await f.assertInvariants();
    });

    it("test_transfer_floorsEarnedAtZero", async () => {
      const f = await load();
      const { s, bob, B, E } = f;
      await f.fund(B, 1_000n, 300n);
      await s.wait(await (await s.as(bob)).ledger.write.transfer([E, 500n]));
      const acc = await f.account(B);
      assert.deepEqual([acc.balance, acc.earned], [500n, 0n]);
      assert.equal(await s.ledger.read.creditLimit([B]), 0n);
      await f.assertInvariants();
    });

    it("test_transfer_revertsInsufficientTransferableForGenesisCredit", async () => {
      const f = await load();
      const { s, alice, A, B } = f;
      await s.wait(await (await s.as(alice)).registry.write.register([1000, ALL_CAPABILITIES]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(alice)).ledger.write.transfer([B, 1n]),
        s.ledger,
        "InsufficientTransferable",
        [A, 0n, 1n],
      );
      assert.equal((await f.account(A)).genesis, GRANT);
      await f.assertInvariants();
    });

    it("test_transfer_revertsInsufficientTransferablePastTheBalance", async () => {
      const f = await load();
      const { s, bob, B, E } = f;
      await f.fund(B, 1_000n, 1_000n);
      assert.equal(await s.ledger.read.spendable([B]), 1_500n);
      // The credit line is spendable on tasks, never transferable.
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(bob)).ledger.write.transfer([E, 1_001n]),
        s.ledger,
        "InsufficientTransferable",
        [B, 1_000n, 1_001n],
      );
      await f.assertInvariants();
    });

    it("test_transfer_revertsInsufficientTransferableInDebt", async () => {
      const f = await load();
      const { s, bob, B, E } = f;
      await f.fund(B, 1_000n, 1_000n);
      await f.escrow(f.newTask(), B, 1_500n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(bob)).ledger.write.transfer([E, 1n]),
        s.ledger,
        "InsufficientTransferable",
        [B, -500n, 1n],
      );
      await f.assertInvariants();
    });

    it("test_transfer_revertsZeroAmount", async () => {
      const { s, bob, E } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs((await s.as(bob)).ledger.write.transfer([E, 0n]), s.ledger, "ZeroAmount", []);
    });

    it("test_transfer_revertsForPayNotFinalAndForGenesisFundedPay", async () => {
      const f = await load();
      const { s, alice, bob, carol, dave, B, E } = f;
      await s.registerWorker(alice, 0n, false);
      const w = await s.registerWorker(bob, 2_000n, false);
      await s.registerWorker(carol);
      await s.registerWorker(dave);
      const taskId = await s.post(alice, { bounty: 1_000n });
      await s.wait(await w.market.write.claim([taskId]));
      const out = await s.commitAs(bob, taskId, "good");
      await s.drawVerifiers(taskId);
      const rc = await s.commitAs(carol, taskId, "good");
      const rd = await s.commitAs(dave, taskId, "good");
      await s.revealAs(bob, taskId, out);
      await s.revealAs(carol, taskId, rc);
      await s.revealAs(dave, taskId, rd);
      await s.wait(await s.market.write.settle([taskId]));
      // Accepted: the pay stays in the task's escrow until the task is final.
      const before = await f.account(B);
      assert.equal(before.balance, 0n);
      await viem.assertions.revertWithCustomErrorWithArgs(w.ledger.write.transfer([E, 1n]), s.ledger, "InsufficientTransferable", [
        B,
        0n,
        1n,
      ]);
      await networkHelpers.time.increase(defaultParams.auditWindow + 1);
      await s.wait(await s.market.write.finalize([taskId]));
      // The requester paid with genesis credit: the worker is paid in genesis credit, which it cannot transfer.
      const after = await f.account(B);
      assert.equal(after.genesis - before.genesis, 1_000n);
      assert.equal(after.balance, 0n);
      await viem.assertions.revertWithCustomErrorWithArgs(w.ledger.write.transfer([E, 1n]), s.ledger, "InsufficientTransferable", [
        B,
        0n,
        1n,
      ]);
      await f.assertInvariants([taskId]);
    });
  });

  // ------------------------------------------------------------------ credit limit, spendable

  describe("CreditLedger.creditLimit", () => {
    it("test_creditLimit_isZeroForANewAccount", async () => {
      const { s, alice, A } = await load();
      await s.wait(await (await s.as(alice)).registry.write.register([1000, ALL_CAPABILITIES]));
      assert.equal(await s.ledger.read.creditLimit([A]), 0n);
    });

    it("test_creditLimit_isHalfOfEarnedRoundedDown", async () => {
      const f = await load();
      await f.fund(f.B, 1_001n, 1_001n);
      assert.equal((await f.account(f.B)).earned, 1_001n);
      assert.equal(await f.s.ledger.read.creditLimit([f.B]), 500n);
      await f.assertInvariants();
    });

    it("test_creditLimit_growsByWorkCreditNotByPay", async () => {
      const f = await load();
      await f.fund(f.B, 1_000n, 0n);
      assert.deepEqual([(await f.account(f.B)).earned, await f.s.ledger.read.creditLimit([f.B])], [0n, 0n]);
      await f.fund(f.B, 1_000n, 200n);
      assert.deepEqual([(await f.account(f.B)).earned, await f.s.ledger.read.creditLimit([f.B])], [200n, 100n]);
      await f.assertInvariants();
    });

    it("test_creditLimit_isCappedAtCreditLimitCap", async () => {
      const { s, opLedger, F, W } = await networkHelpers.loadFixture(creditCapFixture);
      const task = keccak256(toHex("cap-task"));
      await s.wait(await opLedger.write.grantGenesis([F]));
      await s.wait(await opLedger.write.escrow([task, F, GRANT]));
      await s.wait(await opLedger.write.release([task, F, [settlement({ account: W, pay: GRANT, workCredit: GRANT })], 0n]));
      assert.equal((await s.ledger.read.accountOf([W])).earned, GRANT);
      assert.equal(await s.ledger.read.creditLimit([W]), CAP, "half of 10 CC is above the 2 CC cap");
      assert.equal(await s.ledger.read.spendable([W]), GRANT + CAP);
      await s.conserved([task]);
    });
  });

  describe("CreditLedger.spendable", () => {
    it("test_spendable_isGenesisPlusBalancePlusCreditLimit", async () => {
      const f = await load();
      await f.grant(f.A);
      await f.fund(f.A, 1_000n, 1_000n);
      assert.equal(await f.s.ledger.read.spendable([f.A]), GRANT + 1_000n + 500n);
      await f.assertInvariants();
    });

    it("test_spendable_isNegativeWhenASlashPushedTheBalancePastTheLimit", async () => {
      const f = await load();
      await f.fund(f.B, 1_000n, 1_000n);
      await f.s.wait(await f.opLedger.write.unlockAndSlash([f.B, 0n, 2_000n]));
      assert.equal((await f.account(f.B)).balance, -1_000n);
      assert.equal(await f.s.ledger.read.spendable([f.B]), -500n);
      await f.assertInvariants();
    });
  });

  // ------------------------------------------------------------------ escrow

  describe("CreditLedger.escrow", () => {
    it("test_escrow_spendsGenesisFirstAndRecordsTheGenesisPart", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await f.fund(A, 1_000n);
      const task = f.newTask();
      await viem.assertions.emitWithArgs(f.opLedger.write.escrow([task, A, 10_500n]), s.ledger, "Escrowed", [
        task,
        A,
        10_500n,
        10_000n,
      ]);
      const acc = await f.account(A);
      assert.deepEqual([acc.genesis, acc.balance], [0n, 500n]);
      assert.deepEqual(await s.ledger.read.escrowOf([task]), { amount: 10_500n, genesis: 10_000n });
      await f.assertInvariants();
    });

    it("test_escrow_addsToAnExistingEscrow", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await f.fund(A, 1_000n);
      const task = f.newTask();
      await f.escrow(task, A, 9_800n);
      await f.escrow(task, A, 500n); // 200 genesis left, then 300 of balance
      assert.deepEqual(await s.ledger.read.escrowOf([task]), { amount: 10_300n, genesis: 10_000n });
      await f.assertInvariants();
    });

    it("test_escrow_spendsIntoTheCreditLineDownToMinusTheLimit", async () => {
      const f = await load();
      const { s, B } = f;
      await f.fund(B, 1_000n, 1_000n);
      const task = f.newTask();
      await f.escrow(task, B, 1_500n);
      assert.equal((await f.account(B)).balance, -500n);
      assert.equal(await s.ledger.read.spendable([B]), 0n);
      assert.deepEqual(await s.ledger.read.escrowOf([task]), { amount: 1_500n, genesis: 0n });
      await f.assertInvariants();
    });

    it("test_escrow_revertsInsufficientCreditPastTheCreditLimit", async () => {
      const f = await load();
      const { s, B } = f;
      await f.fund(B, 1_000n, 1_000n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.opLedger.write.escrow([f.newTask(), B, 1_501n]),
        s.ledger,
        "InsufficientCredit",
        [B, 1_500n, 1_501n],
      );
      await f.assertInvariants();
    });

    it("test_escrow_revertsZeroAmount", async () => {
      const f = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.opLedger.write.escrow([f.newTask(), f.B, 0n]),
        f.s.ledger,
        "ZeroAmount",
        [],
      );
    });

    it("test_escrow_anAccountPastItsLimitPostsNothingUntilTheDebtIsWorkedOff", async () => {
      const f = await load();
      const { s, bob, B } = f;
      await f.fund(B, 10_000n, 10_000n); // limit 5000
      await s.wait(await f.opLedger.write.unlockAndSlash([B, 0n, 14_000n])); // balance -4000: within the limit
      const small = escrowFor(100n, VerificationMode.Replicated);
      const posted = await s.post(bob, { bounty: 100n });
      assert.equal((await s.ledger.read.escrowOf([posted])).amount, small);
      await s.wait(await f.opLedger.write.unlockAndSlash([B, 0n, 2_000n])); // past -5000
      const spendable = -1_000n - small;
      assert.equal(await s.ledger.read.spendable([B]), spendable);
      const now = Number((await s.publicClient.getBlock()).timestamp);
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(bob)).market.write.post([
          {
            typeId: 0,
            mode: VerificationMode.Replicated,
            bounty: 100,
            deadline: now + 3600,
            claimWindow: 0,
            inputBytes: 1_000,
            preferredWorker: ZERO_ADDRESS,
            zkInputCommitment: 0n,
            inputCid: toHex("bafy-debtor"),
            spec: toHex("{}"),
          },
        ]),
        s.ledger,
        "InsufficientCredit",
        [B, spendable, small],
      );
      // Working the debt off (1200 more of work credit, limit +600) lets the account post again.
      await f.fund(B, 1_200n, 1_200n);
      assert.equal(await s.ledger.read.spendable([B]), spendable + 1_200n + 600n);
      const again = await s.post(bob, { bounty: 100n });
      await f.assertInvariants([posted, again]);
    });
  });

  // ------------------------------------------------------------------ release

  describe("CreditLedger.release", () => {
    it("test_release_paysOutOfEscrowAndRefundsTheRestToTheRequester", async () => {
      const f = await load();
      const { s, A, B } = f;
      await f.fund(A, 1_000n);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      const hash = await f.release(task, A, [{ account: B, pay: 600n }]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowPaid", [task, B, 600n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [task, A, 400n, 0n]);
      assert.equal((await logsOf(f, hash, "IouRecorded")).length, 0, "no IOU unless asked");
      assert.equal((await f.account(B)).balance, 600n);
      assert.equal((await f.account(A)).balance, 400n);
      assert.deepEqual(await s.ledger.read.escrowOf([task]), { amount: 0n, genesis: 0n });
      await f.assertInvariants();
    });

    it("test_release_paysGenesisShareAsGenesis", async () => {
      const f = await load();
      const { s, A, B } = f;
      await f.grant(A);
      await f.fund(A, 500n);
      const task = f.newTask();
      await f.escrow(task, A, 10_500n); // 10000 genesis + 500
      // 3000 x 10000 / 10500 = 2857.14: 2857 arrives as genesis credit, 143 as transferable credit.
      await viem.assertions.emitWithArgs(f.release(task, A, [{ account: B, pay: 3_000n }]), s.ledger, "EscrowPaid", [
        task,
        B,
        3_000n,
        2_857n,
        0n,
      ]);
      const acc = await f.account(B);
      assert.deepEqual([acc.genesis, acc.balance], [2_857n, 143n]);
      // The rest went home: 7143 genesis to genesis, 357 to the balance.
      const req = await f.account(A);
      assert.deepEqual([req.genesis, req.balance], [7_143n, 357n]);
      await f.assertInvariants();
    });

    it("test_release_roundsTheGenesisShareDownAndKeepsTheEscrowGenesisWithinItsAmount", async () => {
      const f = await load();
      const { s, A, B, C } = f;
      await mixedAccount(f, A, 2n, 1n);
      const task = f.newTask();
      await f.escrow(task, A, 3n); // {3, genesis 2}
      const hash = await f.release(task, A, [
        { account: B, pay: 1n }, // 1 x 2 / 3 = 0.67: no genesis; the escrow keeps {2, 2}
        { account: C, pay: 1n }, // 1 x 2 / 2 = 1: genesis
      ]);
      const paid = await logsOf(f, hash, "EscrowPaid");
      assert.deepEqual(
        paid.map((l) => [l.args.to, l.args.amount, l.args.asGenesis]),
        [
          [B, 1n, 0n],
          [C, 1n, 1n],
        ],
      );
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [task, A, 1n, 1n]);
      assert.deepEqual([(await f.account(B)).balance, (await f.account(C)).genesis], [1n, 1n]);
      // Nothing of the escrow's 2 genesis became transferable: 1 paid as genesis, 1 refunded as genesis.
      const req = await f.account(A);
      assert.deepEqual([req.genesis, req.balance], [1n, 0n]);
      await f.assertInvariants();
    });

    it("test_release_takesEachShareFromWhatTheEscrowHoldsAtThatPoint", async () => {
      const f = await load();
      const { s, A, B, C } = f;
      await mixedAccount(f, A, 700n, 300n);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n); // {1000, genesis 700}
      const hash = await f.release(task, A, [{ account: B, pay: 300n }, { account: C, pay: 300n }], 10n);
      // 300 x 700/1000 = 210 -> {700, 490}; 300 x 490/700 = 210 -> {400, 280}; fee 10 x 280/400 = 7 -> {390, 273}.
      const paid = await logsOf(f, hash, "EscrowPaid");
      assert.deepEqual(
        paid.map((l) => [l.args.to, l.args.asGenesis]),
        [
          [B, 210n],
          [C, 210n],
        ],
      );
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowToTreasury", [task, 10n, 7n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [task, A, 390n, 273n]);
      const req = await f.account(A);
      assert.deepEqual([req.genesis, req.balance], [273n, 117n]);
      await f.assertInvariants();
    });

    it("test_release_addsWorkCreditToEarnedAndNotThePay", async () => {
      const f = await load();
      const { s, A, B } = f;
      await f.grant(A);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      await viem.assertions.emitWithArgs(
        f.release(task, A, [{ account: B, pay: 1_000n, workCredit: 150n }]),
        s.ledger,
        "EscrowPaid",
        [task, B, 1_000n, 1_000n, 150n],
      );
      const acc = await f.account(B);
      assert.deepEqual([acc.genesis, acc.earned], [1_000n, 150n]);
      assert.equal(await s.ledger.read.creditLimit([B]), 75n);
      await f.assertInvariants();
    });

    it("test_release_countsNoWorkCreditWithoutPay", async () => {
      const f = await load();
      const { s, A, B } = f;
      await f.grant(A);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      const hash = await f.release(task, A, [{ account: B, pay: 0n, workCredit: 500n }]);
      assert.equal((await logsOf(f, hash, "EscrowPaid")).length, 0);
      assert.equal((await f.account(B)).earned, 0n);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [task, A, 1_000n, 1_000n]);
      await f.assertInvariants();
    });

    it("test_release_recordsAnIouOfTheRequesterOnlyWhenAsked", async () => {
      const f = await load();
      const { s, A, B, C } = f;
      await f.grant(A);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      const hash = await f.release(task, A, [
        { account: B, pay: 600n, iou: true },
        { account: C, pay: 10n, iou: false },
      ]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "IouRecorded", [A, B, 600n, 0n]);
      assert.equal((await logsOf(f, hash, "IouRecorded")).length, 1);
      assert.equal(await s.ledger.read.owed([A, B]), 600n);
      assert.equal(await s.ledger.read.owed([A, C]), 0n);
      await f.assertInvariants();
    });

    it("test_release_netsTheIouAgainstTheReverseIouFirst", async () => {
      const f = await load();
      const { s, A, B } = f;
      await f.grant(A);
      await f.grant(B);
      const iou = async (debtor: Address, creditor: Address, amount: bigint) => {
        const task = f.newTask();
        await f.escrow(task, debtor, amount);
        return f.release(task, debtor, [{ account: creditor, pay: amount, iou: true }]);
      };
      await s.wait(await iou(B, A, 300n));
      // The reverse IOU is larger than the new one: it only shrinks.
      await viem.assertions.emitWithArgs(await iou(A, B, 100n), s.ledger, "IouRecorded", [A, B, 100n, 100n]);
      assert.deepEqual([await s.ledger.read.owed([B, A]), await s.ledger.read.owed([A, B])], [200n, 0n]);
      // The new IOU is larger: the reverse one is cleared and only the rest is recorded.
      await viem.assertions.emitWithArgs(await iou(A, B, 500n), s.ledger, "IouRecorded", [A, B, 500n, 200n]);
      assert.deepEqual([await s.ledger.read.owed([B, A]), await s.ledger.read.owed([A, B])], [0n, 300n]);
      await f.assertInvariants();
    });

    it("test_release_unlocksThenSlashesEachParticipant", async () => {
      const f = await load();
      const { s, A, B } = f;
      await f.grant(A);
      await f.grant(B);
      await s.wait(await f.opLedger.write.stakeFrom([B, 2_000n]));
      await s.wait(await f.opLedger.write.lockStake([B, 2_000n]));
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      const hash = await f.release(task, A, [{ account: B, unlock: 200n, slash: 200n }]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "StakeUnlocked", [B, 200n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [B, 200n, 200n, 200n]);
      // Unlocked first (locked 1800), then slashed (stake 1800): had the slash come first, 1600 would be locked.
      const acc = await f.account(B);
      assert.deepEqual([acc.stake, acc.lockedStake, acc.stakeGenesis], [1_800n, 1_800n, 1_800n]);
      // The slash goes to the treasury with its genesis part, not into the escrow.
      assert.deepEqual([await s.ledger.read.treasury(), await s.ledger.read.treasuryGenesis()], [200n, 200n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [task, A, 1_000n, 1_000n]);
      await f.assertInvariants();
    });

    it("test_release_movesToTreasuryWithItsGenesisShare", async () => {
      const f = await load();
      const { s, A } = f;
      await mixedAccount(f, A, 500n, 500n);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      const hash = await f.release(task, A, [], 30n);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowToTreasury", [task, 30n, 15n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "EscrowRefunded", [task, A, 970n, 485n]);
      assert.deepEqual([await s.ledger.read.treasury(), await s.ledger.read.treasuryGenesis()], [30n, 15n]);
      await f.assertInvariants();
    });

    it("test_release_refundsAGenesisFundedCancelledPostToGenesis", async () => {
      const f = await load();
      const { s, alice, A, B } = f;
      const a = await s.registerWorker(alice, 0n, false);
      const taskId = await s.post(alice, { bounty: 1_000n });
      const escrowed = escrowFor(1_000n, VerificationMode.Replicated);
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: escrowed, genesis: escrowed });
      await viem.assertions.emitWithArgs(a.market.write.cancel([taskId]), s.ledger, "EscrowRefunded", [
        taskId,
        A,
        escrowed,
        escrowed,
      ]);
      const acc = await f.account(A);
      assert.deepEqual([acc.genesis, acc.balance], [GRANT, 0n]);
      assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: 0n, genesis: 0n });
      await viem.assertions.revertWithCustomErrorWithArgs(a.ledger.write.transfer([B, 1n]), s.ledger, "InsufficientTransferable", [
        A,
        0n,
        1n,
      ]);
      await f.assertInvariants([taskId]);
    });

    it("test_release_revertsInsufficientEscrowWhenPayingMoreThanTheEscrowHolds", async () => {
      const f = await load();
      const { s, A, B } = f;
      await f.grant(A);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.release(task, A, [{ account: B, pay: 600n }, { account: B, pay: 401n }]),
        s.ledger,
        "InsufficientEscrow",
        [task, 400n, 401n],
      );
      const never = f.newTask();
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.release(never, A, [{ account: B, pay: 1n }]),
        s.ledger,
        "InsufficientEscrow",
        [never, 0n, 1n],
      );
      // All or nothing: the first settlement of the reverted release paid nothing.
      assert.equal((await f.account(B)).genesis, 0n);
      assert.deepEqual(await s.ledger.read.escrowOf([task]), { amount: 1_000n, genesis: 1_000n });
      await f.assertInvariants();
    });

    it("test_release_revertsInsufficientEscrowWhenTheTreasuryShareExceedsTheRest", async () => {
      const f = await load();
      const { s, A, B } = f;
      await f.grant(A);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.release(task, A, [{ account: B, pay: 995n }], 6n),
        s.ledger,
        "InsufficientEscrow",
        [task, 5n, 6n],
      );
      assert.equal(await s.ledger.read.treasury(), 0n);
      await f.assertInvariants();
    });

    it("test_release_isANoOpOnAnEmptyEscrowWithoutSettlements", async () => {
      const f = await load();
      const receipt = await f.s.wait(await f.release(f.newTask(), f.A, []));
      assert.equal(receipt.logs.length, 0);
      await f.assertInvariants();
    });

    it(`testFuzz_release_conservesCreditAndGenesis (seed ${SEED})`, async () => {
      const f = await load();
      const { s, A } = f;
      const rnd = mulberry32(SEED);
      const int = (n: bigint): bigint => BigInt(Math.floor(rnd() * Number(n))); // 0 .. n-1
      const stranger = getAddress("0x00000000000000000000000000000000000f00d1");
      f.extraAccounts.add(stranger);
      const payees = [f.C, f.D, f.E, stranger];
      await f.grant(A);
      for (let i = 0; i < 20; i++) {
        const topUp = int(400n);
        if (topUp > 0n) await f.fund(A, topUp);
        const acc = await f.account(A);
        const held = acc.genesis + (acc.balance > 0n ? acc.balance : 0n);
        const amount = 1n + int(held < 1_500n ? held : 1_500n);
        const task = f.newTask();
        await f.escrow(task, A, amount);
        const e = await s.ledger.read.escrowOf([task]);

        // Random settlements that fit the escrow, a random platform fee, and what the ledger must do with them.
        let left = e.amount;
        let leftGenesis = e.genesis;
        const settlements: SettlementIn[] = [];
        const expectedPaid: [Address, bigint, bigint, bigint][] = [];
        const delta = new Map<Address, { genesis: bigint; balance: bigint; earned: bigint; iou: bigint }>();
        for (const p of payees) delta.set(p, { genesis: 0n, balance: 0n, earned: 0n, iou: 0n });
        for (let k = int(4n); k > 0n; k--) {
          const account = payees[Number(int(BigInt(payees.length)))]!;
          const pay = int(left + 1n);
          const workCredit = int(pay + 1n);
          const iou = rnd() < 0.5;
          settlements.push({ account, pay, workCredit, iou });
          if (pay === 0n) continue;
          const share = (pay * leftGenesis) / left;
          left -= pay;
          leftGenesis -= share;
          expectedPaid.push([account, pay, share, workCredit]);
          const d = delta.get(account)!;
          d.genesis += share;
          d.balance += pay - share;
          d.earned += workCredit;
          if (iou) d.iou += pay;
        }
        const toTreasury = rnd() < 0.5 ? int(left + 1n) : 0n;
        const treasuryShare = toTreasury === 0n ? 0n : (toTreasury * leftGenesis) / left;
        left -= toTreasury;
        leftGenesis -= treasuryShare;

        const before = new Map<Address, { acc: Awaited<ReturnType<typeof f.account>>; owed: bigint }>();
        for (const p of payees) before.set(p, { acc: await f.account(p), owed: await s.ledger.read.owed([A, p]) });
        const reqBefore = await f.account(A);
        const treasuryBefore = [await s.ledger.read.treasury(), await s.ledger.read.treasuryGenesis()];

        const hash = await f.release(task, A, settlements, toTreasury);
        const paid = await logsOf(f, hash, "EscrowPaid");
        assert.deepEqual(
          paid.map((l) => [l.args.to, l.args.amount, l.args.asGenesis, l.args.workCredit]),
          expectedPaid,
          `step ${i}: escrow ${e.amount}/${e.genesis}`,
        );
        const refunds = await logsOf(f, hash, "EscrowRefunded");
        assert.deepEqual(
          refunds.map((l) => [l.args.amount, l.args.toGenesis]),
          left === 0n ? [] : [[left, leftGenesis]],
        );
        for (const p of payees) {
          const was = before.get(p)!;
          const now = await f.account(p);
          const d = delta.get(p)!;
          assert.deepEqual(
            [now.genesis - was.acc.genesis, now.balance - was.acc.balance, now.earned - was.acc.earned],
            [d.genesis, d.balance, d.earned],
            `step ${i}: payee ${p}`,
          );
          assert.equal((await s.ledger.read.owed([A, p])) - was.owed, d.iou, `step ${i}: IOU to ${p}`);
        }
        const req = await f.account(A);
        assert.deepEqual([req.genesis - reqBefore.genesis, req.balance - reqBefore.balance], [leftGenesis, left - leftGenesis]);
        assert.deepEqual(
          [(await s.ledger.read.treasury()) - treasuryBefore[0]!, (await s.ledger.read.treasuryGenesis()) - treasuryBefore[1]!],
          [toTreasury, treasuryShare],
        );
        // Genesis in, genesis out: what left the escrow as transferable credit is what came in as such.
        let transferableOut = left - leftGenesis + toTreasury - treasuryShare;
        for (const [, pay, share] of expectedPaid) transferableOut += pay - share;
        assert.equal(transferableOut, e.amount - e.genesis, `step ${i}: transferable out == transferable in`);
        assert.deepEqual(await s.ledger.read.escrowOf([task]), { amount: 0n, genesis: 0n });
      }
      await f.assertInvariants();
    });
  });

  // ------------------------------------------------------------------ stake

  describe("CreditLedger.stakeFrom", () => {
    it("test_stakeFrom_stakesGenesisFirstAndRecordsTheGenesisPart", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await f.fund(A, 1_000n);
      await viem.assertions.emitWithArgs(f.opLedger.write.stakeFrom([A, 10_500n]), s.ledger, "Staked", [A, 10_500n, 10_000n]);
      const acc = await f.account(A);
      assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.stakeGenesis], [0n, 500n, 10_500n, 10_000n]);
      assert.equal(await s.ledger.read.freeStake([A]), 10_500n);
      await f.assertInvariants();
    });

    it("test_stakeFrom_revertsInsufficientCreditPastTheCreditHeld", async () => {
      const f = await load();
      const { s, B } = f;
      await f.fund(B, 1_000n, 1_000n);
      assert.equal(await s.ledger.read.spendable([B]), 1_500n);
      // A stake is backed by credit the account holds, never by its credit line.
      await viem.assertions.revertWithCustomErrorWithArgs(f.opLedger.write.stakeFrom([B, 1_001n]), s.ledger, "InsufficientCredit", [
        B,
        1_000n,
        1_001n,
      ]);
      await f.assertInvariants();
    });

    it("test_stakeFrom_revertsZeroAmount", async () => {
      const f = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(f.opLedger.write.stakeFrom([f.B, 0n]), f.s.ledger, "ZeroAmount", []);
    });
  });

  describe("CreditLedger.unstakeTo", () => {
    it("test_unstakeTo_returnsGenesisStakeToGenesisFirstThenToTheBalance", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await f.fund(A, 1_000n);
      await s.wait(await f.opLedger.write.stakeFrom([A, 10_500n]));
      await viem.assertions.emitWithArgs(f.opLedger.write.unstakeTo([A, 4_000n]), s.ledger, "Unstaked", [A, 4_000n, 4_000n]);
      let acc = await f.account(A);
      assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.stakeGenesis], [4_000n, 500n, 6_500n, 6_000n]);
      await viem.assertions.emitWithArgs(f.opLedger.write.unstakeTo([A, 6_500n]), s.ledger, "Unstaked", [A, 6_500n, 6_000n]);
      acc = await f.account(A);
      assert.deepEqual([acc.genesis, acc.balance, acc.stake, acc.stakeGenesis], [10_000n, 1_000n, 0n, 0n]);
      await f.assertInvariants();
    });

    it("test_unstakeTo_revertsInsufficientFreeStakeWhenPartIsLocked", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await s.wait(await f.opLedger.write.stakeFrom([A, 10_000n]));
      await s.wait(await f.opLedger.write.lockStake([A, 3_000n]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.opLedger.write.unstakeTo([A, 7_001n]),
        s.ledger,
        "InsufficientFreeStake",
        [A, 7_000n, 7_001n],
      );
      await f.assertInvariants();
    });

    it("test_unstakeTo_revertsZeroAmount", async () => {
      const f = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(f.opLedger.write.unstakeTo([f.B, 0n]), f.s.ledger, "ZeroAmount", []);
    });
  });

  describe("CreditLedger.lockStake", () => {
    it("test_lockStake_locksFreeStake", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await s.wait(await f.opLedger.write.stakeFrom([A, 5_000n]));
      await viem.assertions.emitWithArgs(f.opLedger.write.lockStake([A, 1_200n]), s.ledger, "StakeLocked", [A, 1_200n]);
      assert.equal((await f.account(A)).lockedStake, 1_200n);
      assert.equal(await s.ledger.read.freeStake([A]), 3_800n);
    });

    it("test_lockStake_revertsInsufficientFreeStake", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await s.wait(await f.opLedger.write.stakeFrom([A, 5_000n]));
      await s.wait(await f.opLedger.write.lockStake([A, 4_000n]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.opLedger.write.lockStake([A, 1_001n]),
        s.ledger,
        "InsufficientFreeStake",
        [A, 1_000n, 1_001n],
      );
    });
  });

  describe("CreditLedger.unlockStake", () => {
    it("test_unlockStake_unlocksAtMostWhatIsLocked", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await s.wait(await f.opLedger.write.stakeFrom([A, 5_000n]));
      await s.wait(await f.opLedger.write.lockStake([A, 3_000n]));
      await viem.assertions.emitWithArgs(f.opLedger.write.unlockStake([A, 1_000n]), s.ledger, "StakeUnlocked", [A, 1_000n]);
      await viem.assertions.emitWithArgs(f.opLedger.write.unlockStake([A, 5_000n]), s.ledger, "StakeUnlocked", [A, 2_000n]);
      assert.equal((await f.account(A)).lockedStake, 0n);
      assert.equal(await s.ledger.read.freeStake([A]), 5_000n);
    });

    it("test_unlockStake_isANoOpForZero", async () => {
      const f = await load();
      const receipt = await f.s.wait(await f.opLedger.write.unlockStake([f.A, 0n]));
      assert.equal(receipt.logs.length, 0);
    });
  });

  // ------------------------------------------------------------------ slashes

  describe("CreditLedger.unlockAndSlash", () => {
    it("test_unlockAndSlash_takesGenesisStakeFirstIntoTheTreasuryGenesis", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await f.fund(A, 1_000n);
      await s.wait(await f.opLedger.write.stakeFrom([A, 10_500n])); // 10000 genesis + 500
      await viem.assertions.emitWithArgs(f.opLedger.write.unlockAndSlash([A, 0n, 2_000n]), s.ledger, "Slashed", [
        A,
        2_000n,
        2_000n,
        2_000n,
      ]);
      const acc = await f.account(A);
      assert.deepEqual([acc.stake, acc.stakeGenesis, acc.balance, acc.genesis], [8_500n, 8_000n, 500n, 0n]);
      assert.deepEqual([await s.ledger.read.treasury(), await s.ledger.read.treasuryGenesis()], [2_000n, 2_000n]);
      // The rest of the stake unstakes as it was staked: genesis to genesis, the earned part to the balance.
      await s.wait(await f.opLedger.write.unstakeTo([A, 8_500n]));
      const after = await f.account(A);
      assert.deepEqual([after.genesis, after.balance], [8_000n, 1_000n]);
      await f.assertInvariants();
    });

    it("test_unlockAndSlash_takesTheBalanceIntoDebtBeyondTheStakeAndLeavesGenesisAlone", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await f.fund(A, 1_000n);
      await s.wait(await f.opLedger.write.stakeFrom([A, 3_000n])); // all genesis
      // Recovered: the 3000 of stake and the 1000 of positive balance; the other 1000 is debt.
      await viem.assertions.emitWithArgs(f.opLedger.write.unlockAndSlash([A, 0n, 5_000n]), s.ledger, "Slashed", [
        A,
        5_000n,
        3_000n,
        4_000n,
      ]);
      const acc = await f.account(A);
      assert.deepEqual([acc.stake, acc.stakeGenesis, acc.balance, acc.genesis], [0n, 0n, -1_000n, 7_000n]);
      assert.deepEqual([await s.ledger.read.treasury(), await s.ledger.read.treasuryGenesis()], [5_000n, 3_000n]);
      await f.assertInvariants();
    });

    it("test_unlockAndSlash_recoversNothingFromAnAccountAlreadyInDebt", async () => {
      const f = await load();
      const { s, B } = f;
      await f.fund(B, 1_000n, 1_000n);
      await f.escrow(f.newTask(), B, 1_500n); // balance -500
      await viem.assertions.emitWithArgs(f.opLedger.write.unlockAndSlash([B, 0n, 1_000n]), s.ledger, "Slashed", [B, 1_000n, 0n, 0n]);
      assert.equal((await f.account(B)).balance, -1_500n);
      await f.assertInvariants();
    });

    it("test_unlockAndSlash_unlocksBeforeSlashingAndKeepsTheLockWithinTheStake", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await s.wait(await f.opLedger.write.stakeFrom([A, 5_000n]));
      await s.wait(await f.opLedger.write.lockStake([A, 4_000n]));
      const hash = await f.opLedger.write.unlockAndSlash([A, 1_000n, 600n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "StakeUnlocked", [A, 1_000n]);
      let acc = await f.account(A);
      assert.deepEqual([acc.stake, acc.lockedStake], [4_400n, 3_000n]);
      await s.wait(await f.opLedger.write.unlockAndSlash([A, 0n, 2_400n]));
      acc = await f.account(A);
      assert.deepEqual([acc.stake, acc.lockedStake], [2_000n, 2_000n]);
      assert.equal(await s.ledger.read.freeStake([A]), 0n);
      await f.assertInvariants();
    });

    it("test_unlockAndSlash_onlyUnlocksForAZeroSlash", async () => {
      const f = await load();
      const { s, A } = f;
      await f.grant(A);
      await s.wait(await f.opLedger.write.stakeFrom([A, 5_000n]));
      await s.wait(await f.opLedger.write.lockStake([A, 500n]));
      const hash = await f.opLedger.write.unlockAndSlash([A, 500n, 0n]);
      assert.equal((await logsOf(f, hash, "Slashed")).length, 0);
      await viem.assertions.emitWithArgs(hash, s.ledger, "StakeUnlocked", [A, 500n]);
      assert.deepEqual([(await f.account(A)).stake, await s.ledger.read.treasury()], [5_000n, 0n]);
    });
  });

  describe("CreditLedger.slashAndReward", () => {
    /** `who` with `stake` of transferable credit staked (no genesis in it) and `balance` left unstaked. */
    async function stakedWithoutGenesis(f: F, who: Address, stake: bigint, balance = 0n) {
      await f.fund(who, stake + balance);
      await f.s.wait(await f.opLedger.write.stakeFrom([who, stake]));
    }
    const simulate = (f: F, args: [Address, bigint, bigint, Address[], bigint]) =>
      f.opLedger.simulate.slashAndReward(args, { account: f.op.account.address });

    it("test_slashAndReward_paysEachRewardedUpToEach", async () => {
      const f = await load();
      const { s, A, B, C } = f;
      await stakedWithoutGenesis(f, A, 5_000n);
      await s.wait(await f.opLedger.write.lockStake([A, 500n]));
      const args: [Address, bigint, bigint, Address[], bigint] = [A, 500n, 5_000n, [B, C], 1_000n];
      assert.equal((await simulate(f, args)).result, 1_000n);
      const hash = await f.opLedger.write.slashAndReward(args);
      await viem.assertions.emitWithArgs(hash, s.ledger, "StakeUnlocked", [A, 500n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [A, 5_000n, 5_000n, 5_000n]);
      const rewards = await logsOf(f, hash, "SlashRewarded");
      assert.deepEqual(
        rewards.map((l) => [l.args.from, l.args.to, l.args.amount, l.args.asGenesis]),
        [
          [A, B, 1_000n, 0n],
          [A, C, 1_000n, 0n],
        ],
      );
      assert.deepEqual([(await f.account(B)).balance, (await f.account(C)).balance], [1_000n, 1_000n]);
      assert.equal(await s.ledger.read.treasury(), 3_000n, "the rest of the slash stays in the treasury");
      await f.assertInvariants();
    });

    it("test_slashAndReward_capsEachAtWhatTheSlashRecoveredNeverTheDebt", async () => {
      const f = await load();
      const { s, A, B, C } = f;
      await stakedWithoutGenesis(f, A, 1_000n);
      // A slash of 10000 recovers the 1000 of stake; the other 9000 is debt of an account that may be abandoned.
      const args: [Address, bigint, bigint, Address[], bigint] = [A, 0n, 10_000n, [B, C], 2_500n];
      assert.equal((await simulate(f, args)).result, 500n);
      const hash = await f.opLedger.write.slashAndReward(args);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [A, 10_000n, 1_000n, 1_000n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "SlashRewarded", [A, C, 500n, 0n]);
      assert.deepEqual([(await f.account(B)).balance, (await f.account(C)).balance], [500n, 500n]);
      assert.equal((await f.account(A)).balance, -9_000n);
      assert.equal(await s.ledger.read.treasury(), 9_000n);
      await f.assertInvariants();
    });

    it("test_slashAndReward_countsAPositiveBalanceAsRecovered", async () => {
      const f = await load();
      const { s, A, B } = f;
      await stakedWithoutGenesis(f, A, 1_000n, 500n);
      const args: [Address, bigint, bigint, Address[], bigint] = [A, 0n, 3_000n, [B], 2_000n];
      assert.equal((await simulate(f, args)).result, 1_500n);
      const hash = await f.opLedger.write.slashAndReward(args);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [A, 3_000n, 1_000n, 1_500n]);
      assert.equal((await f.account(B)).balance, 1_500n);
      assert.equal((await f.account(A)).balance, -1_500n);
      await f.assertInvariants();
    });

    it("test_slashAndReward_paysNothingWhenTheSlashRecoversNothing", async () => {
      const f = await load();
      const { s, A, B } = f;
      const args: [Address, bigint, bigint, Address[], bigint] = [A, 0n, 1_000n, [B], 1_000n];
      assert.equal((await simulate(f, args)).result, 0n);
      const hash = await f.opLedger.write.slashAndReward(args);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [A, 1_000n, 0n, 0n]);
      assert.equal((await logsOf(f, hash, "SlashRewarded")).length, 0);
      assert.equal((await f.account(B)).balance, 0n);
      assert.equal(await s.ledger.read.treasury(), 1_000n);
      await f.assertInvariants();
    });

    it("test_slashAndReward_paysNothingWhenTheRecoveredShareRoundsToZero", async () => {
      const f = await load();
      const { s, A, B, C } = f;
      await stakedWithoutGenesis(f, A, 1n);
      const args: [Address, bigint, bigint, Address[], bigint] = [A, 0n, 1n, [B, C], 10n];
      assert.equal((await simulate(f, args)).result, 0n);
      const hash = await f.opLedger.write.slashAndReward(args);
      assert.equal((await logsOf(f, hash, "SlashRewarded")).length, 0);
      assert.equal(await s.ledger.read.treasury(), 1n);
      await f.assertInvariants();
    });

    it("test_slashAndReward_keepsEverythingInTheTreasuryWithNobodyRewarded", async () => {
      const f = await load();
      const { s, A } = f;
      await stakedWithoutGenesis(f, A, 1_000n);
      const args: [Address, bigint, bigint, Address[], bigint] = [A, 0n, 1_000n, [], 1_000n];
      assert.equal((await simulate(f, args)).result, 0n);
      const hash = await f.opLedger.write.slashAndReward(args);
      assert.equal((await logsOf(f, hash, "SlashRewarded")).length, 0);
      assert.equal(await s.ledger.read.treasury(), 1_000n);
      await f.assertInvariants();
    });

    it("test_slashAndReward_paysTheSlashGenesisShareAsGenesis", async () => {
      const f = await load();
      const { s, A, B, C } = f;
      await mixedAccount(f, A, 3_000n, 1_000n);
      await s.wait(await f.opLedger.write.stakeFrom([A, 4_000n])); // 3000 genesis + 1000
      const hash = await f.opLedger.write.slashAndReward([A, 0n, 4_000n, [B, C], 1_000n]);
      // Each gets 1000 with the slash's genesis share: 1000 x 3000 / 4000 = 750 as genesis.
      await viem.assertions.emitWithArgs(hash, s.ledger, "SlashRewarded", [A, B, 1_000n, 750n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "SlashRewarded", [A, C, 1_000n, 750n]);
      const b = await f.account(B);
      assert.deepEqual([b.genesis, b.balance], [750n, 250n]);
      assert.deepEqual([await s.ledger.read.treasury(), await s.ledger.read.treasuryGenesis()], [2_000n, 1_500n]);
      await f.assertInvariants();
    });

    it("test_slashAndReward_neverPaysMoreTransferableCreditThanTheSlashRecoveredAsSuch", async () => {
      const f = await load();
      const { s, A, B, C, D } = f;
      await mixedAccount(f, A, GRANT, 1n);
      await s.wait(await f.opLedger.write.stakeFrom([A, GRANT + 1n])); // 10000 genesis + 1 transferable
      const hash = await f.opLedger.write.slashAndReward([A, 0n, GRANT + 1n, [B, C, D], 100n]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Slashed", [A, GRANT + 1n, GRANT + 1n, GRANT + 1n]);
      // The slash recovered 1 mCC of transferable credit: the three rewards together may carry at most that much
      // as transferable credit, the rest must arrive as genesis credit (genesis never becomes transferable).
      let transferable = 0n;
      for (const x of [B, C, D]) transferable += (await f.account(x)).balance;
      assert.ok(transferable <= 1n, `rewards paid ${transferable} mCC of transferable credit out of 1 mCC recovered`);
      await f.assertInvariants();
    });
  });

  // ------------------------------------------------------------------ IOU cycles

  describe("CreditLedger.clearCycle", () => {
    /** IOUs a -> b 500, b -> c 300, c -> a 400, each recorded by a release of the debtor's task. */
    async function triangle() {
      const f = await load();
      const { A, B, C } = f;
      for (const x of [A, B, C]) await f.grant(x);
      for (const [debtor, creditor, amount] of [
        [A, B, 500n],
        [B, C, 300n],
        [C, A, 400n],
      ] as const) {
        const task = f.newTask();
        await f.escrow(task, debtor, amount);
        await f.s.wait(await f.release(task, debtor, [{ account: creditor, pay: amount, iou: true }]));
      }
      return f;
    }

    it("test_clearCycle_clearsByTheMinimumEdgeForAnyoneAndLeavesCreditUnchanged", async () => {
      const f = await triangle();
      const { s, dave, A, B, C, D } = f;
      const before = await Promise.all([A, B, C, D].map((x) => f.account(x)));
      const d = await s.as(dave);
      assert.equal((await d.ledger.simulate.clearCycle([[A, B, C]], { account: D })).result, 300n);
      const hash = await d.ledger.write.clearCycle([[A, B, C]]);
      const [log] = await logsOf(f, hash, "CycleCleared");
      assert.ok(log);
      assert.deepEqual([log.args.clearedBy, log.args.path, log.args.amount], [D, [A, B, C], 300n]);
      assert.deepEqual(
        await Promise.all([s.ledger.read.owed([A, B]), s.ledger.read.owed([B, C]), s.ledger.read.owed([C, A])]),
        [200n, 0n, 100n],
      );
      assert.deepEqual(await Promise.all([A, B, C, D].map((x) => f.account(x))), before);
      await f.assertInvariants();
    });

    it("test_clearCycle_revertsNoDebtOnEdgeOnceTheClearedEdgeIsGone", async () => {
      const f = await triangle();
      const { s, dave, A, B, C } = f;
      const d = await s.as(dave);
      await s.wait(await d.ledger.write.clearCycle([[A, B, C]]));
      await viem.assertions.revertWithCustomErrorWithArgs(d.ledger.write.clearCycle([[A, B, C]]), s.ledger, "NoDebtOnEdge", [B, C]);
    });

    it("test_clearCycle_revertsNoDebtOnEdgeWhenThePathDoesNotClose", async () => {
      const f = await triangle();
      const { s, dave, A, B, C } = f;
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(dave)).ledger.write.clearCycle([[A, C, B]]),
        s.ledger,
        "NoDebtOnEdge",
        [A, C],
      );
      assert.equal(await s.ledger.read.owed([A, B]), 500n);
    });

    it("test_clearCycle_revertsInvalidCycleForOneAccount", async () => {
      const f = await triangle();
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await f.s.as(f.dave)).ledger.write.clearCycle([[f.A]]),
        f.s.ledger,
        "InvalidCycle",
        [1n],
      );
    });

    it("test_clearCycle_revertsInvalidCyclePastMaxCycleLength", async () => {
      const f = await triangle();
      assert.equal(await f.s.ledger.read.MAX_CYCLE_LENGTH(), 16n);
      const path = f.s.wallets.slice(0, 17).map((w) => w.account.address);
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await f.s.as(f.dave)).ledger.write.clearCycle([path]),
        f.s.ledger,
        "InvalidCycle",
        [17n],
      );
    });
  });

  // ------------------------------------------------------------------ pause

  describe("CreditLedger.pause", () => {
    it("test_pause_stopsTransfersUntilUnpaused", async () => {
      const f = await load();
      const { s, gov, bob, B, E } = f;
      await f.fund(B, 1_000n);
      await viem.assertions.emitWithArgs(s.ledger.write.pause(), s.ledger, "Paused", [gov.account.address]);
      const b = await s.as(bob);
      await viem.assertions.revertWithCustomErrorWithArgs(b.ledger.write.transfer([E, 1n]), s.ledger, "EnforcedPause", []);
      await viem.assertions.emitWithArgs(s.ledger.write.unpause(), s.ledger, "Unpaused", [gov.account.address]);
      await s.wait(await b.ledger.write.transfer([E, 1n]));
      assert.equal((await f.account(E)).balance, 1n);
      await f.assertInvariants();
    });

    it("test_pause_stopsClearCycle", async () => {
      const f = await load();
      const { s, dave, A, B } = f;
      await s.wait(await s.ledger.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await s.as(dave)).ledger.write.clearCycle([[A, B]]),
        s.ledger,
        "EnforcedPause",
        [],
      );
    });

    it("test_pause_letsOperatorsMoveCreditSoThatWorkInFlightEnds", async () => {
      const f = await load();
      const { s, A, B } = f;
      await s.wait(await s.ledger.write.pause());
      await f.grant(A);
      const task = f.newTask();
      await f.escrow(task, A, 1_000n);
      await s.wait(await f.opLedger.write.stakeFrom([A, 1_000n]));
      await s.wait(await f.opLedger.write.lockStake([A, 100n]));
      await s.wait(await f.opLedger.write.unlockAndSlash([A, 100n, 10n]));
      await s.wait(await f.release(task, A, [{ account: B, pay: 500n }], 10n));
      assert.equal((await f.account(B)).genesis, 500n);
      assert.equal(await s.ledger.read.paused(), true);
      await f.assertInvariants();
    });

    it("test_pause_revertsAccessControlUnauthorizedAccountForANonAdmin", async () => {
      const f = await load();
      const { s, alice, A } = f;
      const l = await f.ledgerAs(alice);
      await viem.assertions.revertWithCustomErrorWithArgs(l.write.pause(), s.ledger, "AccessControlUnauthorizedAccount", [
        A,
        DEFAULT_ADMIN_ROLE,
      ]);
      await s.wait(await s.ledger.write.pause());
      await viem.assertions.revertWithCustomErrorWithArgs(l.write.unpause(), s.ledger, "AccessControlUnauthorizedAccount", [
        A,
        DEFAULT_ADMIN_ROLE,
      ]);
      assert.equal(await s.ledger.read.paused(), true);
    });
  });

  // ------------------------------------------------------------------ access

  describe("CreditLedger operator functions", () => {
    type Ledger = Awaited<ReturnType<F["ledgerAs"]>>;
    const T = keccak256(toHex("ledger-access-task"));
    const calls: [string, (l: Ledger, x: Address) => Promise<Hex>][] = [
      ["grantGenesis", (l, x) => l.write.grantGenesis([x])],
      ["escrow", (l, x) => l.write.escrow([T, x, 1n])],
      ["release", (l, x) => l.write.release([T, x, [settlement({ account: x, pay: 1n })], 0n])],
      ["stakeFrom", (l, x) => l.write.stakeFrom([x, 1n])],
      ["unstakeTo", (l, x) => l.write.unstakeTo([x, 1n])],
      ["lockStake", (l, x) => l.write.lockStake([x, 1n])],
      ["unlockStake", (l, x) => l.write.unlockStake([x, 1n])],
      ["unlockAndSlash", (l, x) => l.write.unlockAndSlash([x, 1n, 1n])],
      ["slashAndReward", (l, x) => l.write.slashAndReward([x, 1n, 1n, [x], 1n])],
    ];
    for (const [name, call] of calls) {
      it(`test_${name}_revertsNotOperatorForANonOperator`, async () => {
        const f = await load();
        await viem.assertions.revertWithCustomErrorWithArgs(call(await f.ledgerAs(f.alice), f.A), f.s.ledger, "NotOperator", [f.A]);
      });
    }

    it("test_operatorRole_isHeldByTheRegistryAndTheMarketOnly", async () => {
      const { s, gov } = await load();
      assert.equal(await s.ledger.read.hasRole([OPERATOR_ROLE, s.registry.address]), true);
      assert.equal(await s.ledger.read.hasRole([OPERATOR_ROLE, s.market.address]), true);
      assert.equal(await s.ledger.read.hasRole([OPERATOR_ROLE, gov.account.address]), false);
    });

    it("test_grantRole_revertsAccessControlUnauthorizedAccountForANonAdmin", async () => {
      const f = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        (await f.ledgerAs(f.alice)).write.grantRole([OPERATOR_ROLE, f.A]),
        f.s.ledger,
        "AccessControlUnauthorizedAccount",
        [f.A, DEFAULT_ADMIN_ROLE],
      );
    });
  });
});

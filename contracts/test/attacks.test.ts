/**
 * The attack catalogue (issue 2, "Tests"): one named test per attack. Each attack must revert (the custom error
 * and its arguments are asserted) or be penalised (the penalty is asserted); credit is conserved and genesis
 * credit stays genesis. Played under the issue 9 rules: nothing is paid before a task is final (`finalize` after
 * the audit window), and pay out of a genesis-funded escrow arrives as genesis credit. The economic attacks of
 * issue 9 are in attacks.economic.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, encodeAbiParameters, encodeFunctionData, getAddress, keccak256, parseEther, toHex } from "viem";
import { forwardRequestTypes } from "../../lib/protocol/forwarder.ts";
import { VerificationMode, bpsShare, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GENESIS = defaultParams.genesisGrant;
const BOUNTY = 1_000n;
const ESCROW = escrowFor(BOUNTY, VerificationMode.Replicated); // 1060
const ZK_ESCROW = escrowFor(BOUNTY, VerificationMode.Zk); // 1040
const LOCK = bpsShare(BOUNTY, defaultParams.rejectSlashBps);
const FEE = bpsShare(BOUNTY, defaultParams.verifierFeeBps);
const WORKER_STAKE = 2_000n;
const POOL_STAKE = 5_000n;

/** The proof RuleBasedProofVerifier accepts: keccak256(abi.encode(taskId, worker, input, output)). */
function ruleProof(taskId: Hex, worker: Address, input: bigint, output: bigint): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }],
      [taskId, worker, input, output],
    ),
  );
}

describe("attack catalogue", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function world(poolSize = 2, auditRateBps = 0) {
    const s = await setupProtocol(connection, { auditRateBps });
    const requesterW = s.wallets[1]!;
    const workerW = s.wallets[2]!;
    const attackerW = s.wallets[15]!;
    const requester = await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, WORKER_STAKE, false);
    const attacker = await s.registerWorker(attackerW, WORKER_STAKE, false);
    const pool = s.wallets.slice(3, 3 + poolSize);
    for (const v of pool) await s.registerWorker(v, POOL_STAKE);
    const { walletOf, account, commitAs, revealAs } = s;
    /** Credit conservation and genesis kept, over every account and the given tasks. */
    const conserved = async (taskIds: Hex[]) => {
      await s.conserved(taskIds);
      await s.genesisKept(taskIds);
    };
    /** Anyone finalizes an accepted task once its audit window has closed. */
    const finalized = async (taskId: Hex) => {
      await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
      await s.wait(await s.market.write.finalize([taskId]));
    };
    const everyone = s.wallets.map((w) => w.account.address);
    const claimed = async () => {
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      return taskId;
    };
    const committed = async (output = "good") => {
      const taskId = await claimed();
      const res = await commitAs(workerW, taskId, output);
      await s.drawVerifiers(taskId);
      const round = await s.market.read.roundOf([taskId]);
      const verifiers = [walletOf(round.members[1]!.account), walletOf(round.members[2]!.account)] as const;
      return { taskId, res, verifiers };
    };
    /** Worker and both verifiers commit and reveal `output`; the round is over (3 reveals) but not settled. */
    const revealed = async (output = "good") => {
      const c = await committed(output);
      const vres = [await commitAs(c.verifiers[0], c.taskId, output), await commitAs(c.verifiers[1], c.taskId, output)];
      await revealAs(workerW, c.taskId, c.res);
      await revealAs(c.verifiers[0], c.taskId, vres[0]!);
      await revealAs(c.verifiers[1], c.taskId, vres[1]!);
      return c;
    };
    const snapshot = async (taskIds: Hex[]) => ({
      accounts: await Promise.all(everyone.map((a) => s.ledger.read.accountOf([a]))),
      escrows: await Promise.all(taskIds.map((id) => s.ledger.read.escrowOf([id]))),
      treasury: await s.ledger.read.treasury(),
    });
    return {
      s,
      requesterW,
      workerW,
      attackerW,
      requester,
      worker,
      attacker,
      pool,
      conserved,
      account,
      commitAs,
      revealAs,
      claimed,
      committed,
      revealed,
      snapshot,
      finalized,
    };
  }

  it("attack_doubleClaim_reverts", async () => {
    const { s, claimed, worker, attacker, conserved } = await world();
    const taskId = await claimed();
    await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.claim([taskId]), s.market, "WrongStatus", [
      taskId,
      TaskStatus.Claimed,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(attacker.market.write.claim([taskId]), s.market, "WrongStatus", [
      taskId,
      TaskStatus.Claimed,
    ]);
    assert.equal(await s.market.read.activeClaims([s.wallets[2]!.account.address]), 1n);
    assert.equal((await s.ledger.read.accountOf([s.wallets[2]!.account.address])).lockedStake, LOCK, "locked once");
    await conserved([taskId]);
  });

  it("attack_claimWhileBanned_reverts", async () => {
    const { s, requesterW, attacker, attackerW } = await world();
    const taskId = await s.post(requesterW, { bounty: BOUNTY });
    // Ban through the market's own authority (the fraud path that bans is in task-market.audit.test.ts).
    await networkHelpers.impersonateAccount(s.market.address);
    await networkHelpers.setBalance(s.market.address, parseEther("1"));
    const asMarket = await viem.getContractAt("WorkerRegistry", s.registry.address, {
      client: { wallet: await viem.getWalletClient(s.market.address) },
    });
    await s.wait(await asMarket.write.ban([attackerW.account.address, defaultParams.banDuration]));
    await networkHelpers.stopImpersonatingAccount(s.market.address);
    const until = (await s.registry.read.workerOf([attackerW.account.address])).bannedUntil;
    await viem.assertions.revertWithCustomErrorWithArgs(attacker.market.write.claim([taskId]), s.market, "WorkerBanned", [
      getAddress(attackerW.account.address),
      BigInt(until),
    ]);
  });

  it("attack_claimUnderStaked_reverts", async () => {
    const { s, requesterW } = await world();
    const brokeW = s.wallets[16]!;
    const broke = await s.registerWorker(brokeW, 99n, false);
    const taskId = await s.post(requesterW, { bounty: BOUNTY });
    await viem.assertions.revertWithCustomErrorWithArgs(broke.market.write.claim([taskId]), s.ledger, "InsufficientFreeStake", [
      getAddress(brokeW.account.address),
      99n,
      LOCK,
    ]);
  });

  it("attack_claimOverClaimLimit_reverts", async () => {
    const { s, requesterW, attacker, attackerW, conserved } = await world();
    const ids: Hex[] = [];
    for (let i = 0; i < 6; i++) ids.push(await s.post(requesterW, { bounty: 200n }));
    for (const id of ids.slice(0, 5)) await s.wait(await attacker.market.write.claim([id]));
    await viem.assertions.revertWithCustomErrorWithArgs(attacker.market.write.claim([ids[5]!]), s.market, "TooManyClaims", [
      getAddress(attackerW.account.address),
      5n,
    ]);
    await conserved(ids);
  });

  it("attack_commitByNonClaimer_reverts", async () => {
    const { s, claimed, attacker, attackerW, committed } = await world();
    const taskId = await claimed();
    const fake = s.result(taskId, attackerW.account.address, "good");
    await viem.assertions.revertWithCustomErrorWithArgs(attacker.market.write.commit([taskId, fake.commitment]), s.market, "NotClaimer", [
      taskId,
      getAddress(attackerW.account.address),
    ]);
    // Nor can a non-drawn account slip into the verifier seats once the worker has committed.
    const c = await committed();
    const fake2 = s.result(c.taskId, attackerW.account.address, "good");
    await viem.assertions.revertWithCustomErrorWithArgs(attacker.market.write.commit([c.taskId, fake2.commitment]), s.market, "NotDrawn", [
      c.taskId,
      getAddress(attackerW.account.address),
    ]);
  });

  it("attack_commitTwiceToOverwrite_reverts", async () => {
    const { s, committed, commitAs } = await world();
    const { taskId, verifiers } = await committed();
    await commitAs(verifiers[0], taskId, "good");
    const second = s.result(taskId, verifiers[0].account.address, "changed-my-mind");
    await viem.assertions.revertWithCustomErrorWithArgs(
      (await s.as(verifiers[0])).market.write.commit([taskId, second.commitment]),
      s.market,
      "AlreadyCommitted",
      [taskId, getAddress(verifiers[0].account.address)],
    );
  });

  it("attack_revealNotMatchingCommit_reverts", async () => {
    const { s, committed, commitAs, worker, workerW } = await world();
    const { taskId, res, verifiers } = await committed("good");
    await commitAs(verifiers[0], taskId, "good");
    await commitAs(verifiers[1], taskId, "good");
    const other = s.result(taskId, workerW.account.address, "better-output");
    // Another output under the same salt, and the same output under another salt.
    await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.reveal([taskId, other.cid, res.salt]), s.market, "RevealMismatch", [
      taskId,
      getAddress(workerW.account.address),
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      worker.market.write.reveal([taskId, res.cid, keccak256(toHex("other-salt"))]),
      s.market,
      "RevealMismatch",
      [taskId, getAddress(workerW.account.address)],
    );
    await s.wait(await worker.market.write.reveal([taskId, res.cid, res.salt]));
  });

  it("attack_reuseOfAnothersCommitOrSeal_isRefusedAndPenalised", async () => {
    const { s, committed, commitAs, revealAs, workerW, account, conserved, finalized } = await world();
    const { taskId, res, verifiers } = await committed("good");
    const [copier, honest] = verifiers;
    // The lazy verifier copies the worker's commitment instead of computing the task.
    await s.wait(await (await s.as(copier)).market.write.commit([taskId, res.commitment]));
    const h = await commitAs(honest, taskId, "good");
    await revealAs(workerW, taskId, res);
    // Once the worker's digest and salt are public, the copier tries to open its copy with them: the commitment
    // binds the worker's address, so it does not open under the copier's.
    await viem.assertions.revertWithCustomErrorWithArgs(
      (await s.as(copier)).market.write.reveal([taskId, res.cid, res.salt]),
      s.market,
      "RevealMismatch",
      [taskId, getAddress(copier.account.address)],
    );
    await revealAs(honest, taskId, h);
    const { revealDeadline } = await s.market.read.roundOf([taskId]);
    await time.increaseTo(revealDeadline + 1);
    await s.wait(await s.market.write.settle([taskId]));
    // Penalty: the copier never revealed, so it is slashed at once like a silent verifier and earns nothing.
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
    const c = await account(copier.account.address);
    assert.deepEqual([c.stake, c.lockedStake, c.balance, c.genesis], [POOL_STAKE - LOCK, 0n, 0n, GENESIS - POOL_STAKE]);
    assert.equal((await account(honest.account.address)).lockedStake, LOCK, "the honest verifier waits for the task to be final");
    await finalized(taskId);
    // The honest verifier is paid its fee (genesis: the requester's escrow was); the copier still nothing.
    assert.equal((await account(honest.account.address)).genesis, GENESIS - POOL_STAKE + FEE);
    assert.deepEqual(await account(copier.account.address), c);
    await conserved([taskId]);
  });

  it("attack_requesterOrWorkerDrawnAsVerifier_neverHappens", async () => {
    const { s, requesterW, requester, worker, workerW, pool, commitAs, revealAs } = await world(1);
    const [only] = pool;
    // Requester and worker join the pool with plenty of free stake: besides them the pool has one member.
    await s.wait(await requester.registry.write.stake([1_000n]));
    await s.wait(await requester.registry.write.joinVerifierPool());
    await s.wait(await worker.registry.write.joinVerifierPool());
    assert.equal(await s.registry.read.poolSize(), 3n);
    const ids: Hex[] = [];
    for (let i = 1; i <= 8; i++) {
      await networkHelpers.setPrevRandao(BigInt(i) * 0x9e3779b97f4a7c15n);
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      await commitAs(workerW, taskId, "good");
      await s.drawVerifiers(taskId);
      const r = await s.market.read.roundOf([taskId]);
      assert.equal(r.members[1]!.account, getAddress(only!.account.address), `seed ${i}`);
      assert.equal(r.members[2]!.account, ZERO_ADDRESS, `seed ${i}: the seat stays empty rather than go to them`);
      assert.equal(r.commitDeadline, 0);
      ids.push(taskId);
    }
    // Re-triggering the draw does not change that either.
    await s.wait(await s.market.write.drawVerifiers([ids[0]!]));
    assert.equal((await s.market.read.roundOf([ids[0]!])).members[2]!.account, ZERO_ADDRESS);
    void revealAs;
  });

  it("attack_revealAfterWindow_reverts", async () => {
    const { s, committed, commitAs, worker } = await world();
    const { taskId, res, verifiers } = await committed("good");
    await commitAs(verifiers[0], taskId, "good");
    await commitAs(verifiers[1], taskId, "good");
    const { revealDeadline } = await s.market.read.roundOf([taskId]);
    await time.increaseTo(revealDeadline + 1);
    await viem.assertions.revertWithCustomErrorWithArgs(worker.market.write.reveal([taskId, res.cid, res.salt]), s.market, "RevealWindowClosed", [
      taskId,
      BigInt(revealDeadline),
    ]);
  });

  it("attack_settleTwice_reverts", async () => {
    const { s, revealed, snapshot, conserved } = await world();
    const { taskId } = await revealed("good");
    await s.wait(await s.market.write.settle([taskId]));
    const before = await snapshot([taskId]);
    await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "WrongStatus", [
      taskId,
      TaskStatus.Accepted,
    ]);
    assert.deepEqual(await snapshot([taskId]), before, "nothing paid twice");
    await conserved([taskId]);
  });

  it("attack_finalizeTwiceOrAuditAfterFinal_reverts", async () => {
    const { s, revealed, requester, workerW, account, snapshot, conserved, finalized } = await world();
    const { taskId } = await revealed("good");
    await s.wait(await s.market.write.settle([taskId]));
    await finalized(taskId);
    assert.equal((await account(workerW.account.address)).genesis, GENESIS - WORKER_STAKE + BOUNTY, "paid once, at finalize");
    const before = await snapshot([taskId]);
    await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "WrongStatus", [taskId, TaskStatus.Final]);
    // Nor can the requester claw the pay back with an audit once the task is final.
    await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.forceAudit([taskId]), s.market, "WrongStatus", [
      taskId,
      TaskStatus.Final,
    ]);
    assert.deepEqual(await snapshot([taskId]), before, "nothing paid twice");
    await conserved([taskId]);
  });

  it("attack_revertingDecideWrapperCannotDodgeTheAudit", async () => {
    // A cheating worker (decideAudit is open to anyone) wraps decideAudit in a contract that reverts when the random
    // audit comes out audited, and retries block after block. The decision is drawn from the hash of the settle
    // block, fixed before any decideAudit runs: once that outcome is "audited" every retry sees the same outcome,
    // and finalize will not pay before the audit is decided.
    const TRIES = 20;
    const RATE = 9_000;
    const { s, revealed, conserved } = await world(5, RATE);
    const dodger = await viem.deployContract("AuditDodger");
    const auditOutcome = async (taskId: Hex) => {
      const { anchorBlock } = await s.market.read.roundOf([taskId]);
      const { hash } = await s.publicClient.getBlock({ blockNumber: BigInt(anchorBlock) });
      const purpose = toHex("audit", { size: 32 });
      const seed = BigInt(
        keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }], [hash!, taskId, purpose])),
      );
      return seed % 10_000n < BigInt(RATE);
    };
    // Take the first task whose settle block says "audited" (90% of them); the others are decided out of the way.
    const ids: Hex[] = [];
    let taskId: Hex | undefined;
    for (let i = 0; i < 10 && !taskId; i++) {
      const c = await revealed("lie");
      ids.push(c.taskId);
      await s.wait(await s.market.write.settle([c.taskId]));
      // Settle shows nothing: every accepted task is Accepted with its audit pending, whatever its block says.
      assert.equal((await s.market.read.taskOf([c.taskId])).status, TaskStatus.Accepted);
      if (await auditOutcome(c.taskId)) taskId = c.taskId;
      else await s.wait(await s.market.write.decideAudit([c.taskId]));
    }
    assert.ok(taskId, "no task with an audited outcome in 10 tries at a 90% rate");
    for (let i = 0; i < TRIES; i++) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        dodger.write.decideUnaudited!([s.market.address, taskId]),
        dodger,
        "Audited",
        [taskId],
      );
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted, `try ${i}: nothing decided`);
      assert.equal((await s.market.read.roundOf([taskId])).auditPending, true);
      await networkHelpers.mine();
    }
    // Leaving it undecided does not get the worker paid either.
    await time.increaseTo((await s.market.read.auditWindowClosesAt([taskId])) + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.finalize([taskId]), s.market, "AuditUndecided", [taskId]);
    // An honest decideAudit then starts the audit that the wrapper kept seeing.
    const hash = await s.market.write.decideAudit([taskId]);
    await viem.assertions.emitWithArgs(hash, s.market, "AuditDecided", [taskId, true]);
    await viem.assertions.emitWithArgs(hash, s.market, "AuditStarted", [taskId, false]);
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
    await conserved(ids);
  });

  // Waiting out the anchor: once the settle block's hash is over 256 blocks old it can no longer be read, and
  // decideAudit then audits the task. A worker that waits for a fresh roll gets a certain audit instead, and it
  // cannot settle again for a new anchor.
  it("attack_waitingOutTheSettleHashCannotReRollTheAudit", async () => {
    // auditRateBps 1: with a readable hash an audit is all but impossible, so every audit below is the stale rule.
    const { s, revealed, conserved } = await world(5, 1);
    const dodger = await viem.deployContract("AuditDodger");
    const { taskId } = await revealed("lie");
    await s.wait(await s.market.write.settle([taskId]));
    const { anchorBlock } = await s.market.read.roundOf([taskId]);
    for (let roll = 0; roll < 5; roll++) {
      await networkHelpers.mine(300);
      await viem.assertions.revertWithCustomErrorWithArgs(
        dodger.write.decideUnaudited!([s.market.address, taskId], { gas: 6_000_000n }),
        dodger,
        "Audited",
        [taskId],
      );
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
      await viem.assertions.revertWithCustomErrorWithArgs(s.market.write.settle([taskId]), s.market, "WrongStatus", [
        taskId,
        TaskStatus.Accepted,
      ]);
      assert.equal((await s.market.read.roundOf([taskId])).anchorBlock, anchorBlock, `roll ${roll}: the anchor never moves`);
    }
    const hash = await s.market.write.decideAudit([taskId]);
    await viem.assertions.emitWithArgs(hash, s.market, "AuditDecided", [taskId, true]);
    await viem.assertions.emitWithArgs(hash, s.market, "AuditStarted", [taskId, false]);
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
    await conserved([taskId]);
  });

  it("attack_cancelAfterClaim_reverts", async () => {
    const { s, claimed, requester, snapshot } = await world();
    const taskId = await claimed();
    const before = await snapshot([taskId]);
    await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.cancel([taskId]), s.market, "WrongStatus", [
      taskId,
      TaskStatus.Claimed,
    ]);
    assert.deepEqual(await snapshot([taskId]), before);
  });

  it("attack_cancelAfterAcceptanceToClawBack_reverts", async () => {
    const { s, revealed, requester, requesterW, conserved } = await world();
    const { taskId } = await revealed("good");
    await s.wait(await s.market.write.settle([taskId]));
    await viem.assertions.revertWithCustomErrorWithArgs(requester.market.write.cancel([taskId]), s.market, "WrongStatus", [
      taskId,
      TaskStatus.Accepted,
    ]);
    assert.equal((await s.ledger.read.accountOf([requesterW.account.address])).genesis, GENESIS - ESCROW);
    await conserved([taskId]);
  });

  describe("zk", () => {
    async function zkWorld() {
      const w = await world();
      const verifier = await viem.deployContract("RuleBasedProofVerifier");
      const zkType = await w.s.addType({ name: "zk-type", modes: 2, zkVerifier: verifier.address });
      const zkTask = async (input: bigint) => {
        const taskId = await w.s.post(w.requesterW, { typeId: zkType, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: input });
        await w.s.wait(await w.worker.market.write.claim([taskId]));
        return taskId;
      };
      return { ...w, zkTask };
    }

    it("attack_zkProofForAnotherTask_reverts", async () => {
      const { s, zkTask, worker, workerW, snapshot, conserved } = await zkWorld();
      const taskA = await zkTask(7n);
      const taskB = await zkTask(7n); // same input, different task
      const proofForA = ruleProof(taskA, workerW.account.address, 7n, 99n);
      const before = await snapshot([taskA, taskB]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.submitProof([taskB, 99n, proofForA, toHex("bafy-zk-out")]),
        s.market,
        "InvalidProof",
        [taskB],
      );
      assert.deepEqual(await snapshot([taskA, taskB]), before);
      await s.wait(await worker.market.write.submitProof([taskA, 99n, proofForA, toHex("bafy-zk-out")])); // valid where it belongs
      assert.equal((await s.market.read.taskOf([taskA])).status, TaskStatus.Accepted);
      assert.equal((await s.market.read.taskOf([taskB])).status, TaskStatus.Claimed);
      assert.deepEqual((await s.ledger.read.escrowOf([taskB])).amount, ZK_ESCROW, "task B's escrow untouched");
      await conserved([taskA, taskB]);
    });

    it("attack_zkProofWithWrongPublicSignals_reverts", async () => {
      const { s, zkTask, worker, workerW, snapshot } = await zkWorld();
      const taskId = await zkTask(7n);
      const before = await snapshot([taskId]);
      // A proof of output 99 submitted as output 100.
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.submitProof([taskId, 100n, ruleProof(taskId, workerW.account.address, 7n, 99n), toHex("bafy-zk-out")]),
        s.market,
        "InvalidProof",
        [taskId],
      );
      // A proof over another input commitment.
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.submitProof([taskId, 99n, ruleProof(taskId, workerW.account.address, 8n, 99n), toHex("bafy-zk-out")]),
        s.market,
        "InvalidProof",
        [taskId],
      );
      // A proof bound to another prover.
      await viem.assertions.revertWithCustomErrorWithArgs(
        worker.market.write.submitProof([taskId, 99n, ruleProof(taskId, s.wallets[15]!.account.address, 7n, 99n), toHex("bafy-zk-out")]),
        s.market,
        "InvalidProof",
        [taskId],
      );
      assert.deepEqual(await snapshot([taskId]), before);
    });
  });

  describe("reentrancy", () => {
    async function reentrantWorld() {
      const w = await world();
      const hostile = await viem.deployContract("ReentrantProofVerifier");
      const typeId = await w.s.addType({ name: "hostile", modes: 2, zkVerifier: hostile.address });
      const taskId = await w.s.post(w.requesterW, { typeId, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: 1n });
      await w.s.wait(await w.worker.market.write.claim([taskId]));
      return { ...w, hostile, taskId };
    }

    it("attack_reentrancyThroughProofVerifier_reverts", async () => {
      const { s, hostile, taskId, worker, requesterW, snapshot, conserved } = await reentrantWorld();
      const other = await s.post(requesterW, { bounty: BOUNTY });
      const reentries: Hex[] = [
        encodeFunctionData({ abi: s.market.abi, functionName: "submitProof", args: [taskId, 5n, "0x", "0x"] }),
        encodeFunctionData({ abi: s.market.abi, functionName: "cancel", args: [other] }),
        encodeFunctionData({ abi: s.market.abi, functionName: "claim", args: [other] }),
        encodeFunctionData({ abi: s.market.abi, functionName: "expireClaim", args: [taskId] }),
        encodeFunctionData({ abi: s.market.abi, functionName: "finalize", args: [taskId] }),
        encodeFunctionData({ abi: s.market.abi, functionName: "forceAudit", args: [taskId] }),
      ];
      const before = await snapshot([taskId, other]);
      for (const payload of reentries) {
        await s.wait(await hostile.write.arm([s.market.address, payload]));
        await viem.assertions.revertWithCustomErrorWithArgs(
          worker.market.write.submitProof([taskId, 5n, "0x01", toHex("bafy-zk-out")]),
          s.market,
          "ReentrancyGuardReentrantCall",
          [],
        );
      }
      assert.deepEqual(await snapshot([taskId, other]), before, "no credit moved");
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Claimed);
      await conserved([taskId, other]);
    });

    it("attack_reentrancyThroughLedgerCalls_reverts", async () => {
      const { s, hostile, taskId, worker, workerW, attackerW, snapshot, conserved } = await reentrantWorld();
      const before = await snapshot([taskId]);
      const hostileAddress = getAddress(hostile.address);
      const attacker = getAddress(attackerW.account.address);
      // The ledger's operator moves a thief would want: pay itself the whole escrow, reward itself out of a slash
      // of the worker, or unlock and slash the worker's stake.
      const steal = (to: Address) => ({
        release: [taskId, to, [{ account: to, pay: ZK_ESCROW, workCredit: ZK_ESCROW, iou: false, unlock: 0n, slash: 0n }], 0n] as const,
        slashAndReward: [workerW.account.address, 0n, 1_000n, [to], 1_000n] as const,
        unlockAndSlash: [workerW.account.address, LOCK, 1_000n] as const,
      });
      const payloads: Hex[] = [
        encodeFunctionData({ abi: s.ledger.abi, functionName: "release", args: steal(hostileAddress).release }),
        encodeFunctionData({ abi: s.ledger.abi, functionName: "slashAndReward", args: steal(hostileAddress).slashAndReward }),
        encodeFunctionData({ abi: s.ledger.abi, functionName: "unlockAndSlash", args: steal(hostileAddress).unlockAndSlash }),
      ];
      for (const payload of payloads) {
        // During verification the hostile verifier calls the ledger.
        await s.wait(await hostile.write.arm([s.ledger.address, payload]));
        await viem.assertions.revertWithCustomErrorWithArgs(
          worker.market.write.submitProof([taskId, 5n, "0x01", toHex("bafy-zk-out")]),
          s.ledger,
          "NotOperator",
          [hostileAddress],
        );
        // The same call made directly by the contract is refused too.
        await viem.assertions.revertWithCustomErrorWithArgs(hostile.write.attack(), s.ledger, "NotOperator", [hostileAddress]);
      }
      // And by an account: only the market and the registry move credit, and the ledger calls out to nobody, so
      // there is no hook to re-enter through.
      const asAttacker = await s.as(attackerW);
      const mine = steal(attacker);
      await viem.assertions.revertWithCustomErrorWithArgs(asAttacker.ledger.write.release(mine.release), s.ledger, "NotOperator", [attacker]);
      await viem.assertions.revertWithCustomErrorWithArgs(asAttacker.ledger.write.slashAndReward(mine.slashAndReward), s.ledger, "NotOperator", [
        attacker,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(asAttacker.ledger.write.unlockAndSlash(mine.unlockAndSlash), s.ledger, "NotOperator", [
        attacker,
      ]);
      assert.deepEqual(await snapshot([taskId]), before, "no credit moved");
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Claimed);
      await conserved([taskId]);
    });
  });

  it("attack_relayedCallWithForgedSigner_reverts", async () => {
    const { s, requesterW, workerW, attackerW } = await world();
    const taskId = await s.post(requesterW, { bounty: BOUNTY });
    const chainId = await s.publicClient.getChainId();
    const request = {
      from: workerW.account.address,
      to: s.market.address,
      value: 0n,
      gas: 500_000n,
      nonce: await s.forwarder.read.nonces([workerW.account.address]),
      deadline: (await time.latest()) + 3600,
      data: encodeFunctionData({ abi: s.market.abi, functionName: "claim", args: [taskId] }),
    };
    const sign = (signer: typeof attackerW) =>
      signer.signTypedData({
        account: signer.account,
        domain: { name: "ComputeCreditForwarder", version: "1", chainId, verifyingContract: s.forwarder.address },
        types: forwardRequestTypes,
        primaryType: "ForwardRequest",
        message: request,
      });
    const { nonce: _nonce, ...fields } = request;
    // The attacker signs a request claiming to come from the worker.
    const forged = { ...fields, signature: await sign(attackerW) };
    await viem.assertions.revertWithCustomErrorWithArgs(s.forwarder.write.execute([forged]), s.forwarder, "ERC2771ForwarderInvalidSigner", [
      getAddress(attackerW.account.address),
      getAddress(workerW.account.address),
    ]);
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
    // Control: the worker's own signature over the same request claims the task for the worker.
    await s.wait(await s.forwarder.write.execute([{ ...fields, signature: await sign(workerW) }]));
    assert.equal((await s.market.read.taskOf([taskId])).worker, getAddress(workerW.account.address));
  });
});

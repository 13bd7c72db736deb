/**
 * The attack catalogue, part 2 (issue 9): economic attacks that succeeded against the deployed protocol. Each test
 * plays the attack and asserts that it now fails, or that the attacker ends with less than it put in. The
 * scenarios live in contracts/test-support/economic-attacks.ts, which bench/attacks.ts also runs for the table in
 * BENCHMARKS.md.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Hex, toHex } from "viem";
import { ALLOW_DEVELOPMENT_ZK_KEYS, ALLOW_DEVELOPMENT_ZK_KEYS_VALUE, DevelopmentKeysRefused, checkDevelopmentKeys } from "../deploy/zk-keys.ts";
import { rejectedDigestOf } from "../deploy/deploy-protocol.ts";
import { VerificationMode, bpsShare, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { outputCid } from "../../wasm-tasks/digest.ts";
import { inputRejectedOutput } from "../../wasm-tasks/input-rejected.ts";
import {
  creditLines,
  doublePay,
  drawSteering,
  genesisLaundering,
  honestDissent,
  silentVerifiers,
  waitOutHorizon,
} from "../test-support/economic-attacks.ts";
import { setupProtocol } from "../test-support/fixture.ts";

const BOUNTY = 1_000n;
const FEE = bpsShare(BOUNTY, defaultParams.verifierFeeBps);
const LOCK = bpsShare(BOUNTY, defaultParams.rejectSlashBps);

describe("attack catalogue: economic attacks (issue 9)", async () => {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;

  it("attack_steerDrawByPoolSizeAfterSeedIsPublic_changesNothing", async () => {
    const r = await drawSteering(connection, { trials: 6 });
    // Before: the worker seated its own verifier in 20 of 20 trials. Now no move changes a draw.
    assert.ok(r.moves > 0, "the attacker found no move to try: the test shows nothing");
    assert.equal(r.steered, 0, "a join or leave after the anchor changed who was drawn");
    assert.ok(r.ownDrawn < r.trials, "the attacker got its own verifier in every trial");
  });

  it("attack_waitOutBlockhashHorizonForFreshDraw_costsTheWorkerItsSlash", async () => {
    const r = await waitOutHorizon(connection);
    assert.ok(r.rerollRefused, "drawVerifiers on a lapsed anchor must revert AnchorLapsed, not re-roll");
    assert.equal(r.reason, 3, "RejectReason.DrawLapsed");
    assert.equal(r.workerSlashed, LOCK);
  });

  it("attack_provenFraudPaysTwice_payIsPendingAndReversalPaysNoMore", async () => {
    const r = await doublePay(connection);
    // Before: 10.09 CC of genesis became 18 CC of transferable credit.
    assert.equal(r.transferDuringAudit, "reverted", "pay an audit may reverse must not be transferable");
    assert.equal(r.status, TaskStatus.Fraudulent);
    assert.ok(r.transferableGained <= 0n, `attacker gained ${r.transferableGained} mCC of transferable credit`);
    assert.ok(r.genesisSpent > 0n, "the attack costs the attacker credit");
    // The requester gets back exactly its escrow less the auditors' fees (paid from the reserve): no more.
    assert.equal(r.requesterRefund, escrowFor(BOUNTY, VerificationMode.Zk) - 3n * FEE);
  });

  it("attack_launderGenesisThroughSybilTasks_yieldsNoTransferableCredit", async () => {
    const r = await genesisLaundering(connection, { sybils: 4 });
    // Before: a 97.1% yield of transferable credit.
    assert.equal(r.transferableGained, 0n);
    assert.equal(r.secondHopTransferable, 0n, "genesis stays genesis through a second task");
    assert.ok(r.spendOnlyReceived > 0n, "the worker was paid, in spend-only credit");
  });

  it("attack_manufactureCreditLinesWithSelfDealtTrivialWork_givesNoLine", async () => {
    const r = await creditLines(connection);
    // Before: each account netted the attacker +91 CC.
    assert.equal(r.creditLimitAfterTrivialWork, 0n, `18 CC paid for trivial work gave a credit line of ${r.creditLimitAfterTrivialWork}`);
    assert.ok(r.overdraftRefused, "spending past what the account holds must revert InsufficientCredit");
    // Real work as the cost model values it raises the line by half of its value, no more.
    assert.equal(r.workValuePerHeavyTask, 1_000n);
    assert.equal(r.creditLimitAfterHeavyWork, 500n);
  });

  it("attack_deployDevelopmentZkKeysToAnotherChain_isRefused", async () => {
    assert.throws(() => checkDevelopmentKeys(8453, {}), DevelopmentKeysRefused);
    assert.throws(() => checkDevelopmentKeys(1, { [ALLOW_DEVELOPMENT_ZK_KEYS]: "yes" }), DevelopmentKeysRefused);
    assert.equal(checkDevelopmentKeys(31337, {}), false);
    assert.equal(checkDevelopmentKeys(84532, { [ALLOW_DEVELOPMENT_ZK_KEYS]: ALLOW_DEVELOPMENT_ZK_KEYS_VALUE }), true);
    // And the chain itself says so, for the app's warning.
    const s = await setupProtocol(connection);
    for (const adapter of Object.values(s.zkAdapters)) {
      const v = await viem.getContractAt("ZkDownscaleProofVerifier", adapter);
      assert.equal(await v.read.developmentKeys(), true);
    }
  });

  it("attack_slashHonestDissenterOfAcceptedFraud_dissenterIsMadeWholeAndRewarded", async () => {
    const r = await honestDissent(connection);
    assert.equal(r.dissenterStakeLost, 0n);
    assert.ok(r.dissenterGained > FEE, `honest dissent gained only ${r.dissenterGained}`);
    assert.ok(r.auditorGained > FEE, "auditors proving fraud earn their fee and a share of the slash");
    assert.equal(r.vouchingVerifierLost, LOCK);
  });

  it("attack_silentVerifiersThenCancel_roundGoesOnAndRequesterPays", async () => {
    const r = await silentVerifiers(connection);
    assert.ok(r.cancelRefused, "a task in its round cannot be cancelled");
    assert.equal(r.silentSlashed, 2n * LOCK, "each verifier that committed and stayed silent loses its lock");
    assert.equal(r.status, TaskStatus.Final);
    assert.equal(r.workerPaid, BOUNTY);
    // The requester paid the bounty, two verifier fees and the platform fee: the silent pair saved it nothing.
    assert.equal(r.requesterPaid, BOUNTY + 3n * FEE);
    assert.equal(r.expiredRevealedBountyKept, BOUNTY, "an expired task whose result was revealed keeps its bounty");
  });

  it("attack_cleanRandomAuditWithEmptyTreasury_auditorsPaidInFull", async () => {
    const s = await setupProtocol(connection, { auditRateBps: 10_000 });
    const [requesterW, workerW] = [s.wallets[1]!, s.wallets[2]!];
    await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, 3_000n, false);
    for (const v of s.wallets.slice(3, 8)) await s.registerWorker(v);
    assert.equal(await s.ledger.read.treasury(), 0n);
    const taskId = await s.post(requesterW, { bounty: BOUNTY });
    await s.wait(await worker.market.write.claim([taskId]));
    const w = await s.commitAs(workerW, taskId, "out");
    await s.drawVerifiers(taskId);
    const vs = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
    const vr = [await s.commitAs(vs[0]!, taskId, "out"), await s.commitAs(vs[1]!, taskId, "out")];
    await s.revealAs(workerW, taskId, w);
    await s.revealAs(vs[0]!, taskId, vr[0]!);
    await s.revealAs(vs[1]!, taskId, vr[1]!);
    await s.wait(await s.market.write.settle([taskId]));
    await s.wait(await s.market.write.decideAudit([taskId]));
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
    await s.drawAuditors(taskId);
    const auditors = (await s.market.read.auditOf([taskId])).members.map((m) => s.walletOf(m.account));
    const before = await Promise.all(auditors.map((a) => s.account(a.account.address)));
    const ar = [];
    for (const a of auditors) ar.push(await s.commitAs(a, taskId, "out"));
    for (const [i, a] of auditors.entries()) await s.revealAs(a, taskId, ar[i]!);
    await s.wait(await s.market.write.finalizeAudit([taskId]));
    const after = await Promise.all(auditors.map((a) => s.account(a.account.address)));
    for (const [i] of auditors.entries()) {
      assert.equal(after[i]!.genesis + BigInt(after[i]!.balance) - before[i]!.genesis - BigInt(before[i]!.balance), FEE, "each auditor paid in full");
    }
    await s.conserved([taskId]);
    await s.genesisKept([taskId]);
  });

  it("attack_claimAndLetExpireForFree_costsTheExpirySlash", async () => {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [requesterW, workerW, otherW] = [s.wallets[1]!, s.wallets[2]!, s.wallets[3]!];
    await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, 3_000n, false);
    const other = await s.registerWorker(otherW, 3_000n, false);
    const taskId = await s.post(requesterW, { bounty: BOUNTY });
    await s.wait(await worker.market.write.claim([taskId]));
    const before = await s.account(workerW.account.address);
    await networkHelpers.time.increase(defaultParams.claimWindow + 1);
    await s.wait(await other.market.write.claim([taskId])); // takes the stale claim over
    const after = await s.account(workerW.account.address);
    assert.equal(before.stake - after.stake, bpsShare(BOUNTY, defaultParams.expirySlashBps));
    assert.equal(after.lockedStake, 0n);
    await s.conserved([taskId]);
  });

  it("attack_pauseRunsOutTheForcedAuditWindow_windowIsExtended", async () => {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [requesterW, workerW] = [s.wallets[1]!, s.wallets[2]!];
    const requester = await s.registerWorker(requesterW, 0n, false);
    const worker = await s.registerWorker(workerW, 3_000n, false);
    for (const v of s.wallets.slice(3, 6)) await s.registerWorker(v);
    const taskId = await s.post(requesterW, { bounty: BOUNTY });
    await s.wait(await worker.market.write.claim([taskId]));
    const w = await s.commitAs(workerW, taskId, "out");
    await s.drawVerifiers(taskId);
    const vs = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
    const vr = [await s.commitAs(vs[0]!, taskId, "out"), await s.commitAs(vs[1]!, taskId, "out")];
    await s.revealAs(workerW, taskId, w);
    await s.revealAs(vs[0]!, taskId, vr[0]!);
    await s.revealAs(vs[1]!, taskId, vr[1]!);
    await s.wait(await s.market.write.settle([taskId]));
    const closesAt = await s.market.read.auditWindowClosesAt([taskId]);
    // Governance pauses for two days right after acceptance; the 1-day window would have closed meanwhile.
    await s.wait(await s.market.write.pause());
    await networkHelpers.time.increase(2 * 86_400);
    await s.wait(await s.market.write.unpause());
    const extended = await s.market.read.auditWindowClosesAt([taskId]);
    assert.ok(extended >= closesAt + 2n * 86_400n, "the pause extends the audit window");
    assert.ok(BigInt(await networkHelpers.time.latest()) > closesAt);
    await s.wait(await requester.market.write.forceAudit([taskId]));
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
  });

  describe("input rejected", () => {
    async function rejectedWorld() {
      const s = await setupProtocol(connection, { auditRateBps: 0 });
      const [requesterW, workerW] = [s.wallets[1]!, s.wallets[2]!];
      await s.registerWorker(requesterW, 0n, false);
      const worker = await s.registerWorker(workerW, 3_000n, false);
      for (const v of s.wallets.slice(3, 6)) await s.registerWorker(v);
      const rejectedCid = (await outputCid(inputRejectedOutput("image-resize"))).bytes;
      return { s, requesterW, workerW, worker, rejectedCid: toHex(rejectedCid) as Hex };
    }

    it("test_inputRejected_replicasAgreeOnCanonicalBytes_endsInputRejectedPayingWorkAndRefundingTheRest", async () => {
      const { s, requesterW, workerW, worker, rejectedCid } = await rejectedWorld();
      assert.equal(await s.taskTypes.read.rejectedDigestOf([0]), await rejectedDigestOf("image-resize"));
      const start = await s.account(requesterW.account.address);
      const taskId = await s.post(requesterW, { bounty: BOUNTY, inputCid: toHex("bafy-a-text-file-named.png") });
      await s.wait(await worker.market.write.claim([taskId]));
      const w = s.resultWithCid(taskId, workerW.account.address, rejectedCid);
      await s.wait(await worker.market.write.commit([taskId, w.commitment]));
      await s.drawVerifiers(taskId);
      const vs = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
      const vr = vs.map((v) => s.resultWithCid(taskId, v.account.address, rejectedCid));
      for (const [i, v] of vs.entries()) await s.wait(await (await s.as(v)).market.write.commit([taskId, vr[i]!.commitment]));
      await s.revealAs(workerW, taskId, w);
      for (const [i, v] of vs.entries()) await s.revealAs(v, taskId, vr[i]!);
      const stakes = await Promise.all([workerW, ...vs].map((a) => s.account(a.account.address)));
      await s.wait(await s.market.write.settle([taskId]));
      assert.equal((await s.market.read.roundOf([taskId])).inputRejected, true);
      await networkHelpers.time.increase(defaultParams.auditWindow + 1);
      await s.wait(await s.market.write.finalize([taskId]));
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.InputRejected);
      const end = await Promise.all([workerW, ...vs].map((a) => s.account(a.account.address)));
      const rejectPay = bpsShare(BOUNTY, defaultParams.inputRejectedPayBps);
      assert.equal(end[0]!.genesis - stakes[0]!.genesis, rejectPay, "the worker is paid for detecting bad input");
      for (const i of [1, 2]) assert.equal(end[i]!.genesis - stakes[i]!.genesis, FEE, "each verifier its fee");
      for (const [i] of end.entries()) assert.equal(end[i]!.stake, stakes[i]!.stake, "nobody honest is slashed");
      // The requester paid the reject pay, the verifier fees and the platform fee; the rest came back.
      const after = await s.account(requesterW.account.address);
      const platformFee = bpsShare(BOUNTY, defaultParams.platformFeeBps);
      assert.equal(start.genesis - after.genesis, rejectPay + 2n * FEE + platformFee);
      // Griefing workers with bad input costs the requester at least the reject pay plus fees per task.
      assert.ok(rejectPay + 2n * FEE + platformFee >= bpsShare(BOUNTY, 1300));
      await s.conserved([taskId]);
      await s.genesisKept([taskId]);
    });

    it("test_inputRejected_workerClaimsRejectForGoodInput_isOutvotedAndSlashed", async () => {
      const { s, requesterW, workerW, worker, rejectedCid } = await rejectedWorld();
      const taskId = await s.post(requesterW, { bounty: BOUNTY });
      await s.wait(await worker.market.write.claim([taskId]));
      const w = s.resultWithCid(taskId, workerW.account.address, rejectedCid);
      await s.wait(await worker.market.write.commit([taskId, w.commitment]));
      await s.drawVerifiers(taskId);
      const vs = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
      const vr = [await s.commitAs(vs[0]!, taskId, "real-output"), await s.commitAs(vs[1]!, taskId, "real-output")];
      await s.revealAs(workerW, taskId, w);
      for (const [i, v] of vs.entries()) await s.revealAs(v, taskId, vr[i]!);
      const before = await s.account(workerW.account.address);
      await s.wait(await s.market.write.settle([taskId]));
      const after = await s.account(workerW.account.address);
      assert.equal(before.stake - after.stake, LOCK);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Open);
      assert.equal(await s.market.read.excluded([taskId, workerW.account.address]), true);
      await s.conserved([taskId]);
    });
  });
});

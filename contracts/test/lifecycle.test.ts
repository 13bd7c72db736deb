import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { defaultParams } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { setupProtocol } from "../test-support/fixture.ts";

describe("full replicated lifecycle", async () => {
  const connection = await network.create();
  const { networkHelpers } = connection;

  it("post -> claim -> 3 commits -> 3 reveals -> settle accepts without paying; finalize pays everyone and conserves credit", async () => {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [requester, worker, v1, v2] = s.wallets;
    assert.ok(requester && worker && v1 && v2);
    await s.registerWorker(requester, 0n, false);
    const w = await s.registerWorker(worker, 2_000n, false);
    const a = await s.registerWorker(v1);
    const b = await s.registerWorker(v2);
    const taskId = await s.post(requester, { bounty: 1_000n });
    await s.wait(await w.market.write.claim([taskId]));
    const out = s.result(taskId, worker.account.address, "good");
    await s.wait(await w.market.write.commit([taskId, out.commitment]));
    await s.drawVerifiers(taskId);
    const round = await s.market.read.roundOf([taskId]);
    const drawn = round.members.slice(1).map((m) => m.account.toLowerCase());
    assert.deepEqual(new Set(drawn), new Set([v1.account.address.toLowerCase(), v2.account.address.toLowerCase()]));
    const ra = s.result(taskId, v1.account.address, "good");
    const rb = s.result(taskId, v2.account.address, "good");
    await s.wait(await a.market.write.commit([taskId, ra.commitment]));
    await s.wait(await b.market.write.commit([taskId, rb.commitment]));
    await s.wait(await w.market.write.reveal([taskId, out.cid, out.salt]));
    await s.wait(await a.market.write.reveal([taskId, ra.cid, ra.salt]));
    await s.wait(await b.market.write.reveal([taskId, rb.cid, rb.salt]));
    const before = await s.account(worker.account.address);
    await s.wait(await s.market.write.settle([taskId]));
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
    // Accepted is not paid: pay an audit may still reverse stays in escrow.
    assert.deepEqual(await s.account(worker.account.address), before);
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 1_060n);
    await s.conserved([taskId]);
    await s.genesisKept([taskId]);

    await networkHelpers.time.increase(defaultParams.auditWindow + 1);
    await s.wait(await s.market.write.finalize([taskId]));
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
    const wacc = await s.account(worker.account.address);
    // The requester paid from genesis credit, so the worker is paid in genesis credit: spend-only.
    assert.equal(wacc.genesis - before.genesis, 1_000n);
    assert.equal(wacc.balance, before.balance);
    assert.equal(wacc.lockedStake, 0n);
    assert.equal(await s.ledger.read.treasury(), 10n);
    assert.equal((await s.ledger.read.escrowOf([taskId])).amount, 0n);
    // Each verifier its fee (genesis credit), the requester the unused audit reserve, and an IOU for the bounty.
    for (const v of [v1, v2]) {
      const acc = await s.account(v.account.address);
      assert.deepEqual([acc.genesis, acc.stake, acc.lockedStake], [defaultParams.genesisGrant - 5_000n + 10n, 5_000n, 0n]);
    }
    assert.equal((await s.account(requester.account.address)).genesis, defaultParams.genesisGrant - 1_030n);
    assert.equal(await s.ledger.read.owed([requester.account.address, worker.account.address]), 1_000n);
    await s.conserved([taskId]);
    await s.genesisKept([taskId]);
  });

  it("post -> claim -> round -> random audit decided -> auditors drawn -> clean audit pays everyone from the escrow", async () => {
    const s = await setupProtocol(connection, { auditRateBps: 10_000 });
    const [, requester, worker] = s.wallets;
    assert.ok(requester && worker);
    await s.registerWorker(requester, 0n, false);
    const w = await s.registerWorker(worker, 2_000n, false);
    const pool = s.wallets.slice(3, 8);
    for (const v of pool) await s.registerWorker(v);
    const taskId = await s.post(requester, { bounty: 1_000n });
    await s.wait(await w.market.write.claim([taskId]));
    const out = await s.commitAs(worker, taskId, "good");
    await s.drawVerifiers(taskId);
    const verifiers = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
    const vres = [];
    for (const v of verifiers) vres.push(await s.commitAs(v, taskId, "good"));
    await s.revealAs(worker, taskId, out);
    for (const [i, v] of verifiers.entries()) await s.revealAs(v, taskId, vres[i]!);
    // Settle accepts and anchors the random audit to its block; the decision comes in a later transaction.
    await s.wait(await s.market.write.settle([taskId]));
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
    assert.equal((await s.market.read.roundOf([taskId])).auditPending, true);
    await s.wait(await s.market.write.decideAudit([taskId]));
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Auditing);
    await s.conserved([taskId]);
    await s.drawAuditors(taskId);
    const auditors = (await s.market.read.auditOf([taskId])).members.map((m) => s.walletOf(m.account));
    assert.equal(new Set([...verifiers, ...auditors, worker, requester]).size, 7, "auditors are neither verifiers nor parties");
    const before = await Promise.all([worker, ...verifiers, ...auditors].map((a) => s.account(a.account.address)));
    const ares = [];
    for (const a of auditors) ares.push(await s.commitAs(a, taskId, "good"));
    for (const [i, a] of auditors.entries()) await s.revealAs(a, taskId, ares[i]!);
    await s.wait(await s.market.write.finalizeAudit([taskId]));
    assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Final);
    const after = await Promise.all([worker, ...verifiers, ...auditors].map((a) => s.account(a.account.address)));
    assert.equal(after[0]!.genesis - before[0]!.genesis, 1_000n);
    for (let i = 1; i < after.length; i++) assert.equal(after[i]!.genesis - before[i]!.genesis, 10n, "each verifier and auditor its fee");
    for (const acc of after) assert.equal(acc.lockedStake, 0n);
    // The escrow (1060) paid bounty 1000, 2 verifier fees, 3 auditor fees (the reserve) and the platform fee: nothing left.
    assert.equal((await s.account(requester.account.address)).genesis, defaultParams.genesisGrant - 1_060n);
    assert.deepEqual(await s.ledger.read.escrowOf([taskId]), { amount: 0n, genesis: 0n });
    assert.equal(await s.ledger.read.treasury(), 10n);
    await s.conserved([taskId]);
    await s.genesisKept([taskId]);
  });
});

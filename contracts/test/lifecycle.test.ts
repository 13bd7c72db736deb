import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { setupProtocol } from "../test-support/fixture.ts";

describe("full replicated lifecycle", async () => {
  const connection = await network.create();
  const { networkHelpers } = connection;

  it("post -> claim -> 3 commits -> 3 reveals -> settle pays everyone and conserves credit", async () => {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [requester, worker, v1, v2] = s.wallets;
    assert.ok(requester && worker && v1 && v2);
    const r = await s.registerWorker(requester, 0n, false);
    const w = await s.registerWorker(worker, 2_000n, false);
    const a = await s.registerWorker(v1);
    const b = await s.registerWorker(v2);
    void r;
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
    await s.wait(await s.market.write.settle([taskId]));
    const task = await s.market.read.taskOf([taskId]);
    assert.equal(task.status, TaskStatus.Accepted);
    const wacc = await s.ledger.read.accountOf([worker.account.address]);
    assert.equal(wacc.balance, 1_000n);
    assert.equal(await s.ledger.read.treasury(), 10n);
    const totals = await s.creditTotals(
      s.wallets.slice(0, 4).map((x) => x.account.address),
      [taskId],
    );
    assert.equal(totals.held, totals.issued);
    void networkHelpers;
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Hex } from "viem";
import { TaskStatus } from "../protocol/status.ts";
import type { ChainEvent } from "./events.ts";
import { foldTasks, hasResult, listTasks } from "./tasks.ts";

const R = "0x00000000000000000000000000000000000000aa";
const W = "0x00000000000000000000000000000000000000bb";
const V = "0x00000000000000000000000000000000000000cc";
const ZERO = "0x0000000000000000000000000000000000000000";
let n = 0;
const ev = (eventName: string, args: Record<string, unknown>, block = 1n): ChainEvent => ({
  eventName,
  args,
  blockNumber: block,
  logIndex: n++,
  transactionHash: `0x${"ab".repeat(32)}` as Hex,
  contract: "TaskMarket",
});
const id = (i: number) => `0x${i.toString(16).padStart(64, "0")}` as Hex;
const posted = (i: number, bounty: bigint, typeId = 0, block = 1n) =>
  ev("TaskPosted", { taskId: id(i), requester: R, typeId, mode: 0, bounty, deadline: 2_000_000_000n, claimWindow: 600n, preferredWorker: ZERO, zkInputCommitment: 0n, inputCid: "0x01", spec: "0x7b7d" }, block);

test("a replicated task goes Open -> Claimed -> Committed -> Revealing -> Accepted with its output CID", () => {
  const digest = `0x${"11".repeat(32)}` as Hex;
  const events = [
    posted(1, 1000n),
    ev("TaskClaimed", { taskId: id(1), worker: W, claimDeadline: 1n }),
    ev("ResultCommitted", { taskId: id(1), account: W, member: 0n }),
    ev("VerifierDrawn", { taskId: id(1), verifier: V, member: 1n }),
    ev("ResultCommitted", { taskId: id(1), account: V, member: 1n }),
    ev("ResultRevealed", { taskId: id(1), account: W, digest, cid: "0x0155" }),
    ev("TaskAccepted", { taskId: id(1), worker: W, digest, inputRejected: false }),
  ];
  const steps: TaskStatus[] = [];
  for (let i = 1; i <= events.length; i++) steps.push(foldTasks(events.slice(0, i)).get(id(1))!.status);
  assert.deepEqual(steps, [1, 2, 3, 3, 3, 4, 5]);
  const t = foldTasks(events).get(id(1))!;
  assert.equal(t.outputCid, "0x0155");
  assert.equal(t.worker, W);
  assert.equal(t.preferredWorker, undefined);
  assert.ok(hasResult(t));
  assert.deepEqual(t.events.map((e) => e.eventName), ["TaskPosted", "TaskClaimed", "ResultCommitted", "VerifierDrawn", "ResultCommitted", "ResultRevealed", "TaskAccepted"]);
});

test("rejection and release reopen; cancel and expire are terminal; events of unknown tasks are ignored", () => {
  const tasks = foldTasks([
    posted(1, 100n),
    posted(2, 100n),
    posted(3, 100n),
    ev("TaskClaimed", { taskId: id(1), worker: W, claimDeadline: 1n }),
    ev("TaskRejected", { taskId: id(1), worker: W, reason: 0 }),
    ev("TaskCancelled", { taskId: id(2) }),
    ev("TaskExpired", { taskId: id(3) }),
    ev("TaskCancelled", { taskId: id(9) }),
  ]);
  assert.equal(tasks.get(id(1))!.status, TaskStatus.Open);
  assert.equal(tasks.get(id(1))!.worker, undefined);
  assert.equal(tasks.get(id(2))!.status, TaskStatus.Cancelled);
  assert.equal(tasks.get(id(3))!.status, TaskStatus.Expired);
  assert.equal(tasks.size, 3);
});

test("the queue sorts by bounty (then newest) and filters by type, status and requester", () => {
  const tasks = foldTasks([posted(1, 100n, 0, 1n), posted(2, 500n, 1, 2n), posted(3, 100n, 0, 3n), ev("TaskCancelled", { taskId: id(3) })]);
  assert.deepEqual(listTasks(tasks.values()).map((t) => t.id), [id(2), id(3), id(1)]);
  assert.deepEqual(listTasks(tasks.values(), { typeId: 0 }).map((t) => t.id), [id(3), id(1)]);
  assert.deepEqual(listTasks(tasks.values(), { status: TaskStatus.Open }).map((t) => t.id), [id(2), id(1)]);
  assert.equal(listTasks(tasks.values(), { requester: W }).length, 0);
});

test("a zk task is Accepted when proved, with its commitments, and Auditing when the requester disputes it", () => {
  const zkPosted = ev("TaskPosted", { ...posted(7, 100n, 4).args, mode: 1, zkInputCommitment: 42n });
  const proved = ev("TaskProved", { taskId: id(7), worker: W, outputCommitment: 99n, outputCid: "0x0170" });
  const before = foldTasks([zkPosted]).get(id(7))!;
  assert.equal(before.zkInputCommitment, 42n);
  assert.equal(before.outputCommitment, undefined);
  const t = foldTasks([zkPosted, ev("TaskClaimed", { taskId: id(7), worker: W, claimDeadline: 1n }), proved]).get(id(7))!;
  assert.equal(t.status, TaskStatus.Accepted);
  assert.equal(t.outputCommitment, 99n);
  assert.equal(t.outputCid, "0x0170");
  assert.ok(hasResult(t));
  assert.equal(foldTasks([zkPosted, proved, ev("AuditStarted", { taskId: id(7), forced: true })]).get(id(7))!.status, TaskStatus.Auditing);
  assert.equal(foldTasks([posted(8, 1n)]).get(id(8))!.zkInputCommitment, undefined, "replicated tasks carry no commitment");
});

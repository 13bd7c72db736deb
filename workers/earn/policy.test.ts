import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type OpenTask, type WorkerState, pickTask, whyNotTake } from "./policy.ts";

const ME = "0x00000000000000000000000000000000000000aa";
const NOW = 1_000_000;
const task = (over: Partial<OpenTask> = {}): OpenTask => ({
  id: `0x${"01".repeat(32)}`,
  requester: "0x00000000000000000000000000000000000000bb",
  typeId: 4,
  mode: 1,
  bounty: 100n,
  deadline: NOW + 3600,
  preferredWorker: undefined,
  ...over,
});
const me = (over: Partial<WorkerState> = {}): WorkerState => ({
  address: ME,
  capabilities: 1n << 4n,
  freeStake: 1_000n,
  claimStakeBps: 1_000,
  rateMilli: 1_000,
  referenceCostMcc: () => 50,
  ...over,
});

describe("earn policy", () => {
  it("takes a task it can run, pay for and stake for", () => {
    assert.equal(whyNotTake(task(), me(), NOW), undefined);
  });

  it("passes over its own task, a type it lacks, a near deadline and another's reserved task", () => {
    assert.equal(whyNotTake(task({ requester: ME.toUpperCase().replace("0X", "0x") }), me(), NOW), "your own task");
    assert.equal(whyNotTake(task({ typeId: 5 }), me(), NOW), "you are not registered for this type");
    assert.equal(whyNotTake(task({ excluded: [ME.toUpperCase().replace("0X", "0x")] }), me(), NOW), "you were excluded from it after a rejected result");
    assert.equal(whyNotTake(task({ excluded: ["0x00000000000000000000000000000000000000bb"] }), me(), NOW), undefined);
    assert.equal(whyNotTake(task({ deadline: NOW + 30 }), me(), NOW), "too close to its deadline");
    assert.equal(whyNotTake(task({ preferredWorker: "0x00000000000000000000000000000000000000cc" }), me(), NOW), "reserved for a preferred worker");
    assert.equal(whyNotTake(task({ preferredWorker: ME }), me(), NOW), undefined);
    assert.equal(whyNotTake(task(), me({ referenceCostMcc: () => undefined }), NOW), "this tab cannot run it");
  });

  it("needs a bounty of 1.1 x its own cost, scaled by its benchmark rate", () => {
    // reference cost 91 mCC at rate 1.0: 1.1 x 91 = 100.1 > 100
    assert.equal(whyNotTake(task(), me({ referenceCostMcc: () => 91 }), NOW), "bounty below 1.1 × your cost");
    // twice as fast as the reference: own cost 45.5, 1.1 x = 50.05 <= 100
    assert.equal(whyNotTake(task(), me({ referenceCostMcc: () => 91, rateMilli: 2_000 }), NOW), undefined);
  });

  it("needs free stake for the claim lock (10% of the bounty)", () => {
    assert.equal(whyNotTake(task({ bounty: 100n }), me({ freeStake: 9n }), NOW), "not enough free stake");
    assert.equal(whyNotTake(task({ bounty: 100n }), me({ freeStake: 10n }), NOW), undefined);
  });

  it("picks the highest bounty first, then the nearest deadline, skipping tasks in hand", () => {
    const a = task({ id: `0x${"0a".repeat(32)}`, bounty: 100n });
    const b = task({ id: `0x${"0b".repeat(32)}`, bounty: 300n });
    const c = task({ id: `0x${"0c".repeat(32)}`, bounty: 300n, deadline: NOW + 600 });
    assert.equal(pickTask([a, b, c], me(), NOW, new Set())?.id, c.id);
    assert.equal(pickTask([a, b, c], me(), NOW, new Set([c.id]))?.id, b.id);
    assert.equal(pickTask([a], me({ freeStake: 0n }), NOW, new Set()), undefined);
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { anchorLapsed, drawDue, roundOver } from "./plan.ts";
import type { RoundView } from "./ports.ts";

const round = (r: Partial<RoundView>): RoundView => ({
  commitDeadline: 0,
  revealDeadline: 0,
  acceptedAt: 0,
  commits: 0,
  reveals: 0,
  replacements: 0,
  forced: false,
  anchorBlock: 0,
  pauseMark: 0,
  inputRejected: false,
  poolShort: false,
  members: [],
  sealOrDigest: [],
  ...r,
});

// A transaction sent at head H lands in H + 1 at the earliest: on a chain that mines only when a transaction
// arrives (anvil in npm run dev), waiting for the head to pass the anchor would wait forever.
test("a draw is due as soon as its anchor is the head: the draw lands in a later block", () => {
  assert.equal(drawDue(round({ anchorBlock: 10 }), 10n), true);
  assert.equal(drawDue(round({ anchorBlock: 10 }), 9n), false, "a head older than the anchor (a stale read): not yet");
  assert.equal(drawDue(round({ anchorBlock: 10, commitDeadline: 100 }), 10n), false, "already drawn");
  assert.equal(drawDue(round({}), 10n), false, "nothing anchored");
});

test("a short pool is drawn again only after a block someone else mined", () => {
  assert.equal(drawDue(round({ anchorBlock: 10, poolShort: true }), 10n), false);
  assert.equal(drawDue(round({ anchorBlock: 10, poolShort: true }), 11n), true);
});

test("an anchor lapses when the block a transaction lands in is past the blockhash horizon", () => {
  assert.equal(anchorLapsed(round({ anchorBlock: 10 }), 265n), false);
  assert.equal(anchorLapsed(round({ anchorBlock: 10 }), 266n), true, "lands in 267 > 10 + 256");
  assert.equal(drawDue(round({ anchorBlock: 10 }), 265n), true, "lands in 266: the last block that reads the hash");
  assert.equal(drawDue(round({ anchorBlock: 10 }), 266n), false);
});

test("a round whose last reveal is the head can be settled: the settle lands in the next block", () => {
  const r = round({ anchorBlock: 20, commitDeadline: 100, revealDeadline: 200, commits: 3, reveals: 3 });
  assert.equal(roundOver(r, 1_000, 150, 20n), true);
  assert.equal(roundOver(r, 1_000, 150, 19n), false, "a head read before the reveal's block");
  assert.equal(roundOver({ ...r, reveals: 2 }, 1_000, 150, 20n), false, "a reveal is missing and its window is open");
  assert.equal(roundOver({ ...r, reveals: 2 }, 1_000, 201, 20n), true, "the reveal window closed");
});

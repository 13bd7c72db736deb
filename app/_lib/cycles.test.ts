import { test } from "node:test";
import assert from "node:assert/strict";
import type { Address } from "viem";
import { circleLayout, findCycles, iouPairs } from "./cycles.ts";

const A = "0x000000000000000000000000000000000000000a" as Address;
const B = "0x000000000000000000000000000000000000000b" as Address;
const C = "0x000000000000000000000000000000000000000c" as Address;
const D = "0x000000000000000000000000000000000000000d" as Address;

test("a triangle A -> B -> C -> A is one cycle cleared by its smallest edge", () => {
  const cycles = findCycles([
    { debtor: A, creditor: B, amount: 500n },
    { debtor: B, creditor: C, amount: 200n },
    { debtor: C, creditor: A, amount: 900n },
    { debtor: C, creditor: D, amount: 100n },
  ]);
  assert.deepEqual(cycles, [{ path: [A, B, C], amount: 200n }]);
});

test("no cycle in a chain; zero edges are ignored", () => {
  assert.deepEqual(findCycles([{ debtor: A, creditor: B, amount: 1n }, { debtor: B, creditor: C, amount: 1n }]), []);
  assert.deepEqual(findCycles([{ debtor: A, creditor: B, amount: 1n }, { debtor: B, creditor: A, amount: 0n }]), []);
});

test("two cycles sharing a node are both found, each once", () => {
  const cycles = findCycles([
    { debtor: A, creditor: B, amount: 3n },
    { debtor: B, creditor: A, amount: 2n },
    { debtor: A, creditor: C, amount: 7n },
    { debtor: C, creditor: D, amount: 5n },
    { debtor: D, creditor: A, amount: 6n },
  ]);
  assert.deepEqual(cycles, [
    { path: [A, B], amount: 2n },
    { path: [A, C, D], amount: 5n },
  ]);
});

test("mixed-case addresses are the same node; limits hold", () => {
  const upper = A.toUpperCase().replace("0X", "0x") as Address;
  assert.equal(findCycles([{ debtor: upper, creditor: B, amount: 1n }, { debtor: B, creditor: A, amount: 1n }]).length, 1);
  const edges = [A, B, C, D].flatMap((x) => [A, B, C, D].filter((y) => y !== x).map((y) => ({ debtor: x, creditor: y, amount: 1n })));
  assert.equal(findCycles(edges, { maxCycles: 3 }).length, 3);
  assert.ok(findCycles(edges, { maxLength: 2 }).every((c) => c.path.length === 2));
});

test("iouPairs lists both directions of each recorded pair once", () => {
  const pairs = iouPairs([
    { eventName: "IouRecorded", args: { debtor: A, creditor: B } },
    { eventName: "IouRecorded", args: { debtor: A, creditor: B } },
    { eventName: "Staked", args: { account: C } },
  ]);
  assert.deepEqual(pairs, [[A, B], [B, A]]);
});

test("circle layout puts nodes inside the picture", () => {
  const pos = circleLayout(["a", "b", "c"], 200);
  for (const { x, y } of pos.values()) assert.ok(x >= 0 && x <= 200 && y >= 0 && y <= 200);
  assert.equal(Math.round(pos.get("a")!.y), 40);
});

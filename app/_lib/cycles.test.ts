import { test } from "node:test";
import assert from "node:assert/strict";
import type { Address } from "viem";
import { GRAPH, circleLayout, edgeLine, findCycles, graphLayout, iouPairs } from "./cycles.ts";

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

test("no IOU arrow can cover an address label: labels lie outside the circle that holds every edge", () => {
  const charWidth = 7; // 11 px monospace
  const label = "0x1234…abcd (you)";
  const center = { x: GRAPH.width / 2, y: GRAPH.height / 2 };
  const dist = (p: { x: number; y: number }) => Math.hypot(p.x - center.x, p.y - center.y);
  for (let n = 1; n <= 9; n++) {
    const names = Array.from({ length: n }, (_, i) => `n${i}`);
    const layout = graphLayout(names);
    // Every point of every edge (both directions, with the sideways shift and a 10 px arrowhead) stays inside radius.
    let edgeReach = 0;
    for (const a of names) {
      for (const b of names) {
        if (a === b) continue;
        const l = edgeLine(layout.get(a)!, layout.get(b)!);
        for (let t = 0; t <= 1; t += 0.05) edgeReach = Math.max(edgeReach, dist({ x: l.x1 + (l.x2 - l.x1) * t, y: l.y1 + (l.y2 - l.y1) * t }) + 10 * (t === 1 ? 1 : 0));
      }
    }
    for (const node of layout.values()) {
      const w = label.length * charWidth;
      const left = node.label.anchor === "start" ? node.label.x : node.label.anchor === "end" ? node.label.x - w : node.label.x - w / 2;
      const corners = [
        { x: left, y: node.label.y - 11 },
        { x: left + w, y: node.label.y - 11 },
        { x: left, y: node.label.y + 2 },
        { x: left + w, y: node.label.y + 2 },
      ];
      // The label box is nearer the centre than no edge point, and inside the picture.
      const nearest = Math.min(...corners.map(dist), dist({ x: Math.min(Math.max(center.x, left), left + w), y: Math.min(Math.max(center.y, node.label.y - 11), node.label.y + 2) }));
      assert.ok(nearest > edgeReach, `${n} nodes: a label comes within ${nearest.toFixed(1)} px of the centre, an edge reaches ${edgeReach.toFixed(1)}`);
      for (const c of corners) assert.ok(c.x >= 0 && c.x <= GRAPH.width && c.y >= 0 && c.y <= GRAPH.height, `${n} nodes: label out of the picture at ${c.x},${c.y}`);
    }
  }
});

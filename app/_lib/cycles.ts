/**
 * The IOU graph of the ledger (owed[debtor][creditor]) and its closed cycles, which anyone may clear by the
 * smallest edge (DESIGN §2). Pure.
 */
import type { Address } from "viem";

export type IouEdge = { debtor: Address; creditor: Address; amount: bigint };
export type IouCycle = { path: Address[]; amount: bigint };

const norm = (a: string) => a.toLowerCase() as Address;

/** Every debtor/creditor pair ever seen in IouRecorded events (amounts are read from owed() afterwards). */
export function iouPairs(events: readonly { eventName: string; args: Readonly<Record<string, unknown>> }[]): [Address, Address][] {
  const seen = new Map<string, [Address, Address]>();
  for (const e of events) {
    if (e.eventName !== "IouRecorded") continue;
    const d = norm(String(e.args.debtor));
    const c = norm(String(e.args.creditor));
    // Netting may move debt to the reverse edge, so both directions are candidates.
    seen.set(`${d}>${c}`, [d, c]);
    seen.set(`${c}>${d}`, [c, d]);
  }
  return [...seen.values()];
}

/**
 * Simple cycles of the graph of positive edges, each reported once (starting at its smallest address),
 * with the amount that clearing it would remove (its smallest edge). Bounded in length and count.
 */
export function findCycles(edges: readonly IouEdge[], options: { maxLength?: number; maxCycles?: number } = {}): IouCycle[] {
  const maxLength = options.maxLength ?? 8;
  const maxCycles = options.maxCycles ?? 50;
  const out = new Map<Address, { to: Address; amount: bigint }[]>();
  for (const e of edges) {
    if (e.amount <= 0n) continue;
    const d = norm(e.debtor);
    const list = out.get(d) ?? [];
    list.push({ to: norm(e.creditor), amount: e.amount });
    out.set(d, list);
  }
  for (const list of out.values()) list.sort((x, y) => (x.to < y.to ? -1 : 1));
  const nodes = [...out.keys()].sort();
  const cycles: IouCycle[] = [];
  for (const start of nodes) {
    const path: Address[] = [start];
    const mins: bigint[] = [];
    const onPath = new Set<string>([start]);
    const visit = (node: Address): boolean => {
      for (const { to, amount } of out.get(node) ?? []) {
        if (to < start) continue; // each cycle is found from its smallest node only
        if (to === start) {
          if (path.length >= 2) {
            const amountMin = [...mins, amount].reduce((m, v) => (v < m ? v : m));
            cycles.push({ path: [...path], amount: amountMin });
            if (cycles.length >= maxCycles) return true;
          }
          continue;
        }
        if (onPath.has(to) || path.length >= maxLength) continue;
        path.push(to);
        mins.push(amount);
        onPath.add(to);
        if (visit(to)) return true;
        onPath.delete(to);
        mins.pop();
        path.pop();
      }
      return false;
    };
    if (visit(start)) break;
  }
  return cycles;
}

/** Positions of the nodes on a circle (the SVG picture of the graph). */
export function circleLayout(nodes: readonly string[], size: number, margin = 40): Map<string, { x: number; y: number }> {
  const r = size / 2 - margin;
  const c = size / 2;
  const pos = new Map<string, { x: number; y: number }>();
  nodes.forEach((n, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, nodes.length) - Math.PI / 2;
    pos.set(n, { x: c + r * Math.cos(angle), y: c + r * Math.sin(angle) });
  });
  return pos;
}

/** The IOU picture's geometry: accounts on a circle, each label outside it, edges as chords inside it. */
export const GRAPH = { width: 640, height: 460, radius: 160, nodeRadius: 20, labelGap: 28 } as const;

export type GraphNode = { x: number; y: number; label: { x: number; y: number; anchor: "start" | "middle" | "end" } };

/**
 * Node and label positions. A label sits on the ray from the centre through its node, beyond the node: every
 * edge is a chord of the circle, so no arrow (and no arrowhead) can cover a label.
 */
export function graphLayout(nodes: readonly string[]): Map<string, GraphNode> {
  const cx = GRAPH.width / 2;
  const cy = GRAPH.height / 2;
  const out = new Map<string, GraphNode>();
  nodes.forEach((n, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, nodes.length) - Math.PI / 2;
    const dx = Math.cos(angle);
    const dy = Math.sin(angle);
    const x = cx + GRAPH.radius * dx;
    const y = cy + GRAPH.radius * dy;
    const g = GRAPH.labelGap;
    // Left and right of the circle the text runs outwards from its anchor; above and below it is centred.
    const side = Math.abs(dx) > 0.5;
    const label = side
      ? { x: x + g * dx, y: y + g * dy + 4, anchor: dx > 0 ? ("start" as const) : ("end" as const) }
      : { x: x + g * dx, y: y + g * dy + (dy > 0 ? 10 : 0), anchor: "middle" as const };
    out.set(n, { x, y, label });
  });
  return out;
}

/** An edge from node a to node b: shortened to the node circles, shifted sideways so that a->b and b->a differ. */
export function edgeLine(a: { x: number; y: number }, b: { x: number; y: number }, shift = 6, gap = GRAPH.nodeRadius + 2) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const ox = (-dy / len) * shift;
  const oy = (dx / len) * shift;
  return { x1: a.x + (dx / len) * gap + ox, y1: a.y + (dy / len) * gap + oy, x2: b.x - (dx / len) * gap + ox, y2: b.y - (dy / len) * gap + oy, ox, oy };
}

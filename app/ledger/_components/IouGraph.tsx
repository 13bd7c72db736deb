"use client";
import { type IouCycle, type IouEdge, circleLayout } from "../../_lib/cycles";
import { sameAddress } from "../../_lib/events";
import { cc, shortAddress } from "../../_components/ui";

const SIZE = 420;

/** The IOU graph as a picture: accounts on a circle, an arrow from debtor to creditor; edges on a cycle in colour. */
export function IouGraph({ edges, cycles, me }: { edges: IouEdge[]; cycles: IouCycle[]; me: string | undefined }) {
  const nodes = [...new Set(edges.flatMap((e) => [e.debtor.toLowerCase(), e.creditor.toLowerCase()]))].sort();
  const pos = circleLayout(nodes, SIZE, 60);
  const onCycle = new Set(
    cycles.flatMap((c) => c.path.map((a, i) => `${a.toLowerCase()}>${c.path[(i + 1) % c.path.length]!.toLowerCase()}`)),
  );
  return (
    <svg className="graph" viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={`IOU graph: ${edges.map((e) => `${shortAddress(e.debtor)} owes ${shortAddress(e.creditor)} ${cc(e.amount)}`).join("; ")}`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#5d6168" />
        </marker>
        <marker id="arrow-cycle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#b3261e" />
        </marker>
      </defs>
      {edges.map((e) => {
        const a = pos.get(e.debtor.toLowerCase())!;
        const b = pos.get(e.creditor.toLowerCase())!;
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const len = Math.hypot(dx, dy) || 1;
        // Offset sideways so that A->B and B->A do not overlap; stop short of the node circles.
        const ox = (-dy / len) * 6;
        const oy = (dx / len) * 6;
        const r = 22;
        const x1 = a.x + (dx / len) * r + ox;
        const y1 = a.y + (dy / len) * r + oy;
        const x2 = b.x - (dx / len) * r + ox;
        const y2 = b.y - (dy / len) * r + oy;
        const cyc = onCycle.has(`${e.debtor.toLowerCase()}>${e.creditor.toLowerCase()}`);
        return (
          <g key={`${e.debtor}-${e.creditor}`}>
            <line x1={x1} y1={y1} x2={x2} y2={y2} stroke={cyc ? "#b3261e" : "#5d6168"} strokeWidth={cyc ? 2.5 : 1.5} markerEnd={`url(#${cyc ? "arrow-cycle" : "arrow"})`} />
            <text x={(x1 + x2) / 2 + ox * 2} y={(y1 + y2) / 2 + oy * 2} fontSize="12" textAnchor="middle" fill={cyc ? "#b3261e" : "#1c1d1f"}>
              {cc(e.amount)}
            </text>
          </g>
        );
      })}
      {nodes.map((n) => {
        const p = pos.get(n)!;
        const mine = sameAddress(n, me);
        return (
          <g key={n}>
            <circle cx={p.x} cy={p.y} r={20} fill={mine ? "#1f5fbf" : "#fff"} stroke="#1c1d1f" strokeWidth={1.5} />
            <text x={p.x} y={p.y + 36} fontSize="11" textAnchor="middle" fontFamily="ui-monospace, monospace">
              {shortAddress(n)}
              {mine ? " (you)" : ""}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

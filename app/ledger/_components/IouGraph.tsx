"use client";
import { GRAPH, type IouCycle, type IouEdge, edgeLine, graphLayout } from "../../_lib/cycles";
import { sameAddress } from "../../_lib/events";
import { cc, shortAddress } from "../../_components/ui";

/**
 * The IOU graph as a picture: accounts on a circle with their labels outside it, an arrow from debtor to creditor
 * inside it (so no arrowhead covers a label); edges on a cycle in colour.
 */
export function IouGraph({ edges, cycles, me }: { edges: IouEdge[]; cycles: IouCycle[]; me: string | undefined }) {
  const nodes = [...new Set(edges.flatMap((e) => [e.debtor.toLowerCase(), e.creditor.toLowerCase()]))].sort();
  const pos = graphLayout(nodes);
  const onCycle = new Set(
    cycles.flatMap((c) => c.path.map((a, i) => `${a.toLowerCase()}>${c.path[(i + 1) % c.path.length]!.toLowerCase()}`)),
  );
  return (
    <svg className="graph" viewBox={`0 0 ${GRAPH.width} ${GRAPH.height}`} role="img" aria-label={`IOU graph: ${edges.map((e) => `${shortAddress(e.debtor)} owes ${shortAddress(e.creditor)} ${cc(e.amount)}`).join("; ")}`}>
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
        // Shifted sideways so that A->B and B->A do not overlap; stopped short of the node circles.
        const { x1, y1, x2, y2, ox, oy } = edgeLine(a, b);
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
            <circle cx={p.x} cy={p.y} r={GRAPH.nodeRadius} fill={mine ? "#1f5fbf" : "#fff"} stroke="#1c1d1f" strokeWidth={1.5} />
            <text x={p.label.x} y={p.label.y} fontSize="11" textAnchor={p.label.anchor} fontFamily="ui-monospace, monospace">
              {shortAddress(n)}
              {mine ? " (you)" : ""}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

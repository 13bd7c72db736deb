"use client";
import { explainError } from "../../_lib/revert";
import { formatCredits } from "../../../lib/protocol/params";
import { useRead } from "../../_components/useRead";
import { ErrorNote, Loading } from "../../_components/ui";

const AMOUNTS = new Set(["genesisGrant", "creditLimitCap", "minVerifierStake", "minBounty"]);
const DURATIONS = new Set(["claimWindow", "banDuration", "commitWindow", "revealWindow", "auditWindow", "unstakeCooldown"]);

function duration(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400} day${s === 86_400 ? "" : "s"}`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export function formatParam(name: string, value: unknown): string {
  if (AMOUNTS.has(name)) return formatCredits(BigInt(value as bigint));
  if (DURATIONS.has(name)) return duration(Number(value));
  if (name.endsWith("Bps")) return `${Number(value) / 100}%`;
  if (name === "fraudSlashMultiplier") return `${String(value)}× bounty`;
  return String(value);
}

const label = (name: string) => name.replace(/Bps$/, "").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

export function ParamsTable() {
  const params = useRead<Record<string, unknown>>("ProtocolConfig", "params", [], { refetch: false });
  return (
    <section className="card" aria-labelledby="params-h">
      <h2 id="params-h">Protocol parameters</h2>
      {params.error ? (
        <ErrorNote>Cannot read the parameters: {explainError(params.error)}</ErrorNote>
      ) : !params.data ? (
        <Loading what="parameters" />
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted" style={{ textAlign: "left", marginBottom: 6 }}>
              Read from ProtocolConfig.params() on chain
            </caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col" className="num">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(params.data).map(([k, v]) => (
                <tr key={k}>
                  <td>{label(k)}</td>
                  <td className="num">{formatParam(k, v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

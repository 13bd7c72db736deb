"use client";
import Link from "next/link";
import { useEffect } from "react";
import type { JobStage, JobView } from "../../../workers/earn/engine.ts";
import type { Role } from "../../../workers/earn/ports.ts";
import { useEarn } from "../../_components/EarnProvider";
import { useWallet } from "../../_components/Providers";
import { useRead } from "../../_components/useRead";
import { Empty, Loading, cc } from "../../_components/ui";
import { WorkerCard } from "../../account/_components/WorkerCard";

const STAGE_WORDS: Record<JobStage, string> = {
  claiming: "Claiming the task…",
  fetching: "Fetching the input from IPFS (every block checked)…",
  computing: "Computing in a Web Worker…",
  proving: "Proving in a Web Worker…",
  publishing: "Publishing the output to IPFS…",
  committing: "Committing the sealed result…",
  submitting: "Submitting the proof…",
  waiting: "Committed; waiting for the others to commit and reveal",
  revealing: "Revealing the result…",
  accepted: "Accepted; paid when the task's audit window closes",
  paid: "Paid",
  rejected: "Not paid",
  released: "Claim handed back (no penalty)",
  failed: "Failed",
};
const ROLE_WORDS: Record<Role, string> = { worker: "work", verifier: "verifier duty", auditor: "audit duty" };
const ENDED: readonly JobStage[] = ["paid", "rejected", "released", "failed"];

/** Share of the whole job per stage, for one progress bar across the job. */
function jobRatio(j: JobView): number {
  const inside = j.progress?.ratio ?? 0;
  switch (j.stage) {
    case "claiming":
      return 0.02;
    case "fetching":
      return 0.05;
    case "computing":
    case "proving":
      return 0.1 + 0.7 * inside;
    case "publishing":
      return 0.82;
    case "committing":
    case "submitting":
      return 0.86;
    case "waiting":
      return 0.9;
    case "revealing":
      return 0.94;
    case "accepted":
      return 0.97;
    default:
      return 1;
  }
}

function JobRow({ j }: { j: JobView }) {
  const ended = ENDED.includes(j.stage);
  const seconds = (((j.endedAt ?? Date.now()) - j.startedAt) / 1000).toFixed(0);
  return (
    <li className="card" style={{ listStyle: "none" }} data-task-id={j.taskId} data-kind={j.role} data-phase={j.stage}>
      <h3 style={{ margin: 0 }}>
        <Link href={`/tasks/${j.taskId}`}>{j.typeName}</Link>{" "}
        <span className="muted">
          · {ROLE_WORDS[j.role]} · {j.mode === 1 ? "zk" : "replicated"} · bounty {cc(j.bounty)}
        </span>
      </h3>
      {!ended && j.stage !== "accepted" ? <progress className="progress" max={1} value={jobRatio(j)} aria-label={`Progress of ${j.typeName}`} /> : null}
      <p aria-live="polite" className={j.stage === "paid" || j.stage === "accepted" ? "ok" : j.stage === "failed" ? "error" : undefined} data-testid="job-phase">
        {STAGE_WORDS[j.stage]}
        {(j.stage === "computing" || j.stage === "proving") && j.progress ? ` (${j.progress.phase}, ${Math.round(j.progress.ratio * 100)}%)` : ""}
        {ended ? ` after ${seconds} s` : ""}
        {j.stage === "paid" && j.earned !== undefined ? `: ${cc(j.earned)} earned.` : ""}
        {j.detail && (j.stage === "failed" || j.stage === "released" || j.stage === "rejected") ? ` — ${j.detail}` : ""}
      </p>
    </li>
  );
}

export function EarnTab() {
  const earn = useEarn();
  const { signer } = useWallet();
  const me = signer?.address;
  const worker = useRead<{ registeredAt: number; rateMilli: number; bannedUntil: number; reputation: number; poolIndex: number }>("WorkerRegistry", "workerOf", me ? [me] : undefined);
  const account = useRead<{ stake: bigint; lockedStake: bigint }>("CreditLedger", "accountOf", me ? [me] : undefined);
  const s = earn.snapshot;
  // Reputation and stake change when a job is taken, accepted, paid or slashed: read them again then, not a poll later.
  const stages = s?.jobs.map((j) => `${j.taskId}:${j.role}:${j.stage}`).join(",");
  const { refetch: refetchWorker } = worker;
  const { refetch: refetchAccount } = account;
  useEffect(() => {
    if (stages === undefined) return;
    void refetchWorker();
    void refetchAccount();
  }, [stages, refetchWorker, refetchAccount]);
  if (!earn.ready || !s) return <Loading what="the earn engine" />;
  const w = worker.data;
  const registered = Boolean(w && w.registeredAt > 0);
  const banned = Boolean(w && w.bannedUntil * 1000 > Date.now());
  const free = account.data ? account.data.stake - account.data.lockedStake : undefined;
  const active = s.jobs.filter((j) => !ENDED.includes(j.stage));
  const history = s.jobs.filter((j) => ENDED.includes(j.stage));
  const toggleRole = (roles: readonly Role[]) => earn.setRoles(roles);
  const verifies = earn.roles.includes("verifier");

  return (
    <>
      <section className="card" aria-labelledby="earn-h">
        <h2 id="earn-h">This tab as a worker</h2>
        <p>
          While this tab earns it claims open tasks of every type it can run (image resize, video, ML, zk) that pay at least 1.1× its own cost,
          runs them in Web Workers and commits or proves the result; as a verifier and auditor it re-computes the tasks it is drawn for. It goes on
          while you use other pages of the app; keep the tab open. Pay is held in each task&apos;s escrow until its audit window closes, then the
          task is finalized and paid. A reloaded tab picks up where it stood: claims, commitments and their salts are kept.
        </p>
        {!registered ? (
          <p className="note">Starting runs the benchmark once in a Web Worker (a few seconds) and registers this account with the measured rate.</p>
        ) : null}
        <dl className="kv">
          <dt>Benchmark rate</dt>
          <dd data-testid="earn-rate">
            {w && w.registeredAt > 0 ? `${(w.rateMilli / 1000).toFixed(3)} × the reference machine` : "not measured yet"}{" "}
            {registered ? (
              <button type="button" className="secondary small" disabled={s.status === "benchmarking"} onClick={() => void earn.rerunBenchmark()}>
                Run the benchmark again
              </button>
            ) : null}
          </dd>
          <dt>Reputation</dt>
          <dd data-testid="earn-reputation">{w ? w.reputation : "…"}</dd>
          <dt>Stake</dt>
          <dd data-testid="earn-stake">
            {account.data ? `${cc(account.data.stake)} (${cc(free ?? 0n)} free; a claim locks 10% of its bounty until the task is final)` : "…"}
          </dd>
          <dt>Earned (final)</dt>
          <dd data-testid="earned">{cc(s.earned)}</dd>
          <dt>Pending (accepted, not final yet)</dt>
          <dd data-testid="pending">{cc(s.pending)}</dd>
        </dl>
        {s.status === "benchmarking" && s.benchmark ? (
          <p>
            <progress className="progress" max={1} value={s.benchmark.ratio} aria-label="Benchmark progress" /> Measuring this machine…
          </p>
        ) : null}
        {banned ? <p className="error">This account is banned from work for now.</p> : null}
        {registered && free === 0n ? (
          <p className="error">You have no free stake, so no claim can lock any. Stake below.</p>
        ) : null}
        <fieldset disabled={earn.running}>
          <legend>Roles</legend>
          <label>
            <input type="checkbox" checked={earn.roles.includes("worker")} onChange={(e) => toggleRole(e.target.checked ? [...new Set([...earn.roles, "worker" as Role])] : earn.roles.filter((r) => r !== "worker"))} /> Claim
            and work tasks
          </label>{" "}
          <label>
            <input
              type="checkbox"
              checked={verifies}
              onChange={(e) => toggleRole(e.target.checked ? [...new Set([...earn.roles, "verifier" as Role, "auditor" as Role])] : earn.roles.filter((r) => r === "worker"))}
            />{" "}
            Verify and audit (joins the verifier pool; needs 1 CC staked)
          </label>
        </fieldset>
        <div className="row" style={{ alignItems: "end" }}>
          <div className="field">
            <label htmlFor="slots">Tasks at once (one core each)</label>
            <select id="slots" value={earn.slots} onChange={(e) => earn.setSlots(Number(e.target.value))}>
              {Array.from({ length: earn.maxSlots }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            {earn.running ? (
              <button type="button" className="secondary" onClick={() => void earn.stop()} aria-pressed="true">
                Stop earning
              </button>
            ) : (
              <button type="button" onClick={() => void earn.start()} disabled={banned || s.status === "stopping" || earn.roles.length === 0} aria-pressed="false">
                Start earning
              </button>
            )}
          </div>
        </div>
        {s.error ? (
          <p className="error" role="alert">
            {s.error}
          </p>
        ) : null}
        <p className="muted" role="status" data-testid="earn-status">
          {s.status === "starting"
            ? "Starting…"
            : s.status === "registering"
              ? "Registering with the measured rate…"
              : s.status === "stopping"
                ? "Stopping: no new claims; what this account holds is finished first."
                : s.status === "running"
                  ? active.length > 0
                    ? "Working."
                    : (s.waitingFor ?? "Watching the queue…")
                  : s.status === "benchmarking"
                    ? "Running the benchmark…"
                    : "Stopped."}
        </p>
        {s.skippedTypes.length > 0 ? <p className="muted">Not run here: {s.skippedTypes.join("; ")}.</p> : null}
      </section>
      <section aria-labelledby="jobs-h">
        <h2 id="jobs-h">Jobs and duties</h2>
        {active.length === 0 && history.length === 0 ? (
          <Empty>No job yet{earn.running ? "; the first open task that pays, or a draw for this account, will appear here" : ". Start earning to take tasks"}.</Empty>
        ) : (
          <ul className="tasks" data-testid="jobs">
            {[...active, ...history].map((j) => (
              <JobRow key={j.key} j={j} />
            ))}
          </ul>
        )}
      </section>
      <details className="card">
        <summary>Engine log</summary>
        <pre className="mono" style={{ whiteSpace: "pre-wrap", maxHeight: 240, overflow: "auto" }} data-testid="earn-log">
          {s.log.slice(-40).join("\n") || "nothing yet"}
        </pre>
      </details>
      <WorkerCard />
    </>
  );
}

"use client";
import Link from "next/link";
import type { ZkJobPhase } from "../../../workers/earn/zk-job.ts";
import type { ZkAuditPhase } from "../../../workers/earn/zk-audit.ts";
import { Empty, Loading, cc } from "../../_components/ui";
import { useEarn } from "../../_components/EarnProvider";
import type { Job } from "../../_components/useEarnLoop";

const PHASE_WORDS: Record<ZkJobPhase | ZkAuditPhase, string> = {
  computing: "Recomputing the output (audit of a disputed zk task)…",
  committing: "Committing to the recomputed output's CID…",
  waiting: "Waiting until every auditor has committed…",
  revealing: "Revealing…",
  revealed: "Revealed; the audit is decided when it is finalized",
  claiming: "Claiming the task…",
  fetching: "Fetching the input from IPFS (every block checked)…",
  proving: "Proving in a Web Worker…",
  publishing: "Publishing the output to IPFS…",
  submitting: "Submitting the proof…",
  accepted: "Proof accepted",
  releasing: "Handing the claim back…",
  released: "Claim handed back (no penalty)",
  failed: "Failed",
};

/** Share of the whole job per phase, for one progress bar across the job. */
function jobRatio(j: Job): number {
  switch (j.phase) {
    case "claiming":
      return 0.02;
    case "fetching":
      return 0.05;
    case "proving":
      return 0.1 + 0.75 * (j.progress?.ratio ?? 0);
    case "publishing":
      return 0.88;
    case "submitting":
      return 0.93;
    case "computing":
      return 0.1;
    case "committing":
      return 0.3;
    case "waiting":
      return 0.5;
    case "revealing":
      return 0.9;
    default:
      return 1;
  }
}

function JobRow({ j }: { j: Job }) {
  const ended = j.endedAt !== undefined;
  const seconds = (((j.endedAt ?? Date.now()) - j.startedAt) / 1000).toFixed(1);
  return (
    <li className="card" style={{ listStyle: "none" }} data-task-id={j.taskId} data-kind={j.kind} data-phase={j.phase}>
      <h3 style={{ margin: 0 }}>
        <Link href={`/tasks/${j.taskId}`}>{j.typeName}</Link> <span className="muted">· {j.kind === "audit" ? "audit duty" : cc(j.bounty)}</span>
      </h3>
      {!ended ? <progress className="progress" max={1} value={jobRatio(j)} aria-label={`Progress of ${j.typeName}`} /> : null}
      <p aria-live="polite" className={j.phase === "accepted" ? "ok" : j.phase === "failed" ? "error" : undefined} data-testid="job-phase">
        {PHASE_WORDS[j.phase]}
        {j.phase === "proving" && j.progress ? ` (${j.progress.phase})` : ""}
        {ended ? ` after ${seconds} s` : ""}
        {j.phase === "accepted" ? `: ${cc(j.bounty)} earned, paid when the task's audit window closes.` : ""}
        {j.detail && (j.phase === "failed" || j.phase === "released") ? ` — ${j.detail}` : ""}
      </p>
      {j.phase === "accepted" && j.detail ? (
        <p className="muted">
          Output published as <code>{j.detail}</code>.
        </p>
      ) : null}
    </li>
  );
}

export function EarnTab() {
  const earn = useEarn();
  if (!earn.ready) return <Loading what="your worker registration" />;
  if (!earn.registered) {
    return (
      <Empty>
        Register first on the <Link href="/account">Account page</Link>; then stake, and come back to earn.
      </Empty>
    );
  }
  return (
    <>
      <section className="card" aria-labelledby="earn-h">
        <h2 id="earn-h">This tab as a worker</h2>
        <p>
          While this tab earns, it claims open <strong>zk tasks</strong> that pay at least 1.1× its cost, proves them in a Web Worker and submits
          the proof, which the chain checks at once. The pay is held in the task&apos;s escrow until the task&apos;s audit window closes
          (a day), then anyone may finalize the task from its page and the pay arrives. It goes on while you use other pages of the app; keep the tab open. Closing it mid-task leaves the
          claim, and the next time this account earns it finishes that task first.
        </p>
        <p className="note">
          If this account is in the verifier pool (Account page), the tab also answers its audit draws on disputed zk tasks: it recomputes the
          output and commits to, then reveals, its CID. Replicated tasks and their verifier duties are not worked from the browser tab yet.
        </p>
        <dl className="kv">
          <dt>Stake</dt>
          <dd data-testid="earn-stake">
            {cc(earn.stake)} ({cc(earn.freeStake)} free; a claim locks 10% of its bounty)
          </dd>
          <dt>Earned in this tab (paid when final)</dt>
          <dd data-testid="earned">{cc(earn.paid)}</dd>
        </dl>
        {earn.banned ? <p className="error">This account is banned from work for now.</p> : null}
        {earn.freeStake === 0n ? (
          <p className="error">
            You have no free stake, so no claim can lock any. <Link href="/account">Stake on the Account page</Link>.
          </p>
        ) : null}
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
              <button type="button" className="secondary" onClick={earn.stop} aria-pressed="true">
                Stop earning
              </button>
            ) : (
              <button type="button" onClick={() => void earn.start()} disabled={earn.banned} aria-pressed="false">
                Start earning
              </button>
            )}
          </div>
        </div>
        {earn.lockError ? (
          <p className="error" role="alert">
            {earn.lockError}
          </p>
        ) : null}
        <p className="muted" role="status" data-testid="earn-status">
          {earn.jobs.some((j) => j.endedAt === undefined)
            ? earn.running
              ? "Working."
              : "Stopping: the job in hand finishes first (its claim and stake are already committed)."
            : earn.running
              ? (earn.waitingFor ?? "Watching the queue for zk tasks…")
              : "Stopped."}
        </p>
      </section>
      <section aria-labelledby="jobs-h">
        <h2 id="jobs-h">Jobs</h2>
        {earn.jobs.length === 0 ? (
          <Empty>No job yet{earn.running ? "; the first open zk task that pays will appear here" : ". Start earning to take tasks"}.</Empty>
        ) : (
          <ul className="tasks" data-testid="jobs">
            {earn.jobs.map((j) => (
              <JobRow key={`${j.kind}:${j.taskId}`} j={j} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

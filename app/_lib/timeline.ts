/** A task's events as a timeline of plain sentences (the task page). Pure. */
import type { Hex } from "viem";
import { formatCredits } from "../../lib/protocol/params.ts";
import type { ChainEvent } from "../../lib/client/events.ts";

export type TimelineEntry = {
  key: string;
  blockNumber: bigint;
  transactionHash: Hex;
  title: string;
  detail: string;
  tone: "neutral" | "good" | "bad";
};

const short = (a: unknown) => (typeof a === "string" && a.length > 12 ? `${a.slice(0, 6)}…${a.slice(-4)}` : String(a));
const at = (seconds: unknown) => new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
const REJECT_REASONS = [
  "both verifiers disagreed with the worker",
  "the worker never revealed",
  "no two results agreed",
  "nobody drew the verifiers within 256 blocks, so the draw lapsed against the worker",
];

export function describeEvent(e: ChainEvent): Omit<TimelineEntry, "key" | "blockNumber" | "transactionHash"> {
  const a = e.args;
  switch (e.eventName) {
    case "TaskPosted":
      return {
        title: "Posted",
        detail: `by ${short(a.requester)} with a bounty of ${formatCredits(a.bounty as bigint)}, deadline ${at(a.deadline)}, ${Number(a.mode) === 1 ? "zk" : "replicated"} verification`,
        tone: "neutral",
      };
    case "Escrowed":
      return { title: "Escrowed", detail: `${formatCredits(a.amount as bigint)} held from ${short(a.from)}`, tone: "neutral" };
    case "EscrowRefunded":
      return { title: "Refunded", detail: `${formatCredits(a.amount as bigint)} returned to ${short(a.to)}`, tone: "neutral" };
    case "EscrowPaid":
      return {
        title: "Paid",
        detail: `${formatCredits(a.amount as bigint)} paid to ${short(a.to)}${(a.asGenesis as bigint | undefined) ? ` (${formatCredits(a.asGenesis as bigint)} of it as spend-only credit, since the task was paid from genesis credit)` : ""}`,
        tone: "good",
      };
    case "EscrowToTreasury":
      return { title: "Fee", detail: `${formatCredits(a.amount as bigint)} to the treasury`, tone: "neutral" };
    case "TaskClaimed":
      return { title: "Claimed", detail: `by worker ${short(a.worker)} until ${at(a.claimDeadline)}`, tone: "neutral" };
    case "ClaimReleased":
      return { title: "Claim released", detail: `worker ${short(a.worker)} gave the task back`, tone: "neutral" };
    case "ClaimExpiredReopened":
      return { title: "Claim expired", detail: `worker ${short(a.worker)} ran out of time; the task is open again`, tone: "bad" };
    case "ResultCommitted":
      return { title: "Result committed", detail: `${Number(a.member) === 0 ? "worker" : `member ${String(a.member)}`} ${short(a.account)} committed a sealed result`, tone: "neutral" };
    case "VerifierDrawn":
      return { title: "Verifier drawn", detail: `${short(a.verifier)} will re-compute the task`, tone: "neutral" };
    case "AuditorDrawn":
      return { title: "Auditor drawn", detail: `${short(a.auditor)} will audit the task`, tone: "neutral" };
    case "CommitWindowOpened":
      return { title: "Commit window open", detail: `commits until ${at(a.commitDeadline)}, reveals until ${at(a.revealDeadline)}`, tone: "neutral" };
    case "VerifierReplaced":
      return { title: "Verifier replaced", detail: `${short(a.silent)} stayed silent and was replaced; the round goes on with a fresh verifier`, tone: "bad" };
    case "Slashed":
      return { title: "Slashed", detail: `${short(a.account)} lost ${formatCredits(a.amount as bigint)} of stake`, tone: "bad" };
    case "ResultRevealed":
      return { title: "Result revealed", detail: `${short(a.account)} revealed digest ${short(a.digest)}`, tone: "neutral" };
    case "TaskAccepted":
      return {
        title: a.inputRejected ? "Input rejected" : "Accepted",
        detail: `${a.inputRejected ? `worker ${short(a.worker)} and a verifier agree the input cannot be processed` : `worker ${short(a.worker)} and a verifier agree on the result`}; pay is held until the task is final, after the audit window`,
        tone: a.inputRejected ? "neutral" : "good",
      };
    case "TaskRejected":
      return { title: "Rejected", detail: `${REJECT_REASONS[Number(a.reason)] ?? "rejected"}; the task is back in the queue`, tone: "bad" };
    case "TaskProved":
      return {
        title: "Proved",
        detail: `worker ${short(a.worker)} submitted a valid proof; it is paid when the audit window closes, unless the requester disputes the published output before`,
        tone: "good",
      };
    case "AuditDecided":
      return {
        title: a.audited ? "Drawn for audit" : "Not drawn for audit",
        detail: a.audited ? "the random draw chose this task for an audit by three fresh auditors" : "the random audit draw passed this task over",
        tone: "neutral",
      };
    case "AuditStarted":
      return { title: "Audit started", detail: a.forced ? "forced by the requester" : "drawn at random", tone: "neutral" };
    case "AuditClean":
      return { title: "Audit clean", detail: "the auditors agreed with the accepted result", tone: "good" };
    case "FraudProven":
      return { title: "Fraud proven", detail: `worker ${short(a.worker)} was slashed ${formatCredits(a.slashed as bigint)} and banned`, tone: "bad" };
    case "TaskFinalized":
      return { title: "Final", detail: `the result is final; the worker was paid ${formatCredits((a.workerPay as bigint | undefined) ?? 0n)}`, tone: "good" };
    case "TaskCancelled":
      return { title: "Cancelled", detail: "the requester cancelled the task; the escrow was refunded", tone: "neutral" };
    case "TaskExpired":
      return { title: "Expired", detail: "the deadline passed with nobody done; the escrow was refunded (less the bounty if a result had been revealed)", tone: "neutral" };
    default:
      return { title: e.eventName, detail: "", tone: "neutral" };
  }
}

/** Entries in chain order. */
export function toTimeline(events: readonly ChainEvent[]): TimelineEntry[] {
  return [...events]
    .sort((x, y) => (x.blockNumber === y.blockNumber ? x.logIndex - y.logIndex : x.blockNumber < y.blockNumber ? -1 : 1))
    .map((e) => ({ key: `${e.transactionHash}:${e.logIndex}`, blockNumber: e.blockNumber, transactionHash: e.transactionHash, ...describeEvent(e) }));
}

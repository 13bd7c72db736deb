"use client";
/**
 * The requester's forced audit of an accepted task (TaskMarket.forceAudit), for both modes: three auditors drawn
 * from the verifier pool recompute the output; if the accepted result was wrong the worker is slashed and banned,
 * and the bounty, which is only paid when the task is final, comes back. The window is the contract's own
 * (`auditWindowClosesAt`, extended by any pause), judged by the chain's clock.
 */
import type { ProtocolParams } from "../../lib/protocol/params";
import { TaskStatus } from "../../lib/protocol/status";
import type { TaskView } from "../_lib/tasks";
import { sameAddress } from "../_lib/events";
import { ActionButton } from "./useAction";
import { useChainTime } from "./useChainTime";
import { useRead } from "./useRead";
import { useWallet } from "./Providers";
import { cc, dateTime } from "./ui";

export function DisputeBox({ task, what }: { task: TaskView; what: string }) {
  const { signer } = useWallet();
  const params = useRead<ProtocolParams>("ProtocolConfig", "params", [], { refetch: false });
  const closes = useRead<bigint>("TaskMarket", "auditWindowClosesAt", task.status === TaskStatus.Accepted ? [task.id] : undefined);
  const now = useChainTime();
  if (!sameAddress(signer?.address, task.requester)) return null;
  if (task.status === TaskStatus.Auditing) {
    const forced = task.events.some((e) => e.eventName === "AuditStarted" && e.args.forced === true);
    return (
      <p data-testid="dispute">
        {forced ? "Dispute open" : "Drawn for a random audit"}: three auditors recompute the output. A worker whose result was wrong is slashed and
        banned, and the bounty, which was never paid out, comes back to you.
      </p>
    );
  }
  if (task.status !== TaskStatus.Accepted || closes.data === undefined || now === undefined) return null;
  const closesAt = Number(closes.data);
  if (now > closesAt) return <p className="muted">The dispute window has closed.</p>;
  const fees = params.data ? 3n * ((task.bounty * BigInt(params.data.verifierFeeBps)) / 10_000n) : undefined;
  return (
    <div data-testid="dispute">
      <p>
        {what} You can dispute it until {dateTime(closesAt)}: three auditors recompute the output; if the accepted result is wrong the worker is
        slashed and banned and the bounty comes back to you. The auditors&apos; fees ({cc(fees)}) come from the audit reserve you escrowed when you
        posted; it is refunded when the task ends without an audit.
      </p>
      <ActionButton className="danger" call={{ contract: "TaskMarket", functionName: "forceAudit", args: [task.id] }} label="Open a dispute" doneText="Dispute opened." />
    </div>
  );
}

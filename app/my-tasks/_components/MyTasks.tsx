"use client";
import Link from "next/link";
import { TaskStatus, taskStatusName } from "../../../lib/protocol/status";
import { listTasks, type TaskView } from "../../_lib/tasks";
import { useWallet } from "../../_components/Providers";
import { TaskResult } from "../../_components/TaskResult";
import { ActionButton } from "../../_components/useAction";
import { useTasks } from "../../_components/useTasks";
import { useChainTaskTypes, typeName } from "../../_components/useTaskTypes";
import { Addr, Empty, ErrorNote, Loading, StatusBadge, cc, dateTime } from "../../_components/ui";

/** Why a task is back in the queue, when it is: an earlier round rejected its worker, or a claim ran out. */
function requeuedWords(t: TaskView): string {
  const rejected = t.events.filter((e) => e.eventName === "TaskRejected").length;
  const lapsed = t.events.filter((e) => e.eventName === "ClaimExpiredReopened").length;
  const parts: string[] = [];
  if (rejected > 0) {
    parts.push(
      `${rejected === 1 ? "An earlier worker's result was" : `${rejected} earlier results were`} rejected: the verifiers re-computed it and disagreed, that worker was slashed, and your escrow stayed in place. `,
    );
  }
  if (lapsed > 0) parts.push(`${lapsed === 1 ? "An earlier worker" : `${lapsed} earlier workers`} let the claim run out and paid for it from their stake. `);
  return parts.join("");
}

/** Where a task stands, in words (the progress of a task through DESIGN §3). */
function progressWords(t: TaskView): string {
  switch (t.status) {
    case TaskStatus.Open:
      if (t.deadline * 1000 < Date.now()) return "Deadline passed with nobody done; expire it to get the escrow back.";
      return `${requeuedWords(t)}Waiting for a worker to claim it.`;
    case TaskStatus.Claimed:
      return `${requeuedWords(t)}${t.mode === 1 ? "A worker is computing the result and its proof." : "A worker is computing the result."}`;
    case TaskStatus.Committed:
      return "The worker committed a result; verifiers are re-computing it.";
    case TaskStatus.Revealing:
      return "Results are being revealed and compared.";
    case TaskStatus.Accepted:
      if (t.inputRejected) {
        return "The worker and a verifier agree that your input cannot be processed (a corrupt or unsupported file, or not the size you declared). When the audit window closes the worker is paid a tenth of the bounty for finding out, the verifiers their fees, and the rest comes back to you.";
      }
      return t.mode === 1
        ? "Proved on chain. Check the output below; you may dispute it within the audit window. The worker is paid when the window closes."
        : "Accepted: the worker and a verifier agree on the result. The worker is paid when the audit window closes; until then the task may be audited.";
    case TaskStatus.Auditing:
      return "Accepted, and being audited by three fresh auditors; nobody is paid until the audit ends.";
    case TaskStatus.Final:
      return "Final: the worker was paid, and what no fee used came back to you.";
    case TaskStatus.InputRejected:
      return "Ended as input rejected: the input could not be processed. The worker was paid a tenth of the bounty, the verifiers their fees, and the rest came back to you.";
    case TaskStatus.Fraudulent:
      return "The audit found fraud: the worker was slashed and banned, and your escrow came back to you.";
    case TaskStatus.Cancelled:
      return "You cancelled it; the escrow was refunded.";
    case TaskStatus.Expired:
      return "Expired; the escrow was refunded.";
    default:
      return taskStatusName(t.status);
  }
}

const STEPS: readonly TaskStatus[] = [TaskStatus.Open, TaskStatus.Claimed, TaskStatus.Committed, TaskStatus.Revealing, TaskStatus.Accepted];
/** A zk task has no commit-reveal round: the proof takes it from Claimed to Accepted. */
const ZK_STEPS: readonly TaskStatus[] = [TaskStatus.Open, TaskStatus.Claimed, TaskStatus.Accepted];

export function MyTasks() {
  const { signer } = useWallet();
  const { tasks, status, error } = useTasks();
  const types = useChainTaskTypes();
  if (!signer) return <Loading what="your account" />;
  if (status === "loading") return <Loading what="your tasks" />;
  if (status === "error") return <ErrorNote>{error}</ErrorNote>;
  const mine = listTasks(tasks.values(), { requester: signer.address }).sort((a, b) => Number(b.postedBlock - a.postedBlock));
  if (mine.length === 0) {
    return (
      <Empty>
        You have not posted any task from <Addr a={signer.address} />. <Link href="/post">Post one</Link>.
      </Empty>
    );
  }
  return (
    <ul className="tasks" data-testid="my-tasks">
      {mine.map((t) => {
        const steps = t.mode === 1 ? ZK_STEPS : STEPS;
        const step = steps.indexOf(t.status);
        return (
          <li key={t.id} className="card" style={{ listStyle: "none" }} data-task-id={t.id}>
            <h2>
              <Link href={`/tasks/${t.id}`}>{typeName(types.data, t.typeId)}</Link> <StatusBadge status={t.status} />{" "}
              <span className="muted" style={{ fontWeight: 400, fontSize: "0.9rem" }}>
                {cc(t.bounty)} · posted in block {t.postedBlock.toString()} · deadline {dateTime(t.deadline)}
              </span>
            </h2>
            {step >= 0 ? <progress className="progress" max={steps.length - 1} value={step} aria-label={`Progress: ${taskStatusName(t.status)}`} /> : null}
            <p>{progressWords(t)}</p>
            <div className="actions">
              {t.status === TaskStatus.Open ? (
                <ActionButton className="danger" call={{ contract: "TaskMarket", functionName: "cancel", args: [t.id] }} label="Cancel and refund" doneText="Cancelled." />
              ) : null}
              {t.status === TaskStatus.Open && t.deadline * 1000 < Date.now() ? (
                <ActionButton className="secondary" call={{ contract: "TaskMarket", functionName: "expire", args: [t.id] }} label="Expire" doneText="Expired." />
              ) : null}
            </div>
            <TaskResult task={t} />
          </li>
        );
      })}
    </ul>
  );
}

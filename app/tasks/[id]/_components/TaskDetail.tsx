"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { Hex } from "viem";
import { TaskStatus } from "../../../../lib/protocol/status";
import { appConfig } from "../../../_lib/config";
import { sameAddress } from "../../../_lib/events";
import { cidString, specText } from "../../../_lib/results";
import { toTimeline } from "../../../_lib/timeline";
import { publicClient } from "../../../_lib/wagmi";
import { useChainEvents, useWallet } from "../../../_components/Providers";
import { TaskResult } from "../../../_components/TaskResult";
import { ActionButton } from "../../../_components/useAction";
import { useChainTime } from "../../../_components/useChainTime";
import { useRead } from "../../../_components/useRead";
import { useTasks } from "../../../_components/useTasks";
import { useChainTaskTypes, typeName } from "../../../_components/useTaskTypes";
import { Addr, Empty, ErrorNote, Loading, StatusBadge, cc, dateTime } from "../../../_components/ui";

export function TaskDetail({ id }: { id: Hex }) {
  const { tasks, status, error } = useTasks();
  const { signer } = useWallet();
  const types = useChainTaskTypes();
  const task = tasks.get(id);
  const onChain = useRead<{ status: number }>("TaskMarket", "taskOf", task ? [id] : undefined);
  const escrow = useRead<{ amount: bigint }>("CreditLedger", "escrowOf", task ? [id] : undefined);
  const round = useRead<{ acceptedAt: number }>("TaskMarket", "roundOf", task ? [id] : undefined);
  const audit = useRead<{ members: readonly { account: string }[]; anchorBlock: number; acceptedAt: number; revealDeadline: number; reveals: number }>(
    "TaskMarket",
    "auditOf",
    task ? [id] : undefined,
  );
  const params = useRead<{ auditWindow: number }>("ProtocolConfig", "params", [], { refetch: false });
  const windowClosesAt = useRead<bigint>("TaskMarket", "auditWindowClosesAt", task ? [id] : undefined);
  const chainNow = useChainTime();
  const ev = useChainEvents();
  // The market's events plus the ledger's escrow movements of this task.
  const timeline = task ? toTimeline([...task.events, ...ev.events.filter((e) => e.contract === "CreditLedger" && String(e.args.taskId).toLowerCase() === id)]) : [];
  const blocks = [...new Set(timeline.map((e) => e.blockNumber))];
  const times = useQuery({
    queryKey: ["blockTimes", blocks.map(String)],
    enabled: blocks.length > 0,
    staleTime: Infinity,
    queryFn: async () => {
      const list = await Promise.all(blocks.map((n) => publicClient.getBlock({ blockNumber: n })));
      return new Map(list.map((b) => [b.number, Number(b.timestamp)]));
    },
  });

  if (status === "loading") return <Loading what="the task" />;
  if (status === "error") return <ErrorNote>{error}</ErrorNote>;
  if (!task) return <Empty>No task with id {id.slice(0, 12)}… has been posted on this chain. <Link href="/queue">Back to the queue</Link></Empty>;

  const st = onChain.data?.status ?? task.status;
  const mine = signer && sameAddress(signer.address, task.requester);
  const inCid = cidString(task.inputCid);
  const nowS = chainNow ?? Date.now() / 1000;
  const pastDeadline = task.deadline < nowS;
  // A task whose result was revealed can no longer be cancelled (the requester has seen work it must pay for).
  const revealedAny = Object.keys(task.revealed).length > 0;
  // Steps anyone may take (each only moves the task along the rules): drawing an audit's auditors in a block
  // after the one that started it, and closing an accepted task once its audit window is over.
  const auditorsMissing = st === TaskStatus.Auditing && audit.data !== undefined && Number(audit.data.anchorBlock) > 0 && audit.data.members.some((m) => /^0x0+$/.test(m.account));
  const auditOver =
    st === TaskStatus.Auditing &&
    audit.data !== undefined &&
    params.data !== undefined &&
    ((audit.data.revealDeadline > 0 && nowS > audit.data.revealDeadline) || audit.data.reveals === 3 || nowS > Number(audit.data.acceptedAt) + Number(params.data.auditWindow));
  const windowOver = st === TaskStatus.Accepted && windowClosesAt.data !== undefined && nowS > Number(windowClosesAt.data);
  return (
    <>
      <section className="card" aria-labelledby="task-h">
        <h2 id="task-h">
          {typeName(types.data, task.typeId)} <StatusBadge status={st} />
        </h2>
        <dl className="kv">
          <dt>Task id</dt>
          <dd>
            <code data-testid="task-id">{task.id}</code>
          </dd>
          <dt>Bounty</dt>
          <dd data-testid="task-bounty">{cc(task.bounty)}</dd>
          <dt>Held in escrow</dt>
          <dd>{escrow.data ? cc(escrow.data.amount) : "…"}</dd>
          <dt>Requester</dt>
          <dd>
            <Addr a={task.requester} /> {mine ? <span className="muted">(you)</span> : null}
          </dd>
          <dt>Worker</dt>
          <dd>{task.worker ? <Addr a={task.worker} /> : "none yet"}</dd>
          <dt>Deadline</dt>
          <dd>{dateTime(task.deadline)}</dd>
          <dt>Verification</dt>
          <dd>{task.mode === 1 ? "zk proof" : "replicated (2 verifiers)"}</dd>
          {task.preferredWorker ? (
            <>
              <dt>Preferred worker</dt>
              <dd>
                <Addr a={task.preferredWorker} />
              </dd>
            </>
          ) : null}
          <dt>Input</dt>
          <dd>{inCid ? <a href={`${appConfig.ipfsGateway}/ipfs/${inCid}`}><code>{inCid}</code></a> : "unreadable CID"}</dd>
        </dl>
        <details style={{ marginTop: 8 }}>
          <summary>Spec</summary>
          <pre className="mono" style={{ whiteSpace: "pre-wrap" }}>{specText(task.spec)}</pre>
        </details>
        <div className="actions" style={{ marginTop: 12 }}>
          {mine && st === TaskStatus.Open && !revealedAny ? <ActionButton className="danger" call={{ contract: "TaskMarket", functionName: "cancel", args: [task.id] }} label="Cancel task and refund escrow" doneText="Cancelled." /> : null}
          {st === TaskStatus.Open && pastDeadline ? <ActionButton className="secondary" call={{ contract: "TaskMarket", functionName: "expire", args: [task.id] }} label="Expire (deadline passed)" doneText="Expired." /> : null}
          {auditorsMissing ? <ActionButton className="secondary" call={{ contract: "TaskMarket", functionName: "drawAuditors", args: [task.id] }} label="Draw the auditors" doneText="Auditors drawn." /> : null}
          {auditOver ? <ActionButton className="secondary" call={{ contract: "TaskMarket", functionName: "finalizeAudit", args: [task.id] }} label="Finalize the audit" doneText="Audit finalized." /> : null}
          {windowOver ? <ActionButton className="secondary" call={{ contract: "TaskMarket", functionName: "finalize", args: [task.id] }} label="Finalize (audit window over)" doneText="Final." /> : null}
        </div>
      </section>
      <TaskResult task={task} />
      <section className="card" aria-labelledby="tl-h">
        <h2 id="tl-h">Timeline</h2>
        <ol className="timeline" data-testid="timeline">
          {timeline.map((e) => (
            <li key={e.key} className={e.tone}>
              <strong>{e.title}</strong> <span className="muted">{times.data?.get(e.blockNumber) ? dateTime(times.data.get(e.blockNumber)!) : `block ${e.blockNumber}`}</span>
              <div>{e.detail}</div>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

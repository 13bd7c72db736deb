/**
 * Tasks as the app lists them, folded from TaskMarket events (DESIGN §3: every state change emits an event).
 * Pure: the same events always give the same tasks.
 */
import type { Address, Hex } from "viem";
import { TaskStatus, workerAtFault } from "../protocol/status.ts";
import { type ChainEvent, sameAddress } from "./events.ts";

export type TaskView = {
  id: Hex;
  requester: Address;
  typeId: number;
  mode: number;
  bounty: bigint;
  deadline: number;
  claimWindow: number;
  /** Declared input size, and the most verified work (mCC) the task counts for (its type's cost model). */
  inputBytes: number;
  workValue: bigint;
  preferredWorker: Address | undefined;
  inputCid: Hex;
  spec: Hex;
  status: TaskStatus;
  worker: Address | undefined;
  /** Unix seconds after which the current claim has lapsed: anyone's claim then expires it and takes the task. */
  claimDeadline: number | undefined;
  postedBlock: bigint;
  /** Digest of the accepted result (replicated) once accepted. */
  acceptedDigest: Hex | undefined;
  /** Binary CID of the accepted (or proved) output, once known. */
  outputCid: Hex | undefined;
  /** zk mode: the input commitment posted with the task, and the output commitment the proof bound. */
  zkInputCommitment: bigint | undefined;
  outputCommitment: bigint | undefined;
  /** CIDs revealed so far, by digest. */
  revealed: Record<string, Hex>;
  /** The accepted result is the type's canonical "input cannot be processed" output. */
  inputRejected: boolean;
  /** Accounts the contract keeps out of this task's claims and draws: a worker rejected by its fault, a replaced silent verifier. */
  excluded: Address[];
  /** When the accepted task became Accepted (block of TaskAccepted/TaskProved): its pay is pending until final. */
  acceptedBlock: bigint | undefined;
  /** What the worker was paid when the task became final. */
  workerPay: bigint | undefined;
  events: ChainEvent[];
};

const ZERO = "0x0000000000000000000000000000000000000000";

export function foldTasks(events: readonly ChainEvent[]): Map<Hex, TaskView> {
  const tasks = new Map<Hex, TaskView>();
  for (const e of events) {
    const id = e.args.taskId as Hex | undefined;
    if (!id) continue;
    const key = id.toLowerCase() as Hex;
    if (e.eventName === "TaskPosted") {
      const preferred = e.args.preferredWorker as Address;
      tasks.set(key, {
        id: key,
        requester: e.args.requester as Address,
        typeId: Number(e.args.typeId),
        mode: Number(e.args.mode),
        bounty: e.args.bounty as bigint,
        deadline: Number(e.args.deadline),
        claimWindow: Number(e.args.claimWindow),
        inputBytes: Number(e.args.inputBytes ?? 0),
        workValue: BigInt((e.args.workValue as bigint | undefined) ?? 0n),
        preferredWorker: preferred && !sameAddress(preferred, ZERO) ? preferred : undefined,
        inputCid: e.args.inputCid as Hex,
        spec: e.args.spec as Hex,
        status: TaskStatus.Open,
        worker: undefined,
        claimDeadline: undefined,
        postedBlock: e.blockNumber,
        acceptedDigest: undefined,
        outputCid: undefined,
        zkInputCommitment: Number(e.args.mode) === 1 ? (e.args.zkInputCommitment as bigint) : undefined,
        outputCommitment: undefined,
        revealed: {},
        inputRejected: false,
        excluded: [],
        acceptedBlock: undefined,
        workerPay: undefined,
        events: [e],
      });
      continue;
    }
    const t = tasks.get(key);
    if (!t) continue;
    t.events.push(e);
    switch (e.eventName) {
      case "TaskClaimed":
        t.status = TaskStatus.Claimed;
        t.worker = e.args.worker as Address;
        t.claimDeadline = Number(e.args.claimDeadline);
        break;
      case "TaskRejected":
        if (workerAtFault(Number(e.args.reason))) t.excluded.push(e.args.worker as Address);
        t.status = TaskStatus.Open;
        t.worker = undefined;
        break;
      case "ClaimReleased":
      case "ClaimExpiredReopened":
        t.status = TaskStatus.Open;
        t.worker = undefined;
        break;
      case "ResultCommitted":
        if (t.status === TaskStatus.Claimed && sameAddress(e.args.account, t.worker)) t.status = TaskStatus.Committed;
        break;
      case "VerifierReplaced":
        t.excluded.push(e.args.silent as Address);
        break;
      case "ResultRevealed":
        if (t.status === TaskStatus.Committed) t.status = TaskStatus.Revealing;
        t.revealed[(e.args.digest as Hex).toLowerCase()] = e.args.cid as Hex;
        break;
      case "TaskAccepted": {
        // The random audit, if any, is decided later (AuditDecided, then AuditStarted).
        t.status = TaskStatus.Accepted;
        t.worker = e.args.worker as Address;
        t.acceptedDigest = (e.args.digest as Hex).toLowerCase() as Hex;
        t.outputCid = t.revealed[t.acceptedDigest];
        t.inputRejected = Boolean(e.args.inputRejected);
        t.acceptedBlock = e.blockNumber;
        break;
      }
      case "TaskProved":
        // Accepted at once and paid when final, after the audit window, unless the requester disputes the output.
        t.status = TaskStatus.Accepted;
        t.acceptedBlock = e.blockNumber;
        t.worker = e.args.worker as Address;
        t.outputCid = e.args.outputCid as Hex;
        t.outputCommitment = e.args.outputCommitment as bigint;
        break;
      case "AuditStarted":
        t.status = TaskStatus.Auditing;
        break;
      case "AuditClean":
        break;
      case "TaskFinalized":
        t.status = t.inputRejected ? TaskStatus.InputRejected : TaskStatus.Final;
        t.workerPay = e.args.workerPay as bigint;
        break;
      case "FraudProven":
        t.status = TaskStatus.Fraudulent;
        break;
      case "TaskCancelled":
        t.status = TaskStatus.Cancelled;
        break;
      case "TaskExpired":
        t.status = TaskStatus.Expired;
        break;
    }
  }
  return tasks;
}

export type TaskFilter = { typeId?: number | undefined; status?: TaskStatus | undefined; requester?: Address | undefined };

/** Filters and sorts tasks for the queue: highest bounty first, then newest. */
export function listTasks(tasks: Iterable<TaskView>, filter: TaskFilter = {}): TaskView[] {
  return [...tasks]
    .filter((t) => filter.typeId === undefined || t.typeId === filter.typeId)
    .filter((t) => filter.status === undefined || t.status === filter.status)
    .filter((t) => filter.requester === undefined || sameAddress(t.requester, filter.requester))
    .sort((a, b) => (a.bounty === b.bounty ? Number(b.postedBlock - a.postedBlock) : a.bounty > b.bounty ? -1 : 1));
}

/** Whether the task has a result to show: accepted, audited or final with a known output CID. */
export const hasResult = (t: TaskView): boolean =>
  t.outputCid !== undefined &&
  !t.inputRejected &&
  (t.status === TaskStatus.Accepted || t.status === TaskStatus.Auditing || t.status === TaskStatus.Final);

/** Pay the worker is owed for accepted work that is not final yet (it stays in the task's escrow until then). */
export const pendingPay = (t: TaskView): bigint =>
  t.status === TaskStatus.Accepted || t.status === TaskStatus.Auditing ? t.bounty : 0n;

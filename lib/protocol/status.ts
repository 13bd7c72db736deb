/**
 * Task status graph, mirroring `ITaskMarket.TaskStatus` (same order) and the transitions TaskMarket makes.
 * Used by the UI to explain a task and by the stateful fuzz test to check no transition leaves the graph.
 */
export const TaskStatus = {
  None: 0,
  Open: 1,
  Claimed: 2,
  Committed: 3,
  Revealing: 4,
  Accepted: 5,
  Auditing: 6,
  Final: 7,
  Fraudulent: 8,
  Cancelled: 9,
  Expired: 10,
  InputRejected: 11,
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** Why a replicated round rejected its worker, mirroring `ITaskMarket.RejectReason` (same order). */
export const RejectReason = { VerifiersDisagreed: 0, WorkerSilent: 1, NoConsensus: 2, DrawLapsed: 3 } as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];
/** Every reason but NoConsensus is the worker's fault: it is slashed and excluded from the task. */
export const workerAtFault = (reason: number): boolean => reason !== RejectReason.NoConsensus;

export const taskStatusName = (status: number): string =>
  Object.entries(TaskStatus).find(([, value]) => value === status)?.[0] ?? `Unknown(${status})`;

const S = TaskStatus;
/** Allowed transitions. One transaction may pass through several (e.g. a claim taking over a stale claim). */
export const allowedTransitions: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  [S.None]: [S.Open],
  [S.Open]: [S.Claimed, S.Cancelled, S.Expired],
  [S.Claimed]: [S.Open, S.Committed, S.Accepted],
  [S.Committed]: [S.Revealing, S.Open],
  [S.Revealing]: [S.Accepted, S.Auditing, S.Open],
  [S.Accepted]: [S.Auditing, S.Final, S.InputRejected],
  [S.Auditing]: [S.Final, S.InputRejected, S.Fraudulent],
  [S.Final]: [],
  [S.Fraudulent]: [],
  [S.Cancelled]: [],
  [S.Expired]: [],
  [S.InputRejected]: [],
};

/** True if `to` is reachable from `from` within one transaction (through at most one intermediate status). */
export function isAllowedTransition(from: TaskStatus, to: TaskStatus): boolean {
  if (from === to) return true;
  const direct = allowedTransitions[from];
  if (direct.includes(to)) return true;
  return direct.some((middle) => allowedTransitions[middle].includes(to));
}

export const terminalStatuses: readonly TaskStatus[] = [S.Final, S.Fraudulent, S.Cancelled, S.Expired, S.InputRejected];

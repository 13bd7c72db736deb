/**
 * What is due, as a pure function of what the chain says (DESIGN §3, §6): the earn engine observes, asks this
 * module what to do, and acts. The same inputs always give the same steps, so every rule here is tested without a
 * chain, and a restarted engine simply observes again and picks up where the chain and its store say it stands.
 *
 * "Nothing stalls for want of a caller": every permissionless step is taken by a party with a stake in it. The
 * worker and the requester take them at once; pool members (who earn the fees) step in as a backup once a draw has
 * waited BACKUP_BLOCKS, so that a round whose worker and requester are both gone still ends.
 */
import type { Address, Hex } from "viem";
import type { ProtocolParams } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import type { TaskView } from "../../lib/client/tasks.ts";
import type { Role, RoundView, TaskState } from "./ports.ts";

/** Blocks a draw waits for its worker or requester before any pool member calls it. */
export const BACKUP_BLOCKS = 8n;
/** The EVM serves block hashes this far back: an anchor older than this has lapsed. */
export const BLOCKHASH_HORIZON = 256n;
export const MAX_REPLACEMENTS = 2;

const MEMBER = { None: 0, Drawn: 1, Committed: 2, Revealed: 3 } as const;
const ZERO = "0x0000000000000000000000000000000000000000";

export type StepKind =
  | "work" // claim (unless already claimed) and compute, then commit (replicated) or prove and submit (zk)
  | "verify" // a drawn verifier's re-computation and commit
  | "audit" // a drawn auditor's re-computation and commit
  | "reveal"
  | "drawVerifiers"
  | "replaceSilentVerifiers"
  | "settle"
  | "decideAudit"
  | "finalize"
  | "drawAuditors"
  | "finalizeAudit"
  | "expire";

export type Step = { kind: StepKind; taskId: Hex; role?: Role; round?: "round" | "audit"; why: string };

/** A task with the views the engine read for it (fresh ones are read only for tasks it is involved in). */
export type Observed = {
  task: TaskView;
  state?: TaskState;
  round?: RoundView;
  audit?: RoundView;
  /** When the audit window of the accepted task closes (TaskMarket.auditWindowClosesAt). */
  auditWindowClosesAt?: number;
  /** When the audit round lapses if its auditors are never all drawn (audit start + window + pauses). */
  auditLapsesAt?: number;
};

export type PlanInput = {
  me: Address;
  roles: ReadonlySet<Role>;
  /** Chain time (seconds) and block of the head the views were read at. */
  now: number;
  block: bigint;
  params: Pick<ProtocolParams, "auditWindow">;
  /** Salts this account holds in its store: `secretKey(round, taskId)`. */
  secrets: ReadonlySet<string>;
};

export const secretKey = (round: "round" | "audit", taskId: Hex) => `${round}:${taskId.toLowerCase()}`;

const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
const empty = (a: string | undefined) => !a || a.toLowerCase() === ZERO;

export function memberIndex(r: RoundView | undefined, me: Address): number {
  if (!r) return -1;
  return r.members.findIndex((m) => same(m.account, me));
}

/** Reveals are open: every member committed, or the commit window closed; and the reveal window is still open. */
export function revealOpen(r: RoundView, now: number): boolean {
  const opened = r.commits >= 3 || (r.commitDeadline !== 0 && now > r.commitDeadline);
  return opened && r.revealDeadline !== 0 && now <= r.revealDeadline;
}

/**
 * A transaction sent when the head is `block` lands in `block + 1` at the earliest: that is the block the contract's
 * "a later block than the anchor" tests see. (Waiting for the head itself to pass the anchor stalls a chain that
 * mines only when a transaction arrives, such as anvil in `npm run dev`: nobody sends the next transaction.)
 */
const landing = (block: bigint) => block + 1n;

/** The longest a short pool waits between two draws: well inside the blockhash horizon, so its anchor never lapses. */
export const MAX_SHORT_POOL_WAIT = 64n;

/**
 * Blocks a draw from a pool that was short waits after its re-anchor. It seats someone only if the pool grew (or a
 * member's stake freed up), which no read tells in advance, so each further try waits twice as long (2, 4, 8 …), up
 * to MAX_SHORT_POOL_WAIT: on a chain that mines a block a second, a pool that stays short costs a call a minute, not
 * one a block.
 */
export function drawWait(shortDraws: number): bigint {
  return BigInt(Math.min(2 ** Math.max(1, shortDraws), Number(MAX_SHORT_POOL_WAIT)));
}

/**
 * How many draws of the round now pending found the pool short: the anchors since the round (or its replacement
 * draw, or the audit) began, less the first. Events come oldest first.
 */
export function shortDrawsOf(t: Pick<TaskView, "events">): number {
  let anchors = 0;
  for (const e of t.events) {
    if (e.eventName === "RandomnessAnchored") anchors += 1;
    else if (RESETS.has(e.eventName)) anchors = 0;
  }
  return Math.max(0, anchors - 1);
}
const RESETS = new Set(["CommitWindowOpened", "ResultCommitted", "AuditStarted", "AuditDecided", "TaskClaimed"]);

/**
 * A draw of this round is due: pending, its anchor's hash known in the block the draw lands in, not lapsed, and,
 * when the pool was short at the last draw, after the wait of `drawWait` (at least one block someone else mined).
 */
export function drawDue(r: RoundView, block: bigint, shortDraws = 1): boolean {
  if (r.commitDeadline !== 0 || r.anchorBlock === 0) return false;
  const anchor = BigInt(r.anchorBlock);
  const ready = r.poolShort ? anchor + drawWait(shortDraws) <= block : anchor < landing(block);
  return ready && landing(block) <= anchor + BLOCKHASH_HORIZON;
}

export function anchorLapsed(r: RoundView, block: bigint): boolean {
  return r.anchorBlock !== 0 && landing(block) > BigInt(r.anchorBlock) + BLOCKHASH_HORIZON;
}

/** Worker and a verifier revealed the same digest: the round is decided. */
export function agreed(r: RoundView): boolean {
  const w = r.members[0];
  if (!w || w.status !== MEMBER.Revealed) return false;
  return [1, 2].some((i) => r.members[i]?.status === MEMBER.Revealed && r.sealOrDigest[i] === r.sealOrDigest[0]);
}

/** Mirrors ReplicationRound.settle's "round over" test. */
export function roundOver(r: RoundView, deadline: number, now: number, block: bigint): boolean {
  if (r.commitDeadline === 0) return anchorLapsed(r, block) || (r.poolShort && now > deadline);
  return r.reveals >= 3 || now > r.revealDeadline;
}

/** Mirrors TaskAudit.finalizeAudit's "audit over" test. */
export function auditOver(a: RoundView, lapsesAt: number | undefined, now: number, block: bigint): boolean {
  if (a.commitDeadline !== 0) return a.reveals >= 3 || now > a.revealDeadline;
  return anchorLapsed(a, block) || (lapsesAt !== undefined && now > lapsesAt);
}

/** The steps due for one observed task. */
export function stepsFor(o: Observed, p: PlanInput): Step[] {
  const t = o.task;
  const status = o.state?.status ?? t.status;
  const me = p.me;
  const mine = same(t.requester, me);
  const worker = o.state && !empty(o.state.worker) ? o.state.worker : t.worker;
  const isWorker = same(worker, me);
  const steps: Step[] = [];
  const add = (kind: StepKind, why: string, extra: Partial<Step> = {}) => steps.push({ kind, taskId: t.id, why, ...extra });

  switch (status) {
    case TaskStatus.Open:
      if (mine && p.now > t.deadline) add("expire", "your task's deadline passed: expire it to get the escrow back");
      break;
    case TaskStatus.Claimed:
      if (isWorker && o.state && p.now <= o.state.claimDeadline) add("work", "this account's claim", { role: "worker" });
      break;
    case TaskStatus.Committed:
    case TaskStatus.Revealing: {
      const r = o.round;
      if (!r) break;
      const m = memberIndex(r, me);
      const member = m >= 0 ? r.members[m]! : undefined;
      const role: Role = m === 0 ? "worker" : "verifier";
      if (member?.status === MEMBER.Drawn && m > 0 && r.commitDeadline !== 0 && p.now <= r.commitDeadline) {
        add("verify", "drawn as a verifier", { role: "verifier" });
      }
      if (member?.status === MEMBER.Committed && revealOpen(r, p.now) && p.secrets.has(secretKey("round", t.id))) {
        add("reveal", "the reveal phase is open", { role, round: "round" });
      }
      const stake = isWorker || mine || m >= 0;
      if (drawDue(r, p.block, shortDrawsOf(t))) {
        const backup = p.roles.has("verifier") && p.block > BigInt(r.anchorBlock) + BACKUP_BLOCKS;
        if (isWorker || mine || backup) add("drawVerifiers", "the verifier draw's anchor is mined");
      }
      if (
        (isWorker || mine) &&
        r.commitDeadline !== 0 &&
        p.now > r.commitDeadline &&
        r.commits < 3 &&
        r.replacements < MAX_REPLACEMENTS &&
        !agreed(r) &&
        r.members.some((x, i) => i > 0 && x.status === MEMBER.Drawn)
      ) {
        add("replaceSilentVerifiers", "a drawn verifier did not commit in time");
      }
      if (stake && roundOver(r, t.deadline, p.now, p.block)) add("settle", "the round is over");
      break;
    }
    case TaskStatus.Accepted: {
      const involved = isWorker || mine || memberIndex(o.round, me) >= 0;
      const r = o.round;
      if (r?.auditPending) {
        // Decided from the settlement block's hash, from a later block; a lapsed hash means audited, so nobody gains
        // by waiting. Pool members step in as a backup: an audit pays them.
        const backup = (p.roles.has("auditor") || p.roles.has("verifier")) && p.block > BigInt(r.anchorBlock) + BACKUP_BLOCKS;
        if (BigInt(r.anchorBlock) < landing(p.block) && (involved || backup)) add("decideAudit", "the random audit is due to be decided");
        break;
      }
      if (involved && o.auditWindowClosesAt !== undefined && p.now > o.auditWindowClosesAt) add("finalize", "the audit window closed");
      break;
    }
    case TaskStatus.Auditing: {
      const a = o.audit;
      if (!a) break;
      const m = memberIndex(a, me);
      const member = m >= 0 ? a.members[m]! : undefined;
      if (member?.status === MEMBER.Drawn && a.commitDeadline !== 0 && p.now <= a.commitDeadline) add("audit", "drawn as an auditor", { role: "auditor" });
      if (member?.status === MEMBER.Committed && revealOpen(a, p.now) && p.secrets.has(secretKey("audit", t.id))) {
        add("reveal", "the audit's reveal phase is open", { role: "auditor", round: "audit" });
      }
      if (drawDue(a, p.block, shortDrawsOf(t)) && (o.auditLapsesAt === undefined || p.now <= o.auditLapsesAt)) {
        const backup = (p.roles.has("auditor") || p.roles.has("verifier")) && p.block > BigInt(a.anchorBlock) + BACKUP_BLOCKS;
        if (isWorker || mine || backup) add("drawAuditors", "the auditor draw's anchor is mined");
      }
      if ((isWorker || mine || m >= 0) && auditOver(a, o.auditLapsesAt, p.now, p.block)) add("finalizeAudit", "the audit is over");
      break;
    }
  }
  return steps;
}

/** Every step due, duties first: a drawn verifier or auditor that stays silent is slashed. */
export function dueSteps(observed: readonly Observed[], p: PlanInput): Step[] {
  const order: Record<StepKind, number> = {
    reveal: 0,
    verify: 1,
    audit: 1,
    work: 2,
    settle: 3,
    drawVerifiers: 3,
    drawAuditors: 3,
    decideAudit: 3,
    replaceSilentVerifiers: 3,
    finalizeAudit: 4,
    finalize: 4,
    expire: 5,
  };
  return observed.flatMap((o) => stepsFor(o, p)).sort((a, b) => order[a.kind] - order[b.kind]);
}

/**
 * Whether the engine should read fresh views of a task: it is involved (requester, worker, a drawn member), or, for
 * pool members, a draw of it may need a backup caller.
 */
export function involved(t: TaskView, me: Address, roles: ReadonlySet<Role>): boolean {
  if (same(t.requester, me) || same(t.worker, me)) return true;
  const drawnMe = t.events.some(
    (e) => (e.eventName === "VerifierDrawn" && same(e.args.verifier as string, me)) || (e.eventName === "AuditorDrawn" && same(e.args.auditor as string, me)),
  );
  if (drawnMe) return true;
  if (!roles.has("verifier") && !roles.has("auditor")) return false;
  // A draw waiting for a caller: the last RandomnessAnchored has no CommitWindowOpened after it.
  const last = [...t.events].reverse();
  const anchored = last.findIndex((e) => e.eventName === "RandomnessAnchored");
  const opened = last.findIndex((e) => e.eventName === "CommitWindowOpened");
  const decided = last.findIndex((e) => e.eventName === "AuditDecided");
  if (t.status === TaskStatus.Accepted) return anchored >= 0 && (decided < 0 || decided > anchored);
  return (
    (t.status === TaskStatus.Committed || t.status === TaskStatus.Revealing || t.status === TaskStatus.Auditing) &&
    anchored >= 0 &&
    (opened < 0 || opened > anchored)
  );
}

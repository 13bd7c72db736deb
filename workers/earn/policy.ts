/**
 * Which task an earn tab takes next (DESIGN §6): only what it can run, can afford to stake for, and is paid
 * enough for. Pure, so the rules are tested without a chain or a browser.
 */
export type OpenTask = {
  id: `0x${string}`;
  requester: string;
  typeId: number;
  mode: number;
  bounty: bigint;
  /** Unix seconds. */
  deadline: number;
  preferredWorker: string | undefined;
  /** Accounts the contract no longer lets claim it (a worker rejected by its fault, a replaced silent verifier). */
  excluded?: readonly string[];
};

export type WorkerState = {
  address: string;
  /** Capability bitmap from the registry: bit i = task type i. */
  capabilities: bigint;
  /** Stake not locked by other claims, in mCC. */
  freeStake: bigint;
  /** Stake a claim locks, in basis points of the bounty. */
  claimStakeBps: number;
  /** Benchmark rate, 1000 = the reference machine. */
  rateMilli: number;
  /** Reference cost of a task in mCC, or undefined when this tab cannot run its type in this mode. */
  referenceCostMcc: (task: OpenTask) => number | undefined;
};

/** A task pays enough when its bounty is at least this multiple of the tab's own cost estimate (DESIGN §6). */
export const MIN_MARGIN = 1.1;
/** Leave this much time before the deadline: a proof that lands after it is refused. */
export const DEADLINE_SLACK_S = 60;

const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** Why the tab passes over `task`, in words; undefined when it may claim it. */
export function whyNotTake(task: OpenTask, me: WorkerState, nowS: number): string | undefined {
  if (same(task.requester, me.address)) return "your own task";
  if (task.excluded?.some((a) => same(a, me.address))) return "you were excluded from it after a rejected result";
  if (((me.capabilities >> BigInt(task.typeId)) & 1n) === 0n) return "you are not registered for this type";
  if (task.deadline <= nowS + DEADLINE_SLACK_S) return "too close to its deadline";
  if (task.preferredWorker && !same(task.preferredWorker, me.address)) return "reserved for a preferred worker";
  const reference = me.referenceCostMcc(task);
  if (reference === undefined) return "this tab cannot run it";
  const ownCost = reference / (Math.max(1, me.rateMilli) / 1000);
  if (Number(task.bounty) < MIN_MARGIN * ownCost) return "bounty below 1.1 × your cost";
  const lock = (task.bounty * BigInt(me.claimStakeBps)) / 10_000n;
  if (lock > me.freeStake) return "not enough free stake";
  return undefined;
}

/** The best task to claim next: the highest bounty among those it may take and is not already working on. */
export function pickTask<T extends OpenTask>(open: readonly T[], me: WorkerState, nowS: number, skip: ReadonlySet<string>): T | undefined {
  return open
    .filter((t) => !skip.has(t.id.toLowerCase()) && whyNotTake(t, me, nowS) === undefined)
    .sort((a, b) => (a.bounty === b.bounty ? a.deadline - b.deadline : a.bounty > b.bounty ? -1 : 1))[0];
}

/**
 * One of the best `among` tasks, chosen at random (`below(n)` gives 0..n-1): workers that all went for the top one
 * would race for the same claim and all but one would lose a transaction.
 */
export function pickFrom<T extends OpenTask>(candidates: readonly T[], among: number, below: (n: number) => number): T | undefined {
  const best = [...candidates].sort((a, b) => (a.bounty === b.bounty ? a.deadline - b.deadline : a.bounty > b.bounty ? -1 : 1)).slice(0, among);
  return best.length ? best[below(best.length)] : undefined;
}

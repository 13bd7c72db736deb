/**
 * Registered workers as the app knows them, folded from WorkerRegistry events (WorkerRegistered, WorkerUpdated,
 * WorkerBanned), and who among them could claim a task of a type: the registry's own `canWork` rule (registered,
 * not banned now, capability bit `typeId` set), minus the requester (a worker never claims its own task).
 * Pure: the same events always give the same workers.
 */
import type { Address } from "viem";
import type { ChainEvent } from "./events.ts";

export type WorkerView = { account: Address; capabilities: bigint; bannedUntil: number };

export function foldWorkers(events: readonly ChainEvent[]): Map<string, WorkerView> {
  const workers = new Map<string, WorkerView>();
  for (const e of events) {
    if (e.contract !== "WorkerRegistry") continue;
    const account = e.args.account as Address | undefined;
    if (!account) continue;
    const key = account.toLowerCase();
    if (e.eventName === "WorkerRegistered") {
      workers.set(key, { account, capabilities: BigInt(e.args.capabilities as bigint), bannedUntil: 0 });
    } else if (e.eventName === "WorkerUpdated") {
      const w = workers.get(key);
      if (w) w.capabilities = BigInt(e.args.capabilities as bigint);
    } else if (e.eventName === "WorkerBanned") {
      const w = workers.get(key);
      if (w) w.bannedUntil = Number(e.args.until);
    }
  }
  return workers;
}

/** Workers that may claim a task of `typeId` at `nowSeconds` (chain time), the requester left out. */
export function capableWorkers(workers: ReadonlyMap<string, WorkerView>, typeId: number, nowSeconds: number, requester?: Address): WorkerView[] {
  return [...workers.values()].filter(
    (w) => w.bannedUntil <= nowSeconds && ((w.capabilities >> BigInt(typeId)) & 1n) === 1n && w.account.toLowerCase() !== requester?.toLowerCase(),
  );
}

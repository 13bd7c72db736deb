/**
 * The accounts the ledger page lists: every address that holds or held credit, read from the events that move it.
 * Other events name addresses too (AccessControl's RoleGranted names the market, the registry and the deployer),
 * and those are not credit holders. Pure.
 */
import type { Address } from "viem";

/** Event name -> the fields that name a credit holder. */
const HOLDER_FIELDS: Readonly<Record<string, readonly string[]>> = {
  GenesisGranted: ["account"],
  Escrowed: ["from"],
  EscrowPaid: ["to"],
  EscrowRefunded: ["to"],
  Staked: ["account"],
  Unstaked: ["account"],
  Slashed: ["account"],
  SlashRewarded: ["from", "to"],
  Transferred: ["from", "to"],
  IouRecorded: ["debtor", "creditor"],
  WorkerRegistered: ["account"],
  TaskPosted: ["requester"],
  TaskAccepted: ["worker"],
};

/** Lower-case addresses of every credit holder the events name, in the order they first appear. */
export function creditHolders(events: readonly { eventName: string; args: Readonly<Record<string, unknown>> }[]): Address[] {
  const seen = new Set<string>();
  for (const e of events) {
    for (const field of HOLDER_FIELDS[e.eventName] ?? []) {
      const v = e.args[field];
      if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) seen.add(v.toLowerCase());
    }
  }
  return [...seen] as Address[];
}

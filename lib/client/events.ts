/** A decoded contract event as the app keeps it (from eth_getLogs + parseEventLogs). */
import type { Hex } from "viem";

export type ChainEvent = {
  eventName: string;
  args: Readonly<Record<string, unknown>>;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
  /** Which of our contracts emitted it. */
  contract: string;
};

export const compareEvents = (a: ChainEvent, b: ChainEvent): number =>
  a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1;

export const sameAddress = (a: unknown, b: unknown): boolean =>
  typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();

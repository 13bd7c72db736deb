import { test } from "node:test";
import assert from "node:assert/strict";
import type { Address, Hex } from "viem";
import type { ChainEvent } from "./events.ts";
import { capableWorkers, foldWorkers } from "./workers.ts";

const A = "0x00000000000000000000000000000000000000Aa" as Address;
const B = "0x00000000000000000000000000000000000000bB" as Address;
const C = "0x00000000000000000000000000000000000000cc" as Address;
let n = 0;
const ev = (eventName: string, args: Record<string, unknown>, contract = "WorkerRegistry"): ChainEvent => ({
  eventName,
  args,
  blockNumber: 1n,
  logIndex: n++,
  transactionHash: `0x${"ab".repeat(32)}` as Hex,
  contract,
});
const names = (ws: { account: Address }[]) => ws.map((w) => w.account).sort();

test("capability bits decide who can take a type; an update replaces them", () => {
  const workers = foldWorkers([
    ev("WorkerRegistered", { account: A, rateMilli: 1000n, capabilities: 0b101n, genesisGranted: 10_000n }),
    ev("WorkerRegistered", { account: B, rateMilli: 1000n, capabilities: 0b010n, genesisGranted: 10_000n }),
  ]);
  assert.deepEqual(names(capableWorkers(workers, 0, 100)), [A]);
  assert.deepEqual(names(capableWorkers(workers, 1, 100)), [B]);
  assert.deepEqual(names(capableWorkers(workers, 2, 100)), [A]);
  assert.deepEqual(capableWorkers(workers, 3, 100), []);
  const updated = foldWorkers([
    ev("WorkerRegistered", { account: A, rateMilli: 1000n, capabilities: 0b101n, genesisGranted: 10_000n }),
    ev("WorkerUpdated", { account: A, rateMilli: 900n, capabilities: 0b010n }),
  ]);
  assert.deepEqual(capableWorkers(updated, 0, 100), []);
  assert.deepEqual(names(capableWorkers(updated, 1, 100)), [A]);
});

test("a banned worker cannot take anything until its ban ends (chain time)", () => {
  const workers = foldWorkers([
    ev("WorkerRegistered", { account: A, rateMilli: 1000n, capabilities: 0b1n, genesisGranted: 0n }),
    ev("WorkerBanned", { account: A, until: 5_000n }),
  ]);
  assert.deepEqual(capableWorkers(workers, 0, 4_999), []);
  assert.deepEqual(names(capableWorkers(workers, 0, 5_000)), [A]);
});

test("the requester never counts (a worker never claims its own task), whatever the address case", () => {
  const workers = foldWorkers([
    ev("WorkerRegistered", { account: A, rateMilli: 1000n, capabilities: 0b1n, genesisGranted: 0n }),
    ev("WorkerRegistered", { account: C, rateMilli: 1000n, capabilities: 0b1n, genesisGranted: 0n }),
  ]);
  assert.deepEqual(names(capableWorkers(workers, 0, 1, A.toLowerCase() as Address)), [C]);
  assert.deepEqual(capableWorkers(foldWorkers([ev("WorkerRegistered", { account: A, rateMilli: 1n, capabilities: 1n, genesisGranted: 0n })]), 0, 1, A), []);
});

test("events of other contracts and updates of unknown accounts are ignored", () => {
  const workers = foldWorkers([
    ev("WorkerRegistered", { account: A, rateMilli: 1000n, capabilities: 0b1n, genesisGranted: 0n }, "TaskMarket"),
    ev("WorkerUpdated", { account: B, rateMilli: 1000n, capabilities: 0b1n }),
  ]);
  assert.equal(workers.size, 0);
});

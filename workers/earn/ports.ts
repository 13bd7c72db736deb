/**
 * Everything the earn engine touches, as small ports (DESIGN §6). A browser tab passes Web Workers, IndexedDB, the
 * relay and the page's Helia/gateway client (app/_lib/earn-ports.ts); `npm run worker` passes worker_threads, a
 * file, direct transactions and the same IPFS client (scripts/worker.ts); tests pass what they need. Nothing here
 * imports React, wagmi or Next.
 */
import type { Address, Hex } from "viem";
import type { ProtocolParams } from "../../lib/protocol/params.ts";
import type { ChainEvent } from "../../lib/client/events.ts";
import type { ProgressEvent, TaskType } from "../../wasm-tasks/task-type.ts";

export type Member = { account: Address; status: number };

/** `ITaskMarket.Round`, as `roundOf` / `auditOf` return it. */
export type RoundView = {
  commitDeadline: number;
  revealDeadline: number;
  acceptedAt: number;
  commits: number;
  reveals: number;
  replacements: number;
  forced: boolean;
  anchorBlock: number;
  pauseMark: number;
  inputRejected: boolean;
  poolShort: boolean;
  auditPending: boolean;
  members: readonly Member[];
  sealOrDigest: readonly Hex[];
};

/** `ITaskMarket.Task`, as `taskOf` returns it (the fields the engine reads). */
export type TaskState = {
  requester: Address;
  deadline: number;
  status: number;
  revealed: boolean;
  worker: Address;
  claimDeadline: number;
  bounty: bigint;
  workValue: number;
};

export type LedgerAccount = { balance: bigint; genesis: bigint; earned: bigint; stake: bigint; stakeGenesis: bigint; lockedStake: bigint };
export type RegisteredWorker = {
  registeredAt: number;
  rateMilli: number;
  bannedUntil: number;
  reputation: number;
  unstakeRequestedAt: number;
  poolIndex: number;
  lastAcceptedAt: number;
  capabilities: bigint;
};
export type ChainTaskType = { id: number; name: string; codeCid: string; modes: number; active: boolean; zkVerifier: Address };

/** Reading the chain: tasks folded from events (followed, never polled slot by slot), and targeted views. */
export type ChainPort = {
  /** Every event of our contracts so far, in chain order (the engine folds the tasks with lib/client/tasks.ts). */
  events(): readonly ChainEvent[];
  /** Called whenever new events arrive; returns its unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Ask for new events now (after a transaction of ours). */
  refresh(): void;
  head(): Promise<{ number: bigint; timestamp: number }>;
  task(taskId: Hex): Promise<TaskState>;
  round(taskId: Hex): Promise<RoundView>;
  audit(taskId: Hex): Promise<RoundView>;
  auditWindowClosesAt(taskId: Hex): Promise<number>;
  account(address: Address): Promise<LedgerAccount>;
  worker(address: Address): Promise<RegisteredWorker>;
  params(): Promise<ProtocolParams>;
  taskTypes(): Promise<ChainTaskType[]>;
};

export type ContractName = "TaskMarket" | "WorkerRegistry" | "CreditLedger";

/** Sending one call as this account (simulated first; a revert rejects with a plain-word Error). */
export type SendPort = {
  readonly account: Address;
  send(contract: ContractName, functionName: string, args: readonly unknown[]): Promise<Hex>;
};

export type Published = { cid: string; cidBytes: Uint8Array };

/** IPFS: fetch with every block verified against the CID; publish to the node the requesters read from. */
export type IpfsPort = {
  fetch(cid: string, signal?: AbortSignal): Promise<Uint8Array>;
  publish(bytes: Uint8Array): Promise<Published>;
};

export type RunOptions = { onProgress?: (p: ProgressEvent) => void; signal?: AbortSignal; timeoutMs?: number };

/** A pool of task runners (one Web Worker or worker_thread each): `slots` tasks run at once. */
export type RunnerPort = {
  readonly slots: number;
  setSlots(n: number): void;
  run(typeName: string, input: Uint8Array, spec: unknown, options?: RunOptions): Promise<{ output: Uint8Array; cid: string }>;
  dispose(): void;
};

/** A durable key-value store (IndexedDB in a tab, a JSON file in Node): salts live here before their commit. */
export type StorePort = {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  keys(prefix: string): Promise<string[]>;
};

export type ClockPort = {
  /** Wall-clock milliseconds (for back-off and durations; chain windows use the chain's head). */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

export type RandomPort = { bytes(n: number): Uint8Array; below(n: number): number };

/** One account works from one place at a time: resolves to a release function, or undefined if held elsewhere. */
export type LockPort = { acquire(account: Address): Promise<(() => void) | undefined> };

/**
 * What the local code of a task type hashes to, by the one digest rule (wasm-tasks/code-cid.ts); the engine runs a
 * type only when it equals the CID the registry approved.
 */
export type CodePort = {
  codeCid(typeName: string): Promise<string | undefined>;
  /** Checks the files the type loads at run time (large: a tab calls it once, before the type's first run). */
  verify?(typeName: string): Promise<void>;
};

/**
 * Test-only behaviours, for the tests that need a cheater (a corrupted output, a lying or copying verifier, a worker
 * that never reveals). Production builds pass none: see workers/earn/cheats.ts.
 */
export type Cheats = {
  /** Replace the output this account computes for `taskId` in `role` (undefined: keep it). */
  output?(taskId: Hex, role: Role, honest: Uint8Array): Uint8Array | undefined;
  /** Never reveal in this role. */
  silent?(taskId: Hex, role: Role): boolean;
};

export type Role = "worker" | "verifier" | "auditor";

export type EnginePorts = {
  /** The local task-type registry (wasm-tasks/index.ts `taskTypes`), loaded lazily: it carries the codecs. */
  taskTypes(): Promise<Readonly<Record<string, TaskType<unknown>>>>;
  chain: ChainPort;
  send: SendPort;
  ipfs: IpfsPort;
  runners: RunnerPort;
  store: StorePort;
  clock: ClockPort;
  random: RandomPort;
  lock?: LockPort;
  code?: CodePort;
  /** Runs a zk type's bare-output computation (auditors of zk disputes); undefined where no zk kit is loaded. */
  zkPayload?(typeName: string, input: Uint8Array, postedSpec: unknown): Promise<Uint8Array>;
  cheats?: Cheats;
};

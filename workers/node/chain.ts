/**
 * The chain port of `npm run worker` (workers/earn/ports.ts ChainPort): the events come from lib/client's event
 * store (followed, never polled slot by slot), the targeted views from one viem PublicClient. Framework-free, so
 * a tab could pass the same thing; it is in workers/node only because `npm run worker` is its first user.
 */
import type { Address, Hex, PublicClient } from "viem";
import type { ChainDeployment, ContractName } from "../../lib/client/deployments.ts";
import { EventStore } from "../../lib/client/event-store.ts";
import type { ProtocolParams } from "../../lib/protocol/params.ts";
import type { ChainPort, ChainTaskType, LedgerAccount, RegisteredWorker, RoundView, TaskState } from "../earn/ports.ts";

export type NodeChainOptions = {
  client: PublicClient;
  deployment: ChainDeployment;
  fromBlock?: bigint;
  chunkSize?: bigint;
  pollIntervalMs?: number;
  rpcUrl?: string;
};

export type NodeChain = ChainPort & {
  store: EventStore;
  /** Resolves once the events up to the head are read; rejects if the chain cannot be read at all. */
  loaded(): Promise<void>;
  /** Stops following the chain. */
  close(): void;
};

export function createNodeChain(options: NodeChainOptions): NodeChain {
  const { client, deployment } = options;
  const store = new EventStore({
    client,
    deployment,
    fromBlock: options.fromBlock,
    chunkSize: options.chunkSize,
    pollIntervalMs: options.pollIntervalMs,
    rpcUrl: options.rpcUrl,
  });
  // Followed from creation on: the engine reads events() before it subscribes.
  const keepAlive = store.subscribe(() => {});
  const read = <T>(contract: ContractName, functionName: string, args: readonly unknown[] = []): Promise<T> => {
    const c = deployment.contracts[contract];
    return client.readContract({ address: c.address, abi: c.abi, functionName, args }) as Promise<T>;
  };
  // The same shape as the tab reads; numbers normalised, in case a field comes back as a bigint.
  const round = (r: RoundView): RoundView => ({
    commitDeadline: Number(r.commitDeadline),
    revealDeadline: Number(r.revealDeadline),
    acceptedAt: Number(r.acceptedAt),
    commits: Number(r.commits),
    reveals: Number(r.reveals),
    replacements: Number(r.replacements),
    forced: r.forced,
    anchorBlock: Number(r.anchorBlock),
    pauseMark: Number(r.pauseMark),
    inputRejected: r.inputRejected,
    poolShort: r.poolShort,
    auditPending: r.auditPending,
    members: r.members.map((m) => ({ account: m.account, status: Number(m.status) })),
    sealOrDigest: [...r.sealOrDigest],
  });

  return {
    store,
    async loaded() {
      const state = await store.loaded();
      if (state.status === "error") throw new Error(state.error ?? "cannot read the chain's events");
    },
    close: keepAlive,
    events: () => store.getSnapshot().events,
    subscribe: (listener) => store.subscribe(listener),
    refresh: () => store.refresh(),
    async head() {
      const block = await client.getBlock({ blockTag: "latest" });
      return { number: block.number, timestamp: Number(block.timestamp) };
    },
    async task(taskId) {
      const t = await read<{ requester: Address; deadline: number; status: number; revealed: boolean; worker: Address; claimDeadline: number; bounty: bigint | number; workValue: number }>(
        "TaskMarket",
        "taskOf",
        [taskId],
      );
      return {
        requester: t.requester,
        deadline: Number(t.deadline),
        status: Number(t.status),
        revealed: t.revealed,
        worker: t.worker,
        claimDeadline: Number(t.claimDeadline),
        bounty: BigInt(t.bounty),
        workValue: Number(t.workValue),
      } satisfies TaskState;
    },
    round: async (taskId) => round(await read<RoundView>("TaskMarket", "roundOf", [taskId])),
    audit: async (taskId) => round(await read<RoundView>("TaskMarket", "auditOf", [taskId])),
    auditWindowClosesAt: async (taskId) => Number(await read<bigint>("TaskMarket", "auditWindowClosesAt", [taskId])),
    async account(address) {
      const a = await read<Record<keyof LedgerAccount, bigint>>("CreditLedger", "accountOf", [address]);
      return { balance: BigInt(a.balance), genesis: BigInt(a.genesis), earned: BigInt(a.earned), stake: BigInt(a.stake), stakeGenesis: BigInt(a.stakeGenesis), lockedStake: BigInt(a.lockedStake) };
    },
    async worker(address) {
      const w = await read<Record<keyof RegisteredWorker, number | bigint>>("WorkerRegistry", "workerOf", [address]);
      return {
        registeredAt: Number(w.registeredAt),
        rateMilli: Number(w.rateMilli),
        bannedUntil: Number(w.bannedUntil),
        reputation: Number(w.reputation),
        unstakeRequestedAt: Number(w.unstakeRequestedAt),
        poolIndex: Number(w.poolIndex),
        lastAcceptedAt: Number(w.lastAcceptedAt),
        capabilities: BigInt(w.capabilities),
      };
    },
    async params() {
      const p = await read<Record<keyof ProtocolParams, number | bigint>>("ProtocolConfig", "params");
      // Amounts stay bigints, counts, shares and durations become numbers (the shape of lib/protocol/params.ts).
      const big = new Set<keyof ProtocolParams>(["genesisGrant", "creditLimitCap", "minVerifierStake", "minBounty"]);
      return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, big.has(k as keyof ProtocolParams) ? BigInt(v) : Number(v)])) as ProtocolParams;
    },
    async taskTypes() {
      const count = Number(await read<bigint>("TaskTypeRegistry", "typeCount"));
      const types: ChainTaskType[] = [];
      for (let id = 0; id < count; id++) {
        const t = await read<{ name: string; codeCid: string; policy: { zkVerifier: Address; modes: number; active: boolean } }>("TaskTypeRegistry", "taskType", [id]);
        types.push({ id, name: t.name, codeCid: t.codeCid, modes: Number(t.policy.modes), active: t.policy.active, zkVerifier: t.policy.zkVerifier });
      }
      return types;
    },
  };
}

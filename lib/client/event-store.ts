/**
 * Every event of our contracts, read with eth_getLogs from `fromBlock` and then followed block by block
 * (DESIGN §3: clients follow events, never storage slot by slot). Framework-free: a tab shares one store among its
 * components through useSyncExternalStore (`subscribe` / `getSnapshot`), and `npm run worker` hands it to the earn
 * engine. The first listener starts the polling, the last one leaving stops it.
 */
import { type Address, type Log, type PublicClient, decodeEventLog } from "viem";
import type { ChainDeployment, ContractName } from "./deployments.ts";
import { type ChainEvent, compareEvents } from "./events.ts";

export type EventStoreState = {
  status: "loading" | "ready" | "error";
  events: readonly ChainEvent[];
  error?: string;
  lastBlock: bigint;
};

export type EventStoreOptions = {
  client: PublicClient;
  deployment: ChainDeployment;
  /** First block to read logs from (the deployment block, or 0). */
  fromBlock?: bigint;
  /** Largest block range asked of the RPC in one eth_getLogs call. */
  chunkSize?: bigint;
  /** How often to look for new blocks. */
  pollIntervalMs?: number;
  /** Named in error messages ("cannot read events from …"). */
  rpcUrl?: string;
};

type Listener = () => void;

export class EventStore {
  private state: EventStoreState = { status: "loading", events: [], lastBlock: -1n };
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private busy = false;
  private again = false;
  private readonly byAddress: Map<string, { name: ContractName; abi: ChainDeployment["contracts"][ContractName]["abi"] }>;
  private readonly client: PublicClient;
  private readonly fromBlock: bigint;
  private readonly chunkSize: bigint;
  private readonly pollIntervalMs: number;
  private readonly rpcUrl: string;

  constructor(options: EventStoreOptions) {
    this.client = options.client;
    this.fromBlock = options.fromBlock ?? 0n;
    this.chunkSize = options.chunkSize ?? 50_000n;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_500;
    this.rpcUrl = options.rpcUrl ?? "the chain";
    this.byAddress = new Map(
      Object.entries(options.deployment.contracts).map(([name, c]) => [c.address.toLowerCase(), { name: name as ContractName, abi: c.abi }]),
    );
  }

  subscribe = (listener: Listener) => {
    this.listeners.add(listener);
    if (!this.running) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  };

  getSnapshot = () => this.state;

  /** Ask for new events now (after a transaction of ours). */
  refresh = () => {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.tick();
  };

  /** Resolves once the store has read up to the chain's head at least once (or failed to). */
  loaded(): Promise<EventStoreState> {
    if (this.state.status !== "loading") return Promise.resolve(this.state);
    return new Promise((resolve) => {
      const off = this.subscribe(() => {
        if (this.state.status === "loading") return;
        queueMicrotask(off);
        resolve(this.state);
      });
    });
  }

  private set(next: Partial<EventStoreState>) {
    this.state = { ...this.state, ...next };
    for (const l of [...this.listeners]) l();
  }

  private start() {
    this.running = true;
    void this.tick();
  }

  private stop() {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick() {
    if (this.busy) {
      // A refresh during a read: read once more right after, so that a transaction just mined is seen.
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        await this.read();
      } while (this.again && this.running);
    } finally {
      this.busy = false;
      if (this.running) this.timer = setTimeout(() => void this.tick(), this.pollIntervalMs);
    }
  }

  private async read() {
    try {
      const head = await this.client.getBlockNumber({ cacheTime: 0 });
      if (head < this.state.lastBlock) {
        // The chain went backwards: it was reset. Start over.
        this.state = { status: "loading", events: [], lastBlock: -1n };
      }
      let from = this.state.lastBlock < 0n ? this.fromBlock : this.state.lastBlock + 1n;
      const fresh: ChainEvent[] = [];
      while (from <= head) {
        const to = from + this.chunkSize - 1n < head ? from + this.chunkSize - 1n : head;
        const logs = await this.client.getLogs({ address: [...this.byAddress.keys()] as Address[], fromBlock: from, toBlock: to });
        for (const log of logs) {
          const e = this.decode(log);
          if (e) fresh.push(e);
        }
        from = to + 1n;
      }
      if (fresh.length > 0 || this.state.status !== "ready" || head !== this.state.lastBlock) {
        this.set({ status: "ready", events: fresh.length ? [...this.state.events, ...fresh].sort(compareEvents) : this.state.events, lastBlock: head, error: undefined });
      }
    } catch (error) {
      this.set({ status: this.state.events.length ? "ready" : "error", error: `cannot read events from ${this.rpcUrl}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` });
    }
  }

  private decode(log: Log): ChainEvent | undefined {
    const c = this.byAddress.get(log.address.toLowerCase());
    if (!c || log.blockNumber === null || log.logIndex === null || log.transactionHash === null) return undefined;
    try {
      const d = decodeEventLog({ abi: c.abi, data: log.data, topics: log.topics });
      return {
        eventName: d.eventName ?? "unknown",
        args: (d.args ?? {}) as Record<string, unknown>,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
        transactionHash: log.transactionHash,
        contract: c.name,
      };
    } catch {
      return undefined;
    }
  }
}

/**
 * Every event of our contracts, read with eth_getLogs from NEXT_PUBLIC_LOGS_FROM_BLOCK and then followed block
 * by block (DESIGN §3: the UI follows events, never storage slot by slot). One store per page load, shared by
 * all components through useSyncExternalStore.
 */
import { type Address, type Log, decodeEventLog } from "viem";
import { appConfig } from "./config";
import type { ChainDeployment, ContractName } from "./deployments";
import { type ChainEvent, compareEvents } from "./events";
import { publicClient } from "./wagmi";

export type EventStoreState = {
  status: "loading" | "ready" | "error";
  events: readonly ChainEvent[];
  error?: string;
  lastBlock: bigint;
};

type Listener = () => void;

export class EventStore {
  private state: EventStoreState = { status: "loading", events: [], lastBlock: -1n };
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private readonly byAddress: Map<string, { name: ContractName; abi: ChainDeployment["contracts"][ContractName]["abi"] }>;

  constructor(private readonly deployment: ChainDeployment) {
    this.byAddress = new Map(
      Object.entries(deployment.contracts).map(([name, c]) => [c.address.toLowerCase(), { name: name as ContractName, abi: c.abi }]),
    );
  }

  subscribe = (listener: Listener) => {
    this.listeners.add(listener);
    if (!this.running) this.start();
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = () => this.state;

  /** Ask for new events now (after a transaction of ours). */
  refresh = () => {
    if (this.timer) clearTimeout(this.timer);
    void this.tick();
  };

  private set(next: Partial<EventStoreState>) {
    this.state = { ...this.state, ...next };
    for (const l of this.listeners) l();
  }

  private start() {
    this.running = true;
    void this.tick();
  }

  private busy = false;
  private async tick() {
    if (this.busy) return;
    this.busy = true;
    try {
      const head = await publicClient.getBlockNumber({ cacheTime: 0 });
      if (head < this.state.lastBlock) {
        // The chain went backwards: it was reset. Start over.
        this.state = { status: "loading", events: [], lastBlock: -1n };
      }
      let from = this.state.lastBlock < 0n ? appConfig.logsFromBlock : this.state.lastBlock + 1n;
      const fresh: ChainEvent[] = [];
      while (from <= head) {
        const to = from + appConfig.logsChunk - 1n < head ? from + appConfig.logsChunk - 1n : head;
        const logs = await publicClient.getLogs({ address: [...this.byAddress.keys()] as Address[], fromBlock: from, toBlock: to });
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
      this.set({ status: this.state.events.length ? "ready" : "error", error: `cannot read events from ${appConfig.rpcUrl}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` });
    } finally {
      this.busy = false;
      if (this.listeners.size > 0) this.timer = setTimeout(() => void this.tick(), appConfig.pollingIntervalMs);
      else this.running = false;
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

const shared = new Map<string, EventStore>();

/** The one event store of a deployment in this page: the UI and the earn engine read the same events. */
export function sharedEventStore(deployment: ChainDeployment): EventStore {
  const key = deployment.contracts.TaskMarket.address.toLowerCase();
  let s = shared.get(key);
  if (!s) shared.set(key, (s = new EventStore(deployment)));
  return s;
}

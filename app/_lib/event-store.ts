/** Moved to lib/client/event-store.ts; this binds it to the app's RPC client and config. */
import { EventStore as ClientEventStore } from "../../lib/client/event-store.ts";
import { appConfig } from "./config";
import type { ChainDeployment } from "./deployments";
import { publicClient } from "./wagmi";

export type { EventStoreState } from "../../lib/client/event-store.ts";

export class EventStore extends ClientEventStore {
  constructor(deployment: ChainDeployment) {
    super({ client: publicClient, deployment, fromBlock: appConfig.logsFromBlock, chunkSize: appConfig.logsChunk, pollIntervalMs: appConfig.pollingIntervalMs, rpcUrl: appConfig.rpcUrl });
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

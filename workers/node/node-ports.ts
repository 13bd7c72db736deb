/**
 * Every port of the earn engine as a Node process has them (workers/earn/ports.ts): the chain followed through its
 * events and read with viem, direct transactions from a local key, the IPFS node's gateway, a pool of
 * worker_threads, a JSON state file, the system clock, the OS's randomness and a lock file per account.
 * `npm run worker` (scripts/worker.ts) and the Node integration tests build their engines with this.
 */
import type { Chain, Hex, PublicClient } from "viem";
import type { ChainDeployment } from "../../lib/client/deployments.ts";
import { nodeCodePort } from "../../wasm-tasks/code-cid-node.ts";
import { taskTypes, zkKits } from "../../wasm-tasks/index.ts";
import type { EnginePorts } from "../earn/ports.ts";
import { cryptoRandom, systemClock } from "./basics.ts";
import { type NodeChain, createNodeChain } from "./chain.ts";
import { FileLock } from "./file-lock.ts";
import { FileStore } from "./file-store.ts";
import { createNodeIpfs } from "./ipfs.ts";
import { ThreadRunnerPool } from "./runner-pool.ts";
import { createKeySend } from "./send.ts";

export type NodePortsOptions = {
  client: PublicClient;
  chain: Chain;
  rpcUrl: string;
  deployment: ChainDeployment;
  privateKey: Hex;
  ipfsUrl: string;
  /** The JSON file salts and job state are kept in. */
  stateFile: string;
  /** Where the per-account lock files live (one directory per machine). */
  lockDir: string;
  slots: number;
  relayUrl?: string;
  pollIntervalMs?: number;
};

export type NodePorts = EnginePorts & { chain: NodeChain; runners: ThreadRunnerPool; lock: FileLock; dispose(): void };

export function createNodePorts(o: NodePortsOptions): NodePorts {
  const chain = createNodeChain({ client: o.client, deployment: o.deployment, pollIntervalMs: o.pollIntervalMs ?? (o.chain.id === 31337 ? 1_000 : 4_000), rpcUrl: o.rpcUrl });
  const runners = new ThreadRunnerPool({ slots: o.slots });
  return {
    taskTypes: async () => taskTypes,
    // Node hashes every file it runs (wasm-tasks/code-cid-node.ts): the engine takes a type only when that is the
    // registered code CID.
    code: nodeCodePort(),
    chain,
    send: createKeySend({ client: o.client, deployment: o.deployment, chain: o.chain, rpcUrl: o.rpcUrl, privateKey: o.privateKey, relayUrl: o.relayUrl }),
    ipfs: createNodeIpfs({ url: o.ipfsUrl }),
    runners,
    store: new FileStore(o.stateFile),
    clock: systemClock,
    random: cryptoRandom,
    lock: new FileLock(o.lockDir, o.chain.id),
    // An auditor of a zk task recomputes its bare output (no proof): plain JS, no thread needed.
    zkPayload: async (typeName, input, postedSpec) => {
      const kit = zkKits[typeName];
      if (!kit) throw new Error(`no zk kit for ${typeName}`);
      return kit.computePayload(input, postedSpec);
    },
    dispose() {
      runners.dispose();
      chain.close();
    },
  };
}

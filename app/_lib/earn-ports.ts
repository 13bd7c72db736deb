/**
 * The earn engine's ports in a browser tab (workers/earn/ports.ts): the page's event store and RPC client, the
 * relay or a direct transaction, the page's IPFS gateway with every block verified, one Web Worker per slot,
 * IndexedDB for salts, a Web Lock per account, and the task code's check against the manifests the app serves
 * (wasm-tasks/code-cid-browser.ts: the files the Web Workers load from /node_modules/, /zk/ and the rest of public/
 * at the same URLs). No protocol logic lives here: it only wires the tab's I/O.
 */
import { openDB } from "idb";
import type { Address, Hex } from "viem";
import { fetchVerified } from "../../lib/ipfs/index.ts";
import { browserCodePort } from "../../wasm-tasks/code-cid-browser.ts";
import type { ProtocolParams } from "../../lib/protocol/params.ts";
import type { ChainTaskType, Cheats, EnginePorts, LedgerAccount, RegisteredWorker, RoundView, StorePort, TaskState } from "../../workers/earn/ports.ts";
import { RunnerPool } from "../../workers/earn/runner-pool.ts";
import { TaskRunner } from "../../workers/run-task.ts";
import { appConfig } from "./config";
import type { ChainDeployment, ContractName } from "./deployments";
import { sharedEventStore } from "./event-store";
import { publishBytes } from "./publish";
import { type Signer, sendCall } from "./send";
import { loadLocalTaskTypes, loadZkKit } from "./task-types";
import { publicClient } from "./wagmi";

/** Turbopack bundles a module worker only from this literal form, written at the call site. */
const createTaskWorker = () => new Worker(new URL("../../workers/task-worker.ts", import.meta.url), { type: "module", name: "task-worker" });

/** One IndexedDB object store of keys and values, durable across reloads. */
export function indexedDbStore(name = "computecredit-earn"): StorePort {
  const db = () => openDB(name, 1, { upgrade: (d) => void d.createObjectStore("kv") });
  return {
    get: async <T>(key: string) => (await (await db()).get("kv", key)) as T | undefined,
    put: async (key, value) => void (await (await db()).put("kv", value, key)),
    delete: async (key) => (await db()).delete("kv", key),
    keys: async (prefix) => ((await (await db()).getAllKeys("kv")) as string[]).filter((k) => k.startsWith(prefix)),
  };
}

export function tabEarnPorts(d: ChainDeployment, signer: Signer, slots: number, cheats?: Cheats): EnginePorts {
  const store = sharedEventStore(d);
  const read = <T>(contract: ContractName, functionName: string, args: readonly unknown[] = []) =>
    publicClient.readContract({ address: d.contracts[contract].address, abi: d.contracts[contract].abi, functionName, args }) as Promise<T>;
  return {
    taskTypes: loadLocalTaskTypes,
    chain: {
      events: () => store.getSnapshot().events,
      subscribe: (listener) => store.subscribe(listener),
      refresh: () => store.refresh(),
      head: async () => {
        const b = await publicClient.getBlock();
        return { number: b.number, timestamp: Number(b.timestamp) };
      },
      task: (id: Hex) => read<TaskState>("TaskMarket", "taskOf", [id]),
      round: (id: Hex) => read<RoundView>("TaskMarket", "roundOf", [id]),
      audit: (id: Hex) => read<RoundView>("TaskMarket", "auditOf", [id]),
      auditWindowClosesAt: async (id: Hex) => Number(await read<bigint>("TaskMarket", "auditWindowClosesAt", [id])),
      account: (a: Address) => read<LedgerAccount>("CreditLedger", "accountOf", [a]),
      worker: (a: Address) => read<RegisteredWorker>("WorkerRegistry", "workerOf", [a]),
      params: () => read<ProtocolParams>("ProtocolConfig", "params"),
      taskTypes: async () => {
        const count = Number(await read<bigint>("TaskTypeRegistry", "typeCount"));
        const types = await Promise.all(
          Array.from({ length: count }, (_, id) =>
            read<{ name: string; codeCid: string; policy: { zkVerifier: Address; modes: number; active: boolean } }>("TaskTypeRegistry", "taskType", [id]),
          ),
        );
        return types.map((t, id): ChainTaskType => ({ id, name: t.name, codeCid: t.codeCid, modes: Number(t.policy.modes), active: t.policy.active, zkVerifier: t.policy.zkVerifier }));
      },
    },
    send: {
      account: signer.address,
      send: async (contract, functionName, args) => (await sendCall(d, signer, { contract, functionName, args })).hash,
    },
    ipfs: {
      fetch: (cid, signal) => fetchVerified(appConfig.ipfsGateway, cid, { signal }),
      publish: (bytes) => publishBytes(bytes),
    },
    // The workers load every file at its default URL (/node_modules/…, /zk/…): where the code check fetched it.
    runners: new RunnerPool(() => new TaskRunner({ workerUrl: createTaskWorker }), slots),
    code: browserCodePort(),
    store: indexedDbStore(),
    clock: {
      now: () => Date.now(),
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal?.addEventListener("abort", () => (clearTimeout(timer), reject(new Error("aborted"))), { once: true });
        }),
    },
    random: {
      bytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      below: (n) => crypto.getRandomValues(new Uint32Array(1))[0]! % n,
    },
    lock: {
      acquire: async (account) => {
        if (!("locks" in navigator)) return () => {};
        return new Promise<(() => void) | undefined>((resolve) => {
          void navigator.locks.request(`computecredit-earn-${account.toLowerCase()}`, { ifAvailable: true }, (lock) => {
            if (!lock) return resolve(undefined);
            return new Promise<void>((release) => resolve(release));
          });
        });
      },
    },
    ...(cheats ? { cheats } : {}),
    zkPayload: async (typeName, input, spec) => {
      const kit = await loadZkKit(typeName);
      if (!kit) throw new Error(`this tab cannot recompute ${typeName}`);
      return kit.computePayload(input, spec);
    },
  };
}

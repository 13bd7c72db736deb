/**
 * Deploys the whole protocol in dependency order and wires the roles. One function serves the tests,
 * the gas bench and `npm run dev`, so they all run the same system.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { ChainType } from "hardhat/types/network";
import { type Address, type Hex, getAddress, keccak256, toHex } from "viem";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import { type ProtocolParams, defaultParams } from "../../lib/protocol/params.ts";
import type { WorkModel } from "../../wasm-tasks/calibration.ts";
import { taskCodeCid } from "../../wasm-tasks/code-cid-node.ts";
import { outputCid } from "../../wasm-tasks/digest.ts";
import { taskTypes as taskTypeModules } from "../../wasm-tasks/index.ts";
import { inputRejectedOutput } from "../../wasm-tasks/input-rejected.ts";

/**
 * `zkAdapter`: name of an ITaskProofVerifier contract (constructor without arguments) deployed here and
 * registered as the type's zkVerifier; `zkVerifier` registers an already deployed one. `workModel` defaults to
 * the task type module's own (wasm-tasks/), `rejectedDigest` to the digest of its canonical input-rejected output.
 */
export type TaskTypeSeed = {
  name: string;
  codeCid: string;
  modes: number;
  zkVerifier?: Address;
  zkAdapter?: "ZkDownscaleProofVerifier" | "ZkMatmulProofVerifier";
  workModel?: WorkModel;
  rejectedDigest?: Hex;
};

const GENESIS: Omit<TaskTypeSeed, "codeCid">[] = [
  { name: "image-resize", modes: 1 },
  { name: "video-transcode", modes: 1 },
  { name: "ml-inference", modes: 1 },
  { name: "benchmark", modes: 1 },
  // zk only (modes = 2): accepted in one transaction when the Groth16 proof verifies (circuits/README.md).
  { name: "zk-downscale", modes: 2, zkAdapter: "ZkDownscaleProofVerifier" },
  { name: "zk-matmul", modes: 2, zkAdapter: "ZkMatmulProofVerifier" },
  // Version 2 of image-resize (libvips in wasm): other output bytes, so a type of its own (wasm-tasks/code-cid.ts).
  { name: "image-resize@2", modes: 1 },
  // Version 2 of video-transcode (the multi-thread core, x264 threads pinned by the spec): other output bytes.
  { name: "video-transcode@2", modes: 1 },
];

/**
 * The task types approved at genesis; ids follow this order. Each carries the code CID of its code as this checkout
 * holds it (wasm-tasks/code-cid.ts; `npm run code-cids` prints them), computed once when this module loads (under a
 * second). A new version of a type is a new entry with a new name (wasm-tasks/code-cid.ts, "Versions").
 */
export const genesisTaskTypes: TaskTypeSeed[] = [];
for (const seed of GENESIS) genesisTaskTypes.push({ ...seed, codeCid: await taskCodeCid(seed.name) });

/** Digest (keccak256 of the binary CID) of the canonical output of a task of `typeName` whose input is rejected. */
export async function rejectedDigestOf(typeName: string): Promise<Hex> {
  return cidDigest((await outputCid(inputRejectedOutput(typeName))).bytes);
}

/** The on-chain cost model of a type: its module's, or none for a type this repository has no module of. */
export function workModelOf(seed: TaskTypeSeed): WorkModel {
  return seed.workModel ?? taskTypeModules[seed.name]?.workModel ?? { msBase: 0, msPerMiB: 0 };
}

/** Libraries TaskMarket links (ReplicationRound, TaskAudit): deployed first, their addresses patched into it. */
export const MARKET_LIBRARIES = ["ReplicationRound", "TaskAudit"] as const;

export const OPERATOR_ROLE = keccak256(toHex("OPERATOR_ROLE"));

/**
 * Generic over the connection's chain type: callers pass the helpers of "l1" connections (most tests, the benches)
 * and of "generic" ones (`network.create()`, the default network); nothing here depends on it.
 */
export async function deployProtocol<ChainTypeT extends ChainType | string>(
  viem: HardhatViemHelpers<ChainTypeT>,
  options: { params?: Partial<ProtocolParams>; governance?: Address; taskTypes?: TaskTypeSeed[] } = {},
) {
  const [deployer] = await viem.getWalletClients();
  if (!deployer) throw new Error("no wallet client to deploy with");
  const governance = options.governance ?? deployer.account.address;
  const params = { ...defaultParams, ...options.params };

  const forwarder = await viem.deployContract("ComputeCreditForwarder");
  const config = await viem.deployContract("ProtocolConfig", [params]);
  const ledger = await viem.deployContract("CreditLedger", [config.address, deployer.account.address, forwarder.address]);
  const registry = await viem.deployContract("WorkerRegistry", [
    config.address,
    ledger.address,
    deployer.account.address,
    forwarder.address,
  ]);
  const taskTypes = await viem.deployContract("TaskTypeRegistry", [deployer.account.address]);
  const libraries: Record<string, Address> = {};
  for (const name of MARKET_LIBRARIES) libraries[name] = (await viem.deployContract(name)).address;
  const market = await viem.deployContract(
    "TaskMarket",
    [config.address, ledger.address, registry.address, taskTypes.address, deployer.account.address, forwarder.address],
    { libraries },
  );

  const publicClient = await viem.getPublicClient();
  const wait = async (hash: `0x${string}`) => publicClient.waitForTransactionReceipt({ hash });
  await wait(await ledger.write.grantRole([OPERATOR_ROLE, registry.address]));
  await wait(await ledger.write.grantRole([OPERATOR_ROLE, market.address]));
  await wait(await registry.write.setMarket([market.address]));
  const zkAdapters: Record<string, Address> = {};
  for (const t of options.taskTypes ?? genesisTaskTypes) {
    let zkVerifier = t.zkVerifier;
    if (t.zkAdapter) zkVerifier = zkAdapters[t.name] = getAddress((await viem.deployContract(t.zkAdapter)).address);
    const model = workModelOf(t);
    await wait(
      await taskTypes.write.addTaskType([
        t.name,
        t.codeCid,
        t.rejectedDigest ?? (await rejectedDigestOf(t.name)),
        {
          zkVerifier: zkVerifier ?? "0x0000000000000000000000000000000000000000",
          modes: t.modes,
          active: true,
          workMsBase: model.msBase,
          workMsPerMiB: model.msPerMiB,
        },
      ]),
    );
  }
  if (governance.toLowerCase() !== deployer.account.address.toLowerCase()) {
    const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as const;
    await wait(await ledger.write.grantRole([DEFAULT_ADMIN_ROLE, governance]));
    await wait(await ledger.write.renounceRole([DEFAULT_ADMIN_ROLE, deployer.account.address]));
    await wait(await registry.write.transferOwnership([governance]));
    await wait(await taskTypes.write.transferOwnership([governance]));
    await wait(await market.write.transferOwnership([governance]));
  }
  return { forwarder, config, ledger, registry, taskTypes, market, params, zkAdapters, libraries };
}

export type Protocol = Awaited<ReturnType<typeof deployProtocol>>;

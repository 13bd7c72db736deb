/**
 * Deploys the protocol to the chain at RPC_URL (default: the local anvil) unless the deployments file already
 * records this build of the contracts, with their code live at the recorded addresses. Writes the
 * chainId-keyed deployments file (address, ABI and runtime code hash per contract), by default
 * `.data/deployments.json` beside the chain state it belongs to (not committed).
 * On the local chain an existing deployment's genesis task types follow this checkout's code CIDs (followCodeCids).
 * Run by `npm run dev`; by hand: `npx hardhat run --network localhost scripts/deploy-local.ts`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import hre, { network } from "hardhat";
import { type Abi, type Address, type Hex, keccak256 } from "viem";
import { MARKET_LIBRARIES, deployProtocol, genesisTaskTypes } from "../contracts/deploy/deploy-protocol.ts";
import { checkDevelopmentKeys } from "../contracts/deploy/zk-keys.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
/** anvil's and Hardhat's default chain id: the development chain `npm run dev` runs. */
const LOCAL_CHAIN_ID = 31337;
const outFile = resolve(
  process.env.CC_DEPLOYMENTS_FILE ?? `${process.env.CC_DATA_DIR ?? `${root}.data`}/deployments.json`,
);

const CONTRACTS = {
  ComputeCreditForwarder: "forwarder",
  ProtocolConfig: "config",
  CreditLedger: "ledger",
  WorkerRegistry: "registry",
  TaskTypeRegistry: "taskTypes",
  TaskMarket: "market",
} as const;
type Name = keyof typeof CONTRACTS;

type Deployment = {
  chainId: number;
  deployedAt: string;
  /** Hash of the compiled code of every contract: a changed build deploys again. */
  buildHash: Hex;
  /** "development": the zk verifiers hold development keys, whose proofs anyone can forge. */
  zkKeys: "development" | "production";
  contracts: Record<Name, { address: Address; abi: Abi; codeHash: Hex }>;
};

const { viem } = await network.create("localhost");
const publicClient = await viem.getPublicClient();
const chainId = await publicClient.getChainId();

const bytecodes = await Promise.all(
  [...(Object.keys(CONTRACTS) as Name[]), ...MARKET_LIBRARIES].map(async (n) => (await hre.artifacts.readArtifact(n)).deployedBytecode),
);
// Unlinked code holds `__$<hash>$__` placeholders where library addresses go: hash them as zeros.
const buildHash = keccak256(`0x${bytecodes.map((b) => b.slice(2).replace(/__\$[0-9a-f]{34}\$__/g, "0".repeat(40))).join("")}`);

/**
 * The chain state outlives a checkout: a genesis type whose registered code CID is not this checkout's would be
 * refused by every engine here (wasm-tasks/code-cid.ts). On the local development chain the deployer is governance,
 * so it moves the type to this checkout's code (updateTaskType, same id); on any other chain that is governance's
 * call (a new type for new output bytes), so it only says so.
 */
async function followCodeCids(registryAddress: Address): Promise<void> {
  const registry = await viem.getContractAt("TaskTypeRegistry", registryAddress);
  const count = Number(await registry.read.typeCount());
  for (let id = 0; id < count; id++) {
    const t = await registry.read.taskType([id]);
    const seed = genesisTaskTypes.find((g) => g.name === t.name);
    if (!seed || seed.codeCid === t.codeCid) continue;
    if (chainId !== LOCAL_CHAIN_ID) {
      console.warn(`WARNING: ${t.name} is registered with code ${t.codeCid || "(none)"}, this checkout's is ${seed.codeCid}: engines here will not run it`);
      continue;
    }
    await publicClient.waitForTransactionReceipt({ hash: await registry.write.updateTaskType([id, seed.codeCid, t.rejectedDigest, t.policy]) });
    console.log(`${t.name}: code CID ${t.codeCid || "(none)"} -> ${seed.codeCid} (this checkout)`);
  }
}

const all: Record<string, Deployment> = existsSync(outFile) ? JSON.parse(readFileSync(outFile, "utf8")) : {};
const previous = all[String(chainId)];
if (previous) {
  const live = await Promise.all(
    Object.values(previous.contracts).map(async (c) => {
      const code = await publicClient.getCode({ address: c.address });
      return code !== undefined && code !== "0x" && keccak256(code) === c.codeHash;
    }),
  );
  if (previous.buildHash === buildHash && live.every(Boolean)) {
    console.log(`contracts already deployed on chain ${chainId} (market ${previous.contracts.TaskMarket.address})`);
    await followCodeCids(previous.contracts.TaskTypeRegistry.address);
    process.exit(0);
  }
  console.log(
    previous.buildHash !== buildHash
      ? `the contracts changed since they were deployed on chain ${chainId}; deploying this build`
      : `chain ${chainId} does not hold the recorded contracts (was it reset?); deploying again`,
  );
}

// Development zk keys (circuits/artifacts.json says so) go to the local chain only (circuits/README.md).
const developmentKeys: boolean = JSON.parse(readFileSync(resolve(root, "circuits/artifacts.json"), "utf8")).developmentKeys !== false;
if (developmentKeys && checkDevelopmentKeys(chainId)) {
  console.warn(`WARNING: deploying DEVELOPMENT zk keys to chain ${chainId}: anyone can forge proofs there.`);
}
const protocol = await deployProtocol(viem);
const contracts = {} as Deployment["contracts"];
for (const [name, key] of Object.entries(CONTRACTS) as [Name, (typeof CONTRACTS)[Name]][]) {
  const c = protocol[key];
  const code = await publicClient.getCode({ address: c.address });
  if (!code) throw new Error(`no code at ${c.address} right after deploying ${name}`);
  contracts[name] = { address: c.address, abi: c.abi as Abi, codeHash: keccak256(code) };
  console.log(`${name.padEnd(24)} ${c.address}`);
}
all[String(chainId)] = { chainId, deployedAt: new Date().toISOString(), buildHash, zkKeys: developmentKeys ? "development" : "production", contracts };
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(all, null, 2)}\n`);
console.log(`deployed on chain ${chainId}; wrote ${outFile}`);

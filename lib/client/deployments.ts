/**
 * The deployed contracts the app and `npm run worker` talk to: one chainId-keyed JSON (.data/deployments.json
 * written by `npm run dev`, NEXT_PUBLIC_CONTRACTS_JSON, or `--deployments FILE`). The app reads it at request time
 * (/api/deployments) so that a redeploy never needs a rebuild; either way a missing or broken file gives a clear
 * message. Pure: no file access here (app/_lib/deployments.server.ts and workers/node/config.ts read the file).
 */
import type { Abi, Address } from "viem";
import { z } from "zod";

export const CONTRACT_NAMES = [
  "ComputeCreditForwarder",
  "ProtocolConfig",
  "CreditLedger",
  "WorkerRegistry",
  "TaskTypeRegistry",
  "TaskMarket",
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

/** `codeHash` (keccak256 of the runtime code), when the deploy step records it, lets the app tell a chain running
 * other code at the same address (a stale chain after the contracts changed) from the recorded build. */
export type DeployedContract = { address: Address; abi: Abi; codeHash?: `0x${string}` };
export type ChainDeployment = { chainId: number; deployedAt?: string; contracts: Record<ContractName, DeployedContract> };

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address") as unknown as z.ZodType<Address>;
const contract = z.object({ address, abi: z.array(z.unknown()).min(1), codeHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/).optional() });
const chainDeployment = z.object({
  chainId: z.number().int().optional(),
  deployedAt: z.string().optional(),
  contracts: z.record(z.string(), contract),
});
const deploymentsFile = z.record(z.string().regex(/^\d+$/), chainDeployment);

export type DeploymentsResult =
  | { ok: true; deployment: ChainDeployment }
  | { ok: false; reason: "missing" | "invalid" | "no-chain"; message: string };

/** Picks and checks the deployment of `chainId` from the parsed JSON of a deployments file. */
export function selectDeployment(json: unknown, chainId: number, source: string): DeploymentsResult {
  const parsed = deploymentsFile.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: "invalid", message: `${source} is not a deployments file: ${z.prettifyError(parsed.error)}` };
  }
  const entry = parsed.data[String(chainId)];
  if (!entry) {
    const chains = Object.keys(parsed.data).join(", ") || "none";
    return {
      ok: false,
      reason: "no-chain",
      message: `${source} has no contracts for chain ${chainId} (it has: ${chains}). Deploy to this chain or set NEXT_PUBLIC_CHAIN_ID.`,
    };
  }
  const missing = CONTRACT_NAMES.filter((n) => !entry.contracts[n]);
  if (missing.length > 0) {
    return { ok: false, reason: "invalid", message: `${source} lacks ${missing.join(", ")} for chain ${chainId}.` };
  }
  const contracts = Object.fromEntries(
    CONTRACT_NAMES.map((n) => {
      const c = entry.contracts[n]!;
      return [n, { address: c.address.toLowerCase() as Address, abi: c.abi as Abi, ...(c.codeHash ? { codeHash: c.codeHash.toLowerCase() as `0x${string}` } : {}) }];
    }),
  ) as Record<ContractName, DeployedContract>;
  return { ok: true, deployment: { chainId, deployedAt: entry.deployedAt, contracts } };
}

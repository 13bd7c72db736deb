/**
 * The one typed config module of the app: chain, RPC, IPFS gateway, log range, polling.
 * NEXT_PUBLIC_* values are inlined into the browser bundle at build time (see .env.example).
 */
import { defineChain } from "viem";
import { z } from "zod";

const envSchema = z.object({
  NEXT_PUBLIC_RPC_URL: z.url().default("http://127.0.0.1:8545"),
  NEXT_PUBLIC_CHAIN_ID: z.coerce.number().int().positive().default(31337),
  NEXT_PUBLIC_IPFS_GATEWAY: z.url().default("http://127.0.0.1:5050"),
  NEXT_PUBLIC_LOGS_FROM_BLOCK: z.coerce.bigint().nonnegative().default(0n),
  NEXT_PUBLIC_CONTRACTS_JSON: z.string().min(1).optional(),
});

// Each variable is named literally so Next.js can inline it in client bundles.
const parsed = envSchema.safeParse({
  NEXT_PUBLIC_RPC_URL: process.env.NEXT_PUBLIC_RPC_URL || undefined,
  NEXT_PUBLIC_CHAIN_ID: process.env.NEXT_PUBLIC_CHAIN_ID || undefined,
  NEXT_PUBLIC_IPFS_GATEWAY: process.env.NEXT_PUBLIC_IPFS_GATEWAY || undefined,
  NEXT_PUBLIC_LOGS_FROM_BLOCK: process.env.NEXT_PUBLIC_LOGS_FROM_BLOCK || undefined,
  NEXT_PUBLIC_CONTRACTS_JSON: process.env.NEXT_PUBLIC_CONTRACTS_JSON || undefined,
});
if (!parsed.success) {
  throw new Error(`bad app configuration (see .env.example): ${z.prettifyError(parsed.error)}`);
}
const env = parsed.data;

export const LOCAL_CHAIN_ID = 31337;

export const appConfig = {
  rpcUrl: env.NEXT_PUBLIC_RPC_URL,
  chainId: env.NEXT_PUBLIC_CHAIN_ID,
  isLocalChain: env.NEXT_PUBLIC_CHAIN_ID === LOCAL_CHAIN_ID,
  ipfsGateway: env.NEXT_PUBLIC_IPFS_GATEWAY.replace(/\/$/, ""),
  logsFromBlock: env.NEXT_PUBLIC_LOGS_FROM_BLOCK,
  contractsJson: env.NEXT_PUBLIC_CONTRACTS_JSON,
  /** How often the app polls for new blocks and events. */
  pollingIntervalMs: env.NEXT_PUBLIC_CHAIN_ID === LOCAL_CHAIN_ID ? 1_500 : 4_000,
  /** Largest block range asked of the RPC in one eth_getLogs call. */
  logsChunk: 50_000n,
} as const;

export const appChain = defineChain({
  id: appConfig.chainId,
  name: appConfig.isLocalChain ? "Local chain (anvil)" : `Chain ${appConfig.chainId}`,
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [appConfig.rpcUrl] } },
  testnet: appConfig.isLocalChain,
});

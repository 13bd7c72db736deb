/**
 * Server-only keys of the API routes, from the environment. On the local chain (31337) the well-known anvil
 * dev keys are the defaults (public test keys, worthless anywhere else); on any other chain a route whose key
 * is not set is switched off.
 */
import { type Hex, createPublicClient, createWalletClient, http } from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { appChain, appConfig } from "./config";

/** anvil's default dev account #1 (relayer) and #9 (faucet): public test keys. */
const ANVIL_RELAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ANVIL_FAUCET_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

function keyFrom(envValue: string | undefined, localDefault: Hex): Hex | undefined {
  if (envValue && /^0x[0-9a-fA-F]{64}$/.test(envValue)) return envValue as Hex;
  return appConfig.isLocalChain ? localDefault : undefined;
}

let cached: { relayer?: PrivateKeyAccount; faucet?: PrivateKeyAccount } | undefined;
function accounts() {
  if (!cached) {
    const relayerKey = keyFrom(process.env.RELAYER_PRIVATE_KEY, ANVIL_RELAYER_KEY);
    const faucetKey = keyFrom(process.env.FAUCET_PRIVATE_KEY, ANVIL_FAUCET_KEY);
    cached = {
      ...(relayerKey ? { relayer: privateKeyToAccount(relayerKey) } : {}),
      ...(faucetKey ? { faucet: privateKeyToAccount(faucetKey) } : {}),
    };
  }
  return cached;
}

export const serverPublicClient = createPublicClient({ chain: appChain, transport: http(appConfig.rpcUrl) });

export function walletFor(role: "relayer" | "faucet") {
  const account = accounts()[role];
  return account ? createWalletClient({ account, chain: appChain, transport: http(appConfig.rpcUrl) }) : undefined;
}

const queues = new Map<string, Promise<unknown>>();
/**
 * Runs the sends of one key one after another, so that each takes the next nonce from the chain (pending block).
 * No nonce is cached in the process: a chain that was reset under a running server keeps working.
 */
export function serialized<T>(role: "relayer" | "faucet", fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(role) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(fn);
  queues.set(role, next);
  return next;
}

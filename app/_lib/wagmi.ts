import { createPublicClient, http } from "viem";
import { createConfig, injected } from "wagmi";
import { appChain, appConfig } from "./config";

/** wagmi: injected wallets (EIP-6963 discovery included) on the one configured chain. */
export const wagmiConfig = createConfig({
  chains: [appChain],
  connectors: [injected()],
  transports: { [appChain.id]: http(appConfig.rpcUrl) },
  ssr: true,
  pollingInterval: appConfig.pollingIntervalMs,
});

/** Reads and logs go straight to the configured RPC, whichever wallet is in use. */
export const publicClient = createPublicClient({
  chain: appChain,
  transport: http(appConfig.rpcUrl, { retryCount: 1 }),
  pollingInterval: appConfig.pollingIntervalMs,
});

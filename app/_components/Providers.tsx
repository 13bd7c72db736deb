"use client";
/**
 * App-wide client state: wagmi + react-query, the deployed contracts (with a bytecode check), the wallet
 * (injected or burner), and the shared event store.
 */
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { type Hex, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { WagmiProvider, useAccount, useConnect, useDisconnect, useWalletClient } from "wagmi";
import { loadOrCreateBurnerKey, saveBurnerKey } from "../_lib/burner";
import { CodeCheck } from "../_lib/code-check";
import { appChain, appConfig } from "../_lib/config";
import type { ChainDeployment, DeploymentsResult } from "../_lib/deployments";
import { type EventStoreState, sharedEventStore } from "../_lib/event-store";
import type { Signer } from "../_lib/send";
import { publicClient, wagmiConfig } from "../_lib/wagmi";

// ---------- contracts ----------

export type ContractsState =
  | { status: "loading" }
  | { status: "ready"; deployment: ChainDeployment }
  | { status: "error"; title: string; message: string };

const ContractsContext = createContext<ContractsState>({ status: "loading" });
export const useContracts = () => useContext(ContractsContext);
/** The deployment once it is known to be live, else undefined. */
export const useDeployment = () => {
  const s = useContracts();
  return s.status === "ready" ? s.deployment : undefined;
};

async function loadContracts(): Promise<ContractsState> {
  let result: DeploymentsResult;
  try {
    // Revalidated each time (ETag): an unchanged deployment costs a 304, not its ABIs again.
    const res = await fetch("/api/deployments", { cache: "no-cache" });
    result = (await res.json()) as DeploymentsResult;
  } catch {
    return { status: "error", title: "The app server does not answer", message: "Reload the page; if it persists, restart npm run app:dev." };
  }
  if (!result.ok) return { status: "error", title: "No contracts", message: result.message };
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch {
    return {
      status: "error",
      title: "The chain does not answer",
      message: `Nothing answers at ${appConfig.rpcUrl}. ${appConfig.isLocalChain ? "Start it with npm run dev." : "Check NEXT_PUBLIC_RPC_URL."}`,
    };
  }
  if (chainId !== appConfig.chainId) {
    return { status: "error", title: "Wrong chain", message: `${appConfig.rpcUrl} is chain ${chainId}, but the app is set to chain ${appConfig.chainId} (NEXT_PUBLIC_CHAIN_ID).` };
  }
  const verdict = await codeCheck.check(result.deployment);
  if (!verdict.ok && verdict.reason === "missing") {
    return {
      status: "error",
      title: "The chain was reset",
      message: `There is no contract code at the recorded address of ${verdict.contracts.join(", ")}. ${appConfig.isLocalChain ? "Restart npm run dev (it deploys again), then reload this page." : "Update NEXT_PUBLIC_CONTRACTS_JSON for this chain."}`,
    };
  }
  if (!verdict.ok) {
    return {
      status: "error",
      title: "The chain runs other contract code",
      message: `The code at ${verdict.contracts.join(", ")} is not the build recorded in the deployments file (the contracts changed since this chain was deployed). ${appConfig.isLocalChain ? "Restart npm run dev with a fresh chain." : "Update the deployments file."}`,
    };
  }
  return { status: "ready", deployment: result.deployment };
}

/** The contracts' code is read once per deployment (see code-check.ts); the 30 s refetch below asks only whether
 * the deployment changed (a revalidated /api/deployments, eth_chainId, eth_blockNumber). */
const codeCheck = new CodeCheck(publicClient);

function ContractsProvider({ children }: { children: ReactNode }) {
  const q = useQuery({ queryKey: ["contracts"], queryFn: loadContracts, refetchInterval: (query) => (query.state.data?.status === "ready" ? 30_000 : 5_000), refetchOnWindowFocus: true });
  const value: ContractsState = q.data ?? { status: "loading" };
  return <ContractsContext.Provider value={value}>{children}</ContractsContext.Provider>;
}

// ---------- events ----------

const EMPTY: EventStoreState = { status: "loading", events: [], lastBlock: -1n };
const noop = () => () => {};

/** All events of our contracts, live. */
export function useChainEvents(): EventStoreState & { refresh: () => void } {
  const d = useDeployment();
  const store = useMemo(() => (d ? sharedEventStore(d) : undefined), [d]);
  const state = useSyncExternalStore(store?.subscribe ?? noop, store?.getSnapshot ?? (() => EMPTY), () => EMPTY);
  return { ...state, refresh: store?.refresh ?? (() => {}) };
}

// ---------- wallet ----------

export type WalletState = {
  status: "loading" | "ready";
  signer: Signer | undefined;
  burnerKey: Hex | undefined;
  injectedAvailable: boolean;
  wrongChain: boolean;
  connectInjected: () => void;
  useBurner: () => void;
  importBurner: (key: Hex) => Promise<void>;
  connectError: string | undefined;
};

const WalletContext = createContext<WalletState | undefined>(undefined);
export function useWallet(): WalletState {
  const w = useContext(WalletContext);
  if (!w) throw new Error("useWallet outside <Providers>");
  return w;
}

function WalletProvider({ children }: { children: ReactNode }) {
  const [burnerKey, setBurnerKey] = useState<Hex>();
  const [burnerError, setBurnerError] = useState<string>();
  const account = useAccount();
  const { data: injectedClient } = useWalletClient();
  const { connect, connectors, error: connectError } = useConnect();
  const { disconnect } = useDisconnect();
  const [injectedAvailable, setInjectedAvailable] = useState(false);

  useEffect(() => {
    setInjectedAvailable(typeof window !== "undefined" && "ethereum" in window);
    loadOrCreateBurnerKey().then(setBurnerKey, (e: unknown) => setBurnerError(`cannot keep a burner key in this browser (${String(e)})`));
  }, []);

  const burnerSigner = useMemo<Signer | undefined>(() => {
    if (!burnerKey) return undefined;
    const acct = privateKeyToAccount(burnerKey);
    return { address: acct.address, kind: "burner", client: createWalletClient({ account: acct, chain: appChain, transport: http(appConfig.rpcUrl) }) };
  }, [burnerKey]);

  const injectedSigner = useMemo<Signer | undefined>(() => {
    if (!account.isConnected || !account.address || !injectedClient) return undefined;
    return { address: account.address, kind: "injected", client: injectedClient as Signer["client"] };
  }, [account.isConnected, account.address, injectedClient]);

  const connectInjected = useCallback(() => {
    const connector = connectors[0];
    if (connector) connect({ connector, chainId: appChain.id });
  }, [connect, connectors]);

  const importBurner = useCallback(
    async (key: Hex) => {
      await saveBurnerKey(key);
      setBurnerKey(key);
      if (account.isConnected) disconnect();
    },
    [account.isConnected, disconnect],
  );

  const value: WalletState = {
    status: burnerKey || injectedSigner || burnerError ? "ready" : "loading",
    signer: injectedSigner ?? burnerSigner,
    burnerKey,
    injectedAvailable,
    wrongChain: Boolean(injectedSigner && account.chainId !== appChain.id),
    connectInjected,
    useBurner: () => disconnect(),
    importBurner,
    connectError: connectError?.message.split("\n")[0] ?? burnerError,
  };
  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}

// ---------- root ----------

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 2_000 } } }));
  return (
    <WagmiProvider config={wagmiConfig}>
      <QueryClientProvider client={queryClient}>
        <ContractsProvider>
          <WalletProvider>{children}</WalletProvider>
        </ContractsProvider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}

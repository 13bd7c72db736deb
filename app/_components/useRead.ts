"use client";
import { useQuery } from "@tanstack/react-query";
import { appConfig } from "../_lib/config";
import type { ContractName } from "../_lib/deployments";
import { publicClient } from "../_lib/wagmi";
import { useDeployment } from "./Providers";

/** A view call of one of our contracts; disabled until its arguments exist; refreshed while the page is open. */
export function useRead<T>(contract: ContractName, functionName: string, args: readonly unknown[] | undefined = [], options: { refetch?: boolean } = {}) {
  const d = useDeployment();
  const c = d?.contracts[contract];
  return useQuery({
    queryKey: ["read", c?.address, functionName, (args ?? []).map(String)],
    enabled: Boolean(c) && args !== undefined,
    queryFn: async () => (await publicClient.readContract({ address: c!.address, abi: c!.abi, functionName, args: args ?? [] })) as T,
    refetchInterval: options.refetch === false ? false : appConfig.pollingIntervalMs * 2,
  });
}

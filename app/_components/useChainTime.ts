"use client";
import { useQuery } from "@tanstack/react-query";
import { appConfig } from "../_lib/config";
import { publicClient } from "../_lib/wagmi";

/**
 * The chain's clock in seconds: the latest block's timestamp, moved on by the wall clock since it was read. Windows
 * and deadlines are judged by block time, which need not be the browser's (a dev chain moved forward, a wrong
 * local clock), so every "is this window over" question on a page asks this, not Date.now().
 */
export function useChainTime(): number | undefined {
  const latest = useQuery({
    queryKey: ["chainTime"],
    queryFn: async () => ({ timestamp: Number((await publicClient.getBlock()).timestamp), readAt: Date.now() }),
    refetchInterval: appConfig.pollingIntervalMs * 2,
  });
  if (!latest.data) return undefined;
  return latest.data.timestamp + Math.max(0, (Date.now() - latest.data.readAt) / 1000);
}

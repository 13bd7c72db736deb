"use client";
import { useQuery } from "@tanstack/react-query";
import { zeroAddress } from "viem";
import { type ChainTaskType, developmentKeysAbi } from "../_lib/task-types";
import { publicClient } from "../_lib/wagmi";
import { useDeployment } from "./Providers";

/** The task types registered on chain (ids follow the registry's order). */
export function useChainTaskTypes() {
  const d = useDeployment();
  const reg = d?.contracts.TaskTypeRegistry;
  return useQuery({
    queryKey: ["taskTypes", reg?.address],
    enabled: Boolean(reg),
    staleTime: 60_000,
    queryFn: async (): Promise<ChainTaskType[]> => {
      const count = Number(await publicClient.readContract({ address: reg!.address, abi: reg!.abi, functionName: "typeCount" }));
      const types = await Promise.all(
        Array.from({ length: count }, (_, id) =>
          publicClient.readContract({ address: reg!.address, abi: reg!.abi, functionName: "taskType", args: [id] }) as Promise<{
            name: string;
            codeCid: string;
            policy: { zkVerifier: string; modes: number; active: boolean };
          }>,
        ),
      );
      const developmentKeys = await Promise.all(
        types.map((t) =>
          t.policy.zkVerifier === zeroAddress
            ? false
            : publicClient
                .readContract({ address: t.policy.zkVerifier as `0x${string}`, abi: developmentKeysAbi, functionName: "developmentKeys" })
                .catch(() => false),
        ),
      );
      return types.map((t, id) => ({
        id,
        name: t.name,
        codeCid: t.codeCid,
        modes: Number(t.policy.modes),
        active: t.policy.active,
        zkVerifier: t.policy.zkVerifier,
        developmentKeys: developmentKeys[id] ?? false,
      }));
    },
  });
}

export const typeName = (types: ChainTaskType[] | undefined, id: number) => types?.find((t) => t.id === id)?.name ?? `type #${id}`;

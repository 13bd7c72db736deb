"use client";
/**
 * The earn engine belongs to the browser tab, not to the /earn page: it keeps claiming, computing and answering
 * verifier and audit draws while the user looks at other pages of the app (a drawn verifier that goes silent is
 * slashed).
 */
import { type ReactNode, createContext, useContext } from "react";
import { useEarnEngine } from "./useEarnEngine";

type Earn = ReturnType<typeof useEarnEngine>;
const EarnContext = createContext<Earn | undefined>(undefined);

export function EarnProvider({ children }: { children: ReactNode }) {
  return <EarnContext.Provider value={useEarnEngine()}>{children}</EarnContext.Provider>;
}

export function useEarn(): Earn {
  const earn = useContext(EarnContext);
  if (!earn) throw new Error("useEarn outside <EarnProvider>");
  return earn;
}

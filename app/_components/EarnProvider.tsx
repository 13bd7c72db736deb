"use client";
/**
 * The earn loop belongs to the browser tab, not to the /earn page: it keeps claiming, proving and answering
 * audit draws while the user looks at other pages of the app (a drawn auditor that goes silent is slashed).
 */
import { type ReactNode, createContext, useContext } from "react";
import { useEarnLoop } from "./useEarnLoop";

type Earn = ReturnType<typeof useEarnLoop>;
const EarnContext = createContext<Earn | undefined>(undefined);

export function EarnProvider({ children }: { children: ReactNode }) {
  return <EarnContext.Provider value={useEarnLoop()}>{children}</EarnContext.Provider>;
}

export function useEarn(): Earn {
  const earn = useContext(EarnContext);
  if (!earn) throw new Error("useEarn outside <EarnProvider>");
  return earn;
}

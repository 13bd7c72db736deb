"use client";
import { useContracts } from "./Providers";

/** A clear banner when the contracts are missing, the chain is down or was reset. */
export function ContractsBanner() {
  const s = useContracts();
  if (s.status !== "error") return null;
  return (
    <div className="banner" role="alert">
      <strong>{s.title}.</strong> {s.message}
    </div>
  );
}

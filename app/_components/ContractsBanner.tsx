"use client";
import { appConfig } from "../_lib/config";
import { useContracts } from "./Providers";
import { useChainTaskTypes } from "./useTaskTypes";

const DEVELOPMENT_CHAIN_ID = 31337;

/**
 * A clear banner when the contracts are missing, the chain is down or was reset; and a warning wherever zk task
 * types run on development keys, whose proofs anyone can forge (circuits/README.md).
 */
export function ContractsBanner() {
  const s = useContracts();
  const types = useChainTaskTypes();
  if (s.status === "error") {
    return (
      <div className="banner" role="alert">
        <strong>{s.title}.</strong> {s.message}
      </div>
    );
  }
  const dev = (types.data ?? []).filter((t) => t.developmentKeys).map((t) => t.name);
  if (dev.length === 0) return null;
  const local = appConfig.chainId === DEVELOPMENT_CHAIN_ID;
  return (
    <div className={local ? "banner banner-note" : "banner"} role={local ? "note" : "alert"} data-testid="development-keys">
      <strong>{local ? "Development zk keys." : "Warning: this chain runs development zk keys."}</strong> The proofs of {dev.join(" and ")} are
      checked against keys from a development ceremony whose randomness is public, so anyone can forge them.{" "}
      {local ? "That is fine on this local chain; production needs keys from a public ceremony (circuits/README.md)." : "Do not trust zk results or hold value here."}
    </div>
  );
}

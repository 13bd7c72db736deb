"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatEther } from "viem";
import { useSwitchChain } from "wagmi";
import { isPrivateKey } from "../../_lib/burner";
import { appConfig } from "../../_lib/config";
import { publicClient } from "../../_lib/wagmi";
import { useWallet } from "../../_components/Providers";
import { ErrorNote, Loading } from "../../_components/ui";

export function WalletCard() {
  const w = useWallet();
  const { switchChain } = useSwitchChain();
  const qc = useQueryClient();
  const address = w.signer?.address;
  const eth = useQuery({
    queryKey: ["eth", address],
    enabled: Boolean(address),
    queryFn: () => publicClient.getBalance({ address: address! }),
    refetchInterval: 5_000,
  });
  const [showKey, setShowKey] = useState(false);
  const [copied, setCopied] = useState(false);
  const [importing, setImporting] = useState(false);
  const [importText, setImportText] = useState("");
  const [importError, setImportError] = useState<string>();
  const [faucet, setFaucet] = useState<{ busy?: boolean; text?: string; error?: string }>({});

  if (w.status === "loading") return <div className="card"><Loading what="your account" /></div>;
  if (!w.signer) return <div className="card"><ErrorNote>{w.connectError ?? "No account: this browser cannot store a burner key."}</ErrorNote></div>;

  const askFaucet = async () => {
    setFaucet({ busy: true });
    try {
      const res = await fetch("/api/faucet", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ address }) });
      const body = (await res.json()) as { hash?: `0x${string}`; error?: string; message?: string };
      if (!res.ok) throw new Error(body.error ?? `the faucet answered ${res.status}`);
      if (body.hash) await publicClient.waitForTransactionReceipt({ hash: body.hash, timeout: 30_000 });
      setFaucet({ text: body.message ?? "Test ETH received." });
      await qc.invalidateQueries({ queryKey: ["eth"] });
    } catch (e) {
      setFaucet({ error: e instanceof Error ? e.message : String(e) });
    }
  };

  const doImport = async () => {
    const key = importText.trim();
    if (!isPrivateKey(key)) return setImportError("A private key is 0x followed by 64 hex digits.");
    try {
      await w.importBurner(key);
      setImporting(false);
      setImportText("");
      setImportError(undefined);
    } catch (e) {
      setImportError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <section className="card" aria-labelledby="wallet-h">
      <h2 id="wallet-h">Wallet</h2>
      <dl className="kv">
        <dt>Address</dt>
        <dd>
          <code data-testid="address">{w.signer.address}</code>
        </dd>
        <dt>Kind</dt>
        <dd>{w.signer.kind === "burner" ? "Burner key kept in this browser (IndexedDB)" : "Your browser wallet"}</dd>
        <dt>Gas (ETH)</dt>
        <dd>
          {eth.data === undefined ? "…" : `${Number(formatEther(eth.data)).toFixed(4)} ETH`}
          {eth.data === 0n ? <span className="muted"> — no ETH needed: the gas relay pays for your transactions.</span> : null}
        </dd>
      </dl>
      {w.wrongChain ? (
        <div className="actions">
          <ErrorNote>Your wallet is on another chain than the app (chain {appConfig.chainId}).</ErrorNote>
          <button type="button" onClick={() => switchChain({ chainId: appConfig.chainId })}>
            Switch chain
          </button>
        </div>
      ) : null}
      <div className="actions" style={{ marginTop: 12 }}>
        {w.signer.kind === "burner" ? (
          w.injectedAvailable ? (
            <button type="button" className="secondary" onClick={w.connectInjected}>
              Connect browser wallet
            </button>
          ) : null
        ) : (
          <button type="button" className="secondary" onClick={w.useBurner}>
            Use the burner key instead
          </button>
        )}
        {appConfig.isLocalChain ? (
          <button type="button" className="secondary" onClick={() => void askFaucet()} disabled={faucet.busy}>
            Get test ETH
          </button>
        ) : null}
        <span aria-live="polite">
          {faucet.busy ? <span className="muted">Asking the faucet…</span> : null}
          {faucet.text ? <span className="ok">{faucet.text}</span> : null}
          {faucet.error ? <span className="error">{faucet.error}</span> : null}
        </span>
      </div>
      {w.connectError ? <ErrorNote>{w.connectError}</ErrorNote> : null}
      {w.signer.kind === "burner" && w.burnerKey ? (
        <details style={{ marginTop: 12 }}>
          <summary>Export or import the burner key</summary>
          <p className="muted">Anyone with this key controls the account. Keep a copy to use the account in another browser.</p>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setShowKey((s) => !s)} aria-expanded={showKey}>
              {showKey ? "Hide key" : "Show key"}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(w.burnerKey!).then(() => setCopied(true), () => setShowKey(true));
              }}
            >
              Copy key
            </button>
            <span aria-live="polite">{copied ? <span className="ok">Copied.</span> : null}</span>
            <button type="button" className="secondary" onClick={() => setImporting((s) => !s)} aria-expanded={importing}>
              Import a key…
            </button>
          </div>
          {showKey ? (
            <p className="secret">
              <code data-testid="burner-key">{w.burnerKey}</code>
            </p>
          ) : null}
          {importing ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void doImport();
              }}
              style={{ marginTop: 12 }}
            >
              <div className="field">
                <label htmlFor="import-key">Private key to use from now on</label>
                <input id="import-key" autoComplete="off" spellCheck={false} value={importText} onChange={(e) => setImportText(e.target.value)} aria-invalid={Boolean(importError)} aria-describedby="import-key-err" placeholder="0x…" />
                <div id="import-key-err" className="field-error">{importError}</div>
              </div>
              <p className="muted">This replaces the burner key stored in this browser. Export the current one first if it holds credit.</p>
              <button type="submit">Replace the burner key</button>
            </form>
          ) : null}
        </details>
      ) : null}
    </section>
  );
}

"use client";
import type { ReactNode } from "react";
import { getAddress, isAddress } from "viem";
import { formatCredits } from "../../lib/protocol/params";
import { taskStatusName } from "../../lib/protocol/status";
import { useContracts } from "./Providers";

/** An address as the rest of the app and wallets show it: EIP-55 checksummed (events and storage give it in any case). */
export const checksummed = (a: string): string => (isAddress(a, { strict: false }) ? getAddress(a) : a);
export const shortAddress = (a: string | undefined) => (a ? `${checksummed(a).slice(0, 6)}…${checksummed(a).slice(-4)}` : "—");
export const cc = (mcc: bigint | number | undefined) => (mcc === undefined ? "—" : formatCredits(BigInt(mcc)));
export const dateTime = (seconds: number | bigint) => new Date(Number(seconds) * 1000).toLocaleString();

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorNote({ children }: { children: ReactNode }) {
  return (
    <p className="error" role="alert">
      {children}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Shown instead of a page's content while the contracts are not ready (the banner says why). */
export function NeedsContracts({ children }: { children: ReactNode }) {
  const s = useContracts();
  if (s.status === "loading") return <Loading what="the contracts" />;
  if (s.status === "error") return <ErrorNote>This page needs the contracts; see the message above.</ErrorNote>;
  return <>{children}</>;
}

export function StatusBadge({ status }: { status: number }) {
  const name = taskStatusName(status);
  return <span className={`badge badge-${name.toLowerCase()}`}>{name}</span>;
}

export function Addr({ a }: { a: string | undefined }) {
  return (
    <code className="addr" title={a ? checksummed(a) : undefined}>
      {shortAddress(a)}
    </code>
  );
}

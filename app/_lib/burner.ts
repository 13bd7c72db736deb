/** The burner key of a tab with no wallet, kept in IndexedDB (same origin = same key across tabs). */
import { openDB } from "idb";
import { type Hex, isHex } from "viem";
import { generatePrivateKey } from "viem/accounts";

const DB = "computecredit-wallet";
const STORE = "keys";
const KEY = "burner";

const db = () => openDB(DB, 1, { upgrade: (d) => void d.createObjectStore(STORE) });

export const isPrivateKey = (k: string): k is Hex => isHex(k) && k.length === 66;

/**
 * The stored burner key, created on first use. Read and create happen in one readwrite transaction: two
 * callers at once (React's double effect, two tabs opened together) would otherwise each create a key, show
 * one account and keep the other.
 */
export async function loadOrCreateBurnerKey(): Promise<Hex> {
  const tx = (await db()).transaction(STORE, "readwrite");
  const existing = (await tx.store.get(KEY)) as unknown;
  if (typeof existing === "string" && isPrivateKey(existing)) {
    await tx.done;
    return existing;
  }
  const key = generatePrivateKey();
  await tx.store.put(key, KEY);
  await tx.done;
  return key;
}

export async function saveBurnerKey(key: Hex): Promise<void> {
  if (!isPrivateKey(key)) throw new Error("a private key is 0x followed by 64 hex digits");
  await (await db()).put(STORE, key, KEY);
}

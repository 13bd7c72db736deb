/** The burner key of a tab with no wallet, kept in IndexedDB (same origin = same key across tabs). */
import { openDB } from "idb";
import { type Hex, isHex } from "viem";
import { generatePrivateKey } from "viem/accounts";

const DB = "computecredit-wallet";
const STORE = "keys";
const KEY = "burner";

const db = () => openDB(DB, 1, { upgrade: (d) => void d.createObjectStore(STORE) });

export const isPrivateKey = (k: string): k is Hex => isHex(k) && k.length === 66;

/** The stored burner key, created on first use. */
export async function loadOrCreateBurnerKey(): Promise<Hex> {
  const d = await db();
  const existing = (await d.get(STORE, KEY)) as unknown;
  if (typeof existing === "string" && isPrivateKey(existing)) return existing;
  const key = generatePrivateKey();
  await d.put(STORE, key, KEY);
  return key;
}

export async function saveBurnerKey(key: Hex): Promise<void> {
  if (!isPrivateKey(key)) throw new Error("a private key is 0x followed by 64 hex digits");
  await (await db()).put(STORE, key, KEY);
}

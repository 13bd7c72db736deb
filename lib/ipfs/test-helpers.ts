/** Helpers for the IPFS tests (Node only): deterministic bytes and CAR surgery. */
import { createHash } from "node:crypto";
import { CarBlockIterator } from "@ipld/car/iterator";
import type { Block } from "./car.ts";

/** `length` pseudo-random bytes from `seed` (no two 256 KiB chunks alike, so no dedup). */
export function seededBytes(length: number, seed = "cc"): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (let counter = 0; offset < length; counter++) {
    const chunk = createHash("sha512").update(`${seed}:${counter}`).digest();
    out.set(chunk.subarray(0, Math.min(chunk.length, length - offset)), offset);
    offset += chunk.length;
  }
  return out;
}

export async function carBlocks(car: Uint8Array): Promise<{ roots: Block["cid"][]; blocks: Block[] }> {
  const iterator = await CarBlockIterator.fromBytes(car);
  const blocks: Block[] = [];
  for await (const block of iterator) blocks.push(block);
  return { roots: await iterator.getRoots(), blocks };
}

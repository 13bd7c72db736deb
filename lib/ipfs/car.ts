/**
 * CAR (v1) building and verified reading, shared by the browser, Node clients and the node.
 * Browser-safe: @ipld/car's buffer writer and streaming iterator only (no fs).
 */
import * as CarBufferWriter from "@ipld/car/buffer-writer";
import { CarBlockIterator } from "@ipld/car/iterator";
import type { CID } from "multiformats/cid";
import { IpfsError } from "./errors.ts";
import { blockKey, verifyBlock } from "./dag.ts";

export type Block = { cid: CID; bytes: Uint8Array };

/** One CAR v1 holding `blocks` in the given order under the single root `root`. */
export function buildCar(root: CID, blocks: Iterable<Block>): Uint8Array {
  const list = [...blocks];
  const size = CarBufferWriter.headerLength({ roots: [root] }) + list.reduce((sum, block) => sum + CarBufferWriter.blockLength(block), 0);
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(size), { roots: [root] });
  for (const block of list) writer.write(block);
  return writer.close();
}

/** Passes chunks through, throwing IpfsError("too_large") once more than `limit` bytes came. */
export async function* limitBytes(source: AsyncIterable<Uint8Array>, limit: number, what = "the CAR"): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > limit) throw new IpfsError("too_large", `${what} is larger than the limit of ${limit} bytes`, 413);
    yield chunk;
  }
}

/** Reads a WHATWG ReadableStream as an async iterable (works where streams are not iterable). */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock?.();
    void stream.cancel?.().catch(() => {});
  }
}

export type VerifiedCar = {
  roots: CID[];
  /** Every block, keyed by blockKey(cid), each checked against its CID. */
  blocks: Map<string, Block>;
  /** Bytes of all distinct blocks. */
  blockBytes: number;
};

/**
 * Parses a CAR stream, checking every block's bytes against its CID as it arrives (a block that
 * does not hash to its CID throws "hash_mismatch"; unsupported codecs/hashes throw too).
 * `onRoots` runs as soon as the header is read, before any block, so a wrong root fails fast.
 */
export async function readCarVerified(
  source: AsyncIterable<Uint8Array>,
  options: { onRoots?: (roots: CID[]) => void; signal?: AbortSignal } = {},
): Promise<VerifiedCar> {
  let iterator: CarBlockIterator;
  try {
    iterator = await CarBlockIterator.fromIterable(source);
  } catch (err) {
    throw asCarError(err);
  }
  const roots = await iterator.getRoots();
  options.onRoots?.(roots);
  const blocks = new Map<string, Block>();
  let blockBytes = 0;
  try {
    for await (const { cid, bytes } of iterator) {
      options.signal?.throwIfAborted();
      await verifyBlock(cid, bytes);
      const key = blockKey(cid);
      if (!blocks.has(key)) {
        blocks.set(key, { cid, bytes });
        blockBytes += bytes.byteLength;
      }
    }
  } catch (err) {
    throw asCarError(err);
  }
  return { roots, blocks, blockBytes };
}

function asCarError(err: unknown): Error {
  if (err instanceof IpfsError || (err as Error)?.name === "AbortError" || (err as Error)?.name === "TimeoutError") return err as Error;
  return new IpfsError("bad_car", `not a valid CAR v1 stream: ${(err as Error)?.message ?? String(err)}`, 400);
}

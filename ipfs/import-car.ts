/**
 * CAR import for POST /upload: everything is checked before anything is written, so a refused
 * upload leaves no block and no pin behind.
 *  1. the CAR header must name exactly one root, equal to the root the client claims;
 *  2. every block's bytes must hash to its CID (raw/dag-pb, sha2-256 only), checked as it streams;
 *  3. the DAG under the root must be complete (blocks from the CAR, or already stored here) and
 *     the CAR must hold nothing else;
 *  4. then the new blocks go to the blockstore and the root is pinned (recursively).
 * Blocks are staged in memory, bounded by the upload size limit (and the number of concurrent
 * uploads, see server.ts).
 */
import type { CID } from "multiformats/cid";
import { readCarVerified } from "../lib/ipfs/car.ts";
import { blockKey, walkDag } from "../lib/ipfs/dag.ts";
import { IpfsError } from "../lib/ipfs/errors.ts";
import type { IpfsNode } from "./node.ts";

export type ImportResult = {
  cid: string;
  size?: number;
  dagSize: number;
  blocks: number;
  /** False when the root was already pinned (the upload is then a no-op). */
  pinned: boolean;
};

/** Metadata kept with each pin (Helia pin metadata), listed by GET /pins. */
export type PinMetadata = { size: number; dagSize: number; blocks: number; unixfsType: string; pinnedAt: string };

export async function importCar(
  node: IpfsNode,
  source: AsyncIterable<Uint8Array>,
  claimedRoot: CID,
  options: { signal?: AbortSignal; exclusive: <T>(fn: () => Promise<T>) => Promise<T> },
): Promise<ImportResult> {
  const car = await readCarVerified(source, {
    signal: options.signal,
    onRoots(roots) {
      if (roots.length !== 1) {
        throw new IpfsError("car_roots", `the CAR must have exactly one root; it has ${roots.length}${roots.length ? ` (${roots.join(", ")})` : ""}`, 422);
      }
      if (!roots[0]!.equals(claimedRoot)) {
        throw new IpfsError("root_mismatch", `the CAR's root is ${roots[0]}, but the upload claims ${claimedRoot}`, 422);
      }
    },
  });

  const reachable = new Set<string>();
  let dagSize = 0;
  const walk = await walkDag(
    claimedRoot,
    async (cid) => car.blocks.get(blockKey(cid))?.bytes ?? (await node.getBlock(cid, options.signal)),
    (cid, bytes) => {
      reachable.add(blockKey(cid));
      dagSize += bytes.byteLength;
    },
    options.signal,
  );
  const extra = [...car.blocks.keys()].filter((key) => !reachable.has(key));
  if (extra.length > 0) {
    const example = car.blocks.get(extra[0]!)!.cid;
    throw new IpfsError("unexpected_blocks", `the CAR holds ${extra.length} block(s) that are not part of the DAG under ${claimedRoot} (e.g. ${example})`, 422);
  }

  const metadata: PinMetadata = {
    size: walk.fileSize ?? 0,
    dagSize,
    blocks: walk.blocks,
    unixfsType: walk.unixfsType,
    pinnedAt: new Date().toISOString(),
  };
  const pinned = await options.exclusive(async () => {
    if (await node.helia.pins.get(claimedRoot).then(() => true, () => false)) return false;
    for (const { cid, bytes } of car.blocks.values()) {
      if (!(await node.hasBlock(cid))) await node.helia.blockstore.put(cid, bytes);
    }
    // Pinning walks the DAG again from disk: it only counts blocks, all of which are now local.
    for await (const _ of node.helia.pins.add(claimedRoot, { metadata, offline: true } as Parameters<typeof node.helia.pins.add>[1])) {
      // drain
    }
    return true;
  });
  return { cid: claimedRoot.toString(), size: walk.fileSize, dagSize, blocks: walk.blocks, pinned };
}

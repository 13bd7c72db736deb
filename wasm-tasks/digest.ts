/**
 * The one digest every task output is compared by (DESIGN §3): its CID exactly as Kubo's
 * `ipfs add --cid-version=1 --raw-leaves` computes it, so a verifier can check an output it
 * fetched from any IPFS node against the digest a worker committed on chain.
 *
 * The importer options are spelled out instead of relying on defaults because Helia's
 * defaults (1 MiB chunks, 1024 links) give different CIDs for anything over 256 KiB.
 */
import { importBytes, type ImporterOptions, type WritableStorage } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { BlackHoleBlockstore } from "blockstore-core";
import type { CID } from "multiformats/cid";

/** Kubo's default chunk size and balanced-DAG width. */
export const CHUNK_SIZE = 256 * 1024;
export const MAX_CHILDREN_PER_NODE = 174;

/**
 * The one importer configuration for every CID in the project: task outputs here, and the
 * IPFS client (lib/ipfs) that adds inputs and uploads them, so input and output CIDs follow one
 * rule. Pass it as is (`importBytes(bytes, store, KUBO_IMPORTER_OPTIONS)`); never re-spell it.
 */
export const KUBO_IMPORTER_OPTIONS = Object.freeze({
  cidVersion: 1,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
  layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
} satisfies ImporterOptions);

/**
 * CID of `bytes` as a Kubo-compatible UnixFS file. Pass a blockstore to keep the blocks (for
 * upload); without one they are discarded, so hashing a large output costs no extra memory.
 */
export async function outputCid(bytes: Uint8Array, blockstore: WritableStorage = new BlackHoleBlockstore()): Promise<CID> {
  const result = await importBytes(bytes, blockstore, KUBO_IMPORTER_OPTIONS);
  return result.cid;
}

/** The same CID as its canonical base32 string (what is committed on chain and compared). */
export async function outputCidString(bytes: Uint8Array): Promise<string> {
  return (await outputCid(bytes)).toString();
}

/**
 * Block-level rules shared by the node (ipfs/) and the client (browser and Node): which blocks
 * are accepted, how a block is checked against its CID, and how a DAG is walked. Browser-safe:
 * no node: imports, no Buffer.
 *
 * Accepted: CIDv0/v1, codecs raw and dag-pb (UnixFS), hash sha2-256 — everything the project's
 * importer (wasm-tasks/digest.ts) produces and what Kubo adds by default.
 */
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { IpfsError } from "./errors.ts";

export const RAW_CODE = raw.code;
export const DAG_PB_CODE = dagPb.code;
export const SHA2_256_CODE = sha256.code;

/** Parses a CID string, throwing IpfsError("bad_cid") with the reason. */
export function parseCid(text: string): CID {
  try {
    return CID.parse(text.trim());
  } catch (err) {
    throw new IpfsError("bad_cid", `not a valid CID: ${JSON.stringify(text.slice(0, 120))} (${(err as Error).message})`, 400);
  }
}

/** Throws unless blocks of this CID's codec and hash are ones we accept. */
export function assertSupportedCid(cid: CID): void {
  if (cid.code !== RAW_CODE && cid.code !== DAG_PB_CODE) {
    throw new IpfsError("unsupported_codec", `block ${cid} has codec 0x${cid.code.toString(16)}; only raw (0x55) and dag-pb (0x70) are accepted`, 422);
  }
  if (cid.multihash.code !== SHA2_256_CODE) {
    throw new IpfsError("unsupported_hash", `block ${cid} uses hash 0x${cid.multihash.code.toString(16)}; only sha2-256 is accepted`, 422);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws IpfsError("hash_mismatch") unless sha2-256(bytes) is the digest inside `cid`. */
export async function verifyBlock(cid: CID, bytes: Uint8Array): Promise<void> {
  assertSupportedCid(cid);
  const digest = await sha256.digest(bytes);
  if (!equalBytes(digest.digest, cid.multihash.digest)) {
    throw new IpfsError("hash_mismatch", `block ${cid}: its ${bytes.byteLength} bytes do not hash to its CID`, 422);
  }
}

export type BlockInfo = {
  links: CID[];
  /** UnixFS file size of the DAG rooted here (raw: the bytes; dag-pb file: fileSize()). */
  fileSize?: number;
  /** UnixFS type of a dag-pb node ("file", "directory", ...); "raw" for raw blocks. */
  unixfsType: string;
};

/** Decodes a (verified) block enough to walk it: its links and what it is. */
export function inspectBlock(cid: CID, bytes: Uint8Array): BlockInfo {
  if (cid.code === RAW_CODE) return { links: [], fileSize: bytes.byteLength, unixfsType: "raw" };
  if (cid.code !== DAG_PB_CODE) assertSupportedCid(cid);
  let node: dagPb.PBNode;
  try {
    node = dagPb.decode(bytes);
  } catch (err) {
    throw new IpfsError("bad_block", `block ${cid} is not valid dag-pb: ${(err as Error).message}`, 422);
  }
  let unixfsType = "unknown";
  let fileSize: number | undefined;
  if (node.Data) {
    try {
      const unixfs = UnixFS.unmarshal(node.Data);
      unixfsType = unixfs.type;
      if (unixfs.type === "file" || unixfs.type === "raw") fileSize = Number(unixfs.fileSize());
    } catch {
      unixfsType = "unknown";
    }
  }
  return { links: node.Links.map((link) => link.Hash), fileSize, unixfsType };
}

/**
 * Walks the DAG under `root` depth-first (the trustless-gateway CAR order: a node, then each
 * child subtree left to right), visiting each distinct block once. `load` returns a block's bytes
 * (already verified) or undefined when it is missing, which ends the walk with
 * IpfsError("incomplete_dag"). For raw leaves other than the root, `isLeaf` is true: a caller
 * that only needs presence may return an empty placeholder instead of reading them.
 */
export async function walkDag(
  root: CID,
  load: (cid: CID, isLeaf: boolean) => Promise<Uint8Array | undefined>,
  visit?: (cid: CID, bytes: Uint8Array, info: BlockInfo) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<{ blocks: number; fileSize?: number; unixfsType: string }> {
  const seen = new Set<string>();
  let blocks = 0;
  let rootInfo: BlockInfo | undefined;
  const stack: CID[] = [root];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const cid = stack.pop()!;
    const key = blockKey(cid);
    if (seen.has(key)) continue;
    seen.add(key);
    assertSupportedCid(cid);
    const bytes = await load(cid, cid.code === RAW_CODE && !cid.equals(root));
    if (bytes === undefined) {
      throw new IpfsError(
        "incomplete_dag",
        cid.equals(root) ? `the root block ${cid} is missing` : `the DAG under ${root} is incomplete: block ${cid} is missing`,
        422,
      );
    }
    const info = inspectBlock(cid, bytes);
    rootInfo ??= info;
    blocks++;
    await visit?.(cid, bytes, info);
    for (let i = info.links.length - 1; i >= 0; i--) stack.push(info.links[i]!);
  }
  return { blocks, fileSize: rootInfo?.fileSize, unixfsType: rootInfo?.unixfsType ?? "unknown" };
}

/** A stable map key for a block: its multihash (v0 and v1 CIDs of one block share it) + codec. */
export function blockKey(cid: CID): string {
  return `${cid.code}:${cid.multihash.bytes.join(",")}`;
}

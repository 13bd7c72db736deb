import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryBlockstore } from "blockstore-core";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { CHUNK_SIZE, MAX_CHILDREN_PER_NODE, outputCid, outputCidString } from "./digest.ts";

const text = (s: string) => new TextEncoder().encode(s);

// Published Kubo outputs of `... | ipfs add --cid-version 1` (raw leaves are on by default with
// CIDv1): the empty file, and the values in kubo's test/sharness t0114 and t0124 fixture READMEs.
test("small inputs match CIDs published from Kubo", async () => {
  assert.equal(await outputCidString(new Uint8Array()), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  assert.equal(await outputCidString(text("hello\n")), "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am");
  assert.equal(await outputCidString(text("Hello IPFS\n")), "bafkreidfdrlkeq4m4xnxuyx6iae76fdm4wgl5d4xzsb77ixhyqwumhz244");
});

/** Bytes that differ per chunk, so a wrong chunk boundary changes a leaf hash. */
function patterned(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + Math.floor(i / CHUNK_SIZE) * 13) & 0xff;
  return bytes;
}

const rawCid = async (bytes: Uint8Array) => CID.createV1(raw.code, await sha256.digest(bytes));

test("one full chunk is a single raw block: CID = raw codec + sha2-256 of the bytes", async () => {
  const bytes = patterned(CHUNK_SIZE);
  const cid = await outputCid(bytes);
  assert.equal(cid.code, raw.code);
  assert.equal(cid.toString(), (await rawCid(bytes)).toString());
});

test("256 KiB + 1 byte gives a dag-pb root with two raw leaves cut at 256 KiB", async () => {
  const bytes = patterned(CHUNK_SIZE + 1);
  const store = new MemoryBlockstore();
  const cid = await outputCid(bytes, store);
  assert.equal(cid.version, 1);
  assert.equal(cid.code, dagPb.code);
  const root = dagPb.decode(await collect(store.get(cid)));
  assert.equal(root.Links.length, 2);
  assert.equal(root.Links[0]!.Hash.toString(), (await rawCid(bytes.subarray(0, CHUNK_SIZE))).toString());
  assert.equal(root.Links[1]!.Hash.toString(), (await rawCid(bytes.subarray(CHUNK_SIZE))).toString());
  const unixfs = UnixFS.unmarshal(root.Data!);
  assert.equal(unixfs.type, "file");
  assert.deepEqual(unixfs.blockSizes, [BigInt(CHUNK_SIZE), 1n]);
  // The CID string must not depend on whether blocks are kept.
  assert.equal((await outputCid(bytes)).toString(), cid.toString());
});

test("more than 174 chunks adds a level: the first child holds exactly 174 leaves", async () => {
  const bytes = patterned(CHUNK_SIZE * MAX_CHILDREN_PER_NODE + 5);
  const store = new MemoryBlockstore();
  const cid = await outputCid(bytes, store);
  const root = dagPb.decode(await collect(store.get(cid)));
  assert.equal(root.Links.length, 2);
  const first = dagPb.decode(await collect(store.get(root.Links[0]!.Hash)));
  assert.equal(first.Links.length, MAX_CHILDREN_PER_NODE);
  assert.equal(first.Links[173]!.Hash.toString(), (await rawCid(bytes.subarray(173 * CHUNK_SIZE, 174 * CHUNK_SIZE))).toString());
  assert.equal(UnixFS.unmarshal(root.Data!).fileSize(), BigInt(bytes.length));
});

async function collect(source: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The IPFS node for real: Helia with blocks on disk in a temp dir, HTTP on 127.0.0.1, the
 * shared client (lib/ipfs) as the app uses it. No mocks.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { CHUNK_SIZE, outputCidString } from "../wasm-tasks/digest.ts";
import { addFile, buildCar, fetchVerified, uploadCar, UploadRejectedError } from "../lib/ipfs/index.ts";
import { carBlocks, seededBytes } from "../lib/ipfs/test-helpers.ts";
import { startIpfsServer, type IpfsServer } from "./server.ts";

const quiet = () => {};
let dataDir: string;
let server: IpfsServer;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "cc-ipfs-"));
  server = await startIpfsServer({ dataDir, port: 0, log: quiet, corsOrigins: ["http://127.0.0.1:3000"] });
});
after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

type Pin = { cid: string; size: number; dagSize: number; blocks: number };
async function pins(url = server.url): Promise<Pin[]> {
  const response = await fetch(`${url}/pins`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { pins: Pin[] }).pins;
}

async function rejected(promise: Promise<unknown>, status: number, code: string): Promise<UploadRejectedError> {
  const err = await promise.then(
    () => assert.fail(`expected a ${status} ${code} rejection`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UploadRejectedError, `not an UploadRejectedError: ${err}`);
  assert.equal(err.status, status, err.message);
  assert.equal(err.code, code, err.message);
  assert.ok(err.message.length > 10, "a message for a person");
  return err;
}

async function post(path: string, body: BodyInit | undefined, headers: Record<string, string> = {}, url = server.url) {
  const response = await fetch(`${url}${path}`, { method: "POST", body, headers: { "content-type": "application/vnd.ipld.car", ...headers } });
  return { status: response.status, body: (await response.json()) as { error?: string; message?: string; cid?: string } };
}

test("a small file and a multi-chunk file round-trip: upload, pin, fetch verified; CIDs are the task digest's", async () => {
  for (const bytes of [new TextEncoder().encode("hello compute credit\n"), seededBytes(5 * CHUNK_SIZE + 123, "multi")]) {
    const { cid, car } = await addFile(bytes);
    assert.equal(cid.toString(), await outputCidString(bytes));
    const result = await uploadCar(server.url, cid, car);
    assert.equal(result.cid, cid.toString());
    assert.equal(result.pinned, true);
    assert.equal(result.size, bytes.byteLength);
    assert.deepEqual(await fetchVerified(server.url, cid), bytes);
    // plain GET gives the file's bytes (previews)
    const plain = await fetch(`${server.url}/ipfs/${cid}`);
    assert.equal(plain.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual(new Uint8Array(await plain.arrayBuffer()), bytes);
    // uploading the same root again is a no-op
    assert.equal((await uploadCar(server.url, cid.toString(), car)).pinned, false);
    const listed = (await pins()).find((p) => p.cid === cid.toString());
    assert.ok(listed, "listed in /pins");
    assert.equal(listed.size, bytes.byteLength);
    assert.ok(listed.dagSize >= bytes.byteLength);
  }
});

test("the gateway serves raw blocks and CARs (by ?format or Accept), 400 for a bad CID, 404 for a missing one", async () => {
  const bytes = seededBytes(2 * CHUNK_SIZE + 1, "gateway");
  const { cid, car } = await addFile(bytes);
  await uploadCar(server.url, cid, car);

  const raw = await fetch(`${server.url}/ipfs/${cid}?format=raw`);
  assert.equal(raw.status, 200);
  assert.equal(raw.headers.get("content-type"), "application/vnd.ipld.raw");
  const block = new Uint8Array(await raw.arrayBuffer());
  assert.deepEqual((await sha256.digest(block)).digest, cid.multihash.digest);
  const byAccept = await fetch(`${server.url}/ipfs/${cid}`, { headers: { accept: "application/vnd.ipld.raw" } });
  assert.deepEqual(new Uint8Array(await byAccept.arrayBuffer()), block);

  const carResponse = await fetch(`${server.url}/ipfs/${cid}`, { headers: { accept: "application/vnd.ipld.car" } });
  assert.equal(carResponse.status, 200);
  assert.match(carResponse.headers.get("content-type") ?? "", /^application\/vnd\.ipld\.car/);
  const served = await carBlocks(new Uint8Array(await carResponse.arrayBuffer()));
  assert.deepEqual(served.roots.map(String), [cid.toString()]);
  assert.deepEqual(served.blocks.map((b) => b.cid.toString()), (await carBlocks(car)).blocks.map((b) => b.cid.toString()), "same blocks, DFS order");

  for (const bad of ["not-a-cid", "bafy"]) {
    const response = await fetch(`${server.url}/ipfs/${bad}?format=raw`);
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, "bad_cid");
  }
  const missing = CID.createV1(0x55, await sha256.digest(new TextEncoder().encode("never uploaded")));
  for (const format of ["raw", "car"]) {
    const response = await fetch(`${server.url}/ipfs/${missing}?format=${format}`);
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: string }).error, "not_found");
  }
  assert.equal((await fetch(`${server.url}/ipfs/${missing}`)).status, 404);
  assert.equal((await fetch(`${server.url}/ipfs/${cid}?format=tar`)).status, 400);
  assert.equal((await fetch(`${server.url}/ipfs/${cid}`, { method: "DELETE" })).status, 405);
});

test("a CAR whose root is not the claimed root is refused and nothing is stored or pinned", async () => {
  const real = await addFile(seededBytes(CHUNK_SIZE + 10, "real"));
  const other = await addFile(seededBytes(CHUNK_SIZE + 10, "other"));
  const before = await pins();
  const err = await rejected(uploadCar(server.url, other.cid, real.car), 422, "root_mismatch");
  assert.match(err.message, new RegExp(real.cid.toString()));
  assert.deepEqual(await pins(), before);
  for (const { cid } of (await carBlocks(real.car)).blocks) assert.equal(await server.node.hasBlock(cid), false, `${cid} not stored`);
  // zero roots / two roots
  const { blocks } = await carBlocks(real.car);
  assert.equal((await post(`/upload?root=${real.cid}`, buildCarWithRoots([], blocks) as BodyInit)).body.error, "car_roots");
  assert.equal((await post(`/upload?root=${real.cid}`, buildCarWithRoots([real.cid, other.cid], blocks) as BodyInit)).body.error, "car_roots");
  assert.deepEqual(await pins(), before);
});

test("a CAR with a tampered block is refused, nothing stored", async () => {
  const { cid, car } = await addFile(seededBytes(3 * CHUNK_SIZE, "tampered"));
  const { blocks } = await carBlocks(car);
  const evil = blocks.map((b, i) => (i === 1 ? { cid: b.cid, bytes: b.bytes.map((x, j) => (j === 7 ? x ^ 0xff : x)) } : b));
  const err = await rejected(uploadCar(server.url, cid, buildCar(cid, evil)), 422, "hash_mismatch");
  assert.match(err.message, new RegExp(blocks[1]!.cid.toString()));
  assert.equal(await server.node.hasBlock(cid), false);
  assert.ok(!(await pins()).some((p) => p.cid === cid.toString()));
});

test("an incomplete DAG, stray blocks, garbage and wrong requests are refused with clear errors", async () => {
  const { cid, car } = await addFile(seededBytes(3 * CHUNK_SIZE, "incomplete"));
  const { blocks } = await carBlocks(car);
  const err = await rejected(uploadCar(server.url, cid, buildCar(cid, blocks.slice(0, -1))), 422, "incomplete_dag");
  assert.match(err.message, new RegExp(blocks.at(-1)!.cid.toString()));
  const stray = await addFile(new TextEncoder().encode("stray"));
  await rejected(uploadCar(server.url, cid, buildCar(cid, [...blocks, { cid: stray.cid, bytes: new TextEncoder().encode("stray") }])), 422, "unexpected_blocks");
  await rejected(uploadCar(server.url, cid, new TextEncoder().encode("this is not a CAR")), 400, "bad_car");
  assert.equal((await post("/upload", car as BodyInit)).body.error, "missing_root");
  assert.equal((await post("/upload?root=nope", car as BodyInit)).body.error, "bad_cid");
  assert.equal((await post(`/upload?root=${cid}`, car as BodyInit, { "x-root-cid": stray.cid.toString() })).body.error, "root_conflict");
  assert.equal((await post(`/upload?root=${cid}`, "{}", { "content-type": "application/json" })).status, 415);
  assert.equal(await server.node.hasBlock(cid), false);
  assert.ok(!(await pins()).some((p) => p.cid === cid.toString()));
  // the claimed root in a header works too
  const ok = await post("/upload", car as BodyInit, { "x-root-cid": cid.toString() });
  assert.equal(ok.status, 201);
});

test("concurrent uploads sharing blocks, and the same root twice at once, all end pinned once", async () => {
  const shared = seededBytes(2 * CHUNK_SIZE, "shared-prefix");
  const a = new Uint8Array([...shared, ...seededBytes(CHUNK_SIZE + 3, "tail-a")]);
  const b = new Uint8Array([...shared, ...seededBytes(CHUNK_SIZE + 5, "tail-b")]);
  const [fa, fb] = await Promise.all([addFile(a), addFile(b)]);
  const results = await Promise.all([uploadCar(server.url, fa.cid, fa.car), uploadCar(server.url, fb.cid, fb.car), uploadCar(server.url, fa.cid, fa.car)]);
  assert.equal(results.filter((r) => r.cid === fa.cid.toString() && r.pinned).length, 1, "one of the two uploads of A pinned it");
  assert.equal(results[1]!.pinned, true);
  assert.deepEqual(await fetchVerified(server.url, fa.cid), a);
  assert.deepEqual(await fetchVerified(server.url, fb.cid), b);
  const listed = (await pins()).map((p) => p.cid);
  assert.equal(listed.filter((c) => c === fa.cid.toString()).length, 1);
  assert.ok(listed.includes(fb.cid.toString()));
});

test("uploads over the limit get 413, whether announced by Content-Length or only seen while streaming", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cc-ipfs-small-"));
  const small = await startIpfsServer({ dataDir: dir, port: 0, log: quiet, maxUploadBytes: 64 * 1024 });
  try {
    const { cid, car } = await addFile(seededBytes(200 * 1024, "too-big"));
    await rejected(uploadCar(small.url, cid, car), 413, "too_large");
    // chunked body, no Content-Length: the node counts while it reads
    // (a valid CAR's start, then filler up to 1 GiB: the node must answer long before the end)
    let sent = 0;
    const filler = new Uint8Array(64 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 1024 ** 3) return controller.close();
        controller.enqueue(sent < car.byteLength ? car.subarray(sent, sent + filler.byteLength) : filler);
        sent += filler.byteLength;
      },
    });
    const response = await fetch(`${small.url}/upload?root=${cid}`, { method: "POST", body: stream, duplex: "half", headers: { "content-type": "application/vnd.ipld.car" } } as RequestInit);
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { error: string }).error, "too_large");
    assert.ok(sent < 64 * 1024 * 1024, `stopped reading early (${sent} bytes pulled)`);
    assert.deepEqual(await pins(small.url), []);
    // a file under the limit still goes through on the same node
    const fits = await addFile(seededBytes(40 * 1024, "fits"));
    assert.equal((await uploadCar(small.url, fits.cid, fits.car)).pinned, true);
  } finally {
    await small.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test("pins and blocks survive a restart on the same data dir; a second node cannot share the dir", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cc-ipfs-restart-"));
  try {
    const bytes = seededBytes(3 * CHUNK_SIZE + 77, "persist");
    const { cid, car } = await addFile(bytes);
    const first = await startIpfsServer({ dataDir: dir, port: 0, log: quiet });
    await uploadCar(first.url, cid, car);
    await assert.rejects(startIpfsServer({ dataDir: dir, port: 0, log: quiet }), /in use/);
    await first.stop();
    const started = performance.now();
    const second = await startIpfsServer({ dataDir: dir, port: 0, log: quiet });
    const startMs = performance.now() - started;
    try {
      assert.ok(startMs < 5_000, `restart took ${startMs} ms`);
      assert.deepEqual(await fetchVerified(second.url, cid), bytes);
      const listed = (await pins(second.url)).find((p) => p.cid === cid.toString());
      assert.equal(listed?.size, bytes.byteLength);
      assert.equal((await uploadCar(second.url, cid, car)).pinned, false, "still pinned");
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("stop() during a stalled upload returns promptly, stores nothing, and the dir can be reopened", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cc-ipfs-stop-"));
  try {
    const node = await startIpfsServer({ dataDir: dir, port: 0, log: quiet });
    const { cid, car } = await addFile(seededBytes(3 * CHUNK_SIZE, "stalled"));
    let pulls = 0;
    const stalled = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (pulls++ === 0) return controller.enqueue(car.subarray(0, CHUNK_SIZE)); // then never more
        await new Promise(() => {});
      },
    });
    const upload = fetch(`${node.url}/upload?root=${cid}`, { method: "POST", body: stalled, duplex: "half" } as RequestInit).then(
      (r) => r.status,
      () => "connection closed",
    );
    await new Promise((r) => setTimeout(r, 300));
    const started = performance.now();
    await node.stop();
    assert.ok(performance.now() - started < 4_000, "stop waited at most the grace period");
    assert.equal(await upload, "connection closed");
    const again = await startIpfsServer({ dataDir: dir, port: 0, log: quiet });
    try {
      assert.deepEqual(await pins(again.url), []);
      assert.equal(await again.node.hasBlock(cid), false);
    } finally {
      await again.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("CORS: the app origin may read and upload; other origins get no CORS headers; /health answers", async () => {
  const preflight = await fetch(`${server.url}/upload`, {
    method: "OPTIONS",
    headers: { origin: "http://127.0.0.1:3000", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "http://127.0.0.1:3000");
  assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
  const foreign = await fetch(`${server.url}/health`, { headers: { origin: "http://evil.example" } });
  assert.equal(foreign.headers.get("access-control-allow-origin"), null);
  const health = (await foreign.json()) as { ok: boolean; maxUploadBytes: number };
  assert.equal(health.ok, true);
  assert.equal(health.maxUploadBytes, 100 * 1024 * 1024);
});

/** buildCar with any number of roots (for the header checks). */
function buildCarWithRoots(roots: CID[], blocks: { cid: CID; bytes: Uint8Array }[]): Uint8Array {
  const car = buildCar(roots[0] ?? blocks[0]!.cid, blocks);
  if (roots.length === 1) return car;
  // Re-encode the header: dag-cbor {roots, version: 1} with the wanted roots.
  return rewriteHeader(car, roots);
}

import * as dagCbor from "@ipld/dag-cbor";
import { decode as decodeVarint, encodeTo, encodingLength } from "./varint-for-tests.ts";
function rewriteHeader(car: Uint8Array, roots: CID[]): Uint8Array {
  const [headerLength, offset] = decodeVarint(car);
  const rest = car.subarray(offset + headerLength);
  const header = dagCbor.encode({ roots, version: 1 });
  const out = new Uint8Array(encodingLength(header.byteLength) + header.byteLength + rest.byteLength);
  const n = encodeTo(header.byteLength, out);
  out.set(header, n);
  out.set(rest, n + header.byteLength);
  return out;
}

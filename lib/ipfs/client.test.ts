/**
 * Client tests without the node: addFile against the task-output digest, and fetchVerified
 * against tiny local gateways that lie (wrong bytes, missing blocks, another file, too big).
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CID } from "multiformats/cid";
import { CHUNK_SIZE, outputCidString } from "../../wasm-tasks/digest.ts";
import { addFile, fetchVerified, IpfsError, buildCar } from "./index.ts";
import { carBlocks, seededBytes } from "./test-helpers.ts";

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

/** A gateway that answers every /ipfs/ request with `body` (a CAR) and the given status. */
async function fakeGateway(body: Uint8Array | (() => Uint8Array), status = 200, headers: Record<string, string> = {}): Promise<string> {
  const server = createServer((req, res) => {
    const bytes = typeof body === "function" ? body() : body;
    res.writeHead(status, { "content-type": "application/vnd.ipld.car", ...headers });
    res.end(bytes);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<IpfsError> {
  const err = await promise.then(
    () => assert.fail(`expected an IpfsError ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof IpfsError, `not an IpfsError: ${err}`);
  assert.equal(err.code, code, err.message);
  return err;
}

test("addFile gives the same CID as the task-output digest, for one block and for many", async () => {
  for (const size of [0, 5, CHUNK_SIZE, CHUNK_SIZE + 1, 5 * CHUNK_SIZE + 17]) {
    const bytes = seededBytes(size, `size-${size}`);
    const { cid, car } = await addFile(bytes);
    assert.equal(cid.toString(), await outputCidString(bytes), `size ${size}`);
    const { roots, blocks } = await carBlocks(car);
    assert.deepEqual(roots.map(String), [cid.toString()]);
    assert.equal(blocks[0]!.cid.toString(), cid.toString(), "root block first");
    assert.equal(blocks.length, size <= CHUNK_SIZE ? 1 : Math.ceil(size / CHUNK_SIZE) + 1);
  }
});

test("fetchVerified returns the bytes when an honest gateway serves the CAR", async () => {
  const bytes = seededBytes(3 * CHUNK_SIZE + 5, "honest");
  const { cid, car } = await addFile(bytes);
  const url = await fakeGateway(car);
  assert.deepEqual(await fetchVerified(url, cid), bytes);
  assert.deepEqual(await fetchVerified(url, cid.toString()), bytes);
});

test("fetchVerified rejects a block whose bytes do not hash to its CID", async () => {
  const bytes = seededBytes(2 * CHUNK_SIZE + 9, "tamper");
  const { cid, car } = await addFile(bytes);
  const { blocks } = await carBlocks(car);
  const evil = blocks.map((b, i) => (i === 2 ? { cid: b.cid, bytes: b.bytes.map((x) => x ^ 1) } : b));
  await rejectsWith(fetchVerified(await fakeGateway(buildCar(cid, evil)), cid), "hash_mismatch");
  // a single-block file served with other bytes
  const small = await addFile(new TextEncoder().encode("the real input"));
  const liar = buildCar(small.cid, [{ cid: small.cid, bytes: new TextEncoder().encode("a forged input") }]);
  await rejectsWith(fetchVerified(await fakeGateway(liar), small.cid), "hash_mismatch");
});

test("fetchVerified rejects a CAR with a missing block, or another file's blocks", async () => {
  const bytes = seededBytes(2 * CHUNK_SIZE + 9, "missing");
  const { cid, car } = await addFile(bytes);
  const { blocks } = await carBlocks(car);
  await rejectsWith(fetchVerified(await fakeGateway(buildCar(cid, blocks.slice(0, -1))), cid), "incomplete_dag");
  const other = await addFile(seededBytes(1000, "other"));
  // valid blocks of another file, even under a header naming the asked-for root
  await rejectsWith(fetchVerified(await fakeGateway(buildCar(cid, [{ cid: other.cid, bytes: (await carBlocks(other.car)).blocks[0]!.bytes }])), cid), "incomplete_dag");
  await rejectsWith(fetchVerified(await fakeGateway(other.car), cid), "incomplete_dag");
});

test("fetchVerified enforces maxBytes, and maps HTTP and parse failures to typed errors", async () => {
  const bytes = seededBytes(4 * CHUNK_SIZE, "big");
  const { cid, car } = await addFile(bytes);
  const url = await fakeGateway(car);
  await rejectsWith(fetchVerified(url, cid, { maxBytes: 2 * CHUNK_SIZE }), "too_large");
  await rejectsWith(fetchVerified(url, cid, { maxBytes: 4 * CHUNK_SIZE - 1 }), "too_large");
  assert.equal((await fetchVerified(url, cid, { maxBytes: 4 * CHUNK_SIZE })).byteLength, 4 * CHUNK_SIZE);
  await rejectsWith(fetchVerified(await fakeGateway(new Uint8Array(), 404), cid), "not_found");
  await rejectsWith(fetchVerified(await fakeGateway(new Uint8Array(), 500), cid), "http_error");
  await rejectsWith(fetchVerified(await fakeGateway(new TextEncoder().encode("<html>not a car</html>")), cid), "bad_car");
  await rejectsWith(fetchVerified(url, "not-a-cid"), "bad_cid");
  await rejectsWith(fetchVerified("http://127.0.0.1:1", cid, { timeoutMs: 5_000 }), "network_error");
});

test("fetchVerified times out on a gateway that never answers, and honours an abort signal", async () => {
  const server = createServer(() => {});
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cid = CID.parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  await rejectsWith(fetchVerified(url, cid, { timeoutMs: 200 }), "timeout");
  await rejectsWith(fetchVerified(url, cid, { signal: AbortSignal.abort() }), "aborted");
  server.closeAllConnections();
});

/** download() against a real HTTP server that sends a body in many chunks, gzip-encoded or plain. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { type Server, createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { type DownloadProgress, download } from "./download.ts";

const body = randomBytes(3 * 1024 * 1024 + 17);
const sha = createHash("sha256").update(body).digest("hex");
let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    const gz = req.url?.startsWith("/gzip");
    const data = gz || req.url === "/file.gz" ? gzipped : req.url === "/short" ? body.subarray(0, 1000) : body;
    res.writeHead(req.url === "/missing" ? 404 : 200, { "content-length": data.length, ...(gz ? { "content-encoding": "gzip" } : {}) });
    // 64 KiB at a time, so the client sees many chunks.
    let at = 0;
    const next = () => {
      if (at >= data.length) return res.end();
      const slice = data.subarray(at, (at += 64 * 1024));
      if (res.write(slice)) setImmediate(next);
      else res.once("drain", next);
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

const gzipped = gzipSync(body);

test("progress climbs chunk by chunk to the decoded size of a Content-Encoding: gzip response; the bytes are the file's", async () => {
  const seen: DownloadProgress[] = [];
  const bytes = await download(`${base}/gzip`, { size: body.length, sha256: sha, onProgress: (p) => seen.push(p) });
  assert.ok(Buffer.from(bytes).equals(body));
  assert.ok(seen.length > 10, `only ${seen.length} progress reports`);
  assert.deepEqual(seen[0], { loaded: 0, total: body.length });
  assert.deepEqual(seen.at(-1), { loaded: body.length, total: body.length });
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.loaded >= seen[i - 1]!.loaded);
});

test("a .gz body is inflated here; progress counts the bytes on the wire up to the compressed size", async () => {
  const seen: DownloadProgress[] = [];
  const bytes = await download(`${base}/file.gz`, { gzip: true, total: gzipped.length, size: body.length, sha256: sha, onProgress: (p) => seen.push(p) });
  assert.ok(Buffer.from(bytes).equals(body));
  assert.ok(seen.length > 10, `only ${seen.length} progress reports`);
  assert.deepEqual(seen.at(-1), { loaded: gzipped.length, total: gzipped.length });
  await assert.rejects(download(`${base}/file.gz`, { gzip: true, size: body.length + 1 }), /expected 3145746 bytes, got 3145745/);
});

test("an uncompressed response's Content-Length is the total when none is given", async () => {
  let last: DownloadProgress | undefined;
  await download(`${base}/plain`, { onProgress: (p) => (last = p) });
  assert.deepEqual(last, { loaded: body.length, total: body.length });
});

test("a short body, a wrong hash and an HTTP error are refused", async () => {
  await assert.rejects(download(`${base}/short`, { size: body.length }), /expected 3145745 bytes, got 1000/);
  await assert.rejects(download(`${base}/plain`, { sha256: "00".repeat(32) }), /SHA-256 [0-9a-f]{64}, expected 0000/);
  await assert.rejects(download(`${base}/missing`), /HTTP 404/);
});

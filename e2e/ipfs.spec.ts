/**
 * The shared IPFS client in Chromium against the real node (ipfs/server.ts, Helia with blocks on
 * disk): the page computes a CID, uploads the CAR, and fetches it back verified; a wrong root is
 * refused with the node's message; a lying gateway is caught by the page.
 */
import { test, expect } from "@playwright/test";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { outputCidString } from "../wasm-tasks/digest.ts";
import { addFile, buildCar, fetchVerified } from "../lib/ipfs/index.ts";
import { startIpfsServer, type IpfsServer } from "../ipfs/server.ts";

let node: IpfsServer;
let dataDir: string;
let liar: Server;
let liarUrl: string;
let liarCid: string;
let bundle: string;

test.beforeAll(async ({ baseURL }) => {
  const origin = new URL(baseURL!).origin;
  dataDir = await mkdtemp(join(tmpdir(), "cc-ipfs-e2e-"));
  node = await startIpfsServer({ dataDir, port: 0, corsOrigins: [origin], log: () => {} });
  const built = await esbuild.build({
    entryPoints: [join(import.meta.dirname, "ipfs-page.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "warning",
  });
  bundle = built.outputFiles[0]!.text;
  // A gateway that serves "the real input"'s CID with forged bytes (and CORS for the page).
  const real = await addFile(new TextEncoder().encode("the real input"));
  liarCid = real.cid.toString();
  const forged = buildCar(real.cid, [{ cid: real.cid, bytes: new TextEncoder().encode("a forged input") }]);
  liar = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/vnd.ipld.car", "access-control-allow-origin": "*" });
    res.end(forged);
  });
  await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
  liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  liar?.close();
  await node?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await page.goto("/");
  await page.addScriptTag({ content: bundle, type: "module" });
  await page.waitForFunction(() => "ipfsTest" in window);
});

test("Chromium adds a multi-chunk file, uploads its CAR to the node and fetches it back verified", async ({ page }) => {
  const size = 1_300_000; // 5 chunks of 256 KiB + a tail: a dag-pb root over raw leaves
  const result = await page.evaluate(([url, n]) => window.ipfsTest.roundTrip(url, n), [node.url, size] as const);
  expect(result.same).toBe(true);
  expect(result.uploaded.pinned).toBe(true);
  expect(result.uploaded.size).toBe(size);
  expect(result.cid).toMatch(/^bafybei/);
  // Node agrees: the bytes the node serves hash (with the task-output digest) to the page's CID.
  const bytes = await fetchVerified(node.url, result.cid);
  expect(await outputCidString(bytes)).toBe(result.cid);
  const pins = (await (await fetch(`${node.url}/pins`)).json()) as { pins: { cid: string }[] };
  expect(pins.pins.map((p) => p.cid)).toContain(result.cid);
});

test("an upload whose CAR root does not match is refused with the node's message, and a lying gateway is caught", async ({ page }) => {
  const refused = await page.evaluate((url) => window.ipfsTest.uploadWrongRoot(url), node.url);
  expect(refused.error?.code).toBe("root_mismatch");
  expect(refused.error?.status).toBe(422);
  expect(refused.error?.message).toMatch(/the CAR's root is .* but the upload claims/);
  const lied = await page.evaluate(([url, cid]) => window.ipfsTest.fetchFromLiar(url, cid), [liarUrl, liarCid] as const);
  expect(lied.error?.code).toBe("hash_mismatch");
});

test("an oversized upload from the page gets the node's 413 message, small and large", async ({ page, baseURL }) => {
  const dir = await mkdtemp(join(tmpdir(), "cc-ipfs-e2e-small-"));
  const small = await startIpfsServer({ dataDir: dir, port: 0, corsOrigins: [new URL(baseURL!).origin], maxUploadBytes: 256 * 1024, log: () => {} });
  try {
    for (const size of [300 * 1024, 24 * 1024 * 1024]) {
      const { error } = await page.evaluate(([url, n]) => window.ipfsTest.tryUpload(url, n), [small.url, size] as const);
      expect(error?.code, `${size} bytes: ${error?.message}`).toBe("too_large");
      expect(error?.status).toBe(413);
      expect(error?.message).toMatch(/limit is 262144 bytes/);
    }
    const ok = await page.evaluate((url) => window.ipfsTest.tryUpload(url, 100 * 1024), small.url);
    expect(ok.result?.pinned).toBe(true);
  } finally {
    await small.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

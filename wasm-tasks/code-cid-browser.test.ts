/**
 * The tab's check of its task code (code-cid-browser.ts) against a local static server laid out as the app and the e2e
 * harness serve it (manifests at /task-code/, node_modules/x at /node_modules/x, public/x at /x): the CID it computes
 * over HTTP is the one Node computes from disk, and a changed or missing file is refused by name.
 * The same function runs in Chromium in e2e/task-code.spec.ts.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import type { AddressInfo } from "node:net";
import type { CodePort } from "../workers/earn/ports.ts";
import { TASK_CODE, canonicalManifestBytes } from "./code-cid.ts";
import { REPO_ROOT, allTaskCodeCids, copyServedPackageFiles, taskCodeManifest, writeTaskCodeManifests } from "./code-cid-node.ts";
import { TaskCodeMismatchError, browserCodePort, verifyTaskCode } from "./code-cid-browser.ts";

let server: Server;
let site: string;
let manifestDir: string;
/** A public/ folder as `npm run dev` completes it: the generated manifests and package copies, beside the committed files. */
let appPublic: string;
let nodeCids: Record<string, string>;
/** Served instead of the file at this URL path (a tampered or missing asset). */
const overrides = new Map<string, Uint8Array | 404>();
const hits: string[] = [];

const inside = (base: string, relative: string) => {
  const full = resolve(base, `.${sep}${relative}`);
  return full.startsWith(base + sep) ? full : undefined;
};

before(async () => {
  manifestDir = await mkdtemp(join(tmpdir(), "cc-task-code-"));
  nodeCids = await writeTaskCodeManifests(manifestDir);
  appPublic = await mkdtemp(join(tmpdir(), "cc-app-public-"));
  await writeTaskCodeManifests(join(appPublic, "task-code"));
  await copyServedPackageFiles(appPublic);
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    hits.push(path);
    const override = overrides.get(path);
    if (override === 404) return void res.writeHead(404).end();
    if (override) return void res.writeHead(200).end(override);
    // Under /app/: the app's layout, everything from public/ (the generated part first), nothing from node_modules/.
    if (path.startsWith("/app/")) {
      const rel = path.slice("/app/".length);
      for (const base of [appPublic, join(REPO_ROOT, "public")]) {
        const file = inside(base, rel);
        const body = file ? await readFile(file).catch(() => undefined) : undefined;
        if (body) return void res.writeHead(200).end(body);
      }
      return void res.writeHead(404).end();
    }
    const file = path.startsWith("/task-code/")
      ? inside(manifestDir, path.slice("/task-code/".length))
      : path.startsWith("/node_modules/")
        ? inside(join(REPO_ROOT, "node_modules"), path.slice("/node_modules/".length))
        : inside(join(REPO_ROOT, "public"), path.slice(1));
    let body: Buffer;
    try {
      if (!file) throw new Error("outside");
      body = await readFile(file);
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200).end(body);
  });
  // Port 0: the system picks a free one, never a default port someone else uses.
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  site = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await rm(manifestDir, { recursive: true, force: true });
  await rm(appPublic, { recursive: true, force: true });
});

test("over HTTP, every type's code CID equals the one Node computes from disk", async () => {
  assert.deepEqual(nodeCids, await allTaskCodeCids());
  for (const type of Object.keys(TASK_CODE)) {
    const check = await verifyTaskCode(type, { siteBaseUrl: site });
    assert.ok(check, type);
    assert.equal(check.cid, nodeCids[type], type);
    const manifest = await taskCodeManifest(type);
    // What the tab fetched and checked, and what it took on the manifest's word.
    assert.deepEqual(check.verified, manifest.files.filter((f) => f.role === "fetched").map((f) => f.path), type);
    assert.deepEqual(check.unverified, manifest.files.filter((f) => f.role !== "fetched").map((f) => f.path), type);
  }
});

test("as the app serves it (public/ with the generated manifests and package copies), every type's code checks out", async () => {
  const copied = await copyServedPackageFiles(appPublic);
  for (const type of Object.keys(TASK_CODE)) {
    const check = await verifyTaskCode(type, { siteBaseUrl: `${site}app/` });
    assert.equal(check?.cid, nodeCids[type], type);
  }
  // Exactly the package files some manifest fetches: no other node_modules/ file is made public.
  const fetched = new Set<string>();
  for (const type of Object.keys(TASK_CODE)) for (const f of (await taskCodeManifest(type)).files) if (f.role === "fetched" && f.path.startsWith("node_modules/")) fetched.add(f.path);
  assert.deepEqual(copied, [...fetched].sort());
  assert.ok(copied.includes("node_modules/@ffmpeg/ffmpeg/dist/esm/classes.js") && copied.includes("node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
});

test("a changed or missing file the task code loads is refused, naming the file", async () => {
  const wasm = "/node_modules/@jsquash/png/codec/pkg/squoosh_png_bg.wasm";
  const bytes = new Uint8Array(await readFile(join(REPO_ROOT, wasm.slice(1))));
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 1;
  overrides.set(wasm, bytes);
  overrides.set("/zk/zk-matmul.zkey", 404);
  try {
    await assert.rejects(verifyTaskCode("image-resize", { siteBaseUrl: site }), (error: unknown) => {
      assert.ok(error instanceof TaskCodeMismatchError);
      assert.deepEqual(error.mismatches.map((m) => m.path), ["node_modules/@jsquash/png/codec/pkg/squoosh_png_bg.wasm"]);
      assert.match(error.message, /squoosh_png_bg\.wasm \(CID bafk/);
      return true;
    });
    // ml-inference decodes with the same codecs.
    await assert.rejects(verifyTaskCode("ml-inference", { siteBaseUrl: site }), TaskCodeMismatchError);
    await assert.rejects(verifyTaskCode("zk-matmul", { siteBaseUrl: site }), /zk-matmul\.zkey \(HTTP 404\)/);
    assert.equal((await verifyTaskCode("benchmark", { siteBaseUrl: site }))?.cid, nodeCids.benchmark);
  } finally {
    overrides.clear();
  }
});

test("a manifest that is not canonical, or is another type's, is refused; none served means no code CID", async () => {
  const manifest = await taskCodeManifest("benchmark");
  overrides.set("/task-code/benchmark.json", new TextEncoder().encode(JSON.stringify(manifest, null, 1)));
  overrides.set("/task-code/zk-matmul.json", canonicalManifestBytes(await taskCodeManifest("zk-downscale")));
  try {
    await assert.rejects(verifyTaskCode("benchmark", { siteBaseUrl: site }), /not in canonical form/);
    await assert.rejects(verifyTaskCode("zk-matmul", { siteBaseUrl: site }), /manifest of zk-downscale, not of zk-matmul/);
  } finally {
    overrides.clear();
  }
  assert.equal(await verifyTaskCode("image-resize@99", { siteBaseUrl: site }), undefined);
  // Served elsewhere: the manifests under another base, the assets through a mapping of the app's own.
  const moved = await verifyTaskCode("benchmark", { siteBaseUrl: "http://127.0.0.1:1/", manifestBaseUrl: `${site}task-code`, assetUrl: (p) => new URL(p, site).href });
  assert.equal(moved?.cid, nodeCids.benchmark);
});

test("the tab's CodePort reads the manifest for the CID, and checks the files once before the first run, again after a failure", async () => {
  const port = browserCodePort({ siteBaseUrl: site });
  hits.length = 0;
  assert.equal(await port.codeCid("zk-matmul"), nodeCids["zk-matmul"]);
  assert.equal(hits.filter((h) => h === "/zk/zk-matmul.zkey").length, 0, "the CID alone downloads no asset");
  await port.verify("zk-matmul");
  await port.verify("zk-matmul");
  assert.equal(hits.filter((h) => h === "/zk/zk-matmul.zkey").length, 1, "one check of the files per type");
  assert.equal(await port.codeCid("no-such-type"), undefined);

  const failing = browserCodePort({ siteBaseUrl: site });
  overrides.set("/zk/zk-matmul.wasm", 404);
  await assert.rejects(failing.verify("zk-matmul"), TaskCodeMismatchError);
  overrides.clear();
  await failing.verify("zk-matmul");
  void ({} as CodePort);
});

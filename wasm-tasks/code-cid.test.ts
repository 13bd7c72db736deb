/**
 * The code CID of each task type (code-cid.ts, code-cid-node.ts): what it holds, that it is stable, and that a change
 * to any file or package version it lists changes it (on a temporary copy of exactly the files it is computed from).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CodePort } from "../workers/earn/ports.ts";
import { outputCidString } from "./digest.ts";
import { taskTypes } from "./index.ts";
import { TASK_CODE, type TaskCodeManifest, canonicalJson, canonicalManifestBytes, codeCidOfManifest, parseTaskCodeManifest, servedPath } from "./code-cid.ts";
import { REPO_ROOT, allTaskCodeCids, nodeCodePort, taskCodeCid, taskCodeInputs, taskCodeManifest } from "./code-cid-node.ts";

const TYPES = Object.keys(TASK_CODE);

const manifests = new Map<string, Promise<TaskCodeManifest>>();
/** Each type's manifest of this checkout, computed once for the tests that only read it. */
const manifestOf = (type: string): Promise<TaskCodeManifest> => {
  if (!manifests.has(type)) manifests.set(type, taskCodeManifest(type));
  return manifests.get(type)!;
};

test("every task type in wasm-tasks/index.ts has a code definition, and nothing else has one", () => {
  assert.deepEqual([...TYPES].sort(), Object.keys(taskTypes).sort());
});

test("the code CIDs are stable across two computations, non-empty and distinct per type", async () => {
  const first = await allTaskCodeCids();
  const second = await allTaskCodeCids();
  assert.deepEqual(second, first);
  for (const type of TYPES) assert.match(first[type]!, /^bafk[a-z2-7]{55}$/, `${type}: a CIDv1 of a raw block`);
  assert.equal(new Set(Object.values(first)).size, TYPES.length);
});

test("the code CID is the CID of the manifest's canonical bytes, which parse back to the same manifest", async () => {
  for (const type of TYPES) {
    const manifest = await manifestOf(type);
    const bytes = canonicalManifestBytes(manifest);
    assert.equal(await codeCidOfManifest(manifest), await outputCidString(bytes));
    assert.equal(await taskCodeCid(type), await outputCidString(bytes));
    assert.deepEqual(parseTaskCodeManifest(bytes), manifest);
    // The same manifest in another form is refused: only the canonical bytes have the code CID.
    assert.throws(() => parseTaskCodeManifest(new TextEncoder().encode(JSON.stringify(manifest, null, 2))), /canonical/);
    const reordered = { ...manifest, files: [...manifest.files].reverse() };
    assert.deepEqual(canonicalManifestBytes(reordered), bytes, "file order in the object does not matter");
  }
  assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: "x" }] }), '{"a":[2,{"c":"x","d":3}],"b":1}');
});

test("a type's code holds its modules, the shared modules, its runtime files and exact package versions", async () => {
  const paths = async (type: string, role?: string) =>
    (await manifestOf(type)).files.filter((f) => !role || f.role === role).map((f) => f.path);
  const image = await paths("image-resize", "source");
  for (const p of ["image-resize/index.ts", "image-resize/codecs.ts", "image-resize/resample.ts", "image-resize/sniff.ts", "errors.ts", "calibration.ts", "benchmark/reference.ts", "digest.ts", "input-rejected.ts"]) {
    assert.ok(image.includes(`wasm-tasks/${p}`), `image-resize holds wasm-tasks/${p}`);
  }
  // Type-only imports are erased, golden vectors and tests are not run by the type, the registry is no type's code.
  for (const p of ["task-type.ts", "image-resize/golden.ts", "image-resize/index.test.ts", "index.ts"]) assert.ok(!image.includes(`wasm-tasks/${p}`), p);
  assert.deepEqual(await paths("image-resize", "fetched"), [
    "node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm",
    "node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm",
    "node_modules/@jsquash/png/codec/pkg/squoosh_png_bg.wasm",
    "node_modules/@jsquash/webp/codec/dec/webp_dec.wasm",
    "node_modules/@jsquash/webp/codec/enc/webp_enc.wasm",
  ]);
  // Reached through new URL(…, import.meta.url) and a dynamic import: both engines and the Node worker script.
  const video = await paths("video-transcode");
  for (const p of ["wasm-tasks/video-transcode/engine-node.ts", "wasm-tasks/video-transcode/node-worker.mjs", "wasm-tasks/video-transcode/engine-browser.ts", "wasm-tasks/video-transcode/spec.ts", "node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm", "node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js", "node_modules/@ffmpeg/ffmpeg/dist/esm/classes.js"]) {
    assert.ok(video.includes(p), `video-transcode holds ${p}`);
  }
  const ml = await manifestOf("ml-inference");
  assert.ok(ml.files.some((f) => f.path === "node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm" && f.role === "fetched"));
  assert.ok(ml.files.some((f) => f.path === "node_modules/nsfwjs/dist/models/mobilenet_v2/group1-shard1of1.min.js" && f.role === "bundled"));
  assert.ok(!ml.files.some((f) => f.path.includes("tfjs-backend-wasm-threaded-simd")), "only the pinned wasm build");
  const zk = await paths("zk-downscale", "fetched");
  assert.deepEqual(zk, ["public/zk/poseidon-constants.json", "public/zk/zk-downscale.vkey.json", "public/zk/zk-downscale.wasm", "public/zk/zk-downscale.zkey"]);
  assert.ok(!(await paths("zk-matmul")).some((p) => p.includes("zk-downscale")));
  assert.deepEqual(await paths("benchmark", "fetched"), []);

  const pkg = async (name: string) => JSON.parse(await readFile(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")).version as string;
  const expectations: [string, string][] = [
    ["image-resize", "@jsquash/png"], ["image-resize", "@jsquash/jpeg"], ["image-resize", "zod"], ["image-resize", "ipfs-unixfs-importer"],
    ["video-transcode", "@ffmpeg/core"], ["video-transcode", "@ffmpeg/ffmpeg"],
    ["ml-inference", "@tensorflow/tfjs"], ["ml-inference", "@tensorflow/tfjs-core"], ["ml-inference", "@tensorflow/tfjs-backend-wasm"], ["ml-inference", "nsfwjs"],
    ["zk-downscale", "circom_runtime"], ["zk-downscale", "ffjavascript"],
  ];
  for (const [type, name] of expectations) {
    assert.ok((await manifestOf(type)).packages.includes(`${name}@${await pkg(name)}`), `${type} pins ${name}@${await pkg(name)}`);
  }
  for (const type of TYPES) assert.ok(!(await manifestOf(type)).packages.some((p) => p.startsWith("@types/")), `${type}: no type declarations`);
});

test("the Node CodePort gives each type's code CID, and none for a type without code here", async () => {
  const port: CodePort = nodeCodePort();
  for (const type of TYPES) assert.equal(await port.codeCid(type), await codeCidOfManifest(await manifestOf(type)));
  assert.equal(await port.codeCid("image-resize@99"), undefined);
  assert.equal(await port.codeCid("__proto__"), undefined);
});

test("every fetched file is served where wasm-tasks loads it: public/x at /x, node_modules/x at /node_modules/x", async () => {
  for (const type of TYPES) {
    for (const f of (await manifestOf(type)).files.filter((f) => f.role === "fetched")) assert.doesNotThrow(() => servedPath(f.path), f.path);
  }
  assert.equal(servedPath("public/zk/zk-matmul.zkey"), "zk/zk-matmul.zkey");
  assert.throws(() => servedPath("wasm-tasks/digest.ts"));
});

/** A temporary repository with exactly the files the code CIDs of `types` are computed from. */
async function copyInputs(types: readonly string[] = TYPES): Promise<{ root: string; inputs: Record<string, string[]> }> {
  const root = await mkdtemp(join(tmpdir(), "cc-code-cid-"));
  const inputs: Record<string, string[]> = {};
  const copied = new Set<string>();
  for (const type of types) {
    inputs[type] = await taskCodeInputs(type);
    for (const path of inputs[type]!) {
      if (copied.has(path)) continue;
      copied.add(path);
      await mkdir(dirname(join(root, path)), { recursive: true });
      await cp(join(REPO_ROOT, path), join(root, path));
    }
  }
  return { root, inputs };
}

/** One byte flipped in a file, or a package.json's version changed: what the test below writes over an input. */
function changedBytes(path: string, bytes: Buffer): Buffer {
  if (path.endsWith("/package.json")) {
    const json = JSON.parse(bytes.toString("utf8"));
    return Buffer.from(JSON.stringify({ ...json, version: `${json.version}-changed` }));
  }
  const changed = Buffer.from(bytes);
  const at = changed.length >> 1;
  changed[at] = changed[at]! ^ 0x01;
  return changed;
}

// Any listed file's bytes change its code CID: each file enters the manifest as the CID of its own bytes (checked
// here for every file against a CID the test computes itself), and the code CID is the CID of the manifest's bytes.
// That every file is read afresh, with nothing cached, is shown end to end on a temp copy for each type's first and
// last file and a package version (changing every file there took 24 s of the suite for the same conclusion).
test("changing any listed file's bytes, or a listed package's version, changes the code CID (on a temp copy)", async () => {
  const { root, inputs } = await copyInputs();
  try {
    const original = await allTaskCodeCids();
    // The copy holds only the listed inputs, and gives the same CIDs: nothing else goes into them.
    assert.deepEqual(await allTaskCodeCids({ root }), original);
    for (const type of TYPES) {
      const manifest = await taskCodeManifest(type, { root });
      assert.equal(await codeCidOfManifest(manifest), original[type], `${type}: the code CID is the manifest's CID`);
      assert.ok(manifest.files.every((f) => inputs[type]!.includes(f.path)), `${type}: every listed file is an input`);
      for (const f of manifest.files) {
        assert.equal(f.cid, await outputCidString(new Uint8Array(await readFile(join(root, f.path)))), `${type}: ${f.path} enters as the CID of its bytes`);
      }
      const versions = inputs[type]!.filter((p) => p.endsWith("/package.json"));
      for (const path of versions) {
        const { name, version } = JSON.parse(await readFile(join(root, path), "utf8")) as { name: string; version: string };
        assert.ok(manifest.packages.includes(`${name}@${version}`), `${type}: ${path} enters as ${name}@${version}`);
      }
      const listed = manifest.files.map((f) => f.path);
      for (const path of new Set([listed[0]!, listed.at(-1)!, ...versions.slice(0, 1)])) {
        const full = join(root, path);
        const bytes = await readFile(full);
        await writeFile(full, changedBytes(path, bytes));
        const cid = await taskCodeCid(type, { root });
        await writeFile(full, bytes);
        assert.notEqual(cid, original[type], `${type}: changing ${path} changes its code CID`);
      }
      assert.equal(await taskCodeCid(type, { root }), original[type], `${type}: restored`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("a new module a type imports joins its code; a file loaded by URL must be listed", async () => {
  const { root } = await copyInputs(["benchmark", "zk-matmul"]);
  try {
    const before = await taskCodeManifest("benchmark", { root });
    await writeFile(join(root, "wasm-tasks/benchmark/extra.ts"), "export const EXTRA = 1;\n");
    await appendFile(join(root, "wasm-tasks/benchmark/sieve.ts"), '\nexport { EXTRA } from "./extra.ts";\n');
    const after = await taskCodeManifest("benchmark", { root });
    assert.ok(after.files.some((f) => f.path === "wasm-tasks/benchmark/extra.ts" && f.role === "source"));
    assert.notEqual(await codeCidOfManifest(after), await codeCidOfManifest(before));

    await appendFile(join(root, "wasm-tasks/zk-common/artifacts.ts"), '\nexport const extra = new URL("../../public/zk/extra.bin", import.meta.url);\n');
    await assert.rejects(taskCodeManifest("zk-matmul", { root }), /loads public\/zk\/extra\.bin at run time, but RUNTIME_ASSETS/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

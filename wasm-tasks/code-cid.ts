/**
 * The code of a task type, and its code CID: what TaskTypeRegistry.codeCid approves (issue 10, "Only approved code
 * runs"). Pure and browser-safe; reading the files is wasm-tasks/code-cid-node.ts (Node, from disk) and
 * wasm-tasks/code-cid-browser.ts (a tab, over HTTP).
 *
 * What is in a type's code. Every file that decides its output bytes:
 * - `source`: the wasm-tasks modules it runs. The type's entry module (TASK_CODE) and every module reached from it by
 *   a runtime import (`import`, `export … from`, `import("…")`, `new URL("…", import.meta.url)`; `import type` is
 *   erased and not followed), plus COMMON_SOURCES, which decide every type's outcome from outside it: the digest
 *   rule the outputs are compared by, and the canonical input-rejected bytes.
 * - `fetched`: the wasm, core, circuit and key files it loads by URL in a tab and from disk in Node (RUNTIME_ASSETS).
 * - `bundled`: package files the app's bundler compiles into the tab's JavaScript (the nsfwjs model).
 * - `packages`: `name@version` of every npm package the sources import or the assets come from, and of everything
 *   those depend on (`dependencies`, transitively, as installed; not `@types/*`, which never run), so a package
 *   whose JavaScript ends up in the bundle is pinned by version where its files are not hashed.
 *
 * The code CID is the CID, by the one digest rule (digest.ts `outputCid`, Kubo-compatible), of the type's manifest
 * in canonical JSON (`canonicalManifestBytes`): keys sorted, no whitespace, files sorted by path, each with the CID of
 * its bytes. The manifest file that `npm run code-cids -- --write` serves under public/task-code/<type>.json is those
 * exact bytes, so `ipfs add --cid-version=1 --raw-leaves public/task-code/<type>.json` prints the registered CID.
 * Deterministic: paths are repository-relative with `/`, nothing depends on the machine, the clock or the order a
 * directory lists in. Files are hashed as checked out (a checkout that rewrites line endings changes the CIDs).
 *
 * What a tab can verify, and what it cannot. A Turbopack bundle does not hold its source modules as files, so a tab
 * cannot hash the code it runs. It fetches the manifest generated from the checkout the app was built from, fetches
 * every `fetched` file from where the task code loads it and checks its CID, and hashes the manifest: the CID then
 * vouches for the wasm, cores, models loaded by URL and keys the tab will run, but for the `source` and `bundled`
 * entries it only repeats what the server's build step wrote. A server that built its bundle from other sources than
 * it generated the manifest from is not caught in the tab (Node, which hashes every file it runs, is not fooled that
 * way). The tab also checks the bytes it fetches for the check, not the later fetch the task code makes; a server
 * that answers the two differently is not caught either.
 *
 * Versions. Any change to a listed file or package version changes the code CID, and the engine refuses a type whose
 * local CID is not the registered one (workers/earn/engine.ts checkCode). So:
 * - A change of a type's output bytes is a new type: keep the old module as it is, add the new one under a new name
 *   (`wasm-tasks/image-resize-2/index.ts` with `name: "image-resize@2"`, one line in index.ts and in TASK_CODE here),
 *   and have governance register it with `TaskTypeRegistry.addTaskType("image-resize@2", <its code CID from
 *   npm run code-cids>, <its input-rejected digest>, policy)` (a fresh chain: one more `genesisTaskTypes` entry in
 *   contracts/deploy/deploy-protocol.ts). It gets its own type id, so its tasks, its capability bit and its verifier
 *   draws are its own: a worker on the old code and one on the new never verify each other. Retire the old one with
 *   `updateTaskType(id, …, { active: false })` once no task of it is open.
 * - A change that keeps every output byte (a refactor, a comment) still changes the CID: governance moves the type to
 *   it with `updateTaskType(id, <new code CID>, …)`. Workers still on the old code stop taking that type until they
 *   update; nobody runs it with the wrong code, so nobody honest is slashed.
 * - On the local development chain, scripts/deploy-local.ts does the second step on every `npm run dev`, so an edit
 *   to wasm-tasks/ is approved on the next start.
 */
import { z } from "zod";
import { outputCidString } from "./digest.ts";

export const CODE_MANIFEST_FORMAT = "computecredit/task-code@1";

/** Each task type's entry module, by registered name (repository-relative path). */
export const TASK_CODE: Readonly<Record<string, { readonly entry: string }>> = {
  "image-resize": { entry: "wasm-tasks/image-resize/index.ts" },
  "image-resize@2": { entry: "wasm-tasks/image-resize-2/index.ts" },
  "video-transcode": { entry: "wasm-tasks/video-transcode/index.ts" },
  "video-transcode@2": { entry: "wasm-tasks/video-transcode-2/index.ts" },
  "ml-inference": { entry: "wasm-tasks/ml-inference/index.ts" },
  benchmark: { entry: "wasm-tasks/benchmark/index.ts" },
  "zk-downscale": { entry: "wasm-tasks/zk-downscale/index.ts" },
  "zk-matmul": { entry: "wasm-tasks/zk-matmul/index.ts" },
};

/** Modules outside a type that decide its outcome: the digest its output is compared by, the input-rejected bytes. */
export const COMMON_SOURCES: readonly string[] = ["wasm-tasks/digest.ts", "wasm-tasks/input-rejected.ts"];

export type FileRole = "source" | "fetched" | "bundled";

/**
 * Files a module loads at run time that no import names, by the module that loads them. A type's code holds the
 * entries of every module of its code. The walk in code-cid-node.ts refuses a `new URL("…", import.meta.url)` to a
 * file outside wasm-tasks/ that is not listed here, so a new runtime file cannot be forgotten that way.
 */
export const RUNTIME_ASSETS: Readonly<Record<string, readonly { path: string; role: Exclude<FileRole, "source"> }[]>> = {
  // image-resize/codecs.ts: WASM_FILES (ml-inference decodes with the same codecs).
  "wasm-tasks/image-resize/codecs.ts": [
    { path: "node_modules/@jsquash/png/codec/pkg/squoosh_png_bg.wasm", role: "fetched" },
    { path: "node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm", role: "fetched" },
    { path: "node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm", role: "fetched" },
    { path: "node_modules/@jsquash/webp/codec/dec/webp_dec.wasm", role: "fetched" },
    { path: "node_modules/@jsquash/webp/codec/enc/webp_enc.wasm", role: "fetched" },
  ],
  // The tab imports libvips from its served ES module, which fetches its wasm and starts its pthreads from its own
  // file; Node runs the package's Node build (pinned by version) on the same vips.wasm.
  "wasm-tasks/image-resize-2/vips.ts": [
    { path: "node_modules/wasm-vips/lib/vips-es6.js", role: "fetched" },
    { path: "node_modules/wasm-vips/lib/vips.wasm", role: "fetched" },
  ],
  "wasm-tasks/image-resize-2/vips-node.ts": [{ path: "node_modules/wasm-vips/lib/vips.wasm", role: "fetched" }],
  // The tab: the FFmpeg class and its worker with the modules they import, none of it bundled (ffmpeg-browser.ts
  // imports the class from its served file); each version's browser engine adds its core.
  "wasm-tasks/video-transcode/ffmpeg-browser.ts": [
    { path: "node_modules/@ffmpeg/ffmpeg/dist/esm/classes.js", role: "fetched" },
    { path: "node_modules/@ffmpeg/ffmpeg/dist/esm/utils.js", role: "fetched" },
    { path: "node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js", role: "fetched" },
    { path: "node_modules/@ffmpeg/ffmpeg/dist/esm/const.js", role: "fetched" },
    { path: "node_modules/@ffmpeg/ffmpeg/dist/esm/errors.js", role: "fetched" },
  ],
  "wasm-tasks/video-transcode/engine-browser.ts": [
    { path: "node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js", role: "fetched" },
    { path: "node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm", role: "fetched" },
  ],
  // Node: the same core and wasm, from disk.
  "wasm-tasks/video-transcode/node-worker.mjs": [
    { path: "node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js", role: "fetched" },
    { path: "node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm", role: "fetched" },
  ],
  // video-transcode@2: the multi-thread core, its wasm and its pthread script, in the tab and from disk in Node.
  "wasm-tasks/video-transcode-2/engine-browser.ts": [
    { path: "node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.js", role: "fetched" },
    { path: "node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.wasm", role: "fetched" },
    { path: "node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.worker.js", role: "fetched" },
  ],
  "wasm-tasks/video-transcode-2/node-worker.mjs": [
    { path: "node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.js", role: "fetched" },
    { path: "node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.wasm", role: "fetched" },
    { path: "node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.worker.js", role: "fetched" },
  ],
  // The pinned wasm build (SIMD, no threads) and the MobileNetV2 model nsfwjs ships as JS modules.
  "wasm-tasks/ml-inference/index.ts": [
    { path: "node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm", role: "fetched" },
    { path: "node_modules/nsfwjs/dist/esm/models/mobilenet_v2.js", role: "bundled" },
    { path: "node_modules/nsfwjs/dist/esm/model_imports/mobilenet_v2.js", role: "bundled" },
    { path: "node_modules/nsfwjs/dist/models/mobilenet_v2/model.min.js", role: "bundled" },
    { path: "node_modules/nsfwjs/dist/models/mobilenet_v2/group1-shard1of1.min.js", role: "bundled" },
  ],
  "wasm-tasks/zk-common/artifacts.ts": [{ path: "public/zk/poseidon-constants.json", role: "fetched" }],
  "wasm-tasks/zk-downscale/index.ts": [
    { path: "public/zk/zk-downscale.wasm", role: "fetched" },
    { path: "public/zk/zk-downscale.zkey", role: "fetched" },
    { path: "public/zk/zk-downscale.vkey.json", role: "fetched" },
  ],
  "wasm-tasks/zk-matmul/index.ts": [
    { path: "public/zk/zk-matmul.wasm", role: "fetched" },
    { path: "public/zk/zk-matmul.zkey", role: "fetched" },
    { path: "public/zk/zk-matmul.vkey.json", role: "fetched" },
  ],
};

/** A repository-relative path under one of the three roots, without `.`/`..` segments or backslashes. */
const repoPath = z
  .string()
  .regex(/^(wasm-tasks|node_modules|public)(\/[^/\\]+)+$/)
  .refine((p) => !p.split("/").some((s) => s === "." || s === ".."), "no . or .. segments");

export const taskCodeManifestSchema = z.strictObject({
  format: z.literal(CODE_MANIFEST_FORMAT),
  type: z.string().min(1),
  files: z.array(z.strictObject({ path: repoPath, cid: z.string().min(1), role: z.enum(["source", "fetched", "bundled"]) })).min(1),
  packages: z.array(z.string().regex(/^(@[^/@\s]+\/)?[^/@\s]+@[^@\s]+$/)),
});
export type TaskCodeManifest = z.infer<typeof taskCodeManifestSchema>;
export type TaskCodeFile = TaskCodeManifest["files"][number];

/** Code-unit order, the same in every engine and locale (never localeCompare). */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** JSON with object keys sorted and no whitespace; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => byCodeUnits(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The manifest's canonical bytes: files sorted by path (each path once), packages sorted and unique. */
export function canonicalManifestBytes(manifest: TaskCodeManifest): Uint8Array {
  const files = [...manifest.files].sort((a, b) => byCodeUnits(a.path, b.path));
  for (let i = 1; i < files.length; i++) {
    if (files[i]!.path === files[i - 1]!.path) throw new Error(`task code manifest lists ${files[i]!.path} twice`);
  }
  const packages = [...new Set(manifest.packages)].sort(byCodeUnits);
  return new TextEncoder().encode(canonicalJson({ ...manifest, files, packages }));
}

/** The code CID of a manifest: the CID of its canonical bytes by the one digest rule. */
export const codeCidOfManifest = (manifest: TaskCodeManifest): Promise<string> => outputCidString(canonicalManifestBytes(manifest));

/** Parses manifest bytes, refusing anything but a manifest in its canonical form (so its CID is the code CID). */
export function parseTaskCodeManifest(bytes: Uint8Array): TaskCodeManifest {
  const manifest = taskCodeManifestSchema.parse(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)));
  const canonical = canonicalManifestBytes(manifest);
  if (canonical.length !== bytes.length || canonical.some((b, i) => b !== bytes[i])) throw new Error(`the task code manifest of ${manifest.type} is not in canonical form`);
  return manifest;
}

/** Where a file of a manifest is served from, relative to the site root: public/x at x, node_modules/x at node_modules/x. */
export function servedPath(path: string): string {
  if (path.startsWith("public/")) return path.slice("public/".length);
  if (path.startsWith("node_modules/")) return path;
  throw new Error(`${path} is not served to a tab (only public/ and node_modules/ files are)`);
}

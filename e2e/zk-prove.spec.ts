/**
 * zk task types in Chromium's Web Worker runtime (workers/task-worker.ts through the harness): the worker
 * loads the circuit wasm and zkey from /zk/ (public/zk), proves with snarkjs, and the proof verifies in
 * Node against the committed vkey, bound to the task id and worker given in the spec.
 * (Posting, claiming and paying through the web app is the app's end-to-end test.)
 */
import { test, expect, type Page } from "@playwright/test";
import type { HarnessResult, HarnessRun } from "./harness/page.ts";
import { inputCommitment as downscaleCommitment, verifyOutput as verifyDownscale, downscale } from "../wasm-tasks/zk-downscale/index.ts";
import { inputCommitment as matmulCommitment, verifyOutput as verifyMatmul } from "../wasm-tasks/zk-matmul/index.ts";
import { decodeOutput } from "../wasm-tasks/zk-common/proof.ts";

const run = (page: Page, request: HarnessRun): Promise<HarnessResult> => page.evaluate((r) => window.harness.run(r), request);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const binding = { taskId: `0x${"5a".repeat(32)}`, worker: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" } as const;

test.afterAll(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

test("zk-downscale: Chromium proves a 64x64 tile in the worker, Node verifies the proof", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto("/");
  await expect(page.locator("#status")).toHaveText("ready");
  const tile = new Uint8Array(64 * 64).map((_, i) => (i * 13 + (i >> 6)) & 0xff);
  const result = await run(page, {
    typeName: "zk-downscale",
    inputBase64: b64(tile),
    spec: { width: 64, height: 64, binding },
    returnOutput: true,
    timeoutMs: 150_000,
  });
  expect(result.error).toBeUndefined();
  const phases = result.progress.map((p) => p.phase);
  expect(phases).toEqual(expect.arrayContaining(["witness", "proving"]));
  expect(phases.indexOf("witness")).toBeLessThan(phases.indexOf("proving"));
  expect(result.progress.at(-1)?.ratio).toBe(1);
  const output = new Uint8Array(Buffer.from(result.outputBase64!, "base64"));
  expect(decodeOutput(output).payload).toEqual(downscale(tile, 64, 64));
  const ic = await downscaleCommitment(tile);
  expect(await verifyDownscale(output, { inputCommitment: ic, binding })).toBe(true);
  expect(await verifyDownscale(output, { inputCommitment: ic, binding: { ...binding, worker: "0x0000000000000000000000000000000000000001" } })).toBe(false);
  console.log(`zk-downscale proved in Chromium in ${result.ms.toFixed(0)} ms (incl. loading the artifacts on the first run)`);
});

test("zk-matmul: Chromium proves, Node verifies; a bad spec is refused with invalid-spec", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("/");
  await expect(page.locator("#status")).toHaveText("ready");
  const input = new Uint8Array(512).map((_, i) => (i * 71 + 5) & 0xff);
  const result = await run(page, { typeName: "zk-matmul", inputBase64: b64(input), spec: { m: 16, k: 16, n: 16, binding }, returnOutput: true });
  expect(result.error).toBeUndefined();
  const output = new Uint8Array(Buffer.from(result.outputBase64!, "base64"));
  expect(await verifyMatmul(output, { inputCommitment: await matmulCommitment(input), binding })).toBe(true);
  const bad = await run(page, { typeName: "zk-matmul", inputBase64: b64(input), spec: { m: 16, k: 16, n: 17 } });
  expect(bad.error?.code).toBe("invalid-spec");
});

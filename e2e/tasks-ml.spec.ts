/**
 * ml-inference in Chromium through the real task worker: the same golden CIDs as Node with the
 * same pinned backend (wasm, SIMD, no threads), twice; bad input and cancellation give their
 * typed errors.
 */
import { test, expect, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { baseSpec, goldenVectors } from "../wasm-tasks/ml-inference/golden.ts";
import type { HarnessResult, HarnessRun } from "./harness/page.ts";

const run = (page: Page, request: HarnessRun): Promise<HarnessResult> => page.evaluate((r) => window.harness.run(r), request);
const fixture = (name: string) => readFileSync(new URL(`../wasm-tasks/ml-inference/fixtures/${name}`, import.meta.url));

async function open(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.locator("#status")).toHaveText("ready");
}

/** A PNG whose IHDR claims the given size and that has nothing after the header. */
function pngHeaderOnly(width: number, height: number): string {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(bytes);
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  Buffer.from([8, 6, 0, 0, 0]).copy(bytes, 24);
  return bytes.toString("base64");
}

test("golden vectors give the Node CIDs, twice, with the SIMD non-threaded wasm build", async ({ page, context }) => {
  const wasmFiles: string[] = [];
  context.on("request", (request) => {
    if (request.url().endsWith(".wasm")) wasmFiles.push(new URL(request.url()).pathname.split("/").pop()!);
  });
  await open(page);
  for (const vector of goldenVectors) {
    for (let i = 0; i < 2; i++) {
      const result = await run(page, { typeName: "ml-inference", inputUrl: `/fixtures/ml-inference/${vector.fixture}`, spec: vector.spec });
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      expect(result.cid, vector.name).toBe(vector.cid);
    }
  }
  // The spec pins SIMD without threads: exactly that tfjs build must have been loaded.
  const tfjsBuilds = wasmFiles.filter((f) => f.startsWith("tfjs-backend-wasm"));
  expect(tfjsBuilds.length).toBeGreaterThan(0);
  expect(new Set(tfjsBuilds)).toEqual(new Set(["tfjs-backend-wasm-simd.wasm"]));
});

test("truncated PNG: corrupt-input; 0x0: corrupt-input; 50,000 px: too-large", async ({ page }) => {
  await open(page);
  const png = fixture("testsrc2-128x96.png");
  const truncated = await run(page, { typeName: "ml-inference", inputBase64: png.subarray(0, png.length - 200).toString("base64"), spec: baseSpec });
  expect(truncated.error?.code, truncated.error?.message).toBe("corrupt-input");
  const empty = await run(page, { typeName: "ml-inference", inputBase64: pngHeaderOnly(0, 0), spec: baseSpec });
  expect(empty.error?.code).toBe("corrupt-input");
  const huge = await run(page, { typeName: "ml-inference", inputBase64: pngHeaderOnly(50_000, 50_000), spec: baseSpec });
  expect(huge.error?.code).toBe("too-large");
});

test("a spec with unknown fields or another backend: invalid-spec", async ({ page }) => {
  await open(page);
  for (const spec of [{ ...baseSpec, extra: true }, { ...baseSpec, backend: "webgl" }]) {
    const result = await run(page, { typeName: "ml-inference", inputUrl: `/fixtures/ml-inference/${goldenVectors[0]!.fixture}`, spec });
    expect(result.error?.code).toBe("invalid-spec");
  }
});

test("cancellation while the model loads: cancelled; the next run still gives the golden CID", async ({ page }) => {
  await open(page);
  const vector = goldenVectors[0]!;
  const cancelled = await run(page, { typeName: "ml-inference", inputUrl: `/fixtures/ml-inference/${vector.fixture}`, spec: vector.spec, cancelAtPhase: "load" });
  expect(cancelled.error?.code, cancelled.error?.message).toBe("cancelled");
  const after = await run(page, { typeName: "ml-inference", inputUrl: `/fixtures/ml-inference/${vector.fixture}`, spec: vector.spec });
  expect(after.cid).toBe(vector.cid);
});

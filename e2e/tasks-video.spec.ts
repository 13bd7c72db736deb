/**
 * video-transcode in Chromium, through the real task worker (workers/task-worker.ts) and
 * @ffmpeg/ffmpeg's own worker: the same golden CIDs as Node, in two pages; bad input and a
 * cancellation give their typed errors. video-transcode@2 (the multi-thread core, pthreads as Web Workers in the
 * cross-origin-isolated harness page) gives its Node CIDs too, and names the missing isolation where there is none.
 */
import { test, expect, type Page } from "@playwright/test";
import { goldenVectors, slowSpec } from "../wasm-tasks/video-transcode/golden.ts";
import { goldenVectors as goldenVectors2 } from "../wasm-tasks/video-transcode-2/golden.ts";
import type { HarnessResult, HarnessRun } from "./harness/page.ts";
import { serveWithoutIsolation } from "./support/isolation.ts";

const run = (page: Page, request: HarnessRun): Promise<HarnessResult> => page.evaluate((r) => window.harness.run(r), request);

async function open(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.locator("#status")).toHaveText("ready");
}

test("golden vectors give the Node CIDs, twice in one page and again in a second page", async ({ page, context }) => {
  test.setTimeout(180_000);
  await open(page);
  for (const vector of goldenVectors) {
    const request = { typeName: "video-transcode", inputUrl: `/fixtures/video-transcode/${vector.fixture}`, spec: vector.spec };
    const first = await run(page, request);
    expect(first.error, JSON.stringify(first.error)).toBeUndefined();
    expect(first.cid, vector.name).toBe(vector.cid);
    const second = await run(page, request);
    expect(second.cid, vector.name).toBe(vector.cid);
  }
  const other = await context.newPage();
  await open(other);
  const vector = goldenVectors[0]!;
  const again = await run(other, { typeName: "video-transcode", inputUrl: `/fixtures/video-transcode/${vector.fixture}`, spec: vector.spec });
  expect(again.cid).toBe(vector.cid);
});

test("progress comes from ffmpeg's own events", async ({ page }) => {
  await open(page);
  const vector = goldenVectors[0]!;
  const result = await run(page, { typeName: "video-transcode", inputUrl: `/fixtures/video-transcode/${vector.fixture}`, spec: vector.spec });
  expect(result.cid).toBe(vector.cid);
  const encode = result.progress.filter((e) => e.phase === "encode" && e.ratio > 0.1);
  expect(encode.length).toBeGreaterThan(0);
  expect(result.progress.at(-1)).toEqual({ ratio: 1, phase: "done" });
});

test("random bytes passed off as video: corrupt-input", async ({ page }) => {
  await open(page);
  let seed = 7;
  const random = Uint8Array.from({ length: 20_000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  const result = await run(page, { typeName: "video-transcode", inputBase64: Buffer.from(random).toString("base64"), spec: goldenVectors[0]!.spec });
  expect(result.error?.code, result.error?.message).toBe("corrupt-input");
});

test("a spec with unknown fields: invalid-spec", async ({ page }) => {
  await open(page);
  const spec = { ...goldenVectors[0]!.spec, extraArgs: ["-i", "/etc/passwd"] };
  const result = await run(page, { typeName: "video-transcode", inputUrl: `/fixtures/video-transcode/${goldenVectors[0]!.fixture}`, spec });
  expect(result.error?.code).toBe("invalid-spec");
});

test("cancellation mid-encode: cancelled, without waiting for ffmpeg", async ({ page }) => {
  await open(page);
  const result = await run(page, { typeName: "video-transcode", inputUrl: `/fixtures/video-transcode/${goldenVectors[0]!.fixture}`, spec: slowSpec, cancelAtPhase: "encode" });
  expect(result.error?.code, result.error?.message).toBe("cancelled");
  expect(result.progress.some((e) => e.phase === "done")).toBe(false);
  // The page still works afterwards (a fresh ffmpeg per run).
  const vector = goldenVectors[1]!;
  const after = await run(page, { typeName: "video-transcode", inputUrl: `/fixtures/video-transcode/${vector.fixture}`, spec: vector.spec });
  expect(after.cid).toBe(vector.cid);
});

test("a run over its time budget: timed-out, promptly", async ({ page }) => {
  await open(page);
  const result = await run(page, { typeName: "video-transcode", inputUrl: `/fixtures/video-transcode/${goldenVectors[0]!.fixture}`, spec: slowSpec, timeoutMs: 1_500 });
  expect(result.error?.code, result.error?.message).toBe("timed-out");
  expect(result.ms).toBeLessThan(10_000);
});

test("video-transcode@2 (multi-thread core) gives the Node CIDs in the worker, on its kept core and in a second page", async ({ page, context }) => {
  test.setTimeout(180_000);
  await open(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  for (const vector of goldenVectors2) {
    const result = await run(page, { typeName: "video-transcode@2", inputUrl: `/fixtures/video-transcode/${vector.fixture}`, spec: vector.spec });
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    expect(result.cid, vector.name).toBe(vector.cid);
  }
  // The first vector again, on the core the last run kept; then in a page of its own, on a new core.
  const vector = goldenVectors2[0]!;
  const request = { typeName: "video-transcode@2", inputUrl: `/fixtures/video-transcode/${vector.fixture}`, spec: vector.spec };
  expect((await run(page, request)).cid).toBe(vector.cid);
  const other = await context.newPage();
  await open(other);
  expect((await run(other, request)).cid).toBe(vector.cid);
});

test("video-transcode@2 in a page that is not cross-origin isolated is unavailable (this tab's fault), never corrupt-input", async ({ page }) => {
  // No SharedArrayBuffer there, so the wasm cannot start.
  await serveWithoutIsolation(page);
  await open(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  const vector = goldenVectors2[0]!;
  const result = await run(page, { typeName: "video-transcode@2", inputUrl: `/fixtures/video-transcode/${vector.fixture}`, spec: vector.spec });
  expect(result.error?.code).toBe("unavailable");
  expect(result.error?.message).toContain("cross-origin isolated");
});

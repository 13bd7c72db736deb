/**
 * image-resize and benchmark in Chromium's Web Worker runtime: the same golden vectors as the
 * Node tests must give the same CIDs (the constants are shared), in two pages.
 */
import { test, expect, type Page } from "@playwright/test";
import { goldenVectors } from "../wasm-tasks/image-resize/golden.ts";
import { goldenVectors as goldenVectors2 } from "../wasm-tasks/image-resize-2/golden.ts";
import { goldenBenchmark } from "../wasm-tasks/benchmark/golden.ts";
import type { HarnessResult, HarnessRun } from "./harness/page.ts";
import { serveWithoutIsolation } from "./support/isolation.ts";

async function openHarness(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.locator("#status")).toHaveText("ready");
}

const run = (page: Page, request: HarnessRun): Promise<HarnessResult> => page.evaluate((r) => window.harness.run(r), request);

test("golden vectors give the Node CIDs in the worker, in two pages", async ({ browser }) => {
  for (let pass = 0; pass < 2; pass++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openHarness(page);
    for (const vector of goldenVectors) {
      const result = await run(page, { typeName: "image-resize", inputUrl: `/fixtures/image-resize/${vector.fixture}`, spec: vector.spec });
      expect(result.error, vector.name).toBeUndefined();
      expect(result.cid, vector.name).toBe(vector.cid);
      expect(result.progress.at(-1)?.ratio).toBe(1);
    }
    const bench = await run(page, { typeName: "benchmark", spec: goldenBenchmark.spec });
    expect(bench.cid).toBe(goldenBenchmark.cid);
    await context.close();
  }
});

test("image-resize@2 (libvips) gives the Node CIDs in the worker, in two pages, and refuses a truncated file", async ({ browser }) => {
  for (let pass = 0; pass < 2; pass++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openHarness(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    for (const vector of goldenVectors2) {
      const result = await run(page, { typeName: "image-resize@2", inputUrl: `/fixtures/image-resize/${vector.fixture}`, spec: vector.spec });
      expect(result.error, vector.name).toBeUndefined();
      expect(result.cid, vector.name).toBe(vector.cid);
      expect(result.progress.at(-1)?.ratio).toBe(1);
    }
    if (pass === 1) {
      const jpeg = await page.evaluate(async () => {
        const bytes = new Uint8Array(await (await fetch("/fixtures/image-resize/photo-320x240.jpg")).arrayBuffer());
        let text = "";
        for (const b of bytes.subarray(0, Math.floor(bytes.length * 0.7))) text += String.fromCharCode(b);
        return btoa(text);
      });
      const truncated = await run(page, { typeName: "image-resize@2", inputBase64: jpeg, spec: goldenVectors2[0]!.spec });
      expect(truncated.error?.code).toBe("corrupt-input");
      expect(truncated.error?.message).toMatch(/premature end/i);
    }
    await context.close();
  }
});

test("image-resize@2 in a page that is not cross-origin isolated is unavailable (this tab's fault), never corrupt-input", async ({ page }) => {
  // No SharedArrayBuffer there, so the wasm cannot start.
  await serveWithoutIsolation(page);
  await openHarness(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  const vector = goldenVectors2[0]!;
  const result = await run(page, { typeName: "image-resize@2", inputUrl: `/fixtures/image-resize/${vector.fixture}`, spec: vector.spec });
  expect(result.error?.code).toBe("unavailable");
  expect(result.error?.message).toContain("cross-origin isolated");
});

test("bad input and bad specs give their typed error codes", async ({ page }) => {
  await openHarness(page);
  const vector = goldenVectors[1]!;
  const png = await page.evaluate(async (url) => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    let text = "";
    for (const b of bytes.subarray(0, bytes.length >> 1)) text += String.fromCharCode(b);
    return btoa(text);
  }, `/fixtures/image-resize/${vector.fixture}`);
  const truncated = await run(page, { typeName: "image-resize", inputBase64: png, spec: vector.spec });
  expect(truncated.error?.code).toBe("corrupt-input");
  const random = await run(page, { typeName: "image-resize", inputBase64: btoa("not an image at all"), spec: vector.spec });
  expect(random.error?.code).toBe("unsupported-format");
  const url = `/fixtures/image-resize/${vector.fixture}`;
  expect((await run(page, { typeName: "image-resize", inputUrl: url, spec: { ...vector.spec, width: 0, height: 0 } })).error?.code).toBe("invalid-spec");
  expect((await run(page, { typeName: "image-resize", inputUrl: url, spec: { ...vector.spec, width: 50_000 } })).error?.code).toBe("invalid-spec");
  expect((await run(page, { typeName: "image-resize", inputUrl: url, spec: { ...vector.spec, extra: 1 } })).error?.code).toBe("invalid-spec");
  // The worker stays usable after errors.
  expect((await run(page, { typeName: "image-resize", inputUrl: url, spec: vector.spec })).cid).toBe(vector.cid);
});

test("a codec that cannot be loaded is this machine's fault (unavailable), never the input's (corrupt-input)", async ({ page }) => {
  // A tab whose server does not serve the codecs: an honest worker must hand the task back, not declare the
  // input unprocessable (an input-rejected result a correct replica would outvote, and slash it for).
  await page.route("**/node_modules/@jsquash/**", (route) => route.fulfill({ status: 404, body: "not here" }));
  await openHarness(page);
  const vector = goldenVectors.find((v) => v.fixture.endsWith(".jpg"))!;
  const result = await run(page, { typeName: "image-resize", inputUrl: `/fixtures/image-resize/${vector.fixture}`, spec: vector.spec });
  expect(result.error?.code).toBe("unavailable");
  expect(result.error?.message).toContain("HTTP 404");
  // Served again, the same worker recovers: a failed load does not stay cached.
  await page.unroute("**/node_modules/@jsquash/**");
  expect((await run(page, { typeName: "image-resize", inputUrl: `/fixtures/image-resize/${vector.fixture}`, spec: vector.spec })).cid).toBe(vector.cid);
});

test("cancelling from the page stops a run with cancelled", async ({ page }) => {
  await openHarness(page);
  const resize = await run(page, {
    typeName: "image-resize",
    inputUrl: "/fixtures/image-resize/photo-320x240.jpg",
    spec: { width: 3000, height: 3000, fit: "fill", format: "png" },
    cancelAtPhase: "resize",
  });
  expect(resize.error?.code).toBe("cancelled");
  expect(resize.progress.some((e) => e.phase === "encode")).toBe(false);
  const bench = await run(page, { typeName: "benchmark", spec: { rounds: 1000 }, cancelAfterMs: 300 });
  expect(bench.error?.code).toBe("cancelled");
  expect(bench.ms).toBeLessThan(5_000);
});

test("a run over its timeout gives timed-out", async ({ page }) => {
  await openHarness(page);
  const result = await run(page, { typeName: "benchmark", spec: { rounds: 1000 }, timeoutMs: 400 });
  expect(result.error?.code).toBe("timed-out");
  expect(result.ms).toBeLessThan(5_000);
});

test("a worker stuck inside a codec past the cancel grace is terminated, and the next run works", async ({ page }) => {
  await openHarness(page);
  const vector = goldenVectors[1]!;
  const fixture = `/fixtures/image-resize/${vector.fixture}`;
  // Warm-up in the same runner, so the PNG codec is compiled and the encode starts at once.
  expect((await run(page, { typeName: "image-resize", inputUrl: fixture, spec: vector.spec, graceMs: 50 })).cid).toBe(vector.cid);
  // The cancel arrives while the PNG encoder runs synchronously in wasm; it cannot be honoured
  // until the encoder returns, so the page-side runner must kill the worker after 50 ms.
  const stuck = await run(page, {
    typeName: "image-resize",
    inputUrl: "/fixtures/image-resize/photo-320x240.jpg",
    spec: { width: 4000, height: 4000, fit: "fill", format: "png" },
    cancelAtPhase: "encode",
    graceMs: 50,
  });
  expect(stuck.error?.code).toBe("cancelled");
  expect(stuck.error?.message).toContain("worker terminated");
  const after = await run(page, { typeName: "image-resize", inputUrl: fixture, spec: vector.spec, graceMs: 50 });
  expect(after.cid).toBe(vector.cid);
});

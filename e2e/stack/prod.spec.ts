/**
 * `npm start` (scripts/dev.ts --prod): the production build served by `next start` against the same chain and IPFS
 * node as `npm run dev`. A newcomer registers, uploads an input from the page to the IPFS node (CORS allows the
 * app's origin) and gets the zk artifacts gzipped and cached; the pages log no errors.
 */
import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Stack } from "./stack.ts";
import { newAppContext, openAccount } from "./app.ts";

test.describe.configure({ mode: "serial" });

const PNG = join(import.meta.dirname, "../../wasm-tasks/image-resize/fixtures/alpha-200x150.png");
const stack = new Stack({ prod: true, startTimeoutMs: 600_000 });
let ctx: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(stack.startTimeoutMs + 60_000);
  await stack.start();
  console.log(`production stack (next build + next start) up in ${(stack.startMs / 1000).toFixed(1)} s`);
  ctx = await newAppContext(browser, stack);
  page = await ctx.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
});

test.afterAll(async () => {
  await ctx?.close();
  await stack.dispose();
});

test("the production app registers a newcomer and uploads an input to the IPFS node from the page", async () => {
  test.setTimeout(180_000);
  expect(stack.logTail(400)).toMatch(/ready: app http:\/\/127\.0\.0\.1:\d+ \(production build\)/);
  await openAccount(page);
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByTestId("genesis")).toHaveText("10 CC", { timeout: 60_000 });
  await page.goto("/post");
  await page.getByLabel("Task type").selectOption({ label: "image-resize" });
  await page.getByLabel(/^Input file/).setInputFiles(PNG);
  await expect(page.getByTestId("input-cid")).toContainText("Uploaded and verified by the node", { timeout: 60_000 });
  expect(consoleErrors).toEqual([]);
});

test("the production server sends the zk proving key gzipped and cacheable for a year", async () => {
  const manifest = (await (await fetch(`${stack.appUrl}/zk/manifest.json`)).json()) as { files: Record<string, { bytes: number; gzip: { url: string; bytes: number } }> };
  const zkey = manifest.files["zk-downscale.zkey"]!;
  const res = await fetch(`${stack.appUrl}/zk/${zkey.gzip.url}`);
  expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  const wire = Buffer.from(await res.arrayBuffer());
  expect(wire.length).toBe(zkey.gzip.bytes);
  expect(gunzipSync(wire).length).toBe(zkey.bytes);
});

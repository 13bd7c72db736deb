/**
 * `npm start` (scripts/dev.ts --prod): the production build served by `next start` against the same chain and IPFS
 * node as `npm run dev`. A newcomer registers, uploads an input from the page to the IPFS node (CORS allows the
 * app's origin) and gets the zk artifacts gzipped and cached; the pages log no errors. The build holds none of the
 * test-only cheat switch (workers/earn/cheats.ts).
 */
import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Stack } from "./stack.ts";
import { newAppContext, openAccount } from "./app.ts";
import { CHEAT_MARKER } from "../../workers/earn/cheats.ts";

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

/** The localStorage key app/_components/useEarnEngine.ts reads the cheats from (devCheats). */
const CHEATS_KEY = "computecredit-test-cheats";
/** A key of the same module, read outside the development-only branch: a build that ships the engine hook has it. */
const EARN_SETTINGS_KEY = "computecredit-earn-settings-";

test("the production build's client chunks hold no trace of the test-only cheat switch", async () => {
  const chunksDir = join(stack.nextDir, "static");
  const chunks = (readdirSync(chunksDir, { recursive: true, encoding: "utf8" }) as string[]).filter((f) => f.endsWith(".js")).map((f) => ({ f, text: readFileSync(join(chunksDir, f), "utf8") }));
  const holding = (needle: string) => chunks.filter((c) => c.text.includes(needle)).map((c) => c.f);
  // Controls, so that an empty answer below means the code was dropped: the source reads the switch in the hook...
  const hook = readFileSync(join(import.meta.dirname, "../../app/_components/useEarnEngine.ts"), "utf8");
  expect(hook).toContain(`localStorage.getItem("${CHEATS_KEY}")`);
  expect(hook).toContain(EARN_SETTINGS_KEY);
  // ...and the build ships that hook, with its string literals intact, in the chunks scanned here. (That a
  // development build serves the switch is checked by e2e/stack/ledger.spec.ts on the dev server.)
  expect(holding(EARN_SETTINGS_KEY).length, `the earn hook's own key in ${chunks.length} client chunks of ${chunksDir}`).toBeGreaterThan(0);
  expect(holding(CHEAT_MARKER), "no chunk holds cheats.ts's marker").toEqual([]);
  expect(holding(CHEATS_KEY), "no chunk reads the cheat switch's localStorage key").toEqual([]);
});

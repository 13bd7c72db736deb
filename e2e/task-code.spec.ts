/**
 * The tab's code CID (wasm-tasks/code-cid-browser.ts) in Chromium equals the one Node computes from the files on disk
 * (wasm-tasks/code-cid-node.ts), for every task type: the manifests written the way `npm run dev` writes them
 * (public/task-code/), the assets fetched where the task code loads them. A route that serves other bytes for one
 * asset is refused by name.
 */
import { test, expect, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { TASK_CODE } from "../wasm-tasks/code-cid.ts";
import { REPO_ROOT, taskCodeManifest, writeTaskCodeManifests } from "../wasm-tasks/code-cid-node.ts";
import type { TaskCodeResult } from "./harness/task-code.ts";

let nodeCids: Record<string, string>;

test.beforeAll(async () => {
  nodeCids = await writeTaskCodeManifests();
});

async function open(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.locator("#status")).toHaveText("ready");
  await page.addScriptTag({ url: "/build/task-code.js", type: "module" });
  await page.waitForFunction(() => typeof window.taskCode?.verify === "function");
}

const verify = (page: Page, type: string): Promise<TaskCodeResult> => page.evaluate((t) => window.taskCode.verify(t), type);

test("every type's code CID computed in the tab equals the Node one", async ({ page }) => {
  await open(page);
  for (const type of Object.keys(TASK_CODE)) {
    const result = await verify(page, type);
    expect(result.error, type).toBeUndefined();
    expect(result.cid, type).toBe(nodeCids[type]);
    const fetched = (await taskCodeManifest(type)).files.filter((f) => f.role === "fetched").map((f) => f.path);
    expect(result.verified, type).toEqual(fetched);
  }
  expect(await verify(page, "image-resize@99")).toEqual({});
});

test("a tab served other bytes for a codec is refused, naming the file", async ({ page }) => {
  await open(page);
  const path = "node_modules/@jsquash/webp/codec/enc/webp_enc.wasm";
  const bytes = await readFile(join(REPO_ROOT, path));
  bytes[100] = bytes[100]! ^ 1;
  await page.route(`**/${path}`, (route) => route.fulfill({ status: 200, contentType: "application/wasm", body: bytes }));
  const result = await verify(page, "image-resize");
  expect(result.cid).toBeUndefined();
  expect(result.mismatched).toEqual([path]);
  expect(result.error).toContain("webp_enc.wasm");
});

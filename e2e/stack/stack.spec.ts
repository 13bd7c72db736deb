/**
 * The requester's path through the real stack (scripts/dev.ts: anvil, the deploy, the Helia node, `next dev`): the
 * stack the fresh-chain spec files share (stack.ts sharedStack), on a fresh chain, in Debian Chromium:
 * register -> post an image task -> another tab sees it -> restart the stack (a source change in between, no reload
 * storm after it) -> everything is still there -> bad input (by size, by the type's own decoder, by the node) is
 * refused in plain words and moves no credit.
 * The tests run in order and share the stack and the requester's browser context (its burner key in IndexedDB).
 */
import { test, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Address, type Hex, createTestClient, http, parseAbiItem, toHex } from "viem";
import { formatCredits } from "../../lib/protocol/params.ts";
import { addFile } from "../../lib/ipfs/index.ts";
import sharp from "sharp";
import { sharedStack } from "./stack.ts";
import { type Contracts, chainReader, loadContracts, newAppContext as newContext, openAccount, watchReloads } from "./app.ts";

test.describe.configure({ mode: "serial" });

const FIXTURES = join(import.meta.dirname, "../../wasm-tasks/image-resize/fixtures");
const JPEG = join(FIXTURES, "photo-320x240.jpg");
const WEBP = join(FIXTURES, "photo-320x240.webp");
const PNG = join(FIXTURES, "alpha-200x150.png");
/** The file the requester posts: one the spec files before this one on the shared stack never upload. */
const POSTED = WEBP;
/** A module of the app's client bundle; the restart test changes it while the stack runs and back while it is down. */
const CLIENT_MODULE = join(import.meta.dirname, "../../app/_components/ui.tsx");
const IMAGE_MAX_BYTES = 32 * 1024 * 1024; // wasm-tasks/image-resize MAX_INPUT_BYTES
const BOUNTY = "1.25"; // CC

type Pin = { cid: string };

const stack = sharedStack;
let contracts: Contracts;
let requesterCtx: BrowserContext;
let page: Page;
let me: Address;
let postedTaskId: Hex;
let postedCid: string;
let postedEscrow: bigint;

const { client: chain, read, ledgerOf, postedTasks: postedLogs } = chainReader(stack, () => contracts);
const newAppContext = (browser: Browser) => newContext(browser, stack);
const pins = async (): Promise<string[]> => {
  const res = await fetch(`${stack.ipfsUrl}/pins`);
  expect(res.ok).toBe(true);
  return ((await res.json()) as { pins: Pin[] }).pins.map((p) => p.cid);
};
const cidOf = async (path: string) => (await addFile(new Uint8Array(await readFile(path)))).cid.toString();

/** Opens /post with the image-resize type chosen. */
async function openPost(p: Page): Promise<void> {
  await p.goto("/post");
  const type = p.getByLabel("Task type");
  await expect(type).toBeVisible({ timeout: 120_000 });
  await type.selectOption({ label: "image-resize" });
}

/** Requests the page sends that could move credit: relayed calls and raw transactions. */
function watchWrites(p: Page): string[] {
  const writes: string[] = [];
  p.on("request", (r) => {
    const body = r.method() === "POST" ? (r.postData() ?? "") : "";
    if (r.url().includes("/api/relay") || body.includes("eth_sendRawTransaction") || body.includes("eth_sendTransaction")) writes.push(r.url());
  });
  return writes;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(stack.startTimeoutMs + 60_000);
  await stack.fresh();
  console.log(`stack up (a fresh chain under the shared app) in ${(stack.startMs / 1000).toFixed(1)} s (data in ${stack.dataDir})`);
  contracts = await loadContracts(stack);
  requesterCtx = await newAppContext(browser);
  page = await requesterCtx.newPage();
});

test.afterAll(async () => {
  await requesterCtx?.close();
});

test("a newcomer gets a burner wallet, registers and sees 10 CC genesis credit", async () => {
  test.setTimeout(240_000); // the first visit to a page compiles it (when this file runs first)
  me = await openAccount(page);
  expect(await ledgerOf(me)).toMatchObject({ genesis: 0n, spendable: 0n });

  await page.getByRole("button", { name: "Register" }).click();
  // The card turns into the registration details (the button and its "Registered." go away).
  await expect(page.getByTestId("worker")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Register" })).toHaveCount(0);
  await expect(page.getByTestId("genesis")).toHaveText("10 CC");
  await expect(page.getByTestId("spendable")).toHaveText("10 CC");

  // The same burner after a reload (kept in IndexedDB), and the chain agrees.
  expect(await openAccount(page)).toBe(me);
  expect(await ledgerOf(me)).toMatchObject({ genesis: 10_000n, balance: 0n, spendable: 10_000n });
  await expect(page.getByTestId("genesis")).toHaveText("10 CC");
});

test("they post an image task with a real file; another browser sees it in the queue with its bounty", async ({ browser }) => {
  test.setTimeout(180_000);
  postedCid = await cidOf(POSTED);
  expect(await pins()).not.toContain(postedCid);

  await openPost(page);
  await page.getByLabel(/^Input file/).setInputFiles(POSTED);
  // The CID computed in the browser is the one the shared importer gives in Node, and the node pinned it.
  await expect(page.getByTestId("input-cid")).toContainText(`Uploaded and verified by the node: ${postedCid}`, { timeout: 60_000 });
  expect(await pins()).toContain(postedCid);

  // Nobody but the requester is registered yet: the form says no worker could take the task before it escrows.
  await expect(page.getByTestId("no-takers")).toContainText("No registered worker other than you can run image-resize now");
  await page.getByLabel(/^Bounty/).fill(BOUNTY);
  await expect(page.getByTestId("cost")).toContainText("(bounty 1.25 CC + 2 verifier fees of 0.012 CC + platform fee 0.012 CC + 0.036 CC held for an audit (back when the task is final, if unused))");
  const escrowText = (await page.getByTestId("escrow").textContent())!;
  postedEscrow = BigInt(Math.round(Number(escrowText.replace(" CC", "")) * 1000));
  expect(postedEscrow).toBeGreaterThan(1_250n);
  const before = await ledgerOf(me);

  await page.getByRole("button", { name: "Post task" }).click();
  await expect(page.getByText("Posted.")).toBeVisible({ timeout: 60_000 });
  const link = page.getByRole("link", { name: "Open the task page" });
  postedTaskId = (await link.getAttribute("href"))!.replace("/tasks/", "") as Hex;
  // "Posted." belongs to that attempt: choosing the next file clears it and its link.
  await page.getByLabel(/^Input file/).setInputFiles(PNG);
  await expect(page.getByTestId("input-cid")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("Posted.")).toHaveCount(0);
  await expect(link).toHaveCount(0);

  // On chain: one TaskPosted by us with this CID and bounty; the escrow left the spendable credit.
  const logs = (await postedLogs()).filter((l) => l.args.taskId === postedTaskId);
  expect(logs).toHaveLength(1);
  expect(logs[0]!.args.requester!.toLowerCase()).toBe(me.toLowerCase());
  expect(logs[0]!.args.bounty).toBe(1_250n);
  expect(logs[0]!.args.inputCid).toBe(toHex((await addFile(new Uint8Array(await readFile(POSTED)))).cid.bytes));
  expect((await ledgerOf(me)).spendable).toBe(before.spendable - postedEscrow);

  // Another newcomer, in its own browser context (its own burner), sees it in the queue.
  const other = await newAppContext(browser);
  try {
    const p2 = await other.newPage();
    const otherAddress = await openAccount(p2);
    expect(otherAddress).not.toBe(me);
    await p2.goto("/queue");
    const row = p2.getByTestId("task-list").locator(`li[data-task-id="${postedTaskId}"]`);
    await expect(row).toBeVisible({ timeout: 60_000 });
    await expect(row).toContainText("image-resize");
    await expect(row.getByTestId("bounty")).toHaveText("1.25 CC");
  } finally {
    await other.close();
  }
});

test("after a restart of the stack the task, the balances and the IPFS content are still there", async () => {
  test.setTimeout(stack.startTimeoutMs + 120_000);
  await openAccount(page);
  await expect(page.getByTestId("escrowed")).toHaveText(formatCredits(postedEscrow));
  const shown = async (): Promise<Record<string, string | null>> =>
    Object.fromEntries(await Promise.all(["genesis", "balance", "escrowed", "spendable"].map(async (id) => [id, await page.getByTestId(id).textContent()] as const)));
  await expect.poll(async () => Object.values(await shown()).some((t) => !t || t.includes("…"))).toBe(false);
  const uiBefore = await shown();
  // Escrow is paid from the genesis credit first.
  expect(uiBefore).toEqual({ genesis: formatCredits(10_000n - postedEscrow), balance: "0 CC", escrowed: formatCredits(postedEscrow), spendable: formatCredits(10_000n - postedEscrow) });
  const chainBefore = await ledgerOf(me);
  const logsBefore = await postedLogs();
  // A block mined just before Ctrl-C survives only if anvil writes its state on exit (the periodic dump is every 5 s).
  await createTestClient({ mode: "anvil", transport: http(stack.rpcUrl) }).mine({ blocks: 1 });
  const lastBlock = await chain().getBlock({ blockTag: "latest" });

  // Other work in the checkout: a source file of the client bundle changes while the stack runs, and changes back
  // while it is down (a dev server that restored a stale cache then reloaded every page in a loop).
  const source = await readFile(CLIENT_MODULE, "utf8");
  try {
    await writeFile(CLIENT_MODULE, `${source}\n// e2e: changed while the stack runs\n`);
    await page.waitForTimeout(3_000);
    await stack.stop();
  } finally {
    await writeFile(CLIENT_MODULE, source);
  }
  await stack.start();
  console.log(`restarted in ${(stack.startMs / 1000).toFixed(1)} s`);

  // A page opened after the restart loads once and stays: no reload in 30 s, and no bytecode refetch on a timer.
  const fresh = await requesterCtx.newPage();
  try {
    const reloads = watchReloads(fresh);
    const codeReads: number[] = [];
    fresh.on("request", (r) => {
      if (r.url().startsWith(stack.rpcUrl) && (r.postData() ?? "").includes('"eth_getCode"')) codeReads.push(Date.now());
    });
    await fresh.goto("/account");
    await expect(fresh.getByTestId("address")).toHaveText(me, { timeout: 120_000 });
    await expect(fresh.getByTestId("genesis")).toHaveText(uiBefore.genesis!, { timeout: 60_000 }); // the contracts are loaded
    await fresh.waitForTimeout(35_000);
    await expect(fresh.getByTestId("address")).toHaveText(me);
    expect({ loads: reloads.loads(), reloadOrders: reloads.reloadOrders() }).toEqual({ loads: 1, reloadOrders: [] });
    // The six contracts' code was read once, when the page learnt the deployment, not again at the 30 s refetch.
    expect(codeReads).toHaveLength(6);
  } finally {
    await fresh.close();
  }

  // The chain kept its blocks, its logs (the queue is built from them) and its storage.
  expect(await chain().getBlockNumber()).toBeGreaterThanOrEqual(lastBlock.number);
  expect((await chain().getBlock({ blockNumber: lastBlock.number })).hash).toBe(lastBlock.hash);
  expect((await postedLogs()).map((l) => l.transactionHash)).toEqual(logsBefore.map((l) => l.transactionHash));
  expect(await ledgerOf(me)).toEqual(chainBefore);
  const task = await read<{ requester: Address; bounty: bigint; status: number }>("TaskMarket", "taskOf", [postedTaskId]);
  expect(task.requester.toLowerCase()).toBe(me.toLowerCase());
  expect(BigInt(task.bounty)).toBe(1_250n);

  // The IPFS node still serves the input's bytes and lists the pin.
  expect(await pins()).toContain(postedCid);
  const res = await fetch(`${stack.ipfsUrl}/ipfs/${postedCid}`);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(POSTED))).toBe(true);

  // The app shows the same account and balances, and the task in the queue.
  expect(await openAccount(page)).toBe(me);
  await expect.poll(shown, { timeout: 30_000 }).toEqual(uiBefore);
  await page.goto("/queue");
  const row = page.getByTestId("task-list").locator(`li[data-task-id="${postedTaskId}"]`);
  await expect(row).toBeVisible({ timeout: 60_000 });
  await expect(row.getByTestId("bounty")).toHaveText("1.25 CC");
  // The task page's timeline comes from the old logs too.
  await page.goto(`/tasks/${postedTaskId}`);
  await expect(page.getByTestId("task-bounty")).toHaveText("1.25 CC", { timeout: 60_000 });
  await expect(page.getByTestId("timeline")).toContainText("Posted");
});

test("the ledger adds up to the genesis issued, with the escrow shown, in checksummed addresses", async () => {
  await page.goto("/ledger");
  const table = page.getByTestId("ledger-balances");
  await expect(table).toBeVisible({ timeout: 60_000 });
  await expect(table.locator("thead")).toContainText("In escrow");
  const mine = table.locator("tbody tr", { hasText: "(you)" });
  await expect(mine).toContainText(formatCredits(postedEscrow));
  await expect(mine.locator("code.addr")).toHaveText(`${me.slice(0, 6)}…${me.slice(-4)}`); // me is EIP-55 (the Account page's)
  const issued = await read<bigint>("CreditLedger", "genesisIssued");
  await expect(page.getByTestId("ledger-total")).toHaveText(`All credit held${formatCredits(issued)} = ${formatCredits(issued)} of genesis issued`);
  await page.screenshot({ path: test.info().outputPath("ledger.png"), fullPage: true });
});

test("zk artifacts are served by content-addressed names, gzipped, cached for a year and verifiable", async () => {
  const recorded = JSON.parse(await readFile(join(import.meta.dirname, "../../circuits/artifacts.json"), "utf8")) as { circuits: Record<string, { zkeySha256: string; zkeyBytes: number }> };
  type Entry = { sha256: string; bytes: number; url: string; gzip: { url: string; bytes: number } };
  const manifest = (await (await fetch(`${stack.appUrl}/zk/manifest.json`)).json()) as { files: Record<string, Entry> };
  const zkey = manifest.files["zk-downscale.zkey"]!;
  const { zkeySha256, zkeyBytes } = recorded.circuits["zk-downscale"]!;
  const name = `zk-downscale.${zkeySha256.slice(0, 16)}.zkey`;
  expect({ ...zkey, gzip: { ...zkey.gzip, bytes: 0 } }).toEqual({ sha256: zkeySha256, bytes: zkeyBytes, url: name, gzip: { url: `${name}.gz`, bytes: 0 } });
  expect(zkey.gzip.bytes).toBeLessThan(zkeyBytes * 0.7); // 24.6 MB of 37.9

  const gz = await fetch(`${stack.appUrl}/zk/${zkey.gzip.url}`);
  expect(gz.status).toBe(200);
  expect(gz.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  const wire = Buffer.from(await gz.arrayBuffer());
  expect(wire.length).toBe(zkey.gzip.bytes);
  const inflated = gunzipSync(wire);
  expect(inflated.length).toBe(zkeyBytes);
  expect(createHash("sha256").update(inflated).digest("hex")).toBe(zkeySha256);

  const plain = await fetch(`${stack.appUrl}/zk/${zkey.url}`);
  expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  expect(createHash("sha256").update(Buffer.from(await plain.arrayBuffer())).digest("hex")).toBe(zkeySha256);
  // A name whose hash is not the file's is not served (so a cached name can never mean other bytes).
  expect((await fetch(`${stack.appUrl}/zk/zk-downscale.0000000000000000.zkey.gz`)).status).toBe(404);
});

test.describe("bad input gives a clear message and moves no credit", () => {
  let before: Awaited<ReturnType<typeof ledgerOf>>;
  let pinsBefore: string[];
  let postsBefore: number;
  let writes: string[];

  test.beforeEach(async () => {
    before = await ledgerOf(me);
    pinsBefore = await pins();
    postsBefore = (await postedLogs()).length;
    writes = watchWrites(page);
    await openPost(page);
    await expect(page.getByTestId("cost")).toContainText(`You have ${formatCredits(before.spendable)} available`);
  });

  test.afterEach(async () => {
    page.removeAllListeners("request");
    expect(await ledgerOf(me)).toEqual(before);
    expect((await postedLogs()).length).toBe(postsBefore);
    expect(writes).toEqual([]);
  });

  test("an oversized file is refused before anything is uploaded", async () => {
    const big = Buffer.alloc(IMAGE_MAX_BYTES + 1, 0);
    await page.getByLabel(/^Input file/).setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: big });
    await expect(page.getByText("This file is 32.0 MB; image-resize takes at most 32.0 MB. Nothing was uploaded.", { exact: true })).toBeVisible();
    await page.getByRole("button", { name: "Post task" }).click();
    await expect(page.getByText("Choose an input file and wait until it is uploaded.", { exact: true })).toBeVisible();
    expect(await pins()).toEqual(pinsBefore);
  });

  test("a bounty above the available credit is refused with what you have and what it needs", async () => {
    await page.getByLabel(/^Input file/).setInputFiles(PNG);
    await expect(page.getByTestId("input-cid")).toBeVisible({ timeout: 60_000 });
    await page.getByLabel(/^Bounty/).fill("20");
    const escrowText = (await page.getByTestId("escrow").textContent())!;
    await expect(page.getByTestId("cost")).toContainText("That is not enough for this bounty.");
    await page.getByRole("button", { name: "Post task" }).click();
    const refusal = page.getByText(`not enough credit: you have ${formatCredits(before.spendable)}, this needs ${escrowText}`, { exact: true });
    await expect(refusal).toBeVisible({ timeout: 30_000 });
    // The refusal belongs to that bounty: fixing the bounty clears it.
    await page.getByLabel(/^Bounty/).fill("1");
    await expect(refusal).toHaveCount(0);
    await expect(page.getByTestId("cost")).not.toContainText("not enough");
  });

  test("a bounty below the minimum names the minimum and announces no escrow", async () => {
    await page.getByLabel(/^Input file/).setInputFiles(PNG);
    await expect(page.getByTestId("input-cid")).toBeVisible({ timeout: 60_000 });
    await page.getByLabel(/^Bounty/).fill("0.01");
    await expect(page.locator("#bounty-err")).toHaveText("The minimum bounty is 0.1 CC.");
    await expect(page.getByTestId("escrow")).toHaveCount(0);
    await expect(page.getByTestId("cost")).not.toContainText("Posting escrows");
  });

  for (const [what, file, words] of [
    ["a JPEG cut short", "half.jpg", /^“half\.jpg” is a damaged JPEG image: it cannot be decoded \(mozjpeg: Premature end of JPEG file\)\. A worker would reject it; choose one that opens in an image viewer\. Nothing was uploaded\.$/],
    ["a text file named .png", "notes.png", "“notes.png” is named like a PNG file, but its content is not one: it is not a PNG, JPEG or WebP image. image-resize takes a PNG, JPEG or WebP image. Nothing was uploaded."],
    ["an empty file", "empty.png", "“empty.png” is empty (0 bytes). image-resize takes a PNG, JPEG or WebP image. Nothing was uploaded."],
  ] as const) {
    test(`${what} is refused by image-resize's own decoder, in plain words, before anything is uploaded`, async () => {
      const jpeg = await readFile(JPEG);
      const buffer = file === "half.jpg" ? jpeg.subarray(0, jpeg.length >> 1) : file === "notes.png" ? Buffer.from("Shopping list: milk, eggs, bread.\n") : Buffer.alloc(0);
      await page.getByLabel(/^Input file/).setInputFiles({ name: file, mimeType: file.endsWith(".png") ? "image/png" : "image/jpeg", buffer });
      await expect(page.locator("#upload-status [role=alert]")).toHaveText(words, { timeout: 30_000 });
      await expect(page.getByTestId("bounty-hint")).toHaveText("choose a file this type can take for an estimate");
      await page.getByRole("button", { name: "Post task" }).click();
      await expect(page.getByText("Choose an input file and wait until it is uploaded.", { exact: true })).toBeVisible();
      expect(await pins()).toEqual(pinsBefore);
    });
  }

  test("a malformed spec shows the field's message and the post button sends nothing", async () => {
    await page.getByLabel(/^Input file/).setInputFiles(PNG);
    await expect(page.getByTestId("input-cid")).toBeVisible({ timeout: 60_000 });
    await page.getByLabel(/^Bounty/).fill("1");
    const width = page.locator("#spec-width");
    const widthError = page.locator("#spec-width-err");
    for (const [bad, message] of [["0", /at least 1\b/], ["50000", /at most 8192\b/]] as const) {
      await width.fill(bad);
      await expect(widthError).toHaveText(message);
      await expect(width).toHaveAttribute("aria-invalid", "true");
      // A file is chosen and uploaded: what stands between it and an estimate is the spec.
      await expect(page.getByTestId("bounty-hint")).toHaveText("fix the output spec for an estimate");
      await page.getByRole("button", { name: "Post task" }).click();
      await expect(page.getByText("Fix the spec fields marked above.")).toBeVisible();
    }
  });

  test("an upload whose CAR root does not match is refused by the node; nothing is pinned or posted", async () => {
    // An image no node has seen: one pixel of this run's own colour.
    const fresh = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: Date.now() % 256, g: (Date.now() >> 8) % 256, b: process.pid % 256 } } }).png().toBuffer();
    const realRoot = (await addFile(new Uint8Array(fresh))).cid.toString();
    const claimed = await cidOf(JPEG); // any other valid CID
    await page.route(`${stack.ipfsUrl}/upload?**`, async (route) => {
      const url = new URL(route.request().url());
      expect(url.searchParams.get("root")).toBe(realRoot);
      url.searchParams.set("root", claimed);
      await route.continue({ url: url.toString() });
    });
    try {
      await page.getByLabel(/^Input file/).setInputFiles({ name: "fresh.png", mimeType: "image/png", buffer: fresh });
      await expect(page.getByText(`The IPFS node refused the upload: the CAR's root is ${realRoot}, but the upload claims ${claimed}`, { exact: true })).toBeVisible({ timeout: 60_000 });
      await page.getByRole("button", { name: "Post task" }).click();
      await expect(page.getByText("Choose an input file and wait until it is uploaded.", { exact: true })).toBeVisible();
    } finally {
      await page.unrouteAll();
    }
    expect(await pins()).toEqual(pinsBefore);
    expect((await fetch(`${stack.ipfsUrl}/ipfs/${realRoot}?format=raw`)).status).toBe(404);
  });
});

test("the dev log since the restart holds what a person reads: no build warnings, no line per polled request", async () => {
  const log = stack.log();
  expect(log).not.toMatch(/Module not found|Can't resolve/);
  expect(log).not.toMatch(/GET \/api\/deployments/);
  expect(log).toMatch(/^ready: /m);
});

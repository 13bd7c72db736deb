/**
 * Every task type earns from a browser tab (issue 10): a worker tab runs replicated video-transcode@2 (ffmpeg.wasm's
 * multi-thread core, its class, worker, core, pthread script and wasm served from public/node_modules/; the headless
 * verifiers run the same core on worker_threads) and ml-inference (tfjs on the pinned wasm build,
 * the nsfwjs model bundled) in its Web Workers, through the real stack (scripts/dev.ts) in Debian Chromium, with two
 * `npm run worker` processes as the verifiers. Nothing is mocked; the one thing the test changes is a byte of a
 * served file, to see the tab refuse code that is not the approved code.
 *
 * One flow, both tasks at once (two slots):
 * 1. The worker tab is served a tampered tfjs wasm. It takes the video task, checks ml-inference's files before
 *    claiming and refuses the type: the earn log says so, the task stays open, and the registry no longer lists the
 *    type among the tab's capabilities.
 * 2. Served the real file again, the reloaded tab resumes: it finishes the video task it holds, checks ml-inference
 *    again, registers the capability again and takes the task.
 * 3. Both tasks are accepted with the tab as worker and the two headless verifiers agreeing; every revealed digest is
 *    the golden output CID (recorded in Node, wasm-tasks/<type>/golden.ts). Credit is conserved throughout.
 */
import { test, expect, type BrowserContext, type Page, type Route } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, type Hex, bytesToHex } from "viem";
import { parseCid } from "../../lib/ipfs/index.ts";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { goldenVectors as mlGolden } from "../../wasm-tasks/ml-inference/golden.ts";
import { goldenVectors as videoGolden } from "../../wasm-tasks/video-transcode-2/golden.ts";
import { type Contracts, chainReader, loadContracts, newAppContext, partyLogs, postFromForm, register, statusWaiter } from "./app.ts";
import { sharedStack } from "./stack.ts";
import { HeadlessWorker } from "../support/headless-worker.ts";

test.describe.configure({ mode: "serial" });

/** The video type the post form offers first: version 2, the multi-thread core (x264 at the spec's 2 threads). */
const VIDEO_TYPE = "video-transcode@2";
const VIDEO = videoGolden.find((v) => v.spec.threads === 2)!;
const ML = mlGolden[0]!;
const fixture = (type: string, name: string) => join(import.meta.dirname, `../../wasm-tasks/${type}/fixtures/${name}`);
/** A file ml-inference loads by URL in the tab (wasm-tasks/code-cid.ts RUNTIME_ASSETS). */
const TFJS_WASM = "/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm";

const stack = sharedStack;
let contracts: Contracts;
const { read, creditHeld } = chainReader(stack, () => contracts);
let dir: string;
let verifiers: HeadlessWorker[] = [];
let requesterCtx: BrowserContext;
let workerCtx: BrowserContext;
let requesterPage: Page;
let workerPage: Page;
const taskIds: Hex[] = [];

const taskOf = (id: Hex) => read<{ status: number; worker: Address }>("TaskMarket", "taskOf", [id]);
const capabilitiesOf = async (a: Address) => BigInt((await read<{ capabilities: bigint }>("WorkerRegistry", "workerOf", [a])).capabilities);
const digestOf = (cid: string) => cidDigest(bytesToHex(parseCid(cid).bytes));

async function typeIdOf(name: string): Promise<number> {
  const count = Number(await read<bigint>("TaskTypeRegistry", "typeCount"));
  for (let id = 0; id < count; id++) if ((await read<{ name: string }>("TaskTypeRegistry", "taskType", [id])).name === name) return id;
  throw new Error(`${name} is not registered`);
}

async function expectConserved(...accounts: Address[]) {
  const { held, issued } = await creditHeld([...accounts, ...verifiers.map((v) => v.address)], taskIds);
  expect(held, "credit conservation: balances + genesis + stakes + escrows + treasury == genesis issued").toBe(issued);
}

/** What every party did, for a failure message. */
const logs = () => partyLogs(workerPage, verifiers);
const waitForStatus = statusWaiter(async (id) => (await taskOf(id)).status, logs);

/** Posts a replicated task from the requester's tab: the type, the file, the spec fields that differ from the form's. */
async function post(type: string, file: string, spec: Record<string, string> = {}): Promise<Hex> {
  const id = await postFromForm(requesterPage, { type, input: file, bounty: "1", mode: "replicated", spec });
  taskIds.push(id);
  return id;
}

/** The round of an accepted task: the tab worked it, both headless verifiers were drawn, all revealed `cid`. */
async function expectRound(id: Hex, worker: Address, cid: string, what: string) {
  const round = await read<{ members: readonly { account: Address; status: number }[]; sealOrDigest: readonly Hex[] }>("TaskMarket", "roundOf", [id]);
  expect(round.members[0]!.account, `${what}: the tab is the worker`).toBe(worker);
  expect(new Set(round.members.slice(1).map((m) => m.account)), `${what}: the headless verifiers were drawn`).toEqual(new Set(verifiers.map((v) => v.address)));
  expect(round.members.map((m) => Number(m.status)), `${what}: all three revealed`).toEqual([3, 3, 3]);
  expect([...round.sealOrDigest], `${what}: the tab and both verifiers revealed the golden output`).toEqual([digestOf(cid), digestOf(cid), digestOf(cid)]);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(stack.startTimeoutMs + 240_000);
  await stack.fresh();
  console.log(`stack up (a fresh chain under the shared app) in ${(stack.startMs / 1000).toFixed(1)} s`);
  contracts = await loadContracts(stack);
  dir = mkdtempSync(join(tmpdir(), "cc-earn-types-"));
  const ports = { rpcPort: stack.rpcPort, ipfsPort: stack.ipfsPort, appPort: stack.appPort, dataDir: stack.dataDir };
  verifiers = [1, 2].map((i) => new HeadlessWorker(`verifier${i}`, ports, join(dir, `verifier${i}.key`), ["--roles", "verifier,auditor", "--stake", "2"]));
  for (const v of verifiers) v.start();
  requesterCtx = await newAppContext(browser, stack);
  workerCtx = await newAppContext(browser, stack);
  requesterPage = await requesterCtx.newPage();
  workerPage = await workerCtx.newPage();
  await Promise.all(verifiers.map((v) => v.waitFor(/joined the verifier pool/, 180_000)));
});

test.afterAll(async () => {
  await requesterCtx?.close();
  await workerCtx?.close();
  await Promise.all(verifiers.map((v) => v.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
  // npm itself ends by the signal; the worker's last line gives its own exit code.
  for (const v of verifiers) expect(v.output, `${v.name} stops cleanly on Ctrl-C`).toMatch(/stopped: .*\(exit code 0\)/);
});

test("a worker tab earns a replicated video-transcode and an ml-inference task, and refuses ml-inference while its served code is not the approved code", async () => {
  test.setTimeout(900_000);
  const requester = await register(requesterPage);
  const tabWorker = await register(workerPage);
  await workerPage.getByLabel(/^Stake \(CC\)/).fill("2");
  await workerPage.getByRole("button", { name: "Stake", exact: true }).click();
  await expect(workerPage.getByText("Staked.")).toBeVisible({ timeout: 60_000 });
  const mlBit = 1n << BigInt(await typeIdOf("ml-inference"));
  const videoBit = 1n << BigInt(await typeIdOf(VIDEO_TYPE));

  // 1. One byte of the served tfjs wasm changed, for this tab only (the engine's check and the task code alike).
  let tampered = 0;
  const tamper = async (route: Route) => {
    const response = await route.fetch();
    const body = await response.body();
    const i = body.length >> 1;
    body[i] = body[i]! ^ 1;
    tampered++;
    await route.fulfill({ response, body });
  };
  await workerPage.route(`**${TFJS_WASM}`, tamper);

  await workerPage.goto("/earn");
  await workerPage.locator("#slots").selectOption("2");
  await workerPage.getByRole("button", { name: "Start earning" }).click();
  await expect(workerPage.getByTestId("earn-log")).toContainText("joined the verifier pool", { timeout: 180_000 });
  expect((await capabilitiesOf(tabWorker)) & (mlBit | videoBit), "registered for both types: the served manifests are the approved ones").toBe(mlBit | videoBit);

  const mlTask = await post("ml-inference", fixture("ml-inference", ML.fixture));
  const videoTask = await post(VIDEO_TYPE, fixture("video-transcode", VIDEO.fixture), {
    resolution: VIDEO.spec.resolution,
    fps: String(VIDEO.spec.fps),
    audio: VIDEO.spec.audio,
  });
  await expectConserved(requester, tabWorker);

  const log = workerPage.getByTestId("earn-log");
  await expect(log, "the tab refuses the type whose served file is not the approved one, naming the file").toContainText(
    /skipping ml-inference: the code served to this runtime is not the approved code \(.*tfjs-backend-wasm-simd\.wasm/,
    { timeout: 180_000 },
  );
  expect(tampered, "the refusal came from the tampered bytes").toBeGreaterThan(0);
  await expect(workerPage.getByText(/Not run here: .*ml-inference/)).toBeVisible();
  await expect.poll(async () => (await capabilitiesOf(tabWorker)) & mlBit, { message: "ml-inference dropped from the registered capabilities", timeout: 60_000 }).toBe(0n);
  expect((await taskOf(mlTask)).status, "the refused task was never claimed").toBe(TaskStatus.Open);
  // Meanwhile the video type's files check out and its task is claimed: the refusal is of one type only.
  await expect(log).toContainText(`${VIDEO_TYPE}: the files this runtime loads are the approved code`, { timeout: 120_000 });
  await expect(log).toContainText(`claim ${videoTask.slice(0, 10)} (${VIDEO_TYPE}`, { timeout: 60_000 });

  // 2. The real file again; the reloaded tab resumes earning (it was earning), finishes the video task it holds and
  //    checks ml-inference again.
  await workerPage.unroute(`**${TFJS_WASM}`, tamper);
  await workerPage.reload();
  await expect(log).toContainText("ml-inference: the files this runtime loads are the approved code", { timeout: 180_000 });

  // 3. Both accepted, with the golden outputs.
  const accepted = (s: number) => s === TaskStatus.Accepted || s === TaskStatus.Auditing;
  await Promise.all([
    waitForStatus(videoTask, accepted, "the video task to be accepted", 420_000),
    waitForStatus(mlTask, accepted, "the ml-inference task to be accepted", 420_000),
  ]);
  await expectRound(videoTask, tabWorker, VIDEO.cid, VIDEO_TYPE);
  await expectRound(mlTask, tabWorker, ML.cid, "ml-inference");
  expect((await capabilitiesOf(tabWorker)) & (mlBit | videoBit), "ml-inference registered again once its code checks out").toBe(mlBit | videoBit);
  await expectConserved(requester, tabWorker);
  // The earn page's bundle (the task worker with every type's code, ffmpeg's class left to its served file) compiled
  // with nothing unresolved.
  expect(stack.log()).not.toMatch(/Module not found|Can't resolve/);
  if (process.env.CC_E2E_WORKER_LOG) console.log(`--- worker tab (after the reload)\n${await log.textContent()}\n--- dev log\n${stack.log()}`);
});

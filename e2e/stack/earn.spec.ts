/**
 * Replicated tasks earned from a browser tab, through the real stack (scripts/dev.ts: anvil, the deploy, the Helia
 * node, `next dev`) in Debian Chromium, with verifiers that are `npm run worker` processes as a server owner runs
 * them. Nothing is mocked: the tab's earn engine runs image-resize@2 (libvips in wasm, on the SharedArrayBuffer the
 * app's cross-origin isolation gives it) in a Web Worker, the headless verifiers run the same wasm-tasks/ code in
 * worker_threads, and every credit movement is read from the chain.
 *
 * 1. Honest path: a requester tab posts an image-resize@2 task; a worker tab claims, computes, commits and reveals;
 *    two headless verifiers are drawn and agree; the worker settles it, and, past the audit window, finalizes it and
 *    is paid. The requester previews the output and downloads bytes equal to what Node computes.
 * 2. A cheating worker (the test-only cheat switch of a development build, workers/earn/cheats.ts): its corrupted
 *    output is outvoted, it is slashed, and the task goes back to the queue, where an honest worker completes it.
 */
import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, type Hex, bytesToHex, hexToString } from "viem";
import { parseCid } from "../../lib/ipfs/index.ts";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import { bpsShare, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { outputCidString } from "../../wasm-tasks/digest.ts";
import { imageResizeSpec } from "../../wasm-tasks/image-resize/index.ts";
import { imageResize2 } from "../../wasm-tasks/image-resize-2/index.ts";
import { type Contracts, chainReader, loadContracts, moveChainClock, newAppContext, partyLogs, postFromForm, register, statusWaiter } from "./app.ts";
import { sharedStack } from "./stack.ts";
import { HeadlessWorker } from "../support/headless-worker.ts";

test.describe.configure({ mode: "serial" });

/** The image type the post form offers first: version 2 (libvips in wasm), which needs the app's cross-origin isolation. */
const IMAGE_TYPE = imageResize2.name;
const PHOTO = join(import.meta.dirname, "../../wasm-tasks/image-resize/fixtures/photo-320x240.jpg");
const BOUNTY = 1_000n; // mCC, posted as "1"
const p = defaultParams;

const stack = sharedStack;
let contracts: Contracts;
const { client, read, creditHeld, postedTasks } = chainReader(stack, () => contracts);
let dir: string;
let verifiers: HeadlessWorker[] = [];
/** An honest server owner's worker (`--roles worker`), started in the cheating-worker test. */
let honestWorker: HeadlessWorker | undefined;
/** Processes a later test starts (colluders, auditors). */
const extra: HeadlessWorker[] = [];
const processes = () => [...verifiers, ...(honestWorker ? [honestWorker] : []), ...extra];
let requesterCtx: BrowserContext;
let workerCtx: BrowserContext;
let requesterPage: Page;
let workerPage: Page;
let requester: Address;
let tabWorker: Address;
const taskIds: Hex[] = [];

type Account = { balance: bigint; genesis: bigint; earned: bigint; stake: bigint; lockedStake: bigint };
const accountOf = async (a: Address): Promise<Account> => {
  const x = await read<Record<keyof Account, bigint>>("CreditLedger", "accountOf", [a]);
  return { balance: BigInt(x.balance), genesis: BigInt(x.genesis), earned: BigInt(x.earned), stake: BigInt(x.stake), lockedStake: BigInt(x.lockedStake) };
};
const reputationOf = async (a: Address) => Number((await read<{ reputation: number }>("WorkerRegistry", "workerOf", [a])).reputation);
/** 0 when the account is out of the verifier pool. */
const poolIndexOf = async (a: Address) => Number((await read<{ poolIndex: number }>("WorkerRegistry", "workerOf", [a])).poolIndex);
const taskOf = (id: Hex) => read<{ status: number; worker: Address; workValue: number }>("TaskMarket", "taskOf", [id]);
const accounts = () => [...new Set([requester, tabWorker, ...processes().map((v) => v.address)])];

async function expectConserved() {
  const { held, issued } = await creditHeld(accounts(), taskIds);
  expect(held, "credit conservation: balances + genesis + stakes + escrows + treasury == genesis issued").toBe(issued);
}


/** What every party did, for a failure message. */
const logs = () => partyLogs(workerPage, processes());
const waitForStatus = statusWaiter(async (id) => (await taskOf(id)).status, logs);

/** Moves the chain's clock past the task's audit window (an audit in progress ends too, by the same window). */
async function passAuditWindow(id: Hex, status: number) {
  const closesAt =
    status === TaskStatus.Accepted ? Number(await read<bigint>("TaskMarket", "auditWindowClosesAt", [id])) : Number((await client().getBlock()).timestamp) + p.auditWindow;
  await moveChainClock(stack, closesAt + 60);
}

/** Posts a replicated image-resize task of the photo from the requester's tab. */
async function postImage(size?: { width: number; height: number }): Promise<Hex> {
  const spec = size ? { width: String(size.width), height: String(size.height) } : undefined;
  const id = await postFromForm(requesterPage, { type: IMAGE_TYPE, input: PHOTO, bounty: "1", mode: "replicated", spec });
  taskIds.push(id);
  return id;
}


/** Restarts the worker tab's engine with these roles and this test-only cheat (none: honest). */
async function restartTab(options: { claim: boolean; verify: boolean; cheats?: string }) {
  await workerPage.goto("/earn");
  const stop = workerPage.getByRole("button", { name: "Stop earning" });
  const start = workerPage.getByRole("button", { name: "Start earning" });
  await expect(stop.or(start)).toBeVisible({ timeout: 120_000 });
  if (await stop.isVisible()) await stop.click();
  await expect(start).toBeVisible({ timeout: 120_000 });
  await workerPage.evaluate((c) => (c ? localStorage.setItem("computecredit-test-cheats", c) : localStorage.removeItem("computecredit-test-cheats")), options.cheats ?? "");
  await workerPage.reload();
  await expect(start).toBeVisible({ timeout: 120_000 });
  await workerPage.getByRole("checkbox", { name: /Claim and work tasks/ }).setChecked(options.claim);
  await workerPage.getByRole("checkbox", { name: /Verify and audit/ }).setChecked(options.verify);
  await start.click();
  await expect(stop).toBeVisible({ timeout: 60_000 });
}

const events = async (eventName: string, taskId: Hex) =>
  (await client().getContractEvents({ address: contracts.TaskMarket!.address, abi: contracts.TaskMarket!.abi, eventName, args: { taskId }, fromBlock: 0n })) as unknown as {
    args: Record<string, unknown>;
  }[];

async function waitForEvent(eventName: string, taskId: Hex, timeout: number, where: (args: Record<string, unknown>) => boolean = () => true) {
  await expect
    .poll(async () => (await events(eventName, taskId)).some((e) => where(e.args)), { timeout, intervals: [100], message: `${eventName} for ${taskId}` })
    .toBe(true)
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await logs()}`);
    });
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(stack.startTimeoutMs + 240_000);
  await stack.fresh();
  console.log(`stack up (a fresh chain under the shared app) in ${(stack.startMs / 1000).toFixed(1)} s`);
  contracts = await loadContracts(stack);
  dir = mkdtempSync(join(tmpdir(), "cc-earn-spec-"));
  // Two server owners' verifiers: each creates its key, gets gas from the app's faucet, benchmarks, registers,
  // stakes 2 CC of its genesis credit and joins the verifier pool.
  const ports = { rpcPort: stack.rpcPort, ipfsPort: stack.ipfsPort, appPort: stack.appPort, dataDir: stack.dataDir };
  verifiers = [1, 2].map((i) => new HeadlessWorker(`verifier${i}`, ports, join(dir, `verifier${i}.key`), ["--roles", "verifier,auditor", "--stake", "2"]));
  for (const v of verifiers) v.start();
  await Promise.all(verifiers.map((v) => v.waitFor(/joined the verifier pool/, 180_000)));
  requesterCtx = await newAppContext(browser, stack);
  workerCtx = await newAppContext(browser, stack);
  requesterPage = await requesterCtx.newPage();
  workerPage = await workerCtx.newPage();
});

test.afterAll(async () => {
  await requesterCtx?.close();
  await workerCtx?.close();
  await Promise.all(processes().map((v) => v.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
  // npm itself ends by the signal; the worker's last line gives its own exit code.
  for (const v of processes()) expect(v.output, `${v.name} stops cleanly on Ctrl-C`).toMatch(/stopped: .*\(exit code 0\)/);
});

test("honest path: a worker tab earns from a requester tab's image-resize task, verified by two npm run worker processes", async () => {
  test.setTimeout(600_000);
  requester = await register(requesterPage);
  tabWorker = await register(workerPage);
  await workerPage.getByLabel(/^Stake \(CC\)/).fill("2");
  await workerPage.getByRole("button", { name: "Stake", exact: true }).click();
  await expect(workerPage.getByText("Staked.")).toBeVisible({ timeout: 60_000 });
  // The worker tab starts first: it benchmarks, updates its rate and joins the pool before the task exists.
  await workerPage.goto("/earn");
  await workerPage.getByRole("button", { name: "Start earning" }).click();
  await expect(workerPage.getByTestId("earn-log")).toContainText("joined the verifier pool", { timeout: 180_000 });
  expect((await read<{ rateMilli: number }>("WorkerRegistry", "workerOf", [tabWorker])).rateMilli, "the rate is measured, not the registration's 1.000").not.toBe(1000);

  const before = new Map<Address, Account>();
  for (const a of accounts()) before.set(a, await accountOf(a));
  const treasuryBefore = await read<bigint>("CreditLedger", "treasury");
  const reputationBefore = new Map(await Promise.all(accounts().map(async (a) => [a, await reputationOf(a)] as const)));

  const taskId = await postImage();
  const escrow = escrowFor(BOUNTY, 0, p);
  expect((await accountOf(requester)).genesis).toBe(before.get(requester)!.genesis - escrow);
  await expectConserved();

  // The worker tab shows the job going through its stages to acceptance.
  const job = workerPage.getByTestId("jobs").locator(`li[data-kind="worker"][data-task-id="${taskId}"]`);
  await expect(job).toBeVisible({ timeout: 120_000 });
  const accepted = await waitForStatus(taskId, (s) => s === TaskStatus.Accepted || s === TaskStatus.Auditing, "the task to be accepted", 300_000);
  await expect(job).toHaveAttribute("data-phase", "accepted", { timeout: 60_000 });

  // The round: the tab, and the two headless verifiers drawn from the pool; all three revealed the same output.
  const input = new Uint8Array(readFileSync(PHOTO));
  // The spec as posted (the form's starting spec, through the type's schema), read back from the chain.
  const [posted] = await postedTasks(taskId);
  const spec = imageResizeSpec.parse(JSON.parse(hexToString(posted!.args.spec)));
  const expected = await imageResize2.run(input, spec);
  const expectedDigest = cidDigest(bytesToHex(parseCid(await outputCidString(expected)).bytes));
  const round = await read<{ members: readonly { account: Address; status: number }[]; sealOrDigest: readonly Hex[] }>("TaskMarket", "roundOf", [taskId]);
  expect(round.members[0]!.account).toBe(tabWorker);
  expect(new Set(round.members.slice(1).map((m) => m.account))).toEqual(new Set(verifiers.map((v) => v.address)));
  expect(round.members.map((m) => Number(m.status)), "all three revealed").toEqual([3, 3, 3]);
  expect([...round.sealOrDigest], "the output Node computes, computed in the tab and by both verifiers").toEqual([expectedDigest, expectedDigest, expectedDigest]);

  // Nothing is paid at acceptance.
  for (const a of accounts()) {
    const now = await accountOf(a);
    const was = before.get(a)!;
    expect(now.balance + now.genesis, `no credit moves at acceptance (${a})`).toBe(was.balance + was.genesis - (a === requester ? escrow : 0n));
  }
  await expectConserved();

  // The requester previews the output and downloads it: the bytes Node computes for the same input and spec.
  await requesterPage.goto("/my-tasks");
  const row = requesterPage.getByTestId("my-tasks").locator(`li[data-task-id="${taskId}"]`);
  await expect(row.getByRole("img", { name: "Resized image (after)" })).toBeVisible({ timeout: 60_000 });
  await expect(row.getByRole("img", { name: "Input image (before)" })).toBeVisible();
  await expect(row).toContainText(accepted === TaskStatus.Accepted ? "Accepted: the worker and a verifier agree" : "being audited");
  const download = requesterPage.waitForEvent("download");
  await row.getByRole("link", { name: "Download the result" }).click();
  const file = await (await download).path();
  expect(new Uint8Array(readFileSync(file!)), "the downloaded output is the bytes Node computes").toEqual(expected);

  // Past the audit window the worker tab's engine finalizes its own task: nobody has to click.
  await passAuditWindow(taskId, accepted);
  await waitForStatus(taskId, (s) => s === TaskStatus.Final, "the worker tab to finalize the task", 120_000);

  // Exact movements: the bounty to the worker and a fee to each verifier (as genesis: the escrow was genesis
  // credit), the platform fee to the treasury, the audit reserve back to the requester, locks released; an IOU
  // from the requester to the worker, and +1 reputation for the worker's accepted work.
  const fee = bpsShare(BOUNTY, p.verifierFeeBps);
  const platformFee = bpsShare(BOUNTY, p.platformFeeBps);
  const workValue = BigInt((await taskOf(taskId)).workValue);
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  const delta = async (a: Address) => {
    const now = await accountOf(a);
    const was = before.get(a)!;
    return { balance: now.balance - was.balance, genesis: now.genesis - was.genesis, earned: now.earned - was.earned, stake: now.stake - was.stake, lockedStake: now.lockedStake - was.lockedStake };
  };
  expect(await delta(requester)).toEqual({ balance: 0n, genesis: -(BOUNTY + 2n * fee + platformFee), earned: 0n, stake: 0n, lockedStake: 0n });
  expect(await delta(tabWorker)).toEqual({ balance: 0n, genesis: BOUNTY, earned: min(BOUNTY, workValue), stake: 0n, lockedStake: 0n });
  for (const v of verifiers) expect(await delta(v.address)).toEqual({ balance: 0n, genesis: fee, earned: min(fee, workValue), stake: 0n, lockedStake: 0n });
  expect((await read<bigint>("CreditLedger", "treasury")) - treasuryBefore).toBe(platformFee);
  expect(await read<bigint>("CreditLedger", "owed", [requester, tabWorker]), "IOU requester -> worker").toBe(BOUNTY);
  expect(await reputationOf(tabWorker)).toBe(reputationBefore.get(tabWorker)! + 1);
  for (const v of verifiers) expect(await reputationOf(v.address)).toBe(reputationBefore.get(v.address)!);
  await expectConserved();

  // What the pages say: the worker tab's job is paid with the bounty, the verifiers logged their fees.
  await expect(job).toHaveAttribute("data-phase", "paid", { timeout: 60_000 });
  await expect(workerPage.getByTestId("earned")).toContainText("1 CC");
  await requesterPage.goto(`/tasks/${taskId}`);
  await expect(requesterPage.getByTestId("timeline")).toContainText("the worker was paid 1 CC", { timeout: 60_000 });
});

test("cheating worker: a worker tab's corrupted output is outvoted, it is slashed, and an honest npm run worker completes the task", async () => {
  test.setTimeout(600_000);
  // The test-only cheat switch, read by a development build's earn tab at start (workers/earn/cheats.ts).
  await workerPage.goto("/earn");
  await workerPage.getByRole("button", { name: "Stop earning" }).click();
  await expect(workerPage.getByRole("button", { name: "Start earning" })).toBeVisible({ timeout: 60_000 });
  await workerPage.evaluate(() => localStorage.setItem("computecredit-test-cheats", "corrupt:worker"));
  await workerPage.reload();
  await workerPage.getByRole("button", { name: "Start earning" }).click();
  await expect(workerPage.getByRole("button", { name: "Stop earning" })).toBeVisible({ timeout: 60_000 });

  const before = new Map<Address, Account>();
  for (const a of accounts()) before.set(a, await accountOf(a));
  const treasuryBefore = await read<bigint>("CreditLedger", "treasury");
  const reputationBefore = await reputationOf(tabWorker);
  const taskId = await postImage();
  const escrow = escrowFor(BOUNTY, 0, p);

  // The tab claims and commits garbage; the two verifiers (the only pool members besides the worker) recompute
  // honestly; the worker is outvoted.
  const rejected = async () =>
    (await client().getContractEvents({ address: contracts.TaskMarket!.address, abi: contracts.TaskMarket!.abi, eventName: "TaskRejected", args: { taskId }, fromBlock: 0n })) as unknown as { args: { worker: Address; reason: number } }[];
  await expect
    .poll(async () => (await rejected()).length, { timeout: 300_000, message: "the corrupted result to be rejected" })
    .toBe(1)
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await logs()}`);
    });
  const [rejection] = await rejected();
  expect(rejection!.args.worker).toBe(tabWorker);
  expect((await taskOf(taskId)).status, "back in the queue").toBe(TaskStatus.Open);
  expect(await read<boolean>("TaskMarket", "excluded", [taskId, tabWorker]), "the cheater may not claim it again").toBe(true);

  // The cheater's claim stake is slashed; each verifier that exposed it is paid its fee out of the slash (not out of
  // the requester's escrow, which stays whole for the next round); reputation -1.
  const claimLock = bpsShare(BOUNTY, p.claimStakeBps);
  const fee = bpsShare(BOUNTY, p.verifierFeeBps);
  const cheater = await accountOf(tabWorker);
  expect(before.get(tabWorker)!.stake - cheater.stake, "slashed its claim stake").toBe(claimLock);
  expect(cheater.lockedStake).toBe(0n);
  for (const v of verifiers) {
    const now = await accountOf(v.address);
    const was = before.get(v.address)!;
    expect(now.balance + now.genesis - (was.balance + was.genesis), `${v.name} is paid its fee out of the slash`).toBe(fee);
  }
  expect((await read<bigint>("CreditLedger", "treasury")) - treasuryBefore, "the rest of the slash goes to the treasury").toBe(claimLock - 2n * fee);
  expect((await read<{ amount: bigint }>("CreditLedger", "escrowOf", [taskId])).amount, "the escrow stays whole").toBe(escrow);
  expect(await reputationOf(tabWorker)).toBe(reputationBefore - 1);
  await expectConserved();
  // The requester's card says why the task is back in the queue.
  await requesterPage.goto("/my-tasks");
  await expect(requesterPage.getByTestId("my-tasks").locator(`li[data-task-id="${taskId}"]`)).toContainText("An earlier worker's result was rejected", { timeout: 60_000 });

  // An honest server owner's worker takes it from the queue and it is accepted.
  await workerPage.getByRole("button", { name: "Stop earning" }).click();
  await workerPage.evaluate(() => localStorage.removeItem("computecredit-test-cheats"));
  const honest = new HeadlessWorker("honest-worker", { rpcPort: stack.rpcPort, ipfsPort: stack.ipfsPort, appPort: stack.appPort, dataDir: stack.dataDir }, join(dir, "worker.key"), ["--roles", "worker", "--stake", "2"]);
  honestWorker = honest; // stopped (and its exit code checked) with the verifiers
  honest.start();
  await waitForStatus(taskId, (s) => s === TaskStatus.Accepted || s === TaskStatus.Auditing, "the honest worker's result to be accepted", 300_000);
  expect((await taskOf(taskId)).worker).toBe(honest.address);
  await expectConserved();
});

test("closed tab: a worker tab closed mid-task lets its claim lapse, pays for it, and another worker completes the task", async () => {
  test.setTimeout(600_000);
  // Only the tab may claim at first: the headless worker waits.
  await honestWorker!.stop();
  await restartTab({ claim: true, verify: false });
  // Out of the verifier pool too (a closed tab drawn to verify the next round would be a silent verifier): the
  // stop left it, and an engine that only claims does not join again.
  expect(await poolIndexOf(tabWorker), "Stop earning leaves the verifier pool").toBe(0);
  await workerPage.goto("/account");
  await expect(workerPage.getByRole("button", { name: "Join the verifier pool" })).toBeVisible({ timeout: 60_000 });
  const before = await accountOf(tabWorker);
  // A large output, so that the tab is still computing when it is closed.
  const taskId = await postImage({ width: 4000, height: 3000 });
  await waitForEvent("TaskClaimed", taskId, 120_000, (a) => a.worker === tabWorker);
  await workerPage.close();
  // Give a closing tab's last request time to land, then check it never committed.
  await new Promise((r) => setTimeout(r, 3_000));
  expect(await events("ResultCommitted", taskId), "the tab was closed before its commit").toHaveLength(0);
  const claim = await read<{ claimDeadline: number }>("TaskMarket", "taskOf", [taskId]);
  await moveChainClock(stack, Number(claim.claimDeadline) + 1);

  // The server owner's worker comes back: the lapsed claim is as good as open, and its claim expires the tab's.
  honestWorker!.start();
  await waitForEvent("ClaimExpiredReopened", taskId, 120_000, (a) => a.worker === tabWorker);
  await waitForStatus(taskId, (s) => s === TaskStatus.Accepted || s === TaskStatus.Auditing, "the other worker's result to be accepted", 300_000);
  expect((await taskOf(taskId)).worker).toBe(honestWorker!.address);
  // The lapse cost the tab's account 1% of the bounty from its stake (expirySlashBps), and its claim lock is free.
  const after = await accountOf(tabWorker);
  expect(before.stake - after.stake).toBe(bpsShare(BOUNTY, p.expirySlashBps));
  expect(after.lockedStake).toBe(0n);
  await expectConserved();

  // The tab comes back: it remembers it was earning, resumes, and holds nothing any more.
  workerPage = await workerCtx.newPage();
  await workerPage.goto("/earn");
  await expect(workerPage.getByRole("button", { name: "Stop earning" })).toBeVisible({ timeout: 120_000 });
});

test("dishonest verifier: a verifier tab that reports a wrong result is outvoted, the task is accepted, and the liar is slashed when it is final", async () => {
  test.setTimeout(600_000);
  // A pool of exactly the tab and one honest verifier, so that both are drawn: the second verifier stops, and a
  // stopped `npm run worker` leaves the pool on its way out.
  const [, v2] = verifiers;
  await v2!.stop();
  expect(v2!.output).toContain("left the verifier pool");
  expect(await poolIndexOf(v2!.address), "Ctrl-C leaves the verifier pool").toBe(0);
  // The tasks the earlier tests left accepted become final first, so that the movements below are this task's alone
  // (and before the tab restarts: a request it signs must not see the chain's clock jump a day under it).
  for (const id of taskIds) {
    const status = (await taskOf(id)).status;
    if (status !== TaskStatus.Accepted && status !== TaskStatus.Auditing) continue;
    await passAuditWindow(id, status);
    await waitForStatus(id, (s) => s === TaskStatus.Final, "an earlier task to be finalized by its worker", 120_000);
  }
  await restartTab({ claim: false, verify: true, cheats: "corrupt:verifier" });

  const before = new Map<Address, Account>();
  for (const a of accounts()) before.set(a, await accountOf(a));
  const treasuryBefore = await read<bigint>("CreditLedger", "treasury");
  const taskId = await postImage();
  const accepted = await waitForStatus(taskId, (s) => s === TaskStatus.Accepted || s === TaskStatus.Auditing, "the task to be accepted despite the liar", 300_000);
  const round = await read<{ members: readonly { account: Address; status: number }[]; sealOrDigest: readonly Hex[] }>("TaskMarket", "roundOf", [taskId]);
  expect(round.members[0]!.account).toBe(honestWorker!.address);
  const liar = round.members.findIndex((m) => m.account === tabWorker);
  const honest = round.members.findIndex((m) => m.account === verifiers[0]!.address);
  expect(liar, "the verifier tab was drawn").toBeGreaterThan(0);
  expect(honest, "the honest verifier was drawn").toBeGreaterThan(0);
  expect(round.sealOrDigest[honest], "the honest verifier agrees with the worker").toBe(round.sealOrDigest[0]);
  expect(round.sealOrDigest[liar], "the tab revealed something else").not.toBe(round.sealOrDigest[0]);

  await passAuditWindow(taskId, accepted);
  await waitForStatus(taskId, (s) => s === TaskStatus.Final, "the worker to finalize the task", 120_000);
  // The worker is paid its bounty, the agreeing verifier its fee; the liar gets no fee and loses its duty lock
  // (rejectSlashBps of the bounty) to the treasury; its unpaid fee returns to the requester.
  const fee = bpsShare(BOUNTY, p.verifierFeeBps);
  const platformFee = bpsShare(BOUNTY, p.platformFeeBps);
  const lock = bpsShare(BOUNTY, p.rejectSlashBps);
  const held = async (a: Address) => {
    const now = await accountOf(a);
    const was = before.get(a)!;
    return { credit: now.balance + now.genesis - (was.balance + was.genesis), stake: now.stake - was.stake, lockedStake: now.lockedStake - was.lockedStake };
  };
  expect(await held(honestWorker!.address)).toEqual({ credit: BOUNTY, stake: 0n, lockedStake: 0n });
  expect(await held(verifiers[0]!.address)).toEqual({ credit: fee, stake: 0n, lockedStake: 0n });
  expect(await held(tabWorker)).toEqual({ credit: 0n, stake: -lock, lockedStake: 0n });
  expect(await held(requester)).toEqual({ credit: -(BOUNTY + fee + platformFee), stake: 0n, lockedStake: 0n });
  expect((await read<bigint>("CreditLedger", "treasury")) - treasuryBefore).toBe(platformFee + lock);
  await expectConserved();
});

test("closed verifier tab: a verifier tab closed after its commit comes back before the reveal deadline and reveals with the salt it stored", async () => {
  test.setTimeout(600_000);
  const [v1] = verifiers;
  await restartTab({ claim: false, verify: true });
  // The other verifier's server dies (it stays in the pool and is drawn), so that the reveal phase cannot open
  // while the tab is still there.
  await v1!.crash();
  const taskId = await postImage();
  await waitForEvent("ResultCommitted", taskId, 300_000, (a) => a.account === tabWorker);
  await workerPage.close();
  expect(await events("ResultRevealed", taskId), "nothing revealed yet").toHaveLength(0);

  v1!.start();
  await waitForEvent("ResultCommitted", taskId, 300_000, (a) => a.account === v1!.address);
  // The tab comes back within the reveal window: it resumes earning and reveals from the salt in IndexedDB.
  workerPage = await workerCtx.newPage();
  await workerPage.goto("/earn");
  await waitForEvent("ResultRevealed", taskId, 180_000, (a) => a.account === tabWorker);
  await waitForStatus(taskId, (s) => s === TaskStatus.Accepted || s === TaskStatus.Auditing, "the task to be accepted with the tab's reveal", 120_000);
  const round = await read<{ members: readonly { account: Address; status: number }[]; sealOrDigest: readonly Hex[] }>("TaskMarket", "roundOf", [taskId]);
  expect(round.members.map((m) => Number(m.status)), "all three revealed, the tab too").toEqual([3, 3, 3]);
  expect(round.sealOrDigest[round.members.findIndex((m) => m.account === tabWorker)]).toBe(round.sealOrDigest[0]);
  // Its salt is gone from the store once revealed.
  const salts = await workerPage.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open("computecredit-earn");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const keys = open.result.transaction("kv").objectStore("kv").getAllKeys();
          keys.onsuccess = () => resolve((keys.result as string[]).filter((k) => k.startsWith("secret:")).length);
        };
      }),
  );
  expect(salts, "no salt left once revealed").toBe(0);
  await expectConserved();
});

test("silent verifier tab: a verifier tab closed before it committed is replaced after the commit window, unslashed, and the task is accepted", async () => {
  test.setTimeout(600_000);
  const [v1, v2] = verifiers;
  // The pool is the tab and the first verifier (the second stopped and left it), so both are drawn. A large output
  // keeps the tab computing when it is closed.
  expect(await poolIndexOf(v2!.address)).toBe(0);
  const before = await accountOf(tabWorker);
  const reputationBefore = await reputationOf(tabWorker);
  const taskId = await postImage({ width: 4000, height: 3000 });
  await waitForEvent("VerifierDrawn", taskId, 300_000, (a) => a.verifier === tabWorker);
  await workerPage.close();
  // The second verifier comes back: the replacement has someone to draw.
  v2!.start();
  await v2!.waitFor(/joined the verifier pool/, 180_000);
  await waitForEvent("ResultCommitted", taskId, 300_000, (a) => a.account === v1!.address);
  await new Promise((r) => setTimeout(r, 3_000)); // a closing tab's last request lands, or never does
  expect(await events("ResultCommitted", taskId), "the tab was closed before its commit").not.toContainEqual(expect.objectContaining({ args: expect.objectContaining({ account: tabWorker }) }));

  // Past the commit window the worker's engine replaces the silent member: it loses its place and reputation, not
  // its stake, and may not be drawn for this task again; the second verifier is drawn in its place.
  const { commitDeadline } = await read<{ commitDeadline: number }>("TaskMarket", "roundOf", [taskId]);
  await moveChainClock(stack, Number(commitDeadline) + 1);
  await waitForEvent("VerifierReplaced", taskId, 120_000, (a) => a.silent === tabWorker);
  await waitForEvent("VerifierDrawn", taskId, 120_000, (a) => a.verifier === v2!.address);
  await waitForStatus(taskId, (s) => s === TaskStatus.Accepted || s === TaskStatus.Auditing, "the task to be accepted with the replacement's vote", 300_000);
  const round = await read<{ members: readonly { account: Address; status: number }[] }>("TaskMarket", "roundOf", [taskId]);
  expect(new Set(round.members.map((m) => m.account))).toEqual(new Set([honestWorker!.address, v1!.address, v2!.address]));
  expect(await read<boolean>("TaskMarket", "excluded", [taskId, tabWorker]), "the silent member may not come back to this task").toBe(true);
  const after = await accountOf(tabWorker);
  expect({ stake: after.stake, lockedStake: after.lockedStake }, "a member that never committed is not slashed; its duty lock is free").toEqual({ stake: before.stake, lockedStake: before.lockedStake });
  expect(await reputationOf(tabWorker)).toBeLessThan(reputationBefore);
  await expectConserved();

  // The tab comes back and goes on earning; the second verifier leaves the pool again (the next test needs both).
  workerPage = await workerCtx.newPage();
  await workerPage.goto("/earn");
  await expect(workerPage.getByRole("button", { name: "Stop earning" })).toBeVisible({ timeout: 120_000 });
  await v2!.stop();
});

test("forced audit: a requester disputes a result a colluding worker and verifier had accepted; the pay is reversed, the worker banned, the auditors paid", async () => {
  test.setTimeout(600_000);
  const ports = { rpcPort: stack.rpcPort, ipfsPort: stack.ipfsPort, appPort: stack.appPort, dataDir: stack.dataDir };
  const [v1, v2] = verifiers;
  // The colluders: a server that corrupts what it works (the test-only cheating entry) and the verifier tab, which
  // reports the same corruption. The pool is the tab and one honest verifier, so both are drawn.
  await honestWorker!.stop();
  const colluder = new HeadlessWorker("colluding-worker", ports, join(dir, "colluder.key"), ["--roles", "worker", "--stake", "2"], "corrupt:worker");
  extra.push(colluder);
  colluder.start();
  await colluder.waitFor(/^.*earning as/, 180_000);
  await restartTab({ claim: false, verify: true, cheats: "corrupt:verifier" });

  const taskId = await postImage();
  const accepted = await waitForStatus(taskId, (s) => s === TaskStatus.Accepted || s === TaskStatus.Auditing, "the colluders' result to be accepted", 300_000);
  const round = await read<{ members: readonly { account: Address }[]; sealOrDigest: readonly Hex[] }>("TaskMarket", "roundOf", [taskId]);
  expect(round.members[0]!.account).toBe(colluder.address);
  const tabAt = round.members.findIndex((m) => m.account === tabWorker);
  const honestAt = round.members.findIndex((m) => m.account === v1!.address);
  expect(round.sealOrDigest[tabAt], "the colluding verifier agreed with the corrupted output").toBe(round.sealOrDigest[0]);
  expect(round.sealOrDigest[honestAt], "the honest verifier dissented").not.toBe(round.sealOrDigest[0]);

  // Three honest auditors join the pool: the second verifier again, the honest worker as a verifier, and a newcomer.
  const auditors = [
    v2!,
    new HeadlessWorker("auditor-honest-worker", ports, honestWorker!.keyFile, ["--roles", "verifier,auditor", "--stake", "2"]),
    new HeadlessWorker("auditor3", ports, join(dir, "auditor3.key"), ["--roles", "verifier,auditor", "--stake", "2"]),
  ];
  extra.push(auditors[1]!, auditors[2]!);
  for (const a of auditors) a.start();
  await Promise.all(auditors.map((a) => a.waitFor(/joined the verifier pool/, 180_000)));

  const before = new Map<Address, Account>();
  for (const a of accounts()) before.set(a, await accountOf(a));
  // The requester looks at the result, sees garbage, and disputes it from its task card.
  await requesterPage.goto("/my-tasks");
  const row = requesterPage.getByTestId("my-tasks").locator(`li[data-task-id="${taskId}"]`);
  await expect(row.getByTestId("dispute")).toBeVisible({ timeout: 60_000 });
  // (One time in ten the settle block draws a random audit first; then the same auditors are drawn for it.)
  if (accepted === TaskStatus.Accepted && (await taskOf(taskId)).status === TaskStatus.Accepted) {
    await row.getByRole("button", { name: "Open a dispute" }).click();
    await expect(row.getByTestId("dispute")).toContainText("Dispute open", { timeout: 60_000 });
  }

  // The auditors' engines draw themselves, recompute, commit, reveal and finalize the audit: nobody clicks.
  await waitForStatus(taskId, (s) => s === TaskStatus.Fraudulent, "the audit to prove fraud", 300_000);
  expect(await read<boolean>("WorkerRegistry", "isBanned", [colluder.address]), "the worker is banned").toBe(true);
  const fee = bpsShare(BOUNTY, p.verifierFeeBps);
  const platformFee = bpsShare(BOUNTY, p.platformFeeBps);
  const credit = async (a: Address) => {
    const now = await accountOf(a);
    const was = before.get(a)!;
    return now.balance + now.genesis - (was.balance + was.genesis);
  };
  // The bounty was never paid out: it comes back to the requester with the verifier fees; only the auditors' fees
  // (from the audit reserve) and the platform fee are spent.
  expect(await credit(requester), "the requester's escrow comes back less the auditors' fees").toBe(escrowFor(BOUNTY, 0, p) - 3n * fee - platformFee);
  for (const a of auditors) expect(await credit(a.address), `${a.name} is paid at least its fee`).toBeGreaterThanOrEqual(fee);
  // The fraud slash (fraudSlashMultiplier x the bounty) takes its whole 2 CC stake and the rest from its credit.
  const colluderNow = await accountOf(colluder.address);
  const colluderWas = before.get(colluder.address)!;
  expect(colluderNow.stake, "the colluding worker's stake is gone").toBe(0n);
  expect(await credit(colluder.address) + (colluderNow.stake - colluderWas.stake), "it is paid nothing and loses the fraud slash").toBe(-BigInt(p.fraudSlashMultiplier) * BOUNTY);
  expect((await accountOf(tabWorker)).stake, "the colluding verifier is slashed").toBeLessThan(before.get(tabWorker)!.stake);
  const dissenter = await accountOf(v1!.address);
  expect(dissenter.stake, "the honest dissenter is made whole").toBe(before.get(v1!.address)!.stake);
  expect(await credit(v1!.address), "and rewarded").toBeGreaterThan(0n);
  await expectConserved();
  await expect(row).toContainText("The audit found fraud", { timeout: 60_000 });
});

/**
 * A zk task from post to payment through the real stack (scripts/dev.ts: anvil, the deploy, the Helia node,
 * `next dev`) in Debian Chromium: a requester tab posts a zk-downscale tile with its input commitment, a worker
 * tab on /earn proves it in a Web Worker without claiming it and has it accepted by the one submitProof transaction (the
 * pay stays in escrow until the audit window closes; the last test moves the chain's clock on and finalizes it
 * from the task page); the requester's tab checks the output against the proven commitment. Then, with a worker driven from here
 * (a real proof made in Node): a tampered proof is refused on chain and moves no credit, and an output CID that
 * is not the proven output is flagged in the requester's tab, which opens a dispute (forced audit).
 */
import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import { join } from "node:path";
import { type Address, type Hex, bytesToHex, createWalletClient, decodeEventLog, http, parseAbiItem } from "viem";
import { type LocalAccount, mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { addFile, fetchVerified, uploadCar } from "../../lib/ipfs/index.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { cidString } from "../../app/_lib/results.ts";
import { computePayload, downscale, inputCommitment, zkDownscale } from "../../wasm-tasks/zk-downscale/index.ts";
import { decodeOutput } from "../../wasm-tasks/zk-common/proof.ts";
import { cidDigest, computeCommitment } from "../../lib/protocol/hashes.ts";
import { type Contracts, chainReader, loadContracts, moveChainClock, newAppContext, postFromForm, register } from "./app.ts";
import { sharedStack } from "./stack.ts";

test.describe.configure({ mode: "serial" });

const BOUNTY = 500n; // mCC, posted as "0.5"
const PHOTO = join(import.meta.dirname, "../../wasm-tasks/image-resize/fixtures/photo-320x240.jpg");

const stack = sharedStack;
let contracts: Contracts;
const { client, read, ledgerOf, creditHeld, postedTasks } = chainReader(stack, () => contracts);
let requesterCtx: BrowserContext;
let workerCtx: BrowserContext;
let requesterPage: Page;
let workerPage: Page;
let requester: Address;
let tabWorker: Address;
const taskIds: Hex[] = [];
// A worker driven from this process: anvil's dev account #5 (a public test key; it pays its own gas).
const nodeWorker = mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: 5 });

const tile = (seed: number) => new Uint8Array(64 * 64).map((_, i) => (i * seed + (i >> 6) * 3) & 0xff);
// Two more auditors driven from here (anvil #6 and #7), for the dispute's three auditors with the worker tab.
const nodeAuditors = [6, 7].map((addressIndex) => mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex }));
const accounts = () => [requester, tabWorker, nodeWorker.address, ...nodeAuditors.map((a) => a.address)];
async function expectConserved() {
  const { held, issued } = await creditHeld(accounts(), taskIds);
  const detail = await Promise.all(accounts().map(async (a) => `${a}: ${JSON.stringify(await ledgerOf(a), (_, v) => (typeof v === "bigint" ? String(v) : v))}`));
  expect(held, `credit conservation: held == genesis issued\n${detail.join("\n")}`).toBe(issued);
}

/** Posts a zk-downscale task from the requester's tab: raw tile pixels, or an image file the form turns into a tile. */
async function postZkTile(input: Uint8Array | string, name = "tile.gray"): Promise<Hex> {
  const id = await postFromForm(requesterPage, { type: "zk-downscale", input: typeof input === "string" ? input : { name, bytes: input }, bounty: "0.5", mode: "zk" });
  taskIds.push(id);
  return id;
}

const taskOf = (id: Hex) => read<{ status: number; worker: Address }>("TaskMarket", "taskOf", [id]);

test.beforeAll(async ({ browser }) => {
  test.setTimeout(stack.startTimeoutMs + 60_000);
  await stack.fresh();
  console.log(`stack up (a fresh chain under the shared app) in ${(stack.startMs / 1000).toFixed(1)} s`);
  contracts = await loadContracts(stack);
  requesterCtx = await newAppContext(browser, stack);
  workerCtx = await newAppContext(browser, stack);
  requesterPage = await requesterCtx.newPage();
  workerPage = await workerCtx.newPage();
});

test.afterAll(async () => {
  await requesterCtx?.close();
  await workerCtx?.close();
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

let firstTask: Hex;
let workerBeforeFirst: Awaited<ReturnType<typeof ledgerOf>>;

test("a zk task goes from post to acceptance in the browser: a worker tab proves it and it is accepted in one transaction", async () => {
  test.setTimeout(420_000);
  requester = await register(requesterPage);
  tabWorker = await register(workerPage);
  // The worker stakes 1 CC: a claim locks 10% of the bounty.
  await workerPage.getByLabel(/^Stake \(CC\)/).fill("1");
  await workerPage.getByRole("button", { name: "Stake", exact: true }).click();
  await expect(workerPage.getByText("Staked.")).toBeVisible({ timeout: 60_000 });

  // An ordinary photo: the post form scales it to a 64x64 grayscale tile, shows it, and uploads the tile.
  const taskId = await postZkTile(PHOTO);
  firstTask = taskId;
  await expect(requesterPage.getByRole("img", { name: "The 64 by 64 grayscale tile made from your image" })).toBeVisible();
  const [posted] = await postedTasks(taskId);
  const pixels = await fetchVerified(stack.ipfsUrl, cidString(posted!.args.inputCid!)!);
  expect(pixels.length).toBe(64 * 64);
  expect(new Set(pixels).size, "a real picture, not a flat tile").toBeGreaterThan(20);
  // The input commitment the requester's browser posted is the circuit's commitment to those bytes.
  expect(posted!.args.zkInputCommitment).toBe(await inputCommitment(pixels));
  expect(posted!.args.mode).toBe(1);
  expect(posted!.args.inputBytes, "the declared input size is the tile's").toBe(64n * 64n);
  await expectConserved();
  const workerBefore = await ledgerOf(tabWorker);
  workerBeforeFirst = workerBefore;

  await workerPage.goto("/earn");
  await workerPage.getByRole("button", { name: "Start earning" }).click();
  const job = workerPage.getByTestId("jobs").locator(`li[data-task-id="${taskId}"]`);
  await expect(job).toBeVisible({ timeout: 60_000 });
  await expect(job).toHaveAttribute("data-phase", "proving", { timeout: 120_000 });
  // Earning goes on while the user looks at other pages of the app (client-side navigation).
  const nav = workerPage.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Queue" }).click();
  // next dev compiles a route on its first visit: on a busy 2-core machine that takes longer than 5 s.
  await expect(workerPage.getByRole("heading", { name: "Queue", level: 1 })).toBeVisible({ timeout: 60_000 });
  await expect(nav.getByRole("link", { name: /Earn/ })).toContainText("●");
  await nav.getByRole("link", { name: /Earn/ }).click();
  await expect(job).toHaveAttribute("data-phase", "accepted", { timeout: 300_000 });
  await expect(job.getByTestId("job-phase")).toContainText("Accepted; paid when the task's audit window closes");
  // The accepted work raised the worker's reputation, and the page shows the chain's value (it reads it again whenever
  // a job changes stage).
  const reputation = (await read<{ reputation: number }>("WorkerRegistry", "workerOf", [tabWorker])).reputation;
  expect(reputation).toBeGreaterThan(0);
  await expect(workerPage.getByTestId("earn-reputation")).toHaveText(String(reputation), { timeout: 1_000 });
  await expect(workerPage.getByTestId("pending")).toHaveText("0.5 CC", { timeout: 30_000 });
  // The tab measured its rate before it worked: the benchmark ran in a Web Worker and the registry holds the result.
  expect((await read<{ rateMilli: number }>("WorkerRegistry", "workerOf", [tabWorker])).rateMilli).not.toBe(1000);
  await workerPage.getByRole("button", { name: "Stop earning" }).click();

  // On chain: accepted by the proof, in one transaction; the bounty stays in escrow until the audit window closes.
  const task = await taskOf(taskId);
  expect(task.status).toBe(TaskStatus.Accepted);
  expect(task.worker.toLowerCase()).toBe(tabWorker.toLowerCase());
  const provedLogs = await client().getLogs({
    address: contracts.TaskMarket!.address,
    event: parseAbiItem("event TaskProved(bytes32 indexed taskId, address indexed worker, uint256 outputCommitment, bytes outputCid)"),
    args: { taskId },
    fromBlock: 0n,
  });
  expect(provedLogs).toHaveLength(1);
  const claimLogs = await client().getLogs({
    address: contracts.TaskMarket!.address,
    event: parseAbiItem("event TaskClaimed(bytes32 indexed taskId, address indexed worker, uint256 claimDeadline)"),
    args: { taskId },
    fromBlock: 0n,
  });
  expect(claimLogs, "the proof took the open task: post and submitProof are its two transactions").toHaveLength(0);
  const receipt = await client().getTransactionReceipt({ hash: provedLogs[0]!.transactionHash });
  const ledgerEvents = receipt.logs
    .filter((l) => l.address.toLowerCase() === contracts.CreditLedger!.address.toLowerCase())
    .map((l) => {
      try {
        return decodeEventLog({ abi: contracts.CreditLedger!.abi, data: l.data, topics: l.topics }).eventName;
      } catch {
        return "unknown";
      }
    });
  expect(ledgerEvents, "pay an audit may reverse is not paid at acceptance").not.toContain("EscrowPaid");
  const workerNow = await ledgerOf(tabWorker);
  expect([workerNow.balance, workerNow.genesis]).toEqual([workerBefore.balance, workerBefore.genesis]);
  await expectConserved();

  // The published output is the downscaled tile, and the requester's tab says it matches the proof.
  const outputCid = cidString(provedLogs[0]!.args.outputCid!)!;
  expect(await fetchVerified(stack.ipfsUrl, outputCid)).toEqual(downscale(pixels, 64, 64));
  await requesterPage.goto("/my-tasks");
  const row = requesterPage.getByTestId("my-tasks").locator(`li[data-task-id="${taskId}"]`);
  await expect(row.getByTestId("zk-check")).toContainText("The output matches what the worker proved", { timeout: 60_000 });
  await expect(row.getByRole("img", { name: /Downscaled tile/ })).toBeVisible();
});

test.describe("a worker outside the browser, with a real proof made in Node", () => {
  let taskId: Hex;
  let pixels: Uint8Array;
  let proofHex: Hex;
  let outputCommitment: bigint;
  const wallet = (account: LocalAccount = nodeWorker) => createWalletClient({ account, chain: { ...foundry, id: 31337 }, transport: http(stack.rpcUrl) });
  const write = async (contract: string, functionName: string, args: unknown[], account: LocalAccount = nodeWorker) => {
    const c = contracts[contract]!;
    const { request } = await client().simulateContract({ account, address: c.address, abi: c.abi, functionName, args });
    const hash = await wallet(account).writeContract(request);
    const r = await client().waitForTransactionReceipt({ hash });
    expect(r.status).toBe("success");
  };

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    const typeCount = await read<bigint>("TaskTypeRegistry", "typeCount");
    await write("WorkerRegistry", "register", [1000, (1n << typeCount) - 1n]);
    await write("WorkerRegistry", "stake", [1_000n]);
    pixels = tile(29);
    taskId = await postZkTile(pixels);
    await write("TaskMarket", "claim", [taskId]);
    const output = await zkDownscale.run(pixels, { width: 64, height: 64, binding: { taskId, worker: nodeWorker.address } });
    const decoded = decodeOutput(output);
    proofHex = bytesToHex(decoded.proof);
    outputCommitment = decoded.publicSignals[1]!;
  });

  test("a tampered proof is refused on chain and no credit moves", async () => {
    const before = await Promise.all(accounts().map(ledgerOf));
    const escrowBefore = await read<{ amount: bigint }>("CreditLedger", "escrowOf", [taskId]);
    const flip = proofHex.slice(0, 100) + (proofHex[100] === "0" ? "1" : "0") + proofHex.slice(101);
    const c = contracts.TaskMarket!;
    await expect(
      client().simulateContract({ account: nodeWorker, address: c.address, abi: c.abi, functionName: "submitProof", args: [taskId, outputCommitment, flip, "0x01"] }),
    ).rejects.toThrow(/InvalidProof/);
    // Sent anyway (with a fixed gas limit, skipping the estimate): mined, reverted, nothing moved.
    const hash = await wallet().writeContract({ address: c.address, abi: c.abi, functionName: "submitProof", args: [taskId, outputCommitment, flip, "0x01"], gas: 1_000_000n });
    expect((await client().waitForTransactionReceipt({ hash })).status).toBe("reverted");
    expect(await Promise.all(accounts().map(ledgerOf))).toEqual(before);
    expect(await read<{ amount: bigint }>("CreditLedger", "escrowOf", [taskId])).toEqual(escrowBefore);
    expect((await taskOf(taskId)).status).toBe(TaskStatus.Claimed);
    await expectConserved();
  });

  test("an output CID that is not the proven output is flagged to the requester, who opens a dispute", async () => {
    test.setTimeout(180_000);
    // A valid proof, but the bytes published under the output CID are not the proven output.
    const wrong = await addFile(new Uint8Array(32 * 32).fill(7));
    await uploadCar(stack.ipfsUrl, wrong.cid, wrong.car);
    await write("TaskMarket", "submitProof", [taskId, outputCommitment, proofHex, bytesToHex(wrong.cid.bytes)]);
    expect((await taskOf(taskId)).status).toBe(TaskStatus.Accepted);
    await expectConserved();

    await requesterPage.goto("/my-tasks");
    const row = requesterPage.getByTestId("my-tasks").locator(`li[data-task-id="${taskId}"]`);
    await expect(row.getByTestId("zk-check")).toContainText("The published output is not what the worker proved", { timeout: 60_000 });
    await expect(row.getByTestId("zk-check")).toContainText("do not hash to the proven output commitment");
    const requesterBefore = await ledgerOf(requester);
    await row.getByRole("button", { name: "Open a dispute" }).click();
    // Once the audit has started the button gives way to what happens next.
    await expect(row).toContainText("Dispute open: three auditors recompute the output", { timeout: 60_000 });
    await expect(row.getByRole("button", { name: "Open a dispute" })).toHaveCount(0);
    expect((await taskOf(taskId)).status).toBe(TaskStatus.Auditing);
    // The auditors' fees come from the audit reserve the task escrowed at post: nothing more is escrowed, and the
    // escrow still holds everything (bounty, platform fee, reserve): nothing was paid at acceptance.
    expect((await read<{ amount: bigint }>("CreditLedger", "escrowOf", [taskId])).amount).toBe(BOUNTY + BOUNTY / 100n + 3n * (BOUNTY / 100n));
    expect((await ledgerOf(requester)).spendable).toBe(requesterBefore.spendable);
    await expectConserved();
  });

  test("three auditors, one of them the worker tab, recompute the output; the dispute ends in fraud and the requester is repaid", async () => {
    test.setTimeout(240_000);
    // The pool: the worker tab left it when it stopped earning, and its engine joins it again as it starts (roles:
    // work, verify and audit); two auditors join from here.
    await workerPage.goto("/account");
    await expect(workerPage.getByRole("button", { name: "Join the verifier pool" })).toBeVisible({ timeout: 60_000 });
    await workerPage.goto("/earn");
    await workerPage.getByRole("button", { name: "Start earning" }).click();
    await expect(workerPage.getByTestId("earn-log")).toContainText("joined the verifier pool", { timeout: 60_000 });
    // The card offers to leave, without a join's or an earlier leave's words carried over to it (the engine keeps
    // earning while the user looks at other pages).
    await workerPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await expect(workerPage.getByRole("button", { name: "Leave the verifier pool" })).toBeVisible({ timeout: 60_000 });
    await expect(workerPage.getByText("Left the pool.")).toHaveCount(0);
    const typeCount = await read<bigint>("TaskTypeRegistry", "typeCount");
    for (const a of nodeAuditors) {
      await write("WorkerRegistry", "register", [1000, (1n << typeCount) - 1n], a);
      await write("WorkerRegistry", "stake", [1_000n], a);
      await write("WorkerRegistry", "joinVerifierPool", [], a);
    }
    await workerPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Earn/ }).click();

    // Anyone may draw the auditors in a block after the dispute: here the requester, from the task page.
    await requesterPage.goto(`/tasks/${taskId}`);
    // The dispute was anchored before the three joined, and a draw reads the pool as it stood at its anchor: a draw
    // then seats nobody and re-anchors; a later one reads the grown pool. The
    // requester draws from the task page until the three are in (the tab's engine may take a draw itself, as a backup
    // caller, once the anchor is 8 blocks old).
    const seated = async () => (await read<{ members: readonly { account: Address }[] }>("TaskMarket", "auditOf", [taskId])).members.filter((m) => !/^0x0+$/.test(m.account)).length;
    const draw = requesterPage.getByRole("button", { name: "Draw the auditors" });
    for (const until = Date.now() + 120_000; (await seated()) < 3; ) {
      expect(Date.now(), "the three auditors are drawn within 2 minutes").toBeLessThan(until);
      if (await draw.isVisible()) await draw.click();
      await new Promise((r) => setTimeout(r, 2_000));
      await requesterPage.reload();
    }
    // The button goes once the auditors are in.
    await expect(draw).toHaveCount(0, { timeout: 60_000 });
    const audit = await read<{ members: readonly { account: Address }[] }>("TaskMarket", "auditOf", [taskId]);
    const drawn = audit.members.map((m) => m.account.toLowerCase()).sort();
    expect(drawn).toEqual([tabWorker, ...nodeAuditors.map((a) => a.address)].map((a) => a.toLowerCase()).sort());

    // The worker tab takes up its duty: recompute, publish, commit, then wait for the others.
    const duty = workerPage.getByTestId("jobs").locator(`li[data-kind="auditor"][data-task-id="${taskId}"]`);
    await expect(duty).toHaveAttribute("data-phase", "waiting", { timeout: 90_000 });
    // The auditors here recompute the same bare output, commit, and reveal once all three have committed.
    const payload = computePayload(pixels, { width: 64, height: 64 });
    const added = await addFile(payload);
    await uploadCar(stack.ipfsUrl, added.cid, added.car);
    const cid = bytesToHex(added.cid.bytes);
    const salts = nodeAuditors.map((_, i) => `0x${String(i + 1).repeat(64)}` as Hex);
    const requesterBefore = await ledgerOf(requester);
    for (const [i, a] of nodeAuditors.entries()) {
      await write("TaskMarket", "commit", [taskId, computeCommitment(taskId, a.address, cidDigest(cid), salts[i]!)], a);
    }
    for (const [i, a] of nodeAuditors.entries()) await write("TaskMarket", "reveal", [taskId, cid, salts[i]!], a);
    // Once every auditor has committed, the tab reveals; every auditor then has a stake in finalizing the audit, and
    // the tab's engine does it.
    // The tab revealed the same CID as the auditors here: the CID of the proven output, not the worker's.
    const tabReveals = async () =>
      (
        await client().getLogs({
          address: contracts.TaskMarket!.address,
          event: parseAbiItem("event ResultRevealed(bytes32 indexed taskId, address indexed account, bytes32 digest, bytes cid)"),
          args: { taskId, account: tabWorker },
          fromBlock: 0n,
        })
      ).map((l) => l.args.cid);
    await expect.poll(tabReveals, { timeout: 60_000 }).toEqual([cid]);

    // Fraud: the worker is slashed and banned; the requester gets its escrow back (as the genesis credit it was paid
    // with), less the three auditors' fees from the reserve. Nobody had to click: the auditor tab finalized the audit.
    await expect.poll(async () => (await taskOf(taskId)).status, { timeout: 90_000 }).toBe(TaskStatus.Fraudulent);
    await requesterPage.goto(`/tasks/${taskId}`);
    await expect(requesterPage.getByRole("heading", { name: /Fraudulent/ })).toBeVisible({ timeout: 60_000 });
    await expect(duty).toHaveAttribute("data-phase", "paid", { timeout: 60_000 });
    expect((await taskOf(taskId)).status).toBe(TaskStatus.Fraudulent);
    expect(await read<boolean>("WorkerRegistry", "isBanned", [nodeWorker.address])).toBe(true);
    const requesterAfter = await ledgerOf(requester);
    expect(requesterAfter.balance).toBe(requesterBefore.balance);
    expect(requesterAfter.genesis - requesterBefore.genesis).toBe(BOUNTY + BOUNTY / 100n);
    await expect(requesterPage.getByTestId("timeline")).toContainText("Fraud proven", { timeout: 30_000 });
    await expectConserved();
  });
});

test("once the audit window has closed, the worker tab's engine finalizes the first task and is paid", async () => {
  test.setTimeout(120_000);
  expect((await taskOf(firstTask)).status).toBe(TaskStatus.Accepted);
  // Move the chain's clock past the audit window (1 day); the engine and the app judge windows by block time.
  const closesAt = await read<bigint>("TaskMarket", "auditWindowClosesAt", [firstTask]);
  await moveChainClock(stack, Number(closesAt) + 60);
  // Nothing stalls for want of a caller: the worker, which is owed the pay, finalizes its task.
  await expect
    .poll(async () => (await taskOf(firstTask)).status, { timeout: 90_000, message: `the worker tab's engine log:\n${await workerPage.getByTestId("earn-log").textContent().catch(() => "(no log)")}` })
    .toBe(TaskStatus.Final)
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}\nengine log:\n${await workerPage.getByTestId("earn-log").textContent()}`);
    });
  // The requester paid from genesis credit, so the worker tab is paid in spend-only genesis credit.
  const after = await ledgerOf(tabWorker);
  expect(after.genesis - workerBeforeFirst.genesis).toBeGreaterThanOrEqual(BOUNTY);
  expect(after.balance).toBe(workerBeforeFirst.balance);
  await workerPage.goto("/earn");
  const job = workerPage.getByTestId("jobs").locator(`li[data-kind="worker"][data-task-id="${firstTask}"]`);
  await expect(job).toHaveAttribute("data-phase", "paid", { timeout: 60_000 });
  await requesterPage.goto(`/tasks/${firstTask}`);
  await expect(requesterPage.getByTestId("timeline")).toContainText("the worker was paid 0.5 CC", { timeout: 30_000 });
  await expectConserved();
});

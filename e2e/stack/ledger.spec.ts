/**
 * Multi-party debts (issue 10, scenario 7) through the real stack (scripts/dev.ts: anvil, the deploy, the Helia node,
 * `next dev`): three accounts trade tasks until a debt cycle appears, and a browser tab clears it from /ledger.
 *
 * A, B and C are earn engines driven from this process with Node's ports (workers/node/node-ports.ts: key-signed
 * transactions, worker_threads running wasm-tasks/), each a worker and a verifier; V is a fourth, verifier only.
 * A posts an image-resize task for B (its preferred worker), B one for C, C one for A. Each round's two verifiers
 * are then forced by the draw's exclusions: of the pool {A, B, C, V}, all but the task's requester and worker. Once
 * anvil's clock is past the audit window the worker engines finalize, and each final task records its IOU
 * (requester owes worker the bounty): A -> B -> C -> A. A tab on /ledger shows the cycle and clears it with its
 * button (a relayed clearCycle from the tab's burner); on chain every edge drops by the smallest one, and no
 * account's credit moves.
 */
import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, type Hex, type PublicClient, bytesToHex, createPublicClient, defineChain, http, stringToHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { ChainDeployment } from "../../lib/client/deployments.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { goldenVectors } from "../../wasm-tasks/image-resize/golden.ts";
import { CHEAT_MARKER } from "../../workers/earn/cheats.ts";
import { EarnEngine } from "../../workers/earn/engine.ts";
import type { Role } from "../../workers/earn/ports.ts";
import { readDeployments } from "../../workers/node/config.ts";
import { ensureGas } from "../../workers/node/gas.ts";
import { type NodePorts, createNodePorts } from "../../workers/node/node-ports.ts";
import { type Contracts, chainReader, loadContracts, newAppContext, openAccount } from "./app.ts";
import { sharedStack } from "./stack.ts";

test.describe.configure({ mode: "serial" });

const root = join(import.meta.dirname, "../..");
/** Different bounties, so that the cleared amount is one edge's, not every edge's. */
const BOUNTY = { A: 1_200n, B: 1_000n, C: 1_500n } as const;
const STAKE = 2_000n;

const stack = sharedStack;
let contracts: Contracts;
const { read, creditHeld } = chainReader(stack, () => contracts);
let client: PublicClient;
let deployment: ChainDeployment;
let dir: string;
let ctx: BrowserContext;
let page: Page;
const parties: Party[] = [];
const taskIds: Hex[] = [];

type Party = { name: string; address: Address; ports: NodePorts; engine: EarnEngine; lines: string[] };

function party(name: string, roles: readonly Role[]): Party {
  const key = generatePrivateKey();
  const chain = defineChain({ id: 31337, name: "anvil", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [stack.rpcUrl] } } });
  const ports = createNodePorts({ client, chain, rpcUrl: stack.rpcUrl, deployment, privateKey: key, ipfsUrl: stack.ipfsUrl, stateFile: join(dir, `${name}.state.json`), lockDir: join(dir, "locks"), slots: 1, pollIntervalMs: 250 });
  const lines: string[] = [];
  const engine = new EarnEngine(ports, {
    roles,
    slots: 1,
    autoStake: STAKE,
    tickMs: 500,
    onLog: (line) => {
      lines.push(line);
      if (process.env.CC_E2E_WORKER_LOG) process.stderr.write(`[${name}] ${line}\n`);
    },
  });
  return { name, address: privateKeyToAccount(key).address, ports, engine, lines };
}

const tail = () => parties.map((p) => `--- ${p.name}\n${p.lines.slice(-12).join("\n")}`).join("\n");
const statusOf = async (id: Hex) => Number((await read<{ status: number }>("TaskMarket", "taskOf", [id])).status);
const owed = (debtor: Address, creditor: Address) => read<bigint>("CreditLedger", "owed", [debtor, creditor]);
const accounts = () => parties.map((p) => p.address);

async function expectConserved() {
  const { held, issued } = await creditHeld(accounts(), taskIds);
  expect(held, "credit conservation: balances + genesis + stakes + escrows + treasury == genesis issued").toBe(issued);
}

async function waitUntil(what: string, timeout: number, probe: () => Promise<boolean>) {
  await expect
    .poll(probe, { timeout, message: what, intervals: [500] })
    .toBe(true)
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\n${tail()}`);
    });
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(stack.startTimeoutMs + 60_000);
  await stack.fresh();
  contracts = await loadContracts(stack);
  dir = mkdtempSync(join(tmpdir(), "cc-ledger-e2e-"));
  const chain = defineChain({ id: 31337, name: "anvil", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [stack.rpcUrl] } } });
  client = createPublicClient({ chain, transport: http(stack.rpcUrl), pollingInterval: 250 });
  deployment = readDeployments(join(stack.dataDir, "deployments.json"), 31337);
  ctx = await newAppContext(browser, stack);
  page = await ctx.newPage();
});

test.afterAll(async () => {
  for (const p of parties) {
    await p.engine.stop({ force: true }).catch(() => undefined);
    p.engine.dispose();
    p.ports.dispose();
  }
  await ctx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("three accounts work each other's tasks; once final, their IOUs close a cycle A -> B -> C -> A", async () => {
  test.setTimeout(900_000);
  const [A, B, C, V] = [party("A", ["worker", "verifier"]), party("B", ["worker", "verifier"]), party("C", ["worker", "verifier"]), party("V", ["verifier"])];
  parties.push(A!, B!, C!, V!);
  for (const p of parties) await ensureGas({ client, address: p.address });
  for (const p of parties) await p.ports.chain.loaded();
  // Each engine benchmarks, registers (genesis credit), stakes and joins the verifier pool.
  await Promise.all(parties.map((p) => p.engine.start()));
  for (const p of parties) expect(p.engine.getSnapshot().status, `${p.name}: ${p.engine.getSnapshot().error}\n${p.lines.join("\n")}`).toBe("running");
  await expectConserved();

  const vector = goldenVectors[0]!;
  const input = new Uint8Array(readFileSync(join(root, "wasm-tasks/image-resize/fixtures", vector.fixture)));
  const typeId = (await A!.ports.chain.taskTypes()).find((t) => t.name === "image-resize")!.id;
  const trades: [Party, Party, bigint][] = [
    [A!, B!, BOUNTY.A],
    [B!, C!, BOUNTY.B],
    [C!, A!, BOUNTY.C],
  ];
  for (const [requester, worker, bounty] of trades) {
    const published = await requester.ports.ipfs.publish(input);
    const taskId = await read<Hex>("TaskMarket", "nextTaskId", [requester.address]);
    const head = await client.getBlock();
    await requester.ports.send.send("TaskMarket", "post", [
      {
        typeId,
        mode: 0,
        bounty: Number(bounty),
        deadline: Number(head.timestamp) + 3600,
        claimWindow: 0,
        inputBytes: input.length,
        // Who works it is the point of the scenario: the preferred worker is the only engine that takes it.
        preferredWorker: worker.address,
        zkInputCommitment: 0n,
        inputCid: bytesToHex(published.cidBytes),
        spec: stringToHex(JSON.stringify(vector.spec)),
      },
    ]);
    taskIds.push(taskId);
  }
  await expectConserved();
  const settled = (s: number) => s === TaskStatus.Accepted || s === TaskStatus.Auditing;
  await waitUntil("the three tasks to be accepted", 600_000, async () => (await Promise.all(taskIds.map(statusOf))).every(settled));
  for (const [i, [, worker]] of trades.entries()) {
    expect((await read<{ worker: Address }>("TaskMarket", "taskOf", [taskIds[i]!])).worker).toBe(worker.address);
  }
  await expectConserved();

  // Past every audit window (a random audit finds no fresh auditors in this pool and lapses clean with it); the
  // worker engines finalize.
  const params = await A!.ports.chain.params();
  const closes = await Promise.all(
    taskIds.map(async (id) => ((await statusOf(id)) === TaskStatus.Accepted ? Number(await read<bigint>("TaskMarket", "auditWindowClosesAt", [id])) : Number((await client.getBlock()).timestamp) + params.auditWindow)),
  );
  await client.request({ method: "evm_setNextBlockTimestamp" as never, params: [Math.max(...closes) + 60] as never });
  await client.request({ method: "evm_mine" as never, params: [] as never });
  await waitUntil("the three tasks to be final", 180_000, async () => (await Promise.all(taskIds.map(statusOf))).every((s) => s === TaskStatus.Final));
  for (const [requester, worker, bounty] of trades) expect(await owed(requester.address, worker.address), `${requester.name} owes ${worker.name}`).toBe(bounty);
  for (const [requester, worker] of trades) expect(await owed(worker.address, requester.address), "nothing the other way").toBe(0n);
  await expectConserved();
});

test("a tab on /ledger shows the cycle and clears it by its smallest edge; no account's credit moves", async () => {
  test.setTimeout(300_000);
  const [A, B, C] = parties as [Party, Party, Party];
  const min = [BOUNTY.A, BOUNTY.B, BOUNTY.C].reduce((m, v) => (v < m ? v : m));
  // What the dev server serves for the page: the root layout's earn hook with its development-only cheat switch.
  // This is the positive control of prod.spec.ts's check that `next build` drops it.
  const scripts: Promise<string>[] = [];
  page.on("response", (r) => {
    if (r.request().resourceType() === "script") scripts.push(r.text().catch(() => ""));
  });
  await page.goto("/ledger");
  const cycles = page.getByTestId("cycles");
  await expect(cycles.getByRole("listitem")).toHaveCount(1, { timeout: 180_000 });
  const served = await Promise.all(scripts);
  expect(served.some((s) => s.includes(CHEAT_MARKER)), "a development chunk holds cheats.ts").toBe(true);
  expect(served.some((s) => s.includes("computecredit-test-cheats")), "and the hook that reads the switch").toBe(true);

  // The cycle as the page draws it: the three accounts, by their short form, cleared by the smallest bounty.
  const item = cycles.getByRole("listitem");
  for (const p of [A, B, C]) await expect(item.locator(`code[title="${p.address}"]`).first()).toBeVisible();
  await expect(item).toContainText("Clearing removes 1 CC from every edge");

  const credit = async () => Promise.all(parties.map(async (p) => JSON.stringify(await read<unknown>("CreditLedger", "accountOf", [p.address]), (_, v) => (typeof v === "bigint" ? String(v) : v))));
  const before = await credit();
  await item.getByRole("button", { name: "Clear cycle (1 CC)" }).click();
  // (The page may drop the cleared cycle from its list before it shows "Cleared.": the chain says what happened.)
  await waitUntil("the cycle to be cleared on chain", 120_000, async () => (await owed(B.address, C.address)) === 0n);

  expect(await owed(A.address, B.address)).toBe(BOUNTY.A - min);
  expect(await owed(B.address, C.address)).toBe(BOUNTY.B - min);
  expect(await owed(C.address, A.address)).toBe(BOUNTY.C - min);
  expect(await credit(), "clearing a cycle moves no credit").toEqual(before);
  await expectConserved();
  // The page follows the CycleCleared event: no cycle is left.
  await expect(page.getByText("No closed cycle of IOUs.")).toBeVisible({ timeout: 60_000 });
  // Cleared once, by the tab's own (burner) account, through the relay: the tab holds no ETH.
  const ledger = deployment.contracts.CreditLedger;
  const cleared = (await client.getContractEvents({ address: ledger.address, abi: ledger.abi, eventName: "CycleCleared", fromBlock: 0n })) as unknown as { args: { clearedBy: Address; path: readonly Address[]; amount: bigint } }[];
  expect(cleared).toHaveLength(1);
  expect(cleared[0]!.args.amount).toBe(min);
  expect(new Set(cleared[0]!.args.path.map((a) => a.toLowerCase()))).toEqual(new Set([A, B, C].map((p) => p.address.toLowerCase())));
  const tab = await openAccount(page);
  expect(cleared[0]!.args.clearedBy.toLowerCase()).toBe(tab.toLowerCase());
  expect(await client.getBalance({ address: tab })).toBe(0n);
});

/**
 * What the stack specs share: browser contexts on the app, the burner account, and chain reads through the
 * deployment the app serves.
 */
import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { type Abi, type Address, createPublicClient, http } from "viem";
import type { HeadlessWorker } from "../support/headless-worker.ts";
import type { Stack } from "./stack.ts";

export type Contracts = Record<string, { address: Address; abi: Abi }>;
export type LedgerAccount = { balance: bigint; genesis: bigint; earned: bigint; stake: bigint; lockedStake: bigint };

/** A browser context on the app, as a user's browser has it: nothing filters next dev's HMR socket. */
export async function newAppContext(browser: Browser, stack: Stack): Promise<BrowserContext> {
  return browser.newContext({ baseURL: stack.appUrl });
}

/**
 * Counts a page's document loads (its first load and every reload) and the reloads the dev server orders over its
 * HMR socket ({"type":"reloadPage","data":"HMR hash mismatch"} and the like).
 */
export function watchReloads(p: Page): { loads: () => number; reloadOrders: () => string[] } {
  let loads = 0;
  const orders: string[] = [];
  p.on("request", (r) => {
    if (r.isNavigationRequest() && r.frame() === p.mainFrame()) loads++;
  });
  p.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      const text = String(payload);
      if (text.includes('"reloadPage"')) orders.push(text.slice(0, 200));
    }),
  );
  return { loads: () => loads, reloadOrders: () => [...orders] };
}

/** Opens /account and waits for the burner address; returns it. */
export async function openAccount(p: Page): Promise<Address> {
  await p.goto("/account");
  const address = p.getByTestId("address");
  await expect(address).toHaveText(/^0x[0-9a-fA-F]{40}$/, { timeout: 120_000 });
  return (await address.textContent()) as Address;
}

/** Registers the page's burner on /account (genesis credit) and waits until the registration shows. */
export async function register(p: Page): Promise<Address> {
  const me = await openAccount(p);
  await p.getByRole("button", { name: "Register" }).click();
  await expect(p.getByTestId("worker")).toBeVisible({ timeout: 60_000 });
  // The account shown at first is the one kept: the same burner after a reload.
  expect(await openAccount(p)).toBe(me);
  return me;
}

export type PostOptions = {
  /** The task type as the form's select names it. */
  type: string;
  /** A file path, or bytes with a file name. */
  input: string | { name: string; bytes: Uint8Array };
  /** In CC, as typed. */
  bounty: string;
  mode?: "replicated" | "zk";
  /** Spec fields to type over the form's starting spec, by field id (`width` is `#spec-width`). */
  spec?: Record<string, string>;
};

/** Posts a task through the post form, as a requester does; returns its id (the form's "Open the task page" link). */
export async function postFromForm(page: Page, o: PostOptions): Promise<`0x${string}`> {
  await page.goto("/post");
  await expect(page.getByLabel("Task type")).toBeVisible({ timeout: 120_000 });
  await page.getByLabel("Task type").selectOption({ label: o.type });
  await page
    .getByLabel(/^Input file/)
    .setInputFiles(typeof o.input === "string" ? o.input : { name: o.input.name, mimeType: "application/octet-stream", buffer: Buffer.from(o.input.bytes) });
  await expect(page.getByTestId("input-cid")).toBeVisible({ timeout: 60_000 });
  if (o.mode) await expect(page.getByRole("radio", { name: o.mode === "zk" ? "zk proof" : /replicated/ })).toBeEnabled();
  if (o.mode === "replicated") await page.getByRole("radio", { name: /replicated/ }).check();
  if (o.mode === "zk") await expect(page.getByRole("radio", { name: "zk proof" })).toBeChecked();
  for (const [path, value] of Object.entries(o.spec ?? {})) {
    const field = page.locator(`#spec-${path.replace(/\./g, "-")}`);
    if ((await field.evaluate((e) => e.tagName)) === "SELECT") await field.selectOption(value);
    else await field.fill(value);
  }
  await page.getByLabel(/^Bounty/).fill(o.bounty);
  await page.getByRole("button", { name: "Post task" }).click();
  await expect(page.getByText("Posted.")).toBeVisible({ timeout: 60_000 });
  return (await page.getByRole("link", { name: "Open the task page" }).getAttribute("href"))!.replace("/tasks/", "") as `0x${string}`;
}

/** Sets the chain's clock: the next block gets `timestamp`, and one is mined. */
export async function moveChainClock(stack: Stack, timestamp: number): Promise<void> {
  const rpc = (method: string, params: unknown[]) =>
    fetch(stack.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  await rpc("evm_setNextBlockTimestamp", [timestamp]);
  await rpc("evm_mine", []);
}

export async function loadContracts(stack: Stack): Promise<Contracts> {
  const d = (await (await fetch(`${stack.appUrl}/api/deployments`)).json()) as { deployment: { contracts: Contracts } };
  return d.deployment.contracts;
}

export type PostedLog = {
  transactionHash: `0x${string}`;
  args: { taskId: `0x${string}`; requester: Address; mode: number; bounty: bigint; inputBytes: bigint; zkInputCommitment: bigint; inputCid: `0x${string}`; spec: `0x${string}` };
};

/** Read calls against the stack's chain. */
export function chainReader(stack: Stack, contracts: () => Contracts) {
  const client = () => createPublicClient({ transport: http(stack.rpcUrl) });
  const read = <T,>(name: string, functionName: string, args: unknown[] = []) =>
    client().readContract({ address: contracts()[name]!.address, abi: contracts()[name]!.abi, functionName, args }) as Promise<T>;
  const ledgerOf = async (who: Address) => {
    const [a, spendable] = await Promise.all([read<LedgerAccount>("CreditLedger", "accountOf", [who]), read<bigint>("CreditLedger", "spendable", [who])]);
    return { genesis: a.genesis, balance: a.balance, stake: a.stake, spendable };
  };
  /** Credit conservation over the given accounts and tasks: everything held (with the treasury) == genesis issued. */
  const creditHeld = async (accounts: Address[], taskIds: `0x${string}`[]) => {
    let held = await read<bigint>("CreditLedger", "treasury");
    for (const a of accounts) {
      const acc = await read<LedgerAccount>("CreditLedger", "accountOf", [a]);
      held += BigInt(acc.balance) + BigInt(acc.genesis) + BigInt(acc.stake);
    }
    for (const id of taskIds) held += (await read<{ amount: bigint }>("CreditLedger", "escrowOf", [id])).amount;
    return { held, issued: await read<bigint>("CreditLedger", "genesisIssued") };
  };
  /** TaskPosted logs, decoded with the deployed TaskMarket's own ABI (no copy of the event's signature to go stale). */
  const postedTasks = async (taskId?: `0x${string}`) =>
    (await client().getContractEvents({
      address: contracts().TaskMarket!.address,
      abi: contracts().TaskMarket!.abi,
      eventName: "TaskPosted",
      args: taskId ? { taskId } : undefined,
      fromBlock: 0n,
      toBlock: "latest",
    })) as unknown as readonly PostedLog[];
  return { client, read, ledgerOf, creditHeld, postedTasks };
}

/** What every party of an earn spec did, for a failure message: the worker tab's engine log, each process's last lines. */
export async function partyLogs(tab: Page | undefined, processes: readonly HeadlessWorker[]): Promise<string> {
  const log = (await tab?.getByTestId("earn-log").textContent().catch(() => null)) ?? "(no earn log)";
  return [`--- worker tab\n${log}`, ...processes.map((v) => `--- ${v.name}\n${v.output.split("\n").slice(-25).join("\n")}`)].join("\n");
}

/**
 * `waitForStatus(id, want, what, timeout)`: polls the task's status on chain until `want` holds and returns it; a
 * timeout fails with the last status and `logs()`.
 */
export function statusWaiter(statusOf: (id: `0x${string}`) => Promise<number>, logs: () => Promise<string>) {
  return async (id: `0x${string}`, want: (s: number) => boolean, what: string, timeout: number): Promise<number> => {
    let last = -1;
    await expect
      .poll(async () => want((last = await statusOf(id))), { timeout, message: what })
      .toBe(true)
      .catch(async (error: unknown) => {
        throw new Error(`${String(error)}\nstatus ${last}\n${await logs()}`);
      });
    return last;
  };
}

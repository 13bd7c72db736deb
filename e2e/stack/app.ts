/**
 * What the stack specs share: browser contexts on the app, the burner account, and chain reads through the
 * deployment the app serves.
 */
import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { type Abi, type Address, createPublicClient, http } from "viem";
import type { Stack } from "./stack.ts";

export type Contracts = Record<string, { address: Address; abi: Abi }>;
export type LedgerAccount = { balance: bigint; genesis: bigint; earned: bigint; stake: bigint; lockedStake: bigint };

/**
 * A browser context on the app. `next dev` pushes hot updates over its /_next/hmr socket; when sources in the
 * repo change during a run (other work in the same checkout), those pushes reload the page again and again and a
 * click never lands. The socket is kept (Turbopack's dev client needs it) but rebuild notices are not passed on.
 */
export async function newAppContext(browser: Browser, stack: Stack): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: stack.appUrl });
  const rebuildNotices = new Set(["building", "built", "serverComponentChanges", "serverOnlyChanges", "reloadPage", "turbopack-message"]);
  await context.routeWebSocket(/\/_next\/hmr/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      let type: unknown;
      try {
        type = (JSON.parse(String(message)) as { type?: unknown }).type;
      } catch {
        // not JSON: passed on
      }
      if (typeof type !== "string" || !rebuildNotices.has(type)) ws.send(message);
    });
  });
  return context;
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

export async function loadContracts(stack: Stack): Promise<Contracts> {
  const d = (await (await fetch(`${stack.appUrl}/api/deployments`)).json()) as { deployment: { contracts: Contracts } };
  return d.deployment.contracts;
}

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
  return { client, read, ledgerOf, creditHeld };
}

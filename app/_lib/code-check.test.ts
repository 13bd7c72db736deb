/**
 * The bytecode check against a real anvil (node_modules/.bin/anvil): code is put at addresses with anvil_setCode,
 * every RPC request is counted at the transport.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type Address, type Hex, createPublicClient, createTestClient, http, keccak256 } from "viem";
import { CodeCheck } from "./code-check.ts";
import { CONTRACT_NAMES, type ChainDeployment, type DeployedContract } from "./deployments.ts";

const anvilBin = fileURLToPath(new URL("../../node_modules/.bin/anvil", import.meta.url));
let anvil: ChildProcess;
let url: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

before(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  anvil = spawn(anvilBin, ["--host", "127.0.0.1", "--port", String(port), "--silent"], { stdio: "ignore" });
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      await createPublicClient({ transport: http(url) }).getChainId();
      return;
    } catch {
      if (Date.now() > until) throw new Error("anvil did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
after(() => {
  anvil?.kill("SIGKILL");
});

/** A client whose every JSON-RPC method call is counted. */
function countingClient() {
  const calls: string[] = [];
  const client = createPublicClient({
    transport: http(url, {
      onFetchRequest: async (request) => {
        const body = (await request.clone().json()) as { method: string } | { method: string }[];
        for (const b of [body].flat()) calls.push(b.method);
      },
    }),
  });
  return { client, calls, count: (method: string) => calls.filter((m) => m === method).length };
}

const code = (i: number) => `0x6000600055${i.toString(16).padStart(2, "0").repeat(200)}` as Hex;
const addressOf = (i: number) => `0x${(0xc0de00 + i).toString(16).padStart(40, "0")}` as Address;

async function deploy(offset = 0, deployedAt = "2026-12-01T00:00:00Z"): Promise<ChainDeployment> {
  const test = createTestClient({ mode: "anvil", transport: http(url) });
  const contracts = {} as Record<(typeof CONTRACT_NAMES)[number], DeployedContract>;
  for (const [i, name] of CONTRACT_NAMES.entries()) {
    const address = addressOf(i + offset);
    await test.setCode({ address, bytecode: code(i) });
    contracts[name] = { address, abi: [], codeHash: keccak256(code(i)) };
  }
  return { chainId: 31337, deployedAt, contracts };
}

test("the code is read once per deployment: later checks cost one eth_blockNumber each", async () => {
  const d = await deploy();
  const { client, count } = countingClient();
  const check = new CodeCheck(client);
  assert.deepEqual(await check.check(d), { ok: true });
  assert.equal(count("eth_getCode"), CONTRACT_NAMES.length);
  for (let i = 0; i < 10; i++) assert.deepEqual(await check.check(d), { ok: true });
  assert.equal(count("eth_getCode"), CONTRACT_NAMES.length, "no code read after the first check");
  assert.equal(count("eth_blockNumber"), 11);
  assert.equal(check.codeReads, 1);
});

test("a new deployment (new addresses, or a redeploy's new time) is read afresh", async () => {
  const { client, count } = countingClient();
  const check = new CodeCheck(client);
  await check.check(await deploy());
  const moved = await deploy(10);
  assert.deepEqual(await check.check(moved), { ok: true });
  assert.equal(count("eth_getCode"), 2 * CONTRACT_NAMES.length);
  assert.deepEqual(await check.check({ ...moved, deployedAt: "2026-12-02T00:00:00Z" }), { ok: true });
  assert.equal(count("eth_getCode"), 3 * CONTRACT_NAMES.length);
});

test("missing code and other code are named", async () => {
  const d = await deploy(20);
  const test = createTestClient({ mode: "anvil", transport: http(url) });
  await test.setCode({ address: d.contracts.TaskMarket.address, bytecode: "0x" });
  assert.deepEqual(await new CodeCheck(countingClient().client).check(d), { ok: false, reason: "missing", contracts: ["TaskMarket"] });
  await test.setCode({ address: d.contracts.TaskMarket.address, bytecode: code(5) });
  await test.setCode({ address: d.contracts.CreditLedger.address, bytecode: code(99) });
  assert.deepEqual(await new CodeCheck(countingClient().client).check(d), { ok: false, reason: "changed", contracts: ["CreditLedger"] });
});

test("a chain reset below the checked block re-reads the code of an unchanged deployment", async () => {
  const d = await deploy(40);
  const { client, count } = countingClient();
  const check = new CodeCheck(client);
  const test = createTestClient({ mode: "anvil", transport: http(url) });
  const low = await test.snapshot();
  await test.mine({ blocks: 5 });
  await check.check(d);
  assert.equal(count("eth_getCode"), CONTRACT_NAMES.length);
  await test.revert({ id: low }); // the head is now 5 blocks below where the check ran
  await check.check(d);
  assert.equal(count("eth_getCode"), 2 * CONTRACT_NAMES.length);
});

/**
 * The earn engine in Node against real parts: anvil with the protocol deployed by `npm run dev`'s deploy step, the
 * Helia IPFS node, worker_threads running the wasm-tasks/ code, key-signed transactions. Nothing is mocked.
 *
 * 1. In-process engines: a requester posts a replicated image-resize task from Node; a worker engine claims it,
 *    two verifier engines are drawn and recompute it, everyone reveals, the worker settles, and once anvil's clock
 *    is past the audit window the task is finalized and paid. Every credit movement is asserted exactly, and
 *    credit is conserved.
 * 2. A cheater: the test-only entry e2e/support/cheating-worker.ts (the same process as `npm run worker`, with
 *    `--cheats corrupt:worker`) claims a task and reveals a corrupted output; the two verifier engines outvote it, it
 *    is slashed exactly as ReplicationRound._reject says and excluded, the task reopens, and an honest engine
 *    completes it.
 * 3. `npm run worker` as a process: it creates its key file, gets gas, benchmarks, registers, stakes and joins the
 *    pool; a second process for the same account is refused; Ctrl-C stops it cleanly (exit 0).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Address, type Hex, type PublicClient, bytesToHex, createPublicClient, defineChain, http, stringToHex, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { ChainDeployment } from "../../lib/client/deployments.ts";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import { bpsShare, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { parseCid } from "../../lib/ipfs/index.ts";
import { goldenVectors } from "../../wasm-tasks/image-resize/golden.ts";
import { goldenVectors as videoVectors } from "../../wasm-tasks/video-transcode/golden.ts";
import { EarnEngine } from "../../workers/earn/engine.ts";
import type { Role } from "../../workers/earn/ports.ts";
import { readDeployments } from "../../workers/node/config.ts";
import { ensureGas } from "../../workers/node/gas.ts";
import { type NodePorts, createNodePorts } from "../../workers/node/node-ports.ts";
import { type LocalStack, startLocalStack } from "./local-stack.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const RPC_PORT = Number(process.env.CC_NODE_E2E_RPC_PORT ?? 9845);
const IPFS_PORT = Number(process.env.CC_NODE_E2E_IPFS_PORT ?? 6350);
/** Nothing listens here: the worker process's faucet call fails and it falls back to anvil_setBalance. */
const NO_APP_PORT = Number(process.env.CC_NODE_E2E_APP_PORT ?? 9846);
const BOUNTY = 1000n;
const STAKE = 2000n;

let stack: LocalStack;
let dir: string;
let client: PublicClient;
let deployment: ChainDeployment;
const chain = defineChain({ id: 31337, name: "anvil", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [`http://127.0.0.1:${RPC_PORT}`] } } });
const log = (line: string) => process.env.CC_NODE_E2E_LOG && console.log(line);

const read = <T>(contract: keyof ChainDeployment["contracts"], functionName: string, args: readonly unknown[] = []) => {
  const c = deployment.contracts[contract];
  return client.readContract({ address: c.address, abi: c.abi, functionName, args }) as Promise<T>;
};
type Account = { balance: bigint; genesis: bigint; earned: bigint; stake: bigint; stakeGenesis: bigint; lockedStake: bigint };
const accountOf = async (a: Address): Promise<Account> => {
  const x = await read<Record<keyof Account, bigint>>("CreditLedger", "accountOf", [a]);
  return { balance: BigInt(x.balance), genesis: BigInt(x.genesis), earned: BigInt(x.earned), stake: BigInt(x.stake), stakeGenesis: BigInt(x.stakeGenesis), lockedStake: BigInt(x.lockedStake) };
};
const reputationOf = async (a: Address) => Number((await read<{ reputation: number }>("WorkerRegistry", "workerOf", [a])).reputation);
const statusOf = async (id: Hex) => Number((await read<{ status: number }>("TaskMarket", "taskOf", [id])).status);
/** Accepted, or being audited (one time in ten the settle draws a random audit). */
const acceptedOrAuditing = (s: number) => s === TaskStatus.Accepted || s === TaskStatus.Auditing;

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, tail: () => string = () => ""): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${tail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** held == issued over the accounts and tasks given (the invariant of DESIGN §2). */
async function assertConserved(accounts: Address[], taskIds: Hex[]) {
  let held = 0n;
  for (const a of accounts) {
    const x = await accountOf(a);
    held += x.balance + x.genesis + x.stake;
  }
  for (const id of taskIds) held += (await read<{ amount: bigint }>("CreditLedger", "escrowOf", [id])).amount;
  held += await read<bigint>("CreditLedger", "treasury");
  assert.equal(held, await read<bigint>("CreditLedger", "genesisIssued"), "credit conserved: balances + genesis + stakes + escrows + treasury == genesis issued");
}

type Party = { key: Hex; address: Address; ports: NodePorts; engine?: EarnEngine; lines: string[] };

function party(name: string, roles: readonly Role[] | undefined): Party {
  const key = generatePrivateKey();
  const address = privateKeyToAccount(key).address;
  const ports = createNodePorts({
    client,
    chain,
    rpcUrl: stack.rpcUrl,
    deployment,
    privateKey: key,
    ipfsUrl: stack.ipfsUrl,
    stateFile: join(dir, `${name}.state.json`),
    lockDir: join(dir, "locks"),
    slots: 1,
    pollIntervalMs: 250,
  });
  const lines: string[] = [];
  const engine = roles
    ? new EarnEngine(ports, {
        roles,
        slots: 1,
        autoStake: STAKE,
        tickMs: 500,
        onLog: (line) => {
          lines.push(line);
          log(`[${name}] ${line}`);
        },
      })
    : undefined;
  return { key, address, ports, engine, lines };
}

before(async () => {
  stack = await startLocalStack({ rpcPort: RPC_PORT, ipfsPort: IPFS_PORT });
  log(`stack up in ${stack.startMs} ms`);
  dir = mkdtempSync(join(tmpdir(), "cc-earn-e2e-"));
  client = createPublicClient({ chain, transport: http(stack.rpcUrl), pollingInterval: 250 });
  deployment = readDeployments(stack.deploymentsFile, 31337);
});

const keyFile = () => join(dir, "keys", "worker.key");
const env = () => ({ ...process.env, ...stack.env, CC_APP_PORT: String(NO_APP_PORT), CC_LOCK_DIR: join(dir, "locks"), PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}` });
/** `npm run worker` in its own process group, like a terminal job: Ctrl-C goes to npm, tsx and the worker alike. */
const start = (extra: string[] = []) => {
  const proc = spawn("npm", ["run", "--silent", "worker", "--", "--key-file", keyFile(), "--cores", "1", "--tick-ms", "500", ...extra], { cwd: root, env: env(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const out = { text: "" };
  proc.stdout!.on("data", (d: Buffer) => {
    out.text += d.toString();
    log(`[worker] ${d.toString().trimEnd()}`);
  });
  proc.stderr!.on("data", (d: Buffer) => (out.text += d.toString()));
  const exited = new Promise<number | string | null>((r) => proc.once("exit", (code, signal) => r(code ?? signal)));
  return { proc, out, exited };
};
const ctrlC = (proc: ChildProcess) => process.kill(-proc.pid!, "SIGINT");
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Kept running from the first test on: the verifier pool of the later ones. Stopped (and checked) last. */
let requester: Party | undefined;
let verifiers: Party[] = [];
/** Every account that holds credit and every task posted, for the conservation checks of later tests. */
const accounts = new Set<Address>();
const tasks = new Set<Hex>();

after(async () => {
  for (const v of verifiers) {
    await v.engine!.stop({ force: true });
    v.ports.dispose();
  }
  requester?.ports.dispose();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a replicated image-resize task posted from Node is worked, verified, accepted, finalized and paid by engines", { timeout: 240_000 }, async () => {
  requester = party("requester", undefined);
  const worker = party("worker", ["worker"]);
  verifiers = [party("verifier1", ["verifier"]), party("verifier2", ["verifier"])];
  const engines = [worker, ...verifiers];
  const everyone = [requester, ...engines];
  for (const p of everyone) accounts.add(p.address);
  try {
    for (const p of everyone) assert.notEqual((await ensureGas({ client, address: p.address })).funded, "already");
    for (const p of everyone) await p.ports.chain.loaded();

    // The verifiers were registered before (by hand, at the reference rate 1.000, as the Account page does): their
    // engines measure the rate once and update it with the capabilities, stake and join the pool. The worker's
    // engine benchmarks first and registers with its measured rate.
    for (const v of verifiers) await v.ports.send.send("WorkerRegistry", "register", [1000, 1n]);
    await Promise.all(engines.map((p) => p.engine!.start()));
    for (const p of engines) assert.ok(p.lines.some((l) => /^benchmark: [\d.]+ s, rate/.test(l)), p.lines.join("\n"));
    for (const v of verifiers) assert.ok(v.lines.some((l) => /^update: rate/.test(l)), "a hand-registered account's rate is measured once");
    for (const p of engines) assert.equal(p.engine!.getSnapshot().status, "running", `${p.lines.join("\n")}\n${p.engine!.getSnapshot().error}`);
    for (const p of engines) {
      const w = await read<{ registeredAt: number; rateMilli: number; poolIndex: number; capabilities: bigint }>("WorkerRegistry", "workerOf", [p.address]);
      assert.ok(w.registeredAt > 0 && w.rateMilli > 0, "registered with a measured rate");
      assert.equal(w.rateMilli, p.engine!.getSnapshot().rateMilli);
      assert.equal((BigInt(w.capabilities) >> 0n) & 1n, 1n, "can run image-resize (type 0)");
      assert.equal((await accountOf(p.address)).stake, STAKE);
    }
    for (const v of verifiers) assert.ok((await read<{ poolIndex: number }>("WorkerRegistry", "workerOf", [v.address])).poolIndex > 0, "in the verifier pool");
    assert.equal((await read<{ poolIndex: number }>("WorkerRegistry", "workerOf", [worker.address])).poolIndex, 0, "the worker-only engine stays out of the pool");

    // The requester: registered for its genesis credit, posts from Node.
    await requester.ports.send.send("WorkerRegistry", "register", [1000, 0n]);
    const vector = goldenVectors[0]!;
    const input = new Uint8Array(readFileSync(join(root, "wasm-tasks/image-resize/fixtures", vector.fixture)));
    const published = await requester.ports.ipfs.publish(input);
    const typeId = (await requester.ports.chain.taskTypes()).find((t) => t.name === "image-resize")!.id;
    const params = await requester.ports.chain.params();

    const before = new Map<Address, Account>();
    for (const p of everyone) before.set(p.address, await accountOf(p.address));
    const treasuryBefore = await read<bigint>("CreditLedger", "treasury");
    const reputationBefore = new Map(await Promise.all(engines.map(async (p) => [p.address, await reputationOf(p.address)] as const)));
    const taskId = await read<Hex>("TaskMarket", "nextTaskId", [requester.address]);
    const head = await client.getBlock();
    await requester.ports.send.send("TaskMarket", "post", [
      {
        typeId,
        mode: 0,
        bounty: Number(BOUNTY),
        deadline: Number(head.timestamp) + 3600,
        claimWindow: 0,
        inputBytes: input.length,
        preferredWorker: zeroAddress,
        zkInputCommitment: 0n,
        inputCid: bytesToHex(published.cidBytes),
        spec: stringToHex(JSON.stringify(vector.spec)),
      },
    ]);
    tasks.add(taskId);
    const escrow = escrowFor(BOUNTY, 0, params);
    assert.equal((await accountOf(requester.address)).genesis, before.get(requester.address)!.genesis - escrow, "the escrow comes from genesis credit");
    await assertConserved(everyone.map((p) => p.address), [taskId]);

    const tail = () => engines.map((p, i) => `--- ${["worker", "verifier1", "verifier2"][i]}\n${p.lines.slice(-15).join("\n")}`).join("\n");
    const accepted = await waitFor("the task to be accepted", 150_000, async () => {
      const s = await statusOf(taskId);
      return s === TaskStatus.Accepted || s === TaskStatus.Auditing ? s : undefined;
    }, tail);

    // Worker and both verifiers revealed the golden output's CID, and its bytes are on the IPFS node.
    const round = await read<{ members: readonly { account: Address; status: number }[]; sealOrDigest: readonly Hex[] }>("TaskMarket", "roundOf", [taskId]);
    const golden = cidDigest(bytesToHex(parseCid(vector.cid).bytes));
    assert.equal(round.members[0]!.account, worker.address);
    assert.deepEqual(new Set(round.members.slice(1).map((m) => m.account)), new Set(verifiers.map((v) => v.address)));
    assert.deepEqual(round.members.map((m) => Number(m.status)), [3, 3, 3], "all three revealed");
    assert.deepEqual([...round.sealOrDigest], [golden, golden, golden], "the golden output, computed three times in worker threads");
    const output = await requester.ports.ipfs.fetch(vector.cid);
    assert.ok(output.length > 0, "the requester fetches the accepted output, verified block by block");

    // Nothing is paid at acceptance: the pay is pending until the task is final.
    for (const p of everyone) {
      const now = await accountOf(p.address);
      const was = before.get(p.address)!;
      assert.equal(now.balance + now.genesis, was.balance + was.genesis - (p === requester ? escrow : 0n), "no credit moves at acceptance");
    }
    assert.equal((await accountOf(worker.address)).lockedStake, bpsShare(BOUNTY, params.claimStakeBps), "the worker's claim lock stays until final");
    await assertConserved(everyone.map((p) => p.address), [taskId]);

    // Past the audit window (a random audit, drawn at 10 %, finds no auditors here and lapses clean at the same time).
    const closesAt = accepted === TaskStatus.Accepted ? Number(await read<bigint>("TaskMarket", "auditWindowClosesAt", [taskId])) : Number((await client.getBlock()).timestamp) + params.auditWindow;
    await client.request({ method: "evm_setNextBlockTimestamp" as never, params: [closesAt + 60] as never });
    await client.request({ method: "evm_mine" as never, params: [] as never });
    await waitFor("the worker engine to finalize the task", 60_000, async () => ((await statusOf(taskId)) === TaskStatus.Final ? true : undefined), tail);

    // Exact movements: the bounty to the worker and a fee to each verifier (as genesis: the escrow was genesis
    // credit), the platform fee to the treasury, the audit reserve back to the requester; locks released.
    const fee = bpsShare(BOUNTY, params.verifierFeeBps);
    const platformFee = bpsShare(BOUNTY, params.platformFeeBps);
    const workValue = BigInt((await read<{ workValue: number }>("TaskMarket", "taskOf", [taskId])).workValue);
    const min = (a: bigint, b: bigint) => (a < b ? a : b);
    const delta = async (p: Party) => {
      const now = await accountOf(p.address);
      const was = before.get(p.address)!;
      return { balance: now.balance - was.balance, genesis: now.genesis - was.genesis, earned: now.earned - was.earned, stake: now.stake - was.stake, lockedStake: now.lockedStake - was.lockedStake };
    };
    assert.deepEqual(await delta(requester), { balance: 0n, genesis: -(BOUNTY + 2n * fee + platformFee), earned: 0n, stake: 0n, lockedStake: 0n });
    assert.deepEqual(await delta(worker), { balance: 0n, genesis: BOUNTY, earned: min(BOUNTY, workValue), stake: 0n, lockedStake: 0n });
    for (const v of verifiers) assert.deepEqual(await delta(v), { balance: 0n, genesis: fee, earned: min(fee, workValue), stake: 0n, lockedStake: 0n });
    assert.equal((await read<bigint>("CreditLedger", "treasury")) - treasuryBefore, platformFee);
    assert.equal(await read<bigint>("CreditLedger", "owed", [requester.address, worker.address]), BOUNTY, "IOU requester -> worker");
    // Reputation +1 for the accepted work (DESIGN §3.5); agreeing verifiers are paid their fee, not reputation.
    assert.equal(await reputationOf(worker.address), reputationBefore.get(worker.address)! + 1, "reputation +1 for accepted work");
    for (const v of verifiers) assert.equal(await reputationOf(v.address), reputationBefore.get(v.address)!);
    await assertConserved(everyone.map((p) => p.address), [taskId]);

    // What each engine reports: the same credit, from the chain's events.
    await waitFor("the engines to see the payouts", 20_000, async () => (worker.engine!.getSnapshot().earned === BOUNTY && verifiers.every((v) => v.engine!.getSnapshot().earned === fee) ? true : undefined), tail);
    const job = worker.engine!.getSnapshot().jobs.find((j) => j.taskId.toLowerCase() === taskId.toLowerCase() && j.role === "worker");
    assert.equal(job?.stage, "paid");
    assert.equal(job?.earned, BOUNTY);

    // Stop: nothing is held any more, so the engine stops at once, and its store holds no salt. (The verifiers go
    // on for the tests below.)
    await worker.engine!.stop();
    assert.equal(worker.engine!.getSnapshot().status, "stopped");
    for (const p of engines) assert.deepEqual(await p.ports.store.keys("secret:"), [], "no salt left behind");
  } finally {
    worker.engine!.dispose();
    worker.ports.dispose();
  }
});

/** Posts a replicated task of `typeName` from the requester of the first test; returns its id. */
async function postTask(typeName: string, input: Uint8Array, spec: unknown): Promise<Hex> {
  const r = requester!;
  const published = await r.ports.ipfs.publish(input);
  const typeId = (await r.ports.chain.taskTypes()).find((t) => t.name === typeName)!.id;
  const taskId = await read<Hex>("TaskMarket", "nextTaskId", [r.address]);
  tasks.add(taskId);
  const head = await client.getBlock();
  await r.ports.send.send("TaskMarket", "post", [
    {
      typeId,
      mode: 0,
      bounty: Number(BOUNTY),
      deadline: Number(head.timestamp) + 3600,
      claimWindow: 0,
      inputBytes: input.length,
      preferredWorker: zeroAddress,
      zkInputCommitment: 0n,
      inputCid: bytesToHex(published.cidBytes),
      spec: stringToHex(JSON.stringify(spec)),
    },
  ]);
  return taskId;
}

const digestOf = (cid: string) => cidDigest(bytesToHex(parseCid(cid).bytes));

/**
 * The cheating test entry (e2e/support/cheating-worker.ts: `npm run worker`'s process with the cheat switch on) as a
 * process, like any other worker. Not `npm run worker`: what users run has no way to turn cheats on.
 */
const startCheater = (key: string, cheats: string) => {
  // Node itself with tsx's hooks, not the tsx CLI: that wrapper gives its child 30 ms to take a Ctrl-C and otherwise
  // kills it and exits 130 (seen on this loaded machine); here the exit code is the worker's own.
  const proc = spawn(join(root, "node_modules/.bin/node"), ["--import", "tsx", "e2e/support/cheating-worker.ts", "--cheats", cheats, "--key-file", key, "--cores", "1", "--tick-ms", "500", "--roles", "worker"], { cwd: root, env: env(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const out = { text: "" };
  const take = (d: Buffer) => {
    out.text += d.toString();
    log(`[cheater] ${d.toString().trimEnd()}`);
  };
  proc.stdout!.on("data", take);
  proc.stderr!.on("data", take);
  const exited = new Promise<number | string | null>((r) => proc.once("exit", (code, signal) => r(code ?? signal)));
  return { proc, out, exited };
};

// Runs before `npm run worker`'s tests: its account joins the verifier pool and then stays offline, and a draw that
// picked it would wait out the commit window. Here the pool is exactly the two verifier engines.
test("a worker with corrupt:worker is outvoted by two honest verifiers, slashed and excluded; an honest worker then completes the task", { timeout: 300_000 }, async () => {
  assert.ok(requester && verifiers.length === 2, "runs after the first test: its requester and verifier engines");
  const cheaterKey = join(dir, "keys", "cheater.key");
  const cheater = startCheater(cheaterKey, "corrupt:worker");
  const honest = party("honest", ["worker"]);
  try {
    await waitFor("the cheating worker to start earning", 150_000, async () => (cheater.out.text.includes("earning as") ? true : undefined), () => cheater.out.text);
    assert.match(cheater.out.text, /^computecredit-test-cheat: cheats on \(corrupt:worker\)$/m);
    const cheaterAddress = privateKeyToAccount(readFileSync(cheaterKey, "utf8").trim() as Hex).address;
    accounts.add(cheaterAddress);
    accounts.add(honest.address);
    const params = await requester!.ports.chain.params();
    const vector = goldenVectors[0]!;
    const input = new Uint8Array(readFileSync(join(root, "wasm-tasks/image-resize/fixtures", vector.fixture)));

    const who = [requester!.address, cheaterAddress, ...verifiers.map((v) => v.address)];
    const before = new Map<Address, Account>();
    for (const a of who) before.set(a, await accountOf(a));
    const treasuryBefore = await read<bigint>("CreditLedger", "treasury");
    const reputationBefore = await reputationOf(cheaterAddress);
    const fromBlock = await client.getBlockNumber();
    const taskId = await postTask("image-resize", input, vector.spec);
    await assertConserved([...accounts], [...tasks]);

    // The cheater claims, commits its corrupted output's CID, and reveals it; both verifiers reveal the golden one.
    const tail = () => `--- cheater\n${cheater.out.text.split("\n").slice(-20).join("\n")}\n${verifiers.map((v, i) => `--- verifier${i + 1}\n${v.lines.slice(-10).join("\n")}`).join("\n")}`;
    await waitFor("the cheater to claim the task", 60_000, async () => (cheater.out.text.includes(`claim ${taskId.slice(0, 10)}`) ? true : undefined), tail);
    const market = deployment.contracts.TaskMarket;
    const rejected = await waitFor("the task to be rejected", 150_000, async () => {
      const logs = await client.getContractEvents({ address: market.address, abi: market.abi, eventName: "TaskRejected", fromBlock });
      return (logs as unknown as { args: { taskId: Hex; worker: Address; reason: number } }[]).find((l) => l.args.taskId.toLowerCase() === taskId.toLowerCase())?.args;
    }, tail);
    assert.equal(rejected.worker, cheaterAddress);
    assert.equal(Number(rejected.reason), 0, "reason VerifiersDisagreed: it revealed, and both verifiers agree against it");
    // The cheater's engine may try to claim the reopened task: the market refuses it (excluded). Stop it here.
    process.kill(-cheater.proc.pid!, "SIGINT");
    assert.equal(await cheater.exited, 0, cheater.out.text);
    assert.equal(await statusOf(taskId), TaskStatus.Open, "back in the queue");
    assert.equal((await read<{ worker: Address }>("TaskMarket", "taskOf", [taskId])).worker, zeroAddress);
    assert.equal(await read<boolean>("TaskMarket", "excluded", [taskId, cheaterAddress]), true, "the cheater may not claim it again");

    // Exact movements of ReplicationRound._reject (VerifiersDisagreed): the claim lock (claimStakeBps) unlocked, the
    // worker slashed the duty lock (rejectSlashBps of the bounty) out of its stake, genesis-sourced first, into the
    // treasury; each verifier that revealed is paid min(slash / 2, fee) out of it (CreditLedger.slashAndReward), as
    // genesis since the slashed stake was genesis; the verifiers' own locks come back unslashed; the requester's
    // escrow stays whole for the next round.
    const slash = bpsShare(BOUNTY, params.rejectSlashBps);
    const fee = bpsShare(BOUNTY, params.verifierFeeBps);
    const reward = slash / 2n < fee ? slash / 2n : fee;
    const delta = async (a: Address) => {
      const now = await accountOf(a);
      const was = before.get(a)!;
      return { balance: now.balance - was.balance, genesis: now.genesis - was.genesis, earned: now.earned - was.earned, stake: now.stake - was.stake, stakeGenesis: now.stakeGenesis - was.stakeGenesis, lockedStake: now.lockedStake - was.lockedStake };
    };
    assert.deepEqual(await delta(cheaterAddress), { balance: 0n, genesis: 0n, earned: 0n, stake: -slash, stakeGenesis: -slash, lockedStake: 0n });
    for (const v of verifiers) assert.deepEqual(await delta(v.address), { balance: 0n, genesis: reward, earned: 0n, stake: 0n, stakeGenesis: 0n, lockedStake: 0n });
    assert.equal((await read<bigint>("CreditLedger", "treasury")) - treasuryBefore, slash - 2n * reward);
    assert.deepEqual(await delta(requester!.address), { balance: 0n, genesis: -escrowFor(BOUNTY, 0, params), earned: 0n, stake: 0n, stakeGenesis: 0n, lockedStake: 0n });
    assert.equal(await reputationOf(cheaterAddress), reputationBefore - 1);
    await assertConserved([...accounts], [...tasks]);

    // An honest worker takes the reopened task; the same two verifiers agree with it this time.
    assert.ok(honest.engine);
    await honest.ports.chain.loaded();
    await ensureGas({ client, address: honest.address });
    await honest.engine.start();
    assert.equal(honest.engine.getSnapshot().status, "running", honest.lines.join("\n"));
    await waitFor("the honest worker's result to be accepted", 150_000, async () => {
      const s = await statusOf(taskId);
      return s === TaskStatus.Accepted || s === TaskStatus.Auditing ? true : undefined;
    }, () => `--- honest\n${honest.lines.slice(-15).join("\n")}\n${tail()}`);
    const round = await read<{ members: readonly { account: Address; status: number }[]; sealOrDigest: readonly Hex[] }>("TaskMarket", "roundOf", [taskId]);
    assert.equal(round.members[0]!.account, honest.address);
    assert.deepEqual([...round.sealOrDigest], Array(3).fill(digestOf(vector.cid)), "the golden output, from the honest worker and both verifiers");
    await assertConserved([...accounts], [...tasks]);
  } finally {
    try {
      process.kill(-cheater.proc.pid!, "SIGKILL");
    } catch {
      // the group is gone
    }
    await honest.engine!.stop({ force: true });
    honest.engine!.dispose();
    honest.ports.dispose();
  }
});

test("npm run worker: creates its key, registers, refuses a second process for the account, and stops on Ctrl-C", { timeout: 180_000 }, async () => {
  const first = start();
  try {
    const { text } = await waitFor("the worker to start earning", 150_000, async () => (first.out.text.includes("earning as") ? first.out : undefined), () => first.out.text);
    assert.ok(existsSync(keyFile()), "the key file was created");
    assert.equal(statSync(keyFile()).mode & 0o777, 0o600, "readable by its owner only");
    const address = privateKeyToAccount(readFileSync(keyFile(), "utf8").trim() as Hex).address;
    assert.match(text, new RegExp(`created a new key in .*: account ${address}`));
    assert.match(text, /gas: .* ETH set on the local chain/, "no faucet here: anvil_setBalance");
    assert.match(text, /benchmark: [\d.]+ s, rate [\d.]+/);
    const w = await read<{ registeredAt: number; rateMilli: number; poolIndex: number }>("WorkerRegistry", "workerOf", [address]);
    assert.ok(w.registeredAt > 0 && w.rateMilli > 0, "registered with the measured rate");
    assert.ok(w.poolIndex > 0, "joined the verifier pool (default roles)");
    assert.equal((await accountOf(address)).stake, 5000n, "staked the default 5 CC");

    // The same account again, while the first one runs: refused with its own exit code.
    const second = start();
    assert.equal(await second.exited, 4, second.out.text);
    assert.match(second.out.text, /another process \(pid \d+\) is already working for/);

    // npm re-raises a Ctrl-C on itself once its script is done (a shell then says 130): the worker's own exit code
    // is in its last line.
    const stoppedAt = Date.now();
    ctrlC(first.proc);
    assert.ok([0, "SIGINT"].includes((await first.exited)!), first.out.text);
    assert.ok(Date.now() - stoppedAt < 30_000, "nothing held: it stops at once");
    assert.match(first.out.text, /SIGINT: stopping/);
    assert.doesNotMatch(first.out.text, /SIGINT again/, "one Ctrl-C, though npm passes it on too, is not a second one");
    assert.match(first.out.text, /stopped: earned 0 CC final, 0 CC pending \(exit code 0\)\n$/);
    // tsx's esbuild service ends when its parent's pipe closes, a moment after npm itself (seen under load): wait for
    // the group a bounded time, never for ever.
    for (const until = Date.now() + 5_000; groupAlive(first.proc.pid!) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    const left = groupAlive(first.proc.pid!) ? spawnSync("ps", ["-o", "pid,args", "-g", String(first.proc.pid)], { encoding: "utf8" }).stdout : "";
    assert.equal(left, "", "no process of the group is left within 5 s of npm's exit (threads, tsx, npm)");
    // A stopped worker answers no draw: it left the verifier pool on its way out, and a restart joins again.
    assert.match(first.out.text, /left the verifier pool/);
    assert.equal((await read<{ poolIndex: number }>("WorkerRegistry", "workerOf", [address])).poolIndex, 0, "out of the pool while stopped");

    // A restart finds the key and the registration: no second benchmark.
    const again = start(["--roles", "verifier"]);
    await waitFor("the restarted worker", 120_000, async () => (again.out.text.includes("earning as") ? true : undefined), () => again.out.text);
    assert.match(again.out.text, new RegExp(`account ${address}`));
    assert.doesNotMatch(again.out.text, /benchmark|created a new key/);
    assert.ok((await read<{ poolIndex: number }>("WorkerRegistry", "workerOf", [address])).poolIndex > 0, "back in the pool");
    ctrlC(again.proc);
    assert.ok([0, "SIGINT"].includes((await again.exited)!), again.out.text);
    assert.match(again.out.text, /\(exit code 0\)\n$/);
  } finally {
    for (const p of [first.proc]) {
      try {
        process.kill(-p.pid!, "SIGKILL");
      } catch {
        // the group is gone
      }
    }
  }
});

test("npm run worker on Ctrl-C finishes the task it holds; forced out by a second Ctrl-C, a restart resumes it", { timeout: 240_000 }, async () => {
  assert.ok(requester && verifiers.length === 2, "runs after the first test: its requester and verifier engines");
  const address = privateKeyToAccount(readFileSync(keyFile(), "utf8").trim() as Hex).address;
  accounts.add(address);
  const kill = (p: ChildProcess) => {
    try {
      process.kill(-p.pid!, "SIGKILL");
    } catch {
      // the group is gone
    }
  };
  const procs: ChildProcess[] = [];
  try {
    // 1. Ctrl-C while it holds a claim: no new claims, but the held task is computed, committed and revealed
    //    before it exits (the verifiers, in this process, settle it).
    const image = goldenVectors[0]!;
    const graceful = start(["--roles", "worker"]);
    procs.push(graceful.proc);
    await waitFor("the worker process to start", 120_000, async () => (graceful.out.text.includes("earning as") ? true : undefined), () => graceful.out.text);
    const t1 = await postTask("image-resize", new Uint8Array(readFileSync(join(root, "wasm-tasks/image-resize/fixtures", image.fixture))), image.spec);
    await waitFor("the process to claim the task", 60_000, async () => (graceful.out.text.includes(`claim ${t1.slice(0, 10)}`) ? true : undefined), () => graceful.out.text);
    ctrlC(graceful.proc);
    const t1b = await postTask("image-resize", new Uint8Array(readFileSync(join(root, "wasm-tasks/image-resize/fixtures", image.fixture))), image.spec);
    assert.ok([0, "SIGINT"].includes((await graceful.exited)!), graceful.out.text);
    const text1 = graceful.out.text;
    assert.match(text1, /\(exit code 0\)\n$/);
    const stopAt = text1.indexOf("SIGINT: stopping");
    const revealAt = text1.indexOf(`reveal ${t1.slice(0, 10)}`);
    assert.ok(stopAt >= 0 && revealAt > stopAt, `it revealed the held task after Ctrl-C, then exited:\n${text1}`);
    assert.ok(!text1.includes(`claim ${t1b.slice(0, 10)}`), "no new claim after Ctrl-C");
    await waitFor("the held task to be accepted", 60_000, async () => (acceptedOrAuditing(await statusOf(t1)) ? true : undefined));
    assert.equal((await read<{ worker: Address }>("TaskMarket", "taskOf", [t1])).worker, address);
    assert.equal(await statusOf(t1b), TaskStatus.Open, "the task posted after Ctrl-C was left for others");

    // 2. Two Ctrl-Cs: out at once, holding a commitment whose salt is on disk. A restart picks the task up where the
    //    chain and the state file say it stands (it reveals), and it is accepted with the golden video output.
    const video = videoVectors[0]!;
    const forced = start(["--roles", "worker"]);
    procs.push(forced.proc);
    // t1b (still open) is claimed first: the video task posted next waits for it.
    await waitFor("the worker process to claim the open task", 120_000, async () => (forced.out.text.includes(`claim ${t1b.slice(0, 10)}`) ? true : undefined), () => forced.out.text);
    await waitFor("the open task to be revealed", 60_000, async () => (forced.out.text.includes(`reveal ${t1b.slice(0, 10)}`) ? true : undefined), () => forced.out.text);
    const t2 = await postTask("video-transcode", new Uint8Array(readFileSync(join(root, "wasm-tasks/video-transcode/fixtures", video.fixture))), video.spec);
    // Its commitment is in; the verifiers take seconds to transcode before anyone may reveal.
    await waitFor("the process to commit the video task", 90_000, async () => (forced.out.text.includes(`commit ${t2.slice(0, 10)}`) ? true : undefined), () => forced.out.text);
    ctrlC(forced.proc);
    await new Promise((r) => setTimeout(r, 1_500));
    ctrlC(forced.proc);
    assert.ok([130, "SIGINT"].includes((await forced.exited)!), forced.out.text);
    assert.match(forced.out.text, /SIGINT again: exiting now/);
    assert.match(forced.out.text, /\(exit code 130\)\n$/);
    assert.ok(!forced.out.text.includes(`reveal ${t2.slice(0, 10)}`), `forced out before its reveal:\n${forced.out.text}`);
    assert.equal(await statusOf(t2), TaskStatus.Committed, "held: committed, not revealed");
    const state = JSON.parse(readFileSync(`${keyFile()}.state.json`, "utf8")) as Record<string, unknown>;
    assert.ok(Object.keys(state).some((k) => k.endsWith(`round:${t2.toLowerCase()}`)), "its salt is on disk");

    const resumed = start(["--roles", "worker"]);
    procs.push(resumed.proc);
    await waitFor("the restarted process to reveal the video task", 150_000, async () => (resumed.out.text.includes(`reveal ${t2.slice(0, 10)}`) ? true : undefined), () => resumed.out.text);
    assert.doesNotMatch(resumed.out.text, new RegExp(`claim ${t2.slice(0, 10)}|${t2.slice(0, 10)} video-transcode as worker: computing`), "no new claim, no recomputation: the salt on disk opens the commitment");
    await waitFor("the video task to be accepted", 90_000, async () => (acceptedOrAuditing(await statusOf(t2)) ? true : undefined), () => resumed.out.text);
    const round = await read<{ members: readonly { account: Address }[]; sealOrDigest: readonly Hex[] }>("TaskMarket", "roundOf", [t2]);
    assert.equal(round.members[0]!.account, address);
    assert.deepEqual([...round.sealOrDigest], Array(3).fill(digestOf(video.cid)), "worker and both verifiers: the golden video output");
    ctrlC(resumed.proc);
    assert.ok([0, "SIGINT"].includes((await resumed.exited)!), resumed.out.text);
    assert.match(resumed.out.text, /\(exit code 0\)\n$/);
    const kept = Object.keys(JSON.parse(readFileSync(`${keyFile()}.state.json`, "utf8")) as object);
    assert.deepEqual(kept.filter((k) => k.startsWith("secret:")), [], "no salt left once revealed");
    await assertConserved([...accounts], [...tasks]);
  } finally {
    procs.forEach(kill);
  }
});

test("npm run worker explains what is missing, with its exit code", { timeout: 60_000 }, async () => {
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<{ code: number | null; text: string }>((resolve) => {
      const proc = spawn("npm", ["run", "--silent", "worker", "--", ...args], { cwd: root, env: { ...process.env, ...extraEnv, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}` }, stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      proc.stdout!.on("data", (d: Buffer) => (text += d.toString()));
      proc.stderr!.on("data", (d: Buffer) => (text += d.toString()));
      proc.once("exit", (code) => resolve({ code, text }));
    });
  const noKey = await run([]);
  assert.equal(noKey.code, 2);
  assert.match(noKey.text, /--key-file is required/);
  const badRole = await run(["--key-file", join(dir, "k2"), "--roles", "miner"]);
  assert.equal(badRole.code, 2);
  const noChain = await run(["--key-file", join(dir, "k3"), "--rpc", `http://127.0.0.1:${NO_APP_PORT}`]);
  assert.equal(noChain.code, 3);
  assert.match(noChain.text, /the chain does not answer/);
  const noDeployments = await run(["--key-file", join(dir, "k4"), "--rpc", stack.rpcUrl, "--deployments", join(dir, "nope.json")]);
  assert.equal(noDeployments.code, 3);
  assert.match(noDeployments.text, /cannot read the deployments file/);
});

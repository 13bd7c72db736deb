/**
 * Post-to-accept latency of a replicated image-resize task on the local chain (issue 10): a requester posts, one
 * worker engine and two verifier engines (workers/earn/engine.ts with the Node ports `npm run worker` uses: anvil,
 * the deploy step, the Helia node, worker_threads) take it to TaskAccepted. Split into compute time (the longest of
 * the three replicas' `computing` stage, as each engine reported it) and marketplace overhead (accept time minus
 * that longest compute): claims, fetches, uploads, commits, the verifier draw, reveals and settle, each a
 * transaction on a 1 s block chain. Target: overhead <= 1x compute + 5 s.
 * Run: npm run bench:earn   (writes the "earn-latency" section of BENCHMARKS.md)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Hex, bytesToHex, createPublicClient, defineChain, http, stringToHex, zeroAddress } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { TaskStatus } from "../lib/protocol/status.ts";
import { goldenVectors } from "../wasm-tasks/image-resize/golden.ts";
import { EarnEngine } from "../workers/earn/engine.ts";
import type { Role } from "../workers/earn/ports.ts";
import { readDeployments } from "../workers/node/config.ts";
import { ensureGas } from "../workers/node/gas.ts";
import { createNodePorts } from "../workers/node/node-ports.ts";
import { startLocalStack } from "../e2e/node/local-stack.ts";
import { machineLine, writeBenchSection } from "./write-section.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RPC_PORT = Number(process.env.BENCH_RPC_PORT ?? 9945);
const IPFS_PORT = Number(process.env.BENCH_IPFS_PORT ?? 6450);
const BOUNTY = 1_000;
/** The same engine cadence as `npm run worker`'s default --tick-ms, and the Node ports' default polling. */
const TICK_MS = Number(process.env.BENCH_TICK_MS ?? 3_000);

const stack = await startLocalStack({ rpcPort: RPC_PORT, ipfsPort: IPFS_PORT });
const dir = mkdtempSync(join(tmpdir(), "cc-bench-earn-"));
const chain = defineChain({ id: 31337, name: "anvil", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [stack.rpcUrl] } } });
const client = createPublicClient({ chain, transport: http(stack.rpcUrl), pollingInterval: 250 });
const deployment = readDeployments(stack.deploymentsFile, 31337);

function party(name: string, roles?: readonly Role[]) {
  const ports = createNodePorts({ client, chain, rpcUrl: stack.rpcUrl, deployment, privateKey: generatePrivateKey(), ipfsUrl: stack.ipfsUrl, stateFile: join(dir, `${name}.json`), lockDir: join(dir, "locks"), slots: 1 });
  const engine = roles ? new EarnEngine(ports, { roles, slots: 1, autoStake: 2_000n, tickMs: TICK_MS }) : undefined;
  return { name, ports, engine };
}

/** When each engine's job for a task entered and left `computing`. */
function computeTimes(engine: EarnEngine) {
  const spans = new Map<string, { start?: number; end?: number }>();
  engine.subscribe(() => {
    for (const j of engine.getSnapshot().jobs) {
      const s = spans.get(j.taskId.toLowerCase()) ?? {};
      if (j.stage === "computing" && s.start === undefined) s.start = performance.now();
      if (s.start !== undefined && s.end === undefined && j.stage !== "computing") s.end = performance.now();
      spans.set(j.taskId.toLowerCase(), s);
    }
  });
  return (id: Hex) => {
    const s = spans.get(id.toLowerCase());
    return s?.start !== undefined && s.end !== undefined ? s.end - s.start : undefined;
  };
}

const requester = party("requester");
const worker = party("worker", ["worker"]);
const verifiers = [party("verifier1", ["verifier"]), party("verifier2", ["verifier"])];
const engines = [worker, ...verifiers];
const rows: { total: number; compute: number; overhead: number }[] = [];
try {
  for (const p of [requester, ...engines]) await ensureGas({ client, address: p.ports.send.account });
  for (const p of [requester, ...engines]) await p.ports.chain.loaded();
  await requester.ports.send.send("WorkerRegistry", "register", [1000, 0n]);
  const timers = engines.map((p) => computeTimes(p.engine!));
  await Promise.all(engines.map((p) => p.engine!.start()));
  const vector = goldenVectors[0]!;
  const input = new Uint8Array(readFileSync(join(root, "wasm-tasks/image-resize/fixtures", vector.fixture)));
  const published = await requester.ports.ipfs.publish(input);
  const typeId = (await requester.ports.chain.taskTypes()).find((t) => t.name === "image-resize")!.id;
  const readMarket = <T>(functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: deployment.contracts.TaskMarket.address, abi: deployment.contracts.TaskMarket.abi, functionName, args }) as Promise<T>;

  for (let run = 0; run < RUNS; run++) {
    const taskId = await readMarket<Hex>("nextTaskId", [requester.ports.send.account]);
    const head = await client.getBlock();
    const posted = performance.now();
    await requester.ports.send.send("TaskMarket", "post", [
      { typeId, mode: 0, bounty: BOUNTY, deadline: Number(head.timestamp) + 3600, claimWindow: 0, inputBytes: input.length, preferredWorker: zeroAddress, zkInputCommitment: 0n, inputCid: bytesToHex(published.cidBytes), spec: stringToHex(JSON.stringify(vector.spec)) },
    ]);
    for (;;) {
      const status = Number((await readMarket<{ status: number }>("taskOf", [taskId])).status);
      if (status === TaskStatus.Accepted || status === TaskStatus.Auditing) break;
      if (performance.now() - posted > 300_000) throw new Error(`task ${taskId} not accepted in 300 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const total = performance.now() - posted;
    const computes = timers.map((t) => t(taskId));
    if (computes.some((c) => c === undefined)) throw new Error(`an engine reported no compute span for ${taskId}`);
    const compute = Math.max(...(computes as number[]));
    rows.push({ total, compute, overhead: total - compute });
    console.log(`run ${run + 1}: accepted after ${(total / 1000).toFixed(2)} s; longest compute ${(compute / 1000).toFixed(2)} s; overhead ${((total - compute) / 1000).toFixed(2)} s`);
  }
} finally {
  for (const p of engines) {
    await p.engine!.stop({ force: true });
    p.ports.dispose();
  }
  requester.ports.dispose();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const total = median(rows.map((r) => r.total));
const compute = median(rows.map((r) => r.compute));
const overhead = median(rows.map((r) => r.overhead));
const target = compute + 5_000;
writeBenchSection(
  "earn-latency",
  `## Post-to-accept latency, replicated image-resize (\`npm run bench:earn\`)

${machineLine()}. Local anvil (a block per transaction and one a second, as \`npm run dev\` runs it), the Helia node, one worker engine and two verifier engines
(\`workers/earn/engine.ts\` with the Node ports of \`npm run worker\`, one worker_thread each, engine tick ${TICK_MS} ms),
all on this machine; ${RUNS} tasks one after another (\`${goldenVectors[0]!.name}\`), medians.

| | median |
|---|---|
| post to accept | ${s(total)} |
| compute (the longest of the three replicas) | ${s(compute)} |
| marketplace overhead (accept time minus that compute) | ${s(overhead)} = ${(overhead / compute).toFixed(1)}x compute |
| target: overhead <= 1x compute + 5 s | ${s(target)}: ${overhead <= target ? "met" : "not met"} |

Per run (total / compute / overhead): ${rows.map((r) => `${s(r.total)} / ${s(r.compute)} / ${s(r.overhead)}`).join("; ")}.
The overhead is claim, verified fetch, upload, commit, the verifier draw (it waits for the anchor block), the
verifiers' commits and reveals and settle: about ten transactions and the engines' reaction to each event.`,
);
console.log(`overhead ${s(overhead)} against a target of ${s(target)}; BENCHMARKS.md updated`);
process.exit(0);

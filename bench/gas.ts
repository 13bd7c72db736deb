/**
 * Gas of each task lifecycle, measured on Hardhat's EDR chain with the deployed protocol.
 * Run: npm run bench:gas   (writes the "gas" section of BENCHMARKS.md)
 */
import { readFileSync } from "node:fs";
import { network } from "hardhat";
import { type Address, type Hex, bytesToHex, encodeFunctionData, toHex } from "viem";
import { genesisTaskTypes } from "../contracts/deploy/deploy-protocol.ts";
import { zkDownscale, inputCommitment as zkDownscaleInputCommitment } from "../wasm-tasks/zk-downscale/index.ts";
import { zkMatmul, inputCommitment as zkMatmulInputCommitment } from "../wasm-tasks/zk-matmul/index.ts";
import { decodeOutput } from "../wasm-tasks/zk-common/proof.ts";
import { outputCid } from "../wasm-tasks/digest.ts";
import { setupProtocol } from "../contracts/test-support/fixture.ts";
import { VerificationMode, defaultParams } from "../lib/protocol/params.ts";
import { machineLine, writeBenchSection } from "./write-section.ts";

const connection = await network.create({ chainType: "l1" });
const { viem, networkHelpers } = connection;

type Row = { step: string; gas: bigint };

async function measure(
  s: Awaited<ReturnType<typeof setupProtocol>>,
  rows: Row[],
  step: string,
  send: () => Promise<Hex>,
) {
  const hash = await send();
  const receipt = await s.wait(hash);
  if (process.env.GAS_TRACE && step.startsWith(process.env.GAS_TRACE)) {
    const trace = (await connection.provider.request({ method: "debug_traceTransaction", params: [hash, { disableStack: true, disableMemory: true, disableStorage: true }] })) as { structLogs: { op: string; gasCost: number; depth: number }[] };
    const byOp = new Map<string, number>();
    for (const l of trace.structLogs) byOp.set(l.op, (byOp.get(l.op) ?? 0) + l.gasCost);
    console.log(step, [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([op, g]) => `${op}:${g}`).join(" "));
  }
  if (receipt.status !== "success") throw new Error(`${step} reverted`);
  rows.push({ step, gas: receipt.gasUsed });
  return hash;
}

// Warm-up tasks first so that the measured lifecycle pays steady-state costs (nonce, IOU and reputation
// slots already exist), as every task after an account's first does.
async function replicated(auditRate: number) {
  const s = await setupProtocol(connection, { auditRateBps: auditRate });
  const [requester, worker, v1, v2, a1, a2, a3] = s.wallets;
  if (!requester || !worker || !v1 || !v2 || !a1 || !a2 || !a3) throw new Error("need 7 wallets");
  await s.registerWorker(requester, 0n, false);
  const w = await s.registerWorker(worker, 3_000n, false);
  const verifiers = [await s.registerWorker(v1), await s.registerWorker(v2)];
  const byAddress = new Map([
    [v1.account.address.toLowerCase(), { wallet: v1, c: verifiers[0]! }],
    [v2.account.address.toLowerCase(), { wallet: v2, c: verifiers[1]! }],
  ]);
  const r = await s.as(requester);
  const rows: Row[] = [];
  // The measured run is the second full lifecycle the random audit passes over (about 9 in 10 are; the audited path
  // is measured below), so that, as for every task after an account's first, the IOU and reputation slots exist.
  let completed = 0;
  for (let attempt = 0; attempt < 8 && completed < 2; attempt++) {
    const measured = completed === 1;
    const log: Row[] = [];
    const taskId = await s.nextTaskIdFor(requester.account.address);
    await measure(s, log, "post", () =>
      r.market.write.post([
        {
          typeId: 0,
          mode: VerificationMode.Replicated,
          bounty: 1000,
          deadline: Math.floor(Date.now() / 1000) + 86_400 * 30,
          claimWindow: 0,
          inputBytes: 100_000,
          preferredWorker: "0x0000000000000000000000000000000000000000",
          zkInputCommitment: 0n,
          inputCid: toHex(`bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy-${measured}`),
          spec: toHex('{"width":320,"height":240,"fit":"cover","format":"png"}'),
        },
      ]),
    );
    await measure(s, log, "claim", () => w.market.write.claim([taskId]));
    const out = s.result(taskId, worker.account.address, "out");
    await measure(s, log, "commit (worker, anchors the verifier draw)", () => w.market.write.commit([taskId, out.commitment]));
    await measure(s, log, "drawVerifiers (2 verifiers locked, next block)", () => s.market.write.drawVerifiers([taskId]));
    const round = await s.market.read.roundOf([taskId]);
    const drawn = round.members.slice(1).map((m) => byAddress.get(m.account.toLowerCase())!);
    const vr = drawn.map((d) => s.result(taskId, d.wallet.account.address, "out"));
    await measure(s, log, "commit (verifier 1)", () => drawn[0]!.c.market.write.commit([taskId, vr[0]!.commitment]));
    await measure(s, log, "commit (verifier 2)", () => drawn[1]!.c.market.write.commit([taskId, vr[1]!.commitment]));
    await measure(s, log, "reveal (worker)", () => w.market.write.reveal([taskId, out.cid, out.salt]));
    await measure(s, log, "reveal (verifier 1)", () => drawn[0]!.c.market.write.reveal([taskId, vr[0]!.cid, vr[0]!.salt]));
    await measure(s, log, "reveal (verifier 2)", () => drawn[1]!.c.market.write.reveal([taskId, vr[1]!.cid, vr[1]!.salt]));
    await measure(s, log, "settle (accepted; nothing paid until final; anchors the audit decision)", () => s.market.write.settle([taskId]));
    await measure(s, log, "decideAudit (next block: not audited)", () => s.market.write.decideAudit([taskId]));
    if ((await s.market.read.taskOf([taskId])).status !== 5) continue; // audited: try another task
    await networkHelpers.time.increase(s.params.auditWindow + 1);
    await measure(s, log, "finalize (after the audit window: pays worker, verifiers, platform, refund)", () =>
      s.market.write.finalize([taskId]),
    );
    completed += 1;
    if (measured) rows.push(...log);
  }
  if (rows.length === 0) throw new Error("every measured task was drawn for audit");
  return rows;
}

async function audit() {
  const s = await setupProtocol(connection, { auditRateBps: 10_000 });
  const [requester, worker, ...rest] = s.wallets;
  if (!requester || !worker || rest.length < 5) throw new Error("need 7 wallets");
  await s.registerWorker(requester, 0n, false);
  const w = await s.registerWorker(worker, 3_000n, false);
  const members = new Map<string, { wallet: (typeof rest)[number]; c: Awaited<ReturnType<typeof s.as>> }>();
  for (const wallet of rest.slice(0, 5)) members.set(wallet.account.address.toLowerCase(), { wallet, c: await s.registerWorker(wallet) });
  const r = await s.as(requester);
  const rows: Row[] = [];
  const taskId = await s.nextTaskIdFor(requester.account.address);
  await s.wait(
    await r.market.write.post([
      {
        typeId: 0,
        mode: VerificationMode.Replicated,
        bounty: 1000,
        deadline: Math.floor(Date.now() / 1000) + 86_400 * 30,
        claimWindow: 0,
        inputBytes: 100_000,
        preferredWorker: "0x0000000000000000000000000000000000000000",
        zkInputCommitment: 0n,
        inputCid: toHex("bafy-audit-input"),
        spec: toHex("{}"),
      },
    ]),
  );
  await s.wait(await w.market.write.claim([taskId]));
  const out = s.result(taskId, worker.account.address, "out");
  await s.wait(await w.market.write.commit([taskId, out.commitment]));
  await s.wait(await s.market.write.drawVerifiers([taskId]));
  const round = await s.market.read.roundOf([taskId]);
  const verifiers = round.members.slice(1).map((m) => members.get(m.account.toLowerCase())!);
  const vr = verifiers.map((d) => s.result(taskId, d.wallet.account.address, "out"));
  for (const [i, v] of verifiers.entries()) await s.wait(await v.c.market.write.commit([taskId, vr[i]!.commitment]));
  await s.wait(await w.market.write.reveal([taskId, out.cid, out.salt]));
  for (const [i, v] of verifiers.entries()) await s.wait(await v.c.market.write.reveal([taskId, vr[i]!.cid, vr[i]!.salt]));
  await measure(s, rows, "settle (accept; anchors the audit decision)", () => s.market.write.settle([taskId]));
  await measure(s, rows, "decideAudit (next block: audited, audit anchored)", () => s.market.write.decideAudit([taskId]));
  await measure(s, rows, "drawAuditors (3 auditors locked, next block)", () => s.market.write.drawAuditors([taskId]));
  const auditRound = await s.market.read.auditOf([taskId]);
  const auditors = auditRound.members.map((m) => members.get(m.account.toLowerCase())!);
  const ar = auditors.map((d) => s.result(taskId, d.wallet.account.address, "out"));
  for (const [i, a] of auditors.entries()) await measure(s, rows, `audit commit ${i + 1}`, () => a.c.market.write.commit([taskId, ar[i]!.commitment]));
  for (const [i, a] of auditors.entries()) await measure(s, rows, `audit reveal ${i + 1}`, () => a.c.market.write.reveal([taskId, ar[i]!.cid, ar[i]!.salt]));
  await measure(s, rows, "finalizeAudit (clean: pays worker, verifiers, auditors, platform, refund)", () =>
    s.market.write.finalizeAudit([taskId]),
  );
  return rows;
}

/** Gas by part; `count:` keys count occurrences and `precompile:` keys detail a call, so neither adds to the total. */
type GasParts = Map<string, number>;
const spent = (parts: GasParts) => [...parts].filter(([k]) => !k.startsWith("count:") && !k.startsWith("precompile:")).reduce((n, [, g]) => n + g, 0);
const PRECOMPILES: Record<string, string> = { "0x06": "ecAdd", "0x07": "ecMul", "0x08": "pairing" };
/** Where one transaction's gas goes, from its opcode trace: its calls (by callee), and the market's own work by kind. */
async function gasParts(hash: Hex, callees: Map<string, string>): Promise<GasParts> {
  const trace = (await connection.provider.request({
    method: "debug_traceTransaction",
    params: [hash, { disableStack: false, disableMemory: true, disableStorage: true }],
  })) as { structLogs: { op: string; gas: number; gasCost: number; depth: number; stack?: string[] }[] };
  const logs = trace.structLogs;
  const client = await viem.getPublicClient();
  const tx = await client.getTransaction({ hash });
  const receipt = await client.getTransactionReceipt({ hash });
  const parts: GasParts = new Map();
  const add = (key: string, gas: number) => parts.set(key, (parts.get(key) ?? 0) + gas);
  const input = tx.input.slice(2);
  let calldata = 0;
  for (let i = 0; i < input.length; i += 2) calldata += input.slice(i, i + 2) === "00" ? 4 : 16;
  add("base", 21_000);
  add("calldata", calldata);
  // The gas a call costs its caller: from the call opcode to the next step back at the caller's depth.
  const callCost = (i: number) => {
    let j = i + 1;
    while (j < logs.length && logs[j]!.depth > logs[i]!.depth) j++;
    return { gas: logs[i]!.gas - (logs[j]?.gas ?? logs[i]!.gas), end: j };
  };
  const target = (i: number) => `0x${logs[i]!.stack!.at(-2)!.replace(/^0x/, "").padStart(40, "0").slice(-40)}`.toLowerCase();
  // Every step visited is the market's own (a call is skipped over whole); a linked library's DELEGATECALL counts as a call.
  for (let i = 0; i < logs.length; ) {
    const l = logs[i]!;
    if (l.op === "CALL" || l.op === "STATICCALL" || l.op === "DELEGATECALL") {
      const name = l.op === "DELEGATECALL" ? "libraries" : (callees.get(target(i)) ?? target(i));
      const { gas, end } = callCost(i);
      add(`call:${name}`, gas);
      for (let k = i + 1; k < end; k++) {
        const precompile = logs[k]!.op === "STATICCALL" && /^0x0{38}0[678]$/.test(target(k)) ? PRECOMPILES[`0x${target(k).slice(-2)}`] : undefined;
        if (precompile) add(`precompile:${precompile}`, callCost(k).gas), add(`count:${precompile}`, 1);
      }
      i = end;
      continue;
    }
    if (l.op === "SSTORE" && l.gasCost >= 20_000) add("sstore:new", l.gasCost), add("count:new", 1);
    else if (l.op === "SSTORE") add("sstore:update", l.gasCost);
    else if (l.op === "SLOAD" && l.gasCost >= 2_100) add("sload:cold", l.gasCost), add("count:cold", 1);
    else if (l.op.startsWith("LOG")) add("log", l.gasCost);
    else add("other", l.gasCost);
    i++;
  }
  // Zero unless the trace and the receipt disagree (no slot is cleared on this path, so there is no refund).
  add("unaccounted", Number(receipt.gasUsed) - spent(parts));
  return parts;
}

/** Real proofs, made by the task types for the task id and worker of each run (what the worker tab does). */
async function zkProof(typeName: "zk-downscale" | "zk-matmul", input: Uint8Array, taskId: Hex, worker: Address) {
  const binding = { taskId, worker };
  const output =
    typeName === "zk-downscale"
      ? await zkDownscale.run(input, { width: 64, height: 64, binding })
      : await zkMatmul.run(input, { m: 16, k: 16, n: 16, binding });
  const d = decodeOutput(output);
  // The CID the worker publishes the output under, as the earn engine sends it (binary, 36 bytes).
  const outputCidBytes = bytesToHex((await outputCid(d.payload)).bytes);
  return { outputCommitment: d.publicSignals[1]!, proof: bytesToHex(d.proof), outputCidBytes };
}

/** `claimFirst`: the worker claims, then proves (three transactions to acceptance); otherwise it proves the open task. */
async function zk(typeName: "zk-downscale" | "zk-matmul", claimFirst: boolean) {
  const s = await setupProtocol(connection, {});
  const typeId = genesisTaskTypes.findIndex((t) => t.name === typeName);
  const [requester, worker] = s.wallets;
  if (!requester || !worker) throw new Error("need 2 wallets");
  await s.registerWorker(requester, 0n, false);
  const w = await s.registerWorker(worker, 3_000n, false);
  const r = await s.as(requester);
  const rows: Row[] = [];
  let verifyGas = 0n;
  let parts: { post: GasParts; proof: GasParts } | undefined;
  for (const measured of [false, true]) {
    const log = measured ? rows : [];
    const input =
      typeName === "zk-downscale"
        ? new Uint8Array(64 * 64).map((_, i) => (i * 31 + Number(measured)) & 0xff)
        : new Uint8Array(512).map((_, i) => (i * 89 + Number(measured)) & 0xff);
    const inputCommitment = await (typeName === "zk-downscale" ? zkDownscaleInputCommitment : zkMatmulInputCommitment)(input);
    const taskId = await s.nextTaskIdFor(requester.account.address);
    // Binary, as the app posts it (PostForm).
    const inputCid = bytesToHex((await outputCid(input)).bytes);
    const postHash = await measure(s, log, "post (zk)", () =>
      r.market.write.post([
        {
          typeId,
          mode: VerificationMode.Zk,
          bounty: 1000,
          deadline: Math.floor(Date.now() / 1000) + 86_400 * 30,
          claimWindow: 0,
          inputBytes: 100_000,
          preferredWorker: "0x0000000000000000000000000000000000000000",
          zkInputCommitment: inputCommitment,
          inputCid,
          spec: toHex(typeName === "zk-downscale" ? '{"width":64,"height":64}' : '{"m":16,"k":16,"n":16}'),
        },
      ]),
    );
    if (claimFirst) await measure(s, log, "claim", () => w.market.write.claim([taskId]));
    const { outputCommitment, proof, outputCidBytes } = await zkProof(typeName, input, taskId, worker.account.address);
    const proofHash = await measure(s, log, `submitProof (real ${typeName} Groth16 verifier${claimFirst ? ", claimed" : ", no claim: takes the open task"})`, () =>
      w.market.write.submitProof([taskId, outputCommitment, proof, outputCidBytes]),
    );
    if (measured && !claimFirst) {
      const callees = new Map<string, string>([
        [s.ledger.address.toLowerCase(), "ledger"],
        [s.registry.address.toLowerCase(), "registry"],
        [s.taskTypes.address.toLowerCase(), "taskTypes"],
        [s.zkAdapters[typeName]!.toLowerCase(), "verifier"],
      ]);
      parts = { post: await gasParts(postHash, callees), proof: await gasParts(proofHash, callees) };
    }
    await networkHelpers.time.increase(s.params.auditWindow + 1);
    await measure(s, log, "finalize (after the audit window: pays the worker)", () => s.market.write.finalize([taskId]));
    if (measured) {
      // The verifier alone, as an eth_estimateGas of the adapter's view call (includes the 21k base).
      const adapter = s.zkAdapters[typeName]!;
      const data = encodeFunctionData({
        abi: [
          {
            type: "function",
            name: "verifyTaskProof",
            stateMutability: "view",
            inputs: [
              { type: "bytes32" },
              { type: "address" },
              { type: "uint256" },
              { type: "uint256" },
              { type: "bytes" },
            ],
            outputs: [{ type: "bool" }],
          },
        ],
        functionName: "verifyTaskProof",
        args: [taskId, worker.account.address, inputCommitment, outputCommitment, proof],
      });
      verifyGas = await s.publicClient.estimateGas({ to: adapter, data });
    }
  }
  return { rows, verifyGas, parts };
}

const sum = (rows: Row[]) => rows.reduce((n, r) => n + r.gas, 0n);
const table = (rows: Row[]) => rows.map((r) => `| ${r.step} | ${r.gas.toLocaleString("en-US")} |`).join("\n");
const fmt = (n: bigint) => n.toLocaleString("en-US");

/** The same lifecycles measured on the contracts before issue 9 (bench/gas-baseline.json records how). */
const baseline = JSON.parse(readFileSync(new URL("./gas-baseline.json", import.meta.url), "utf8")) as {
  measuredAt: string;
  lifecycles: Record<"replicated" | "audit" | "zkDownscale" | "zkMatmul", { step: string; gas: number }[]>;
};
const before = (name: keyof typeof baseline.lifecycles) => BigInt(baseline.lifecycles[name].reduce((n, r) => n + r.gas, 0));
const change = (now: bigint, then: bigint) => {
  const pct = (Number(now - then) / Number(then)) * 100;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(1)}%`;
};

const rep = await replicated(defaultParams.auditRateBps);
const aud = await audit();
const zkDown = await zk("zk-downscale", true);
const zkMat = await zk("zk-matmul", true);
const zkDownDirect = await zk("zk-downscale", false);
const zkMatDirect = await zk("zk-matmul", false);
await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
void networkHelpers;

const zkTables = [
  { title: "zk-downscale (64x64 tile; one task per tile for larger images), claimed first", rows: zkDown.rows },
  { title: "zk-downscale, proved without a claim", rows: zkDownDirect.rows },
  { title: "zk-matmul (16x16 uint8), claimed first", rows: zkMat.rows },
  { title: "zk-matmul, proved without a claim", rows: zkMatDirect.rows },
];
const downTotal = sum(zkDown.rows);
const matTotal = sum(zkMat.rows);
const toAcceptance = (rows: Row[]) => sum(rows.filter((r) => !r.step.startsWith("finalize")));
const zkTarget = (rows: Row[]) => {
  const gas = toAcceptance(rows);
  const txs = rows.filter((r) => !r.step.startsWith("finalize")).length;
  return `${fmt(gas)} in ${txs} transactions (target ≤ 450,000 in ≤ 2: ${gas <= 450_000n && txs <= 2 ? "met" : "missed"})`;
};
const repTotal = sum(rep);
const repToAccept = sum(rep.filter((r) => !r.step.startsWith("finalize")));
const audTotal = sum(aud);
const comparisons: [string, bigint, bigint][] = [
  ["replicated, post to payment (incl. finalize)", before("replicated"), repTotal],
  ["audit, settle to payment (finalizeAudit)", before("audit"), audTotal],
  ["zk-downscale, post to payment (incl. finalize)", before("zkDownscale"), downTotal],
  ["zk-matmul, post to payment (incl. finalize)", before("zkMatmul"), matTotal],
];

const both = (p: { post: GasParts; proof: GasParts }, key: string) => (p.post.get(key) ?? 0) + (p.proof.get(key) ?? 0);
/** Base cost, calldata and the verifier's precompiles: what any contract design pays for one Groth16 check. */
const floor = (p: { post: GasParts; proof: GasParts }) =>
  ["base", "calldata", "precompile:pairing", "precompile:ecMul", "precompile:ecAdd"].reduce((n, k) => n + both(p, k), 0);
function partsTable(p: { post: GasParts; proof: GasParts }): string {
  const n = (x: number) => (x === 0 ? "" : fmt(BigInt(x)));
  const row = (label: string, post: number, proof: number) => `| ${label} | ${n(post)} | ${n(proof)} | ${n(post + proof)} |`;
  const get = (key: string) => [p.post.get(key) ?? 0, p.proof.get(key) ?? 0] as const;
  const by = (label: string, key: string) => row(label, ...get(key));
  const precompiles = ["pairing", "ecMul", "ecAdd"].map((k) => both(p, `precompile:${k}`)).reduce((a, b) => a + b, 0);
  const counted = (label: string, key: string, count: string) => row(`${label} (${get(count)[0]} + ${get(count)[1]})`, ...get(key));
  const rows = [
    "| part | post | submitProof | both |",
    "|---|---|---|---|",
    by("transaction base cost", "base"),
    by("calldata", "calldata"),
    by("Groth16 check (the adapter's call)", "call:verifier"),
    row(`of which the pairing precompile (${both(p, "count:pairing")} call, 4 pairs)`, 0, both(p, "precompile:pairing")),
    row(`of which ecMul and ecAdd (${both(p, "count:ecMul")} + ${both(p, "count:ecAdd")} calls, one each per public signal)`, 0, both(p, "precompile:ecMul") + both(p, "precompile:ecAdd")),
    row("of which the verifier's own code", 0, both(p, "call:verifier") - precompiles),
    counted("market: new storage slots", "sstore:new", "count:new"),
    by("market: storage updates", "sstore:update"),
    counted("market: cold storage reads", "sload:cold", "count:cold"),
    by("market: events", "log"),
    by("market: other execution", "other"),
    by("credit ledger (escrow at post, stake lock at the proof)", "call:ledger"),
    by("worker registry (the worker's state, its accepted work)", "call:registry"),
    by("task-type registry (the type's policy)", "call:taskTypes"),
    ...(both(p, "call:libraries") ? [by("linked libraries", "call:libraries")] : []),
    ...(both(p, "unaccounted") ? [by("unaccounted (trace and receipt disagree)", "unaccounted")] : []),
    row("**total**", spent(p.post), spent(p.proof)),
  ];
  return rows.join("\n");
}

const markdown = `## Gas per lifecycle

Machine: ${machineLine()}
Command: \`npm run bench:gas\` (Hardhat ${"3.17.0"} EDR in-process chain, solc-js with viaIR, optimizer 200 runs, evm cancun).
Each lifecycle is measured on its second run, after a warm-up task, so account slots (nonce, IOU, reputation)
already exist as they do for every task after an account's first. Total gas includes the 21,000 base cost of
every transaction. Since issue 9 nothing is paid at acceptance: pay an audit may reverse stays in escrow until the
task is final, so every lifecycle below runs to the payment (\`finalize\` after the audit window, or
\`finalizeAudit\`).

### Against the contracts before issue 9 (limit: +10%)
"Before" is ${baseline.measuredAt}: the old lifecycles paid at \`settle\`/\`submitProof\`, and their \`finalize\`
only changed the status.
| lifecycle | before | now | change |
|---|---|---|---|
${comparisons.map(([name, then, now]) => `| ${name} | ${fmt(then)} | ${fmt(now)} | ${change(now, then)}${Number(now - then) / Number(then) > 0.1 ? " (over +10%)" : ""} |`).join("\n")}

### Replicated: post + claim + 3 commits + drawVerifiers + 3 reveals + settle + decideAudit + finalize (the default 10% audit rate; this task not drawn)
| step | gas |
|---|---|
${table(rep)}
| **total** | **${fmt(repTotal)}** |

To acceptance (post to settle, the lifecycle the ≤ 1,000,000 target of issue 2 measured): ${fmt(repToAccept)} (${repToAccept <= 1_000_000n ? "met" : "missed"}).
The payment is a transaction of its own now, after the audit window, because pay an audit may reverse must stay in
escrow until then; before issue 9 the same \`finalize\` transaction cost ${fmt(BigInt(baseline.lifecycles.replicated.at(-1)!.gas))} and only changed the status.

### zk, with the real Groth16 verifiers and real proofs
Two ways to acceptance (ITaskMarket.submitProof): the worker claims the task and then proves it, or it proves the open
task without a claim (the proof binds the worker, so nobody can send a copy of it as theirs; the first valid proof
wins). Either way \`finalize\` pays after the audit window. Every proof is randomised (fresh r and s), so its calldata,
and with it each zk figure below, moves by a few dozen gas from run to run.

${zkTables
  .map(
    ({ title, rows }) => `${title}:
| step | gas |
|---|---|
${table(rows)}
| **total** | **${fmt(sum(rows))}**; to acceptance ${zkTarget(rows)} |
`,
  )
  .join("\n")}
Proving without a claim saves ${fmt(toAcceptance(zkDown.rows) - toAcceptance(zkDownDirect.rows))} gas to acceptance on zk-downscale (the claim
transaction's 21,000 base and its writes, less the claim's checks and stake lock that submitProof now makes itself).
The adapter's \`verifyTaskProof\` alone (eth_estimateGas of the view call, incl. the 21,000 base and 356 bytes of
calldata): zk-downscale ${fmt(zkDown.verifyGas)}, zk-matmul ${fmt(zkMat.verifyGas)}: that is most of what is left. Groth16
verification with 4 public signals is the same work for every circuit (a 4-pairing check, 181,000 gas at the
EIP-1108 prices, and 4 scalar multiplications, 6,000 each); the circuit size does not change it.

What changed since c8b5ebf (515,767 to acceptance without a claim): the input commitment is kept in the round's
worker slot, which the accepted proof then overwrites with the output CID's digest (a slot update, 2,900, instead
of a new slot, 22,100), and each adapter holds its Groth16 verifier and hands the proof bytes to it as they came
(no cold call to a second contract, no decode and re-encode).

Where the ${fmt(toAcceptance(zkDownDirect.rows))} to acceptance without a claim go (zk-downscale, from the opcode traces of the measured post and
submitProof; a call's gas is what it costs the market, its callee's cold access included):

${partsTable(zkDownDirect.parts!)}

What stands between that and 450,000: the part no contract design removes (the two transactions' base cost, the
calldata, and the Groth16 check's precompiles: ${fmt(BigInt(floor(zkDownDirect.parts!)))}) leaves ${fmt(450_000n - BigInt(floor(zkDownDirect.parts!)))} for everything else, which takes
${fmt(toAcceptance(zkDownDirect.rows) - BigInt(floor(zkDownDirect.parts!)))} now. The largest single part of that is storage: a zk task creates ${both(zkDownDirect.parts!, "count:new") + 1} slots (the task's two,
the input commitment, the acceptance time, and the ledger's escrow, inside its call), 20,000 each plus a cold read.
The task's two slots are full (512 bits of fields), the commitment is a 254-bit field element, and the acceptance
time with its pause mark is the one round field a zk task writes: none can join a slot another write already pays
for. Saving a slot (about 22,000) needs a different split of state between the market and the ledger (the escrow
kept in the market's task, for example); not attempted.
Binding task and worker in one public signal (a hash the adapter computes) would save one ecMul and ecAdd
(6,150) and needs new circuits and keys; hashing all four signals into one would save three (18,450) but needs a
Poseidon on chain, which costs more than it saves.

### Audit (settle + decideAudit + drawAuditors + 3 auditors, clean, to payment)
| step | gas |
|---|---|
${table(aud)}
| **total** | **${fmt(audTotal)}** |
`;
writeBenchSection("gas", markdown);
console.log(markdown);

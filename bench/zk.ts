/**
 * zk task types: proving time in Node and in Chromium's task worker, JS verify time, proving memory, at the
 * shipped sizes (zk-downscale 64x64 tile, zk-matmul 16x16x16). On-chain gas comes from `npm run bench:gas`
 * (real verifiers and proofs) and is quoted here from its BENCHMARKS.md section.
 * Run: npm run bench:zk   (writes the "zk" section of BENCHMARKS.md; needs /usr/bin/chromium)
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { median, mib, requireTools, startBrowserBench } from "./browser.ts";
import { machineLine, writeBenchSection } from "./write-section.ts";
import type { ProverTimes } from "./zk-provers.ts";
import type { SampleCircuit } from "../wasm-tasks/zk-common/sample-inputs.ts";

type Circuit = "zk-downscale" | "zk-matmul";
const CIRCUITS: Circuit[] = ["zk-downscale", "zk-matmul"];
const RUNS = 3;
const VERIFY_RUNS = 20;

const inputFor = (c: Circuit, seed: number) =>
  c === "zk-downscale"
    ? new Uint8Array(64 * 64).map((_, i) => (i * 29 + seed * 7 + (i >> 6)) & 0xff)
    : new Uint8Array(512).map((_, i) => (i * 89 + seed * 3) & 0xff);
const specFor = (c: Circuit) => (c === "zk-downscale" ? { width: 64, height: 64 } : { m: 16, k: 16, n: 16 });

type NodeResult = {
  circuit: Circuit;
  firstMs: number;
  proveMs: number[];
  witnessMs: number[];
  cpuMs: number[];
  verifyMs: number[];
  verifyCpuMs: number;
  snarkjsVerifyMs: number[];
  maxRssBytes: number;
  constraints: number;
};

async function child(circuit: Circuit): Promise<void> {
  const { getTaskType } = await import("../wasm-tasks/index.ts");
  const { decodeOutput, decodeProofFromChain, verifyProof } = await import("../wasm-tasks/zk-common/proof.ts");
  const type = getTaskType(circuit);
  const result: NodeResult = { circuit, firstMs: 0, proveMs: [], witnessMs: [], cpuMs: [], verifyMs: [], verifyCpuMs: 0, snarkjsVerifyMs: [], maxRssBytes: 0, constraints: 0 };
  result.constraints = JSON.parse(readFileSync(new URL("../circuits/artifacts.json", import.meta.url), "utf8")).circuits[circuit].constraints;
  let last: Uint8Array | undefined;
  for (let i = 0; i <= RUNS; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let witnessAt = 0, provingAt = 0;
    last = await type.run(inputFor(circuit, i), specFor(circuit), {
      onProgress: (e) => {
        if (e.phase === "witness") witnessAt = performance.now();
        if (e.phase === "proving") provingAt = performance.now();
      },
    });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (i === 0) result.firstMs = ms; // includes reading the zkey and building the curve
    else {
      result.proveMs.push(ms);
      result.witnessMs.push(provingAt - witnessAt);
      result.cpuMs.push((used.user + used.system) / 1e3);
    }
  }
  const d = decodeOutput(last!);
  const proof = decodeProofFromChain(d.proof);
  let verifyCpu = process.cpuUsage();
  for (let i = 0; i < VERIFY_RUNS + 2; i++) {
    if (i === 2) verifyCpu = process.cpuUsage();
    const started = performance.now();
    if (!(await verifyProof(circuit, d.publicSignals, proof))) throw new Error("proof does not verify");
    if (i >= 2) result.verifyMs.push(performance.now() - started);
  }
  const vc = process.cpuUsage(verifyCpu);
  result.verifyCpuMs = (vc.user + vc.system) / 1e3 / VERIFY_RUNS;
  // The peer: snarkjs.groth16.verify itself, same proof, same process.
  const { vkey } = await (await import("../wasm-tasks/zk-common/artifacts.ts")).loadArtifacts(circuit);
  const snarkjs = await import("snarkjs");
  for (let i = 0; i < VERIFY_RUNS + 2; i++) {
    const started = performance.now();
    if (!(await snarkjs.groth16.verify(vkey, d.publicSignals.map(String), proof))) throw new Error("snarkjs: proof does not verify");
    if (i >= 2) result.snarkjsVerifyMs.push(performance.now() - started);
  }
  result.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  console.log(`RESULT ${JSON.stringify(result)}`);
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  process.exit(0);
}

if (process.argv[2] === "--child") {
  await child(process.argv[3] as Circuit);
} else if (process.argv[2] === "--compare") {
  // Its own process, so that snarkjs's proving memory does not count in the task's maxRSS above.
  const { compareProvers } = await import("./zk-provers.ts");
  console.log(`COMPARE ${JSON.stringify(await compareProvers(process.argv[3] as SampleCircuit, RUNS))}`);
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  process.exit(0);
} else {
  requireTools([{ path: "/usr/bin/chromium", apt: "chromium" }]);
  const node: NodeResult[] = [];
  for (const c of CIRCUITS) {
    const proc = spawnSync("npx", ["tsx", fileURLToPath(import.meta.url), "--child", c], { encoding: "utf8", timeout: 900_000 });
    const line = proc.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`${c} failed: ${proc.stderr}`);
    node.push(JSON.parse(line.slice("RESULT ".length)));
  }
  const nodePeers: Record<string, ProverTimes> = {};
  for (const c of CIRCUITS) {
    const proc = spawnSync("npx", ["tsx", fileURLToPath(import.meta.url), "--compare", c], { encoding: "utf8", timeout: 900_000 });
    const line = proc.stdout.split("\n").find((l) => l.startsWith("COMPARE "));
    if (!line) throw new Error(`${c} prover comparison failed: ${proc.stderr}`);
    nodePeers[c] = JSON.parse(line.slice("COMPARE ".length));
  }

  const browser = await startBrowserBench(4182);
  const chromium: Record<string, { firstMs: number; ms: number[]; cpu: number[]; peak: number; baseline: number }> = {};
  const chromiumPeers: Record<string, ProverTimes> = {};
  try {
    for (const c of CIRCUITS) {
      const r: (typeof chromium)[string] = { firstMs: 0, ms: [], cpu: [], peak: 0, baseline: Infinity };
      for (let i = 0; i <= RUNS; i++) {
        const res = await browser.run({
          typeName: c,
          inputBase64: Buffer.from(inputFor(c, i)).toString("base64"),
          spec: specFor(c),
          timeoutMs: 300_000,
        });
        if (res.error) throw new Error(`chromium ${c}: ${res.error.code}: ${res.error.message}`);
        if (i === 0) r.firstMs = res.ms;
        else r.ms.push(res.ms), r.cpu.push(res.cpuSeconds * 1e3);
      }
      // Memory from a run of its own: sampling slows the run it samples (bench/browser.ts).
      const mem = await browser.runForMemory({ typeName: c, inputBase64: Buffer.from(inputFor(c, RUNS + 1)).toString("base64"), spec: specFor(c), timeoutMs: 300_000 });
      if (mem.error) throw new Error(`chromium ${c}: ${mem.error.code}: ${mem.error.message}`);
      r.peak = mem.peakRssBytes;
      r.baseline = mem.baselineRssBytes;
      chromium[c] = r;
    }
    for (const c of CIRCUITS) {
      const times = await browser.page.evaluate(
        ([circuit, runs]) =>
          new Promise<ProverTimes | { error: string }>((done) => {
            const worker = new Worker("/build/zk-provers.js", { type: "module" });
            worker.onmessage = (e) => (worker.terminate(), done(e.data));
            worker.onerror = (e) => (worker.terminate(), done({ error: e.message }));
            worker.postMessage({ circuit, runs });
          }),
        [c, RUNS] as const,
      );
      if ("error" in times) throw new Error(`chromium prover comparison ${c}: ${times.error}`);
      chromiumPeers[c] = times;
    }
  } finally {
    await browser.close();
  }

  // Gas: quoted from the section npm run bench:gas wrote (real verifiers and real proofs).
  const benchmarks = readFileSync(new URL("../BENCHMARKS.md", import.meta.url), "utf8");
  const gasSection = benchmarks.slice(benchmarks.indexOf("<!-- bench:gas -->"), benchmarks.indexOf("<!-- /bench:gas -->"));
  const gasOf = (c: Circuit) => {
    const block = gasSection.slice(gasSection.indexOf(`${c}, proved without a claim`));
    const total = /to acceptance ([\d,]+) in 2 transactions/.exec(block)?.[1];
    const submit = /\| submitProof \(real [a-z-]+ Groth16 verifier, no claim[^)]*\) \| ([\d,]+) \|/.exec(block)?.[1];
    const verify = new RegExp(`${c} ([\\d,]*\\d)`).exec(gasSection.slice(gasSection.indexOf("verifyTaskProof")))?.[1];
    return { total: total ?? "n/a (run npm run bench:gas)", submit: submit ?? "n/a", verify: verify ?? "n/a" };
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = (ms: number) => `${(ms / 1e3).toFixed(2)} s`;
  const rows = CIRCUITS.map((c) => {
    const n = node.find((r) => r.circuit === c)!;
    const b = chromium[c]!;
    const g = gasOf(c);
    return `| ${c} | ${n.constraints.toLocaleString("en-US")} | ${s(median(n.proveMs))} (witness ${s(median(n.witnessMs))}; CPU ${s(mean(n.cpuMs))}) | ${s(median(b.ms))} (CPU ${s(mean(b.cpu))}); first run ${s(b.firstMs)} | ${median(n.verifyMs).toFixed(1)} ms (CPU ${n.verifyCpuMs.toFixed(1)} ms); snarkjs.groth16.verify ${median(n.snarkjsVerifyMs).toFixed(1)} ms (${(median(n.snarkjsVerifyMs) / median(n.verifyMs)).toFixed(1)}x) | ${g.verify} | ${g.submit} | ${g.total} | ${mib(n.maxRssBytes)} Node maxRSS; Chromium tree PSS ${mib(b.peak)} in a run of its own (${mib(b.baseline)} before it) |`;
  });
  const down = chromium["zk-downscale"]!;
  const downVerify = median(node.find((r) => r.circuit === "zk-downscale")!.verifyMs);
  const markdown = `
## zk task types: proving, verifying, gas

Machine: ${machineLine()}. Command: \`npm run bench:zk\` (Node: own process per circuit, ${RUNS} proofs after a first
one that loads the zkey; Chromium: the harness's task worker, ${RUNS} proofs after a first that fetches the artifacts;
medians; verify: median of ${VERIFY_RUNS} \`verifyProof\` of zk-common/proof.ts, which makes snarkjs's checks on a
single-thread curve, beside \`snarkjs.groth16.verify\` on the same proof in the same process). Gas: from \`npm run bench:gas\` (section above,
real verifiers and real proofs). circom2 0.2.23 --O2. The task types prove with \`wasm-tasks/zk-common/groth16-prover.ts\`
on ffjavascript's bn128 and its thread pool (2 threads here), the pool snarkjs 0.7.6 proves with too.

| circuit (shipped size) | constraints | Node proving (wall) | Chromium proving (wall) | JS verify | adapter verify gas (eth_estimateGas) | submitProof gas (no claim) | zk gas to acceptance (post + submitProof) | proving memory |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

### The prover against snarkjs.groth16.prove, its peer
The same witness, the two provers alternating, ${RUNS} proofs each after an untimed first; medians. Node: a process of its
own; Chromium: a dedicated worker of the harness page (no task around the proof).

| circuit | Node: groth16-prover.ts | Node: snarkjs | Node speed-up | Chromium: groth16-prover.ts | Chromium: snarkjs | Chromium speed-up |
|---|---|---|---|---|---|---|
${CIRCUITS.map((c) => {
  const n = nodePeers[c]!, b = chromiumPeers[c]!;
  const x = (t: ProverTimes) => `**${(median(t.snarkjsMs) / median(t.oursMs)).toFixed(2)}x**`;
  return `| ${c} | ${s(median(n.oursMs))} | ${s(median(n.snarkjsMs))} | ${x(n)} | ${s(median(b.oursMs))} | ${s(median(b.snarkjsMs))} | ${x(b)} |`;
}).join("\n")}

Where snarkjs 0.7.6 loses the time (its groth16_prove.js): it evaluates A and B with one JS call per coefficient
(409,478 for zk-downscale: 1.6 s of its 5.9 s in Node), runs the witness MSMs with full 32-byte scalars although
42,000 of zk-downscale's 48,919 witness values are below 256 (groth16-prover.ts gives those 1-byte scalars: one
8-bit window instead of twenty 13-bit ones), and runs the three FFT chains one after another. The H MSM over the
65,536-point domain is the same in both and is now the largest part (1.4 s in Node, 1.7 s in Chromium).

Targets: browser proving of the 64x64 downscale ≤ 5 s: ${median(down.ms) <= 5000 ? "met" : "missed"} (${s(median(down.ms))});
JS verify ≤ 20 ms: ${downVerify <= 20 ? "met" : "missed"} (${downVerify.toFixed(1)} ms); lifecycle gas ≤ 450k: see the totals.
Artifacts the prover loads once: zk-downscale zkey 36 MiB + witness wasm 6.8 MiB; zk-matmul 8.5 MiB + 5.3 MiB.
Load average when the run ended: ${loadavg().map((l) => l.toFixed(1)).join(", ")} (2 cores; the machine is shared, so wall
times are upper bounds; CPU time is the steadier figure).
`;
  writeBenchSection("zk", markdown);
  console.log(markdown);
  process.exit(0);
}

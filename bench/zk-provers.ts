/**
 * The two Groth16 provers on one witness, alternating, for bench:zk: the task types' groth16-prover.ts and
 * snarkjs.groth16.prove, its peer. Runs in Node (bench/zk.ts's child) and in a Chromium worker
 * (bench/zk-provers-worker.ts, served by the harness).
 */
import { WitnessCalculatorBuilder } from "circom_runtime";
import * as snarkjs from "snarkjs";
import { loadArtifacts } from "../wasm-tasks/zk-common/artifacts.ts";
import { loadProvingKey, proveGroth16, witnessOf } from "../wasm-tasks/zk-common/groth16-prover.ts";
import { SAMPLE_WITNESS_INPUTS, type SampleCircuit } from "../wasm-tasks/zk-common/sample-inputs.ts";

export type ProverTimes = { oursMs: number[]; snarkjsMs: number[] };

export async function compareProvers(circuit: SampleCircuit, runs: number): Promise<ProverTimes> {
  const { wasm, zkey, vkey } = await loadArtifacts(circuit);
  const wtns = await (await WitnessCalculatorBuilder(wasm)).calculateWTNSBin(SAMPLE_WITNESS_INPUTS[circuit], false);
  const key = await loadProvingKey(zkey);
  const times: ProverTimes = { oursMs: [], snarkjsMs: [] };
  // One untimed proof each first: both load the curve and its threads.
  for (let i = 0; i <= runs; i++) {
    let started = performance.now();
    const ours = await proveGroth16(key, witnessOf(wtns));
    if (i > 0) times.oursMs.push(performance.now() - started);
    started = performance.now();
    const theirs = await snarkjs.groth16.prove(zkey, { type: "mem", data: wtns });
    if (i > 0) times.snarkjsMs.push(performance.now() - started);
    if (i === 0 && !(await snarkjs.groth16.verify(vkey, ours.publicSignals, ours.proof) && await snarkjs.groth16.verify(vkey, theirs.publicSignals, theirs.proof))) {
      throw new Error(`${circuit}: a proof does not verify`);
    }
  }
  return times;
}

/**
 * groth16-prover.ts against snarkjs: its proofs of both shipped circuits verify under snarkjs.groth16.verify
 * (with the public signals snarkjs.groth16.prove reports for the same witness, checked on zk-matmul); a witness
 * that breaks a constraint gives a proof that does not verify; an abort stops it between phases; a damaged key
 * or a witness of the wrong size is refused with a clear error.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { WitnessCalculatorBuilder } from "circom_runtime";
import * as snarkjs from "snarkjs";
import { loadArtifacts } from "./artifacts.ts";
import { loadProvingKey, proveGroth16, witnessOf } from "./groth16-prover.ts";
import { SAMPLE_WITNESS_INPUTS } from "./sample-inputs.ts";

after(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

const inputs = SAMPLE_WITNESS_INPUTS;

for (const circuit of ["zk-matmul", "zk-downscale"] as const) {
  test(`${circuit}: the proof verifies under snarkjs${circuit === "zk-matmul" ? ", with the signals snarkjs proves" : ""}`, { timeout: 180_000 }, async () => {
    const { wasm, zkey, vkey } = await loadArtifacts(circuit);
    const wtns = await (await WitnessCalculatorBuilder(wasm)).calculateWTNSBin(inputs[circuit], false);
    const key = await loadProvingKey(zkey);
    const ours = await proveGroth16(key, witnessOf(wtns));
    // snarkjs's own prover on the small circuit only: on zk-downscale it takes 6 s.
    if (circuit === "zk-matmul") {
      const theirs = await snarkjs.groth16.prove(zkey, { type: "mem", data: wtns });
      assert.deepEqual(ours.publicSignals, theirs.publicSignals);
    }
    assert.equal(await snarkjs.groth16.verify(vkey, ours.publicSignals, ours.proof), true);
    // Fresh randomness per proof: two proofs of one witness differ, and both verify.
    const again = await proveGroth16(key, witnessOf(wtns));
    assert.notDeepEqual(again.proof.pi_a, ours.proof.pi_a);
    assert.equal(await snarkjs.groth16.verify(vkey, again.publicSignals, again.proof), true);
  });
}

test("a witness that breaks a constraint gives a proof that does not verify", { timeout: 120_000 }, async () => {
  const { wasm, zkey, vkey } = await loadArtifacts("zk-matmul");
  const witness = witnessOf(await (await WitnessCalculatorBuilder(wasm)).calculateWTNSBin(inputs["zk-matmul"], false)).slice();
  // Signal 5 is private (after the one, 2 outputs and 2 public inputs); set it to 1 more than it was.
  const at = 5 * 32;
  witness[at] = (witness[at]! + 1) & 0xff;
  const { proof, publicSignals } = await proveGroth16(await loadProvingKey(zkey), witness);
  assert.equal(await snarkjs.groth16.verify(vkey, publicSignals, proof), false);
});

test("an abort stops the proof at its next phase", { timeout: 60_000 }, async () => {
  const { wasm, zkey } = await loadArtifacts("zk-matmul");
  const witness = witnessOf(await (await WitnessCalculatorBuilder(wasm)).calculateWTNSBin(inputs["zk-matmul"], false));
  const key = await loadProvingKey(zkey);
  await assert.rejects(proveGroth16(key, witness, AbortSignal.abort()), { name: "AbortError" });
  const controller = new AbortController();
  const proving = proveGroth16(key, witness, controller.signal);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(proving, { name: "AbortError" });
});

test("a damaged key or a witness of the wrong size is refused", async () => {
  const { wasm, zkey } = await loadArtifacts("zk-matmul");
  await assert.rejects(loadProvingKey(new TextEncoder().encode("not a key at all")), /not a zkey file/);
  await assert.rejects(loadProvingKey(zkey.slice(0, zkey.byteLength - 1000)), /zkey file truncated/);
  const key = await loadProvingKey(zkey);
  const witness = witnessOf(await (await WitnessCalculatorBuilder(wasm)).calculateWTNSBin(inputs["zk-matmul"], false));
  await assert.rejects(proveGroth16(key, witness.subarray(32)), /witness has \d+ values, the circuit \d+/);
  const { zkey: other } = await loadArtifacts("zk-downscale");
  await assert.rejects(proveGroth16(await loadProvingKey(other), witness), /witness has/);
});

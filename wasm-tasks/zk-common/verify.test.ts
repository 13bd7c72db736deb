/**
 * verifyProof (our single-thread Groth16 check) gives the same answer as snarkjs.groth16.verify on a valid proof
 * and on every kind of tampering: a changed public signal, a signal outside the field, a point off its curve,
 * points swapped, a proof for other signals.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as snarkjs from "snarkjs";
import { zkMatmul } from "../zk-matmul/index.ts";
import { loadArtifacts } from "./artifacts.ts";
import { SNARK_SCALAR_FIELD } from "./commitment.ts";
import { type Groth16Proof, decodeOutput, decodeProofFromChain, verifyProof } from "./proof.ts";

after(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

test("verifyProof agrees with snarkjs.groth16.verify on valid and tampered proofs", { timeout: 120_000 }, async () => {
  const input = new Uint8Array(512).map((_, i) => (i * 31 + 7) & 0xff);
  const out = decodeOutput(await zkMatmul.run(input, { m: 16, k: 16, n: 16 }));
  const proof = decodeProofFromChain(out.proof);
  const signals = out.publicSignals;
  const { vkey } = await loadArtifacts("zk-matmul");
  const bump = (s: string) => (BigInt(s) + 1n).toString();
  const cases: [string, bigint[], Groth16Proof][] = [
    ["valid", signals, proof],
    ["output commitment changed", [signals[0]!, signals[1]! + 1n, ...signals.slice(2)], proof],
    ["worker changed", [...signals.slice(0, 3), 1n], proof],
    ["signal outside the field", [signals[0]! + SNARK_SCALAR_FIELD, ...signals.slice(1)], proof],
    ["A off the curve", signals, { ...proof, pi_a: [bump(proof.pi_a[0]!), ...proof.pi_a.slice(1)] }],
    ["C off the curve", signals, { ...proof, pi_c: [proof.pi_c[0]!, bump(proof.pi_c[1]!), ...proof.pi_c.slice(2)] }],
    ["B off the curve", signals, { ...proof, pi_b: [[bump(proof.pi_b[0]![0]!), proof.pi_b[0]![1]!], ...proof.pi_b.slice(1)] }],
    ["A and C swapped", signals, { ...proof, pi_a: proof.pi_c, pi_c: proof.pi_a }],
  ];
  for (const [name, s, p] of cases) {
    const reference = await snarkjs.groth16.verify(vkey, s.map(String), p);
    assert.equal(await verifyProof("zk-matmul", s, p), reference, name);
    assert.equal(reference, name === "valid", `${name}: snarkjs says ${reference}`);
  }
  assert.equal(await verifyProof("zk-matmul", signals.slice(0, 3), proof), false, "too few signals");
});

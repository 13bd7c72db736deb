/**
 * Groth16 proofs: proving (the witness with circom_runtime, then the proof with groth16-prover.ts, with
 * progress), the on-chain encoding the adapters decode, the canonical output container of every zk task type,
 * and verification in JS.
 */
import type { Groth16Proof } from "snarkjs";
import { type WitnessCalculator, WitnessCalculatorBuilder } from "circom_runtime";
import { type Curve, buildBn128, utils } from "ffjavascript";
import { loadArtifacts } from "./artifacts.ts";
import { type ProvingKey, loadProvingKey, proveGroth16, witnessOf } from "./groth16-prover.ts";
import { SNARK_SCALAR_FIELD } from "./commitment.ts";

/** One build per circuit, kept; a failed build is forgotten so that the next call tries again. */
function perCircuit<T>(build: (bytes: Uint8Array) => Promise<T>): (circuit: string, bytes: Uint8Array) => Promise<T> {
  const built = new Map<string, Promise<T>>();
  return (circuit, bytes) => {
    let found = built.get(circuit);
    if (!found) {
      found = build(bytes);
      found.catch(() => built.delete(circuit));
      built.set(circuit, found);
    }
    return found;
  };
}

// snarkjs.wtns.calculate compiles the witness wasm (5-7 MB) on every call (~0.5 s); the calculator is
// reusable, so it is built once per circuit (circom_runtime is what snarkjs uses inside). The zkey's sections
// are read once per circuit too.
const calculator = perCircuit<WitnessCalculator>((wasm) => WitnessCalculatorBuilder(wasm));
const provingKey = perCircuit<ProvingKey>(loadProvingKey);

export type { Groth16Proof };
export type ProofResult = { proof: Groth16Proof; publicSignals: bigint[] };

/** Computes the witness, then the proof. `onPhase` is told "witness" and "proving" as they start. */
export async function prove(
  circuit: string,
  witnessInput: Record<string, unknown>,
  onPhase: (phase: "witness" | "proving") => void = () => {},
  signal?: AbortSignal,
): Promise<ProofResult> {
  const { wasm, zkey } = await loadArtifacts(circuit);
  onPhase("witness");
  const witness = witnessOf(await (await calculator(circuit, wasm)).calculateWTNSBin(witnessInput, false));
  if (signal?.aborted) throw new DOMException("aborted", "AbortError");
  onPhase("proving");
  const { proof, publicSignals } = await proveGroth16(await provingKey(circuit, zkey), witness, signal);
  return { proof, publicSignals: publicSignals.map((s) => BigInt(s)) };
}

// Verification has its own single-thread curve: snarkjs.groth16.verify sums the public inputs with
// G1.multiExpAffine on the shared multi-thread curve, which ships four points to ffjavascript's worker pool and
// back: ~25 ms of messaging for ~1 ms of arithmetic (bench:zk). Built once; needs no terminate().
let verifyCurve: Promise<Curve> | undefined;
const curveForVerify = () => (verifyCurve ??= buildBn128(true));

type Vkey = { IC: unknown[]; vk_alpha_1: unknown; vk_beta_2: unknown; vk_gamma_2: unknown; vk_delta_2: unknown };

/**
 * Groth16 verification against the committed vkey of `circuit`: the same checks and pairing equation as
 * snarkjs.groth16.verify (snarkjs/src/groth16_verify.js): every public signal in the field, every proof point
 * on its curve, e(-A, B) e(IC0 + sum s_i IC_i, gamma) e(C, delta) e(alpha, beta) == 1. Only the sum is
 * computed in this thread (see above). A unit test checks it agrees with snarkjs on valid and tampered proofs.
 */
export async function verifyProof(circuit: string, publicSignals: bigint[], proof: Groth16Proof): Promise<boolean> {
  const [{ vkey }, curve] = await Promise.all([loadArtifacts(circuit), curveForVerify()]);
  const vk = utils.unstringifyBigInts(vkey) as Vkey;
  const p = utils.unstringifyBigInts(proof) as Groth16Proof;
  if (publicSignals.length !== vk.IC.length - 1) return false;
  if (publicSignals.some((s) => s < 0n || s >= SNARK_SCALAR_FIELD)) return false;
  const { G1, G2 } = curve;
  const a = G1.fromObject(p.pi_a), b = G2.fromObject(p.pi_b), c = G1.fromObject(p.pi_c);
  if (!G1.isValid(a) || !G2.isValid(b) || !G1.isValid(c)) return false;
  let inputs = G1.fromObject(vk.IC[0]);
  publicSignals.forEach((s, i) => {
    inputs = G1.add(inputs, G1.timesScalar(G1.fromObject(vk.IC[i + 1]), word(s).reverse()));
  });
  return curve.pairingEq(
    G1.neg(a), b,
    inputs, G2.fromObject(vk.vk_gamma_2),
    c, G2.fromObject(vk.vk_delta_2),
    G1.fromObject(vk.vk_alpha_1), G2.fromObject(vk.vk_beta_2),
  );
}

import { word } from "./container.ts";

export { PROOF_BYTES, type ZkOutput, decodeOutput, decodeProofFromChain, encodeOutput, encodeProofForChain } from "./container.ts";

/**
 * Poseidon over BN254 exactly as circomlib's circuit (circuits: circomlib/circuits/poseidon.circom) and
 * circomlibjs's reference implementation compute it, in plain BigInt so it bundles for the browser
 * (circomlibjs imports Node's `assert` and ethers). Round constants C and MDS matrices M are circomlibjs's
 * `poseidon_constants.json`, committed as public/zk/poseidon-constants.json (loaded like the other zk
 * artifacts); unit tests compare this with circomlibjs.
 */
import { loadPoseidonConstants } from "./artifacts.ts";

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const N_ROUNDS_F = 8;
const N_ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

type Constants = { C: bigint[][]; M: bigint[][][] };
let constants: Promise<Constants> | undefined;

function load(): Promise<Constants> {
  return (constants ??= loadPoseidonConstants().then((raw) => ({
    C: raw.C.map((row) => row.map((x) => BigInt(x))),
    M: raw.M.map((m) => m.map((row) => row.map((x) => BigInt(x)))),
  })));
}

const pow5 = (a: bigint): bigint => {
  const a2 = (a * a) % P;
  return (((a2 * a2) % P) * a) % P;
};

/** Poseidon hash of 1..16 field elements (each < P). */
export async function poseidon(inputs: bigint[]): Promise<bigint> {
  if (inputs.length < 1 || inputs.length > N_ROUNDS_P.length) throw new RangeError("Poseidon takes 1..16 inputs");
  const { C, M } = await load();
  const t = inputs.length + 1;
  const nRoundsP = N_ROUNDS_P[t - 2]!;
  const c = C[t - 2]!;
  const m = M[t - 2]!;
  let state = [0n, ...inputs.map((x) => ((x % P) + P) % P)];
  for (let r = 0; r < N_ROUNDS_F + nRoundsP; r++) {
    state = state.map((a, i) => (a + c[r * t + i]!) % P);
    if (r < N_ROUNDS_F / 2 || r >= N_ROUNDS_F / 2 + nRoundsP) state = state.map(pow5);
    else state[0] = pow5(state[0]!);
    const next = new Array<bigint>(t);
    for (let i = 0; i < t; i++) {
      const row = m[i]!;
      let acc = 0n;
      for (let j = 0; j < t; j++) acc += row[j]! * state[j]!;
      next[i] = acc % P;
    }
    state = next;
  }
  return state[0]!;
}

/**
 * A Groth16 prover for snarkjs's .zkey files, on ffjavascript's bn128 (the wasm curve and thread pool snarkjs
 * itself proves with). The proof is the one snarkjs.groth16.prove makes: the same key sections, the same
 * polynomial arithmetic (wasmcurves' qap_buildABC and qap_joinABC, ffjavascript's FFTs) and the same final
 * combination with fresh random r and s, so any Groth16 verifier of the key accepts it. It differs in how the
 * work is scheduled, which is where snarkjs 0.7.6 loses its time (bench:zk, zk-downscale):
 *   - the A and B evaluations are built in wasm, split over the threads; snarkjs builds them with one JS call
 *     per coefficient (409,478 of them: 1.6 s of a 5.9 s proof in Node);
 *   - the witness multi-exponentiations split the witness by size: most values of a circuit made of bit
 *     decompositions and bytes are below 256 (42,000 of zk-downscale's 48,919), and an MSM over 1-byte
 *     scalars takes one 8-bit window instead of twenty 13-bit ones; the rest go through a full MSM;
 *   - the three FFT chains (A, B, C) run side by side instead of one after another.
 */
import { type Curve, type Group, type Point, Scalar, buildBn128, utils } from "ffjavascript";
import type { Groth16Proof } from "snarkjs";

const FR_BYTES = 32;
const G1_AFFINE_BYTES = 64;
const G2_AFFINE_BYTES = 128;
/** bn128's base field modulus: the only curve this prover (and every verifier on the EVM) takes. */
const BN128_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const PROTOCOL_GROTH16 = 1;

export type ProvingKey = {
  curve: Curve;
  nVars: number;
  nPublic: number;
  domainSize: number;
  power: number;
  alpha1: Point;
  beta1: Point;
  beta2: Point;
  delta1: Point;
  delta2: Point;
  nCoefs: number;
  /** The coefficients section's entries (matrix u32, row u32, signal u32, value), without the count. */
  coefs: Uint8Array;
  pointsA: Uint8Array;
  pointsB1: Uint8Array;
  pointsB2: Uint8Array;
  pointsC: Uint8Array;
  pointsH: Uint8Array;
};

/** The sections of an iden3 binary file (zkey, wtns): magic(4) version(4) count(4), then type(4) size(8) data. */
export function binSections(bytes: Uint8Array, magic: string): Map<number, Uint8Array> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== magic) throw new Error(`not a ${magic} file`);
  const count = dv.getUint32(8, true);
  const sections = new Map<number, Uint8Array>();
  let at = 12;
  for (let i = 0; i < count; i++) {
    if (at + 12 > bytes.byteLength) throw new Error(`${magic} file truncated`);
    const type = dv.getUint32(at, true);
    const size = Number(dv.getBigUint64(at + 4, true));
    if (at + 12 + size > bytes.byteLength) throw new Error(`${magic} file truncated in section ${type}`);
    sections.set(type, bytes.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return sections;
}

function section(sections: Map<number, Uint8Array>, id: number): Uint8Array {
  const found = sections.get(id);
  if (!found) throw new Error(`zkey has no section ${id}`);
  return found;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Reads a Groth16 zkey (the layout of snarkjs's zkey_utils: header in section 2, coefficients in 4, points in 5-9). */
export async function loadProvingKey(zkey: Uint8Array): Promise<ProvingKey> {
  const sections = binSections(zkey, "zkey");
  if (view(section(sections, 1)).getUint32(0, true) !== PROTOCOL_GROTH16) throw new Error("zkey is not a Groth16 key");
  const header = section(sections, 2);
  const h = view(header);
  const n8q = h.getUint32(0, true);
  if (Scalar.fromRprLE(header, 4, n8q) !== BN128_Q) throw new Error("zkey is not for bn128");
  let at = 4 + n8q;
  const n8r = h.getUint32(at, true);
  if (n8r !== FR_BYTES) throw new Error(`zkey scalar size ${n8r}, expected ${FR_BYTES}`);
  at += 4 + n8r;
  const nVars = h.getUint32(at, true);
  const nPublic = h.getUint32(at + 4, true);
  const domainSize = h.getUint32(at + 8, true);
  at += 12;
  const curve = await buildBn128();
  const g1 = () => ((at += G1_AFFINE_BYTES), curve.G1.fromRprLEM(header, at - G1_AFFINE_BYTES));
  const g2 = () => ((at += G2_AFFINE_BYTES), curve.G2.fromRprLEM(header, at - G2_AFFINE_BYTES));
  const alpha1 = g1(), beta1 = g1(), beta2 = g2();
  g2(); // gamma2: only the verifier needs it
  const delta1 = g1(), delta2 = g2();
  const coefSection = section(sections, 4);
  const nCoefs = view(coefSection).getUint32(0, true);
  const key: ProvingKey = {
    curve, nVars, nPublic, domainSize, power: Math.log2(domainSize), alpha1, beta1, beta2, delta1, delta2, nCoefs,
    // Copied, because it is posted to the threads whole, and posting a view posts its entire buffer (the 38 MB
    // zkey). ffjavascript's MSMs slice the point sections they are given, so those stay views.
    coefs: coefSection.slice(4),
    pointsA: section(sections, 5),
    pointsB1: section(sections, 6),
    pointsB2: section(sections, 7),
    pointsC: section(sections, 8),
    pointsH: section(sections, 9),
  };
  if (key.coefs.byteLength !== nCoefs * (12 + FR_BYTES)) throw new Error("zkey coefficients section has the wrong size");
  if (key.pointsA.byteLength !== nVars * G1_AFFINE_BYTES || key.pointsB2.byteLength !== nVars * G2_AFFINE_BYTES ||
    key.pointsC.byteLength !== (nVars - nPublic - 1) * G1_AFFINE_BYTES || key.pointsH.byteLength !== domainSize * G1_AFFINE_BYTES) {
    throw new Error("zkey point sections do not match its header");
  }
  return key;
}

/** The witness section of a .wtns file (what circom_runtime's calculateWTNSBin returns). */
export function witnessOf(wtns: Uint8Array): Uint8Array {
  const w = binSections(wtns, "wtns").get(2);
  if (!w) throw new Error("wtns has no witness section");
  return w;
}

type Task = Record<string, unknown>[];
const run = (curve: Curve, task: Task) => curve.tm.queueAction(task);

/**
 * Runs `task(first, n)` for each thread's share of the domain's rows and joins, for each of its `outputs`
 * results, the shares in row order.
 */
async function overRows(k: ProvingKey, outputs: number, task: (first: number, n: number) => Task): Promise<Uint8Array[]> {
  const per = Math.ceil(k.domainSize / k.curve.tm.concurrency);
  const parts: Promise<Uint8Array[]>[] = [];
  for (let first = 0; first < k.domainSize; first += per) parts.push(run(k.curve, task(first, Math.min(per, k.domainSize - first))));
  const out = Array.from({ length: outputs }, () => new Uint8Array(k.domainSize * FR_BYTES));
  (await Promise.all(parts)).forEach((part, i) => part.forEach((b, j) => out[j]!.set(b, i * per * FR_BYTES)));
  return out;
}

/** A, B and C = A*B evaluated over the domain (Montgomery form). */
async function buildABC(k: ProvingKey, witness: Uint8Array): Promise<Uint8Array[]> {
  return overRows(k, 3, (first, n) => [
    { cmd: "ALLOCSET", var: 0, buff: k.coefs },
    { cmd: "ALLOCSET", var: 1, buff: witness },
    { cmd: "ALLOC", var: 2, len: n * FR_BYTES },
    { cmd: "ALLOC", var: 3, len: n * FR_BYTES },
    { cmd: "ALLOC", var: 4, len: n * FR_BYTES },
    { cmd: "CALL", fnName: "qap_buildABC", params: [{ var: 0 }, { val: k.nCoefs }, { var: 1 }, { var: 2 }, { var: 3 }, { var: 4 }, { val: first }, { val: n }, { val: 0 }, { val: k.nVars }] },
    { cmd: "GET", out: 0, var: 2, len: n * FR_BYTES },
    { cmd: "GET", out: 1, var: 3, len: n * FR_BYTES },
    { cmd: "GET", out: 2, var: 4, len: n * FR_BYTES },
  ]);
}

/** (A*B - C) on the odd coset, out of Montgomery form: the scalars of the H multi-exponentiation. */
async function joinABC(k: ProvingKey, a: Uint8Array, b: Uint8Array, c: Uint8Array): Promise<Uint8Array> {
  const [h] = await overRows(k, 1, (first, n) => {
    const rows = (x: Uint8Array) => x.slice(first * FR_BYTES, (first + n) * FR_BYTES);
    return [
      { cmd: "ALLOCSET", var: 0, buff: rows(a) },
      { cmd: "ALLOCSET", var: 1, buff: rows(b) },
      { cmd: "ALLOCSET", var: 2, buff: rows(c) },
      { cmd: "ALLOC", var: 3, len: n * FR_BYTES },
      { cmd: "CALL", fnName: "qap_joinABC", params: [{ var: 0 }, { var: 1 }, { var: 2 }, { val: n }, { var: 3 }] },
      { cmd: "CALL", fnName: "frm_batchFromMontgomery", params: [{ var: 3 }, { val: n }, { var: 3 }] },
      { cmd: "GET", out: 0, var: 3, len: n * FR_BYTES },
    ];
  });
  return h!;
}

/** The witness by size, made once per proof: `small[i]` is value i if it is below 256 (else 0), `large` lists the others. */
type WitnessSplit = { witness: Uint8Array; small: Uint8Array; large: number[] };

function splitWitness(witness: Uint8Array): WitnessSplit {
  const n = witness.byteLength / FR_BYTES;
  const small = new Uint8Array(n);
  const large: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * FR_BYTES;
    let wide = false;
    for (let j = 1; j < FR_BYTES && !wide; j++) wide = witness[at + j] !== 0;
    if (wide) large.push(i);
    else small[i] = witness[at]!;
  }
  return { witness, small, large };
}

/**
 * sum_i witness[first + i] * points[i]. Values below 256 go through one MSM over all points with 1-byte scalars
 * (a larger value's scalar is 0 there); the others, with their points, through a full-width MSM.
 */
async function witnessMsm(G: Group, pointBytes: number, points: Uint8Array, w: WitnessSplit, first: number): Promise<Point> {
  const n = points.byteLength / pointBytes;
  const large = w.large.filter((i) => i >= first && i < first + n);
  const largePoints = new Uint8Array(large.length * pointBytes);
  const largeScalars = new Uint8Array(large.length * FR_BYTES);
  large.forEach((i, j) => {
    largePoints.set(points.subarray((i - first) * pointBytes, (i - first + 1) * pointBytes), j * pointBytes);
    largeScalars.set(w.witness.subarray(i * FR_BYTES, (i + 1) * FR_BYTES), j * FR_BYTES);
  });
  const [a, b] = await Promise.all([
    G.multiExpAffine(points, w.small.subarray(first, first + n)),
    large.length ? G.multiExpAffine(largePoints, largeScalars) : Promise.resolve(G.zero),
  ]);
  return G.add(a, b);
}

/**
 * A Groth16 proof for `witness` (nVars field elements, 32 bytes little-endian each, as in a .wtns file's
 * witness section), with the public signals it proves (witness[1..nPublic]) as decimal strings. An abort is
 * noticed between the phases (the work already queued in the threads finishes; nothing new is queued).
 */
export async function proveGroth16(k: ProvingKey, witness: Uint8Array, signal?: AbortSignal): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  if (witness.byteLength !== k.nVars * FR_BYTES) {
    throw new Error(`witness has ${witness.byteLength / FR_BYTES} values, the circuit ${k.nVars}`);
  }
  const phase = <T>(work: () => Promise<T>): Promise<T> => {
    signal?.throwIfAborted();
    return work();
  };
  const { Fr, G1, G2 } = k.curve;
  const [aT, bT, cT] = (await phase(() => buildABC(k, witness))) as [Uint8Array, Uint8Array, Uint8Array];
  // Evaluations on the odd coset: interpolate, shift by the coset generator, evaluate (as snarkjs does).
  const inc = k.power === Fr.s ? Fr.shift : Fr.w[k.power + 1]!;
  const odd = async (x: Uint8Array) => Fr.fft(await Fr.batchApplyKey(await Fr.ifft(x, "", ""), Fr.e(1), inc), "", "");
  const [aOdd, bOdd, cOdd] = await phase(() => Promise.all([odd(aT), odd(bT), odd(cT)]));
  const h = await phase(() => joinABC(k, aOdd, bOdd, cOdd));

  const split = splitWitness(witness);
  let piA = await phase(() => witnessMsm(G1, G1_AFFINE_BYTES, k.pointsA, split, 0));
  let piB1 = await phase(() => witnessMsm(G1, G1_AFFINE_BYTES, k.pointsB1, split, 0));
  let piB = await phase(() => witnessMsm(G2, G2_AFFINE_BYTES, k.pointsB2, split, 0));
  let piC = await phase(() => witnessMsm(G1, G1_AFFINE_BYTES, k.pointsC, split, k.nPublic + 1));
  const resH = await phase(() => G1.multiExpAffine(k.pointsH, h));
  signal?.throwIfAborted();

  const r = Fr.random();
  const s = Fr.random();
  piA = G1.add(G1.add(piA, k.alpha1), G1.timesFr(k.delta1, r));
  piB = G2.add(G2.add(piB, k.beta2), G2.timesFr(k.delta2, s));
  piB1 = G1.add(G1.add(piB1, k.beta1), G1.timesFr(k.delta1, s));
  piC = G1.add(piC, resH);
  piC = G1.add(piC, G1.timesFr(piA, s));
  piC = G1.add(piC, G1.timesFr(piB1, r));
  piC = G1.add(piC, G1.timesFr(k.delta1, Fr.neg(Fr.mul(r, s))));

  const publicSignals: string[] = [];
  for (let i = 1; i <= k.nPublic; i++) publicSignals.push(Scalar.fromRprLE(witness, i * FR_BYTES, FR_BYTES).toString());
  const proof = utils.stringifyBigInts({
    pi_a: G1.toObject(G1.toAffine(piA)),
    pi_b: G2.toObject(G2.toAffine(piB)),
    pi_c: G1.toObject(G1.toAffine(piC)),
    protocol: "groth16",
    curve: "bn128",
  }) as Groth16Proof;
  return { proof, publicSignals };
}

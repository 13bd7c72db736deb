/**
 * The zk task output container and the chain encoding of a proof: plain bytes work with no proving library, so the
 * earn engine and the app read them without loading snarkjs.
 */
import type { Groth16Proof } from "snarkjs";

/** A uint256 as 32 big-endian bytes. */
export const word = (value: bigint): Uint8Array => {
  if (value < 0n || value >= 1n << 256n) throw new RangeError("not a uint256");
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
};
const readWord = (bytes: Uint8Array, offset: number): bigint => {
  let v = 0n;
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(bytes[offset + i]!);
  return v;
};

export const PROOF_BYTES = 256;

/**
 * The proof as the adapters take it: abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c), 256 bytes, with
 * b's coordinates in the order the EVM pairing precompile (and snarkjs's Solidity verifier) wants them:
 * b = [[pi_b[0][1], pi_b[0][0]], [pi_b[1][1], pi_b[1][0]]].
 */
export function encodeProofForChain(proof: Groth16Proof): Uint8Array {
  const a = proof.pi_a, b = proof.pi_b, c = proof.pi_c;
  const words = [a[0], a[1], b[0]![1], b[0]![0], b[1]![1], b[1]![0], c[0], c[1]].map((s) => word(BigInt(s!)));
  const out = new Uint8Array(PROOF_BYTES);
  words.forEach((w, i) => out.set(w, i * 32));
  return out;
}

/** Inverse of encodeProofForChain (throws on a wrong length). */
export function decodeProofFromChain(bytes: Uint8Array): Groth16Proof {
  if (bytes.length !== PROOF_BYTES) throw new RangeError(`a proof is ${PROOF_BYTES} bytes, got ${bytes.length}`);
  const w = Array.from({ length: 8 }, (_, i) => readWord(bytes, i * 32).toString());
  return {
    pi_a: [w[0]!, w[1]!, "1"],
    pi_b: [[w[3]!, w[2]!], [w[5]!, w[4]!], ["1", "0"]],
    pi_c: [w[6]!, w[7]!, "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}

/**
 * Canonical output of a zk task (all integers big-endian unless said):
 *   "CCZK"  magic, 4 bytes
 *   0x01    version, 1 byte
 *   n       length of the circuit name, 1 byte; then the name (ASCII), e.g. "zk-downscale"
 *   len     payload length, uint32 LE; then the payload: the computed output (pixels, matrix entries)
 *   k       number of public signals, 1 byte; then k x 32-byte words (snarkjs order:
 *           [inputCommitment, outputCommitment, taskId mod r, worker])
 *   proof   256 bytes, encodeProofForChain(proof): exactly what submitProof takes
 * The proof is randomized (Groth16 blinding), so two honest runs give different bytes: zk tasks are
 * verified by the proof, never by comparing output CIDs.
 */
export type ZkOutput = { circuit: string; payload: Uint8Array; publicSignals: bigint[]; proof: Uint8Array };

const MAGIC = [0x43, 0x43, 0x5a, 0x4b];

export function encodeOutput(o: ZkOutput): Uint8Array {
  const name = new TextEncoder().encode(o.circuit);
  if (name.length > 255 || o.publicSignals.length > 255 || o.proof.length !== PROOF_BYTES) throw new RangeError("bad zk output");
  const size = 4 + 1 + 1 + name.length + 4 + o.payload.length + 1 + 32 * o.publicSignals.length + PROOF_BYTES;
  const out = new Uint8Array(size);
  let at = 0;
  out.set(MAGIC, at), (at += 4);
  out[at++] = 1;
  out[at++] = name.length;
  out.set(name, at), (at += name.length);
  new DataView(out.buffer).setUint32(at, o.payload.length, true), (at += 4);
  out.set(o.payload, at), (at += o.payload.length);
  out[at++] = o.publicSignals.length;
  for (const s of o.publicSignals) out.set(word(s), at), (at += 32);
  out.set(o.proof, at);
  return out;
}

/** Parses the container; throws a RangeError on anything malformed. */
export function decodeOutput(bytes: Uint8Array): ZkOutput {
  const fail = (why: string): never => {
    throw new RangeError(`not a zk task output: ${why}`);
  };
  if (bytes.length < 11 || MAGIC.some((m, i) => bytes[i] !== m)) fail("bad magic");
  if (bytes[4] !== 1) fail(`version ${bytes[4]}`);
  let at = 6;
  const nameLength = bytes[5]!;
  if (at + nameLength + 4 > bytes.length) fail("truncated");
  const circuit = new TextDecoder().decode(bytes.subarray(at, at + nameLength));
  at += nameLength;
  const payloadLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
  at += 4;
  if (at + payloadLength + 1 > bytes.length) fail("truncated payload");
  const payload = bytes.slice(at, at + payloadLength);
  at += payloadLength;
  const k = bytes[at++]!;
  if (at + 32 * k + PROOF_BYTES !== bytes.length) fail("wrong length");
  const publicSignals = Array.from({ length: k }, (_, i) => readWord(bytes, at + 32 * i));
  at += 32 * k;
  return { circuit, payload, publicSignals, proof: bytes.slice(at) };
}

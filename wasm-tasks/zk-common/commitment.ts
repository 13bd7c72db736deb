/**
 * The zk commitments, mirrored exactly from circuits/lib/commit.circom (unit tests compare with the circuit's
 * public signals and with circomlibjs):
 *   pack: little-endian, `per` bytes per field element (31 for pixels and uint8 matrices; 28 = 7 uint32 for
 *         zk-matmul's output), the last element holding what is left;
 *   hash: Poseidon chain, h = Poseidon(e[0..15]), then h = Poseidon(h, next <=15 elements) until all absorbed.
 * Poseidon: ./poseidon.ts (circomlibjs's reference algorithm and constants, browser-safe).
 */
import { poseidon } from "./poseidon.ts";

/** BN254 scalar field order: every public signal is below it. */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Little-endian packing of bytes into field elements, `per` bytes each (per <= 31). */
export function packBytes(bytes: Uint8Array, per: number): bigint[] {
  if (per < 1 || per > 31) throw new RangeError("per must be 1..31 bytes");
  const out: bigint[] = [];
  for (let start = 0; start < bytes.length; start += per) {
    let value = 0n;
    const end = Math.min(start + per, bytes.length);
    for (let i = end - 1; i >= start; i--) value = (value << 8n) | BigInt(bytes[i]!);
    out.push(value);
  }
  return out;
}

/** Poseidon chain over field elements, as PoseidonChain(n) in circuits/lib/commit.circom. */
export async function poseidonChain(elements: bigint[]): Promise<bigint> {
  if (elements.length === 0) throw new RangeError("nothing to hash");
  const first = Math.min(16, elements.length);
  let h = await poseidon(elements.slice(0, first));
  for (let pos = first; pos < elements.length; pos += 15) {
    h = await poseidon([h, ...elements.slice(pos, pos + 15)]);
  }
  return h;
}

/** Commitment to a byte string: Poseidon chain of its `per`-byte little-endian packing. */
export const commitBytes = (bytes: Uint8Array, per = 31): Promise<bigint> => poseidonChain(packBytes(bytes, per));

/** A task id (bytes32) as the circuit's public signal: uint256(taskId) mod r (as the adapters compute it). */
export const taskIdSignal = (taskId: `0x${string}`): bigint => BigInt(taskId) % SNARK_SCALAR_FIELD;
/** A worker address as the circuit's public signal: uint160(worker). */
export const workerSignal = (worker: `0x${string}`): bigint => BigInt(worker);

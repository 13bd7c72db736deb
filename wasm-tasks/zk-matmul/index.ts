/**
 * `zk-matmul`: C = A x B for uint8 matrices A (16x16) and B (16x16), exact uint32 results: one layer of a
 * quantized (uint8) dense network, or any integer product. Input: A then B, row-major bytes (512 bytes).
 * Output: the zk container (zk-common/proof.ts) whose payload is C row-major as uint32 little-endian
 * (1,024 bytes). Proven with circuits/zk-matmul.circom.
 */
import { z } from "zod";
import { bindingSchema, encodeProofForChain, makeZkTaskType } from "../zk-common/task.ts";

export const SIZE = 16;

/** What the requester posts. */
export const zkMatmulPostSpec = z.strictObject({
  m: z.literal(SIZE),
  k: z.literal(SIZE),
  n: z.literal(SIZE),
});
/** What the worker runs: the posted spec plus the claimed task's binding (zk-common/task.ts). */
export const zkMatmulSpec = zkMatmulPostSpec.extend({ binding: bindingSchema.optional() });
export type ZkMatmulSpec = z.output<typeof zkMatmulSpec>;

/** C = A x B in plain JS (uint32 little-endian bytes), exactly what the circuit constrains. */
export function matmul(input: Uint8Array, m: number, k: number, n: number): Uint8Array {
  const a = input.subarray(0, m * k), b = input.subarray(m * k, m * k + k * n);
  const out = new Uint8Array(4 * m * n);
  const view = new DataView(out.buffer);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += a[i * k + t]! * b[t * n + j]!;
      view.setUint32(4 * (i * n + j), sum, true);
    }
  }
  return out;
}

const zk = makeZkTaskType<ZkMatmulSpec>({
  name: "zk-matmul",
  specSchema: zkMatmulSpec,
  postSpecSchema: zkMatmulPostSpec,
  inputBytes: (s) => s.m * s.k + s.k * s.n,
  maxInputBytes: 2 * SIZE * SIZE,
  // 7 uint32 entries (28 bytes) per field element, as PackWords(M*N, 32, 7) in the circuit.
  outputPackBytes: 28,
  outputBytes: (s) => 4 * s.m * s.n,
  compute: (input, spec) => ({
    payload: matmul(input, spec.m, spec.k, spec.n),
    witness: { a: Array.from(input.subarray(0, spec.m * spec.k)), b: Array.from(input.subarray(spec.m * spec.k)) },
  }),
  devSeconds: 2.3,
  defaultTimeoutMs: 60_000,
});

/** The type and its helpers as one object (the zk registry in wasm-tasks/index.ts), and one by one. */
export const zkMatmulKit = zk;
export const { taskType: zkMatmul, inputCommitment, checkOutput, checkPayload, computePayload, verifyOutput } = zk;
export { encodeProofForChain };

/**
 * Witness inputs of the two shipped circuits, fixed and valid, for what proves outside a task (the prover's tests and
 * bench:zk's prover comparison). Not imported by any task type, so not part of their code.
 */
export const SAMPLE_WITNESS_INPUTS = {
  "zk-matmul": { taskId: 11n, worker: 0xabcdefn, a: Array.from({ length: 256 }, (_, i) => (i * 37 + 1) & 0xff), b: Array.from({ length: 256 }, (_, i) => (i * 91 + 5) & 0xff) },
  "zk-downscale": { taskId: 12n, worker: 0x1234n, pixels: Array.from({ length: 4096 }, (_, i) => (i * 29 + (i >> 6)) & 0xff) },
} as const satisfies Record<string, Record<string, unknown>>;

export type SampleCircuit = keyof typeof SAMPLE_WITNESS_INPUTS;

/**
 * `zk-downscale`: a 64x64 8-bit grayscale tile (raw pixels, row-major, 4,096 bytes) halved by a 2x2 box
 * filter, out = floor(sum of the 4 pixels / 4), proven with the circuit circuits/zk-downscale.circom.
 * Output: the zk container (zk-common/proof.ts) whose payload is the 32x32 output tile (1,024 bytes).
 * Larger images: one task per 64x64 tile (circuits/README.md).
 */
import { z } from "zod";
import { bindingSchema, encodeProofForChain, makeZkTaskType } from "../zk-common/task.ts";

export const TILE = 64;

/** What the requester posts. */
export const zkDownscalePostSpec = z.strictObject({
  width: z.literal(TILE),
  height: z.literal(TILE),
});
/** What the worker runs: the posted spec plus the claimed task's binding (zk-common/task.ts). */
export const zkDownscaleSpec = zkDownscalePostSpec.extend({ binding: bindingSchema.optional() });
export type ZkDownscaleSpec = z.output<typeof zkDownscaleSpec>;

/** The 2x2 box filter in plain JS, exactly what the circuit constrains. */
export function downscale(pixels: Uint8Array, width: number, height: number): Uint8Array {
  const ow = width >> 1, oh = height >> 1;
  const out = new Uint8Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const i = 2 * y * width + 2 * x;
      out[y * ow + x] = (pixels[i]! + pixels[i + 1]! + pixels[i + width]! + pixels[i + width + 1]!) >> 2;
    }
  }
  return out;
}

const zk = makeZkTaskType<ZkDownscaleSpec>({
  name: "zk-downscale",
  specSchema: zkDownscaleSpec,
  postSpecSchema: zkDownscalePostSpec,
  inputBytes: (s) => s.width * s.height,
  maxInputBytes: TILE * TILE,
  outputPackBytes: 31,
  outputBytes: (s) => (s.width >> 1) * (s.height >> 1),
  compute: (input, spec) => ({
    payload: downscale(input, spec.width, spec.height),
    witness: { pixels: Array.from(input) },
  }),
  // CPU seconds of witness + proof in Node, measured by npm run bench:zk (BENCHMARKS.md, zk section).
  devSeconds: 6.5,
  defaultTimeoutMs: 120_000,
});

/** The type and its helpers as one object (the zk registry in wasm-tasks/index.ts), and one by one. */
export const zkDownscaleKit = zk;
export const { taskType: zkDownscale, inputCommitment, checkOutput, checkPayload, computePayload, verifyOutput } = zk;
export { encodeProofForChain };

/** zk-matmul in Node: one real proof; payload = A x B as uint32 LE; TS commitments == circuit; JS verify. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { isTaskError } from "../errors.ts";
import { commitBytes } from "../zk-common/commitment.ts";
import { decodeOutput } from "../zk-common/proof.ts";
import { checkOutput, inputCommitment, matmul, verifyOutput, zkMatmul } from "./index.ts";

after(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

describe("zk-matmul", () => {
  it("proves C = A x B for 16x16 uint8 matrices; commitments match; verifies in JS", async () => {
    const input = new Uint8Array(512).map((_, i) => (i * 151 + 7) & 0xff);
    input.fill(255, 0, 16); // row 0 of A all 255
    input.fill(255, 256, 512); // B all 255: C[0][*] = 16 * 255 * 255, the largest entry
    const spec = { m: 16, k: 16, n: 16 } as const;
    const output = await zkMatmul.run(input, spec);
    const d = decodeOutput(output);
    assert.deepEqual(d.payload, matmul(input, 16, 16, 16));
    assert.equal(new DataView(d.payload.buffer).getUint32(0, true), 16 * 255 * 255);
    assert.equal(d.publicSignals[0], await inputCommitment(input));
    assert.equal(d.publicSignals[1], await commitBytes(d.payload, 28));
    assert.equal((await checkOutput(output, d.publicSignals[1]!, spec)).ok, true);
    assert.equal(await verifyOutput(output, { inputCommitment: d.publicSignals[0]! }), true);
    assert.equal(await verifyOutput(output, { inputCommitment: d.publicSignals[0]! + 1n }), false);
  });

  it("refuses wrong sizes", async () => {
    await assert.rejects(zkMatmul.run(new Uint8Array(511), { m: 16, k: 16, n: 16 }), (e) => isTaskError(e, "corrupt-input"));
    await assert.rejects(zkMatmul.run(new Uint8Array(512), { m: 8, k: 16, n: 16 } as never), (e) => isTaskError(e, "invalid-spec"));
  });
});

/** zk-common/poseidon.ts (browser-safe BigInt Poseidon) equals circomlibjs's, the reference of circomlib's circuit. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPoseidon } from "circomlibjs";
import { poseidon } from "./poseidon.ts";

describe("Poseidon (zk-common/poseidon.ts) equals circomlibjs", () => {
  it("for every arity 1..16, inputs near the field size included", async () => {
    const reference = await buildPoseidon();
    for (let n = 1; n <= 16; n++) {
      const inputs = Array.from({ length: n }, (_, i) => (BigInt(i + 1) << 247n) + BigInt(n * 1000 + i));
      assert.equal(await poseidon(inputs), reference.F.toObject(reference(inputs)), `arity ${n}`);
    }
  });
});

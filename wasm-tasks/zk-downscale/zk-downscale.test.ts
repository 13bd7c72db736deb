/**
 * zk-downscale in Node: witness + proof round trip, the TS commitments equal the circuit's public signals,
 * tampered proofs and tampered public signals are rejected by snarkjs.groth16.verify, and the requester's
 * output check. One real proof (~5-15 s on 2 cores).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as snarkjs from "snarkjs";
import { isTaskError } from "../errors.ts";
import { commitBytes, packBytes, poseidonChain, taskIdSignal, workerSignal } from "../zk-common/commitment.ts";
import { loadArtifacts } from "../zk-common/artifacts.ts";
import { decodeOutput, decodeProofFromChain, encodeOutput, encodeProofForChain } from "../zk-common/proof.ts";
import { checkOutput, downscale, inputCommitment, verifyOutput, zkDownscale } from "./index.ts";

const binding = { taskId: `0x${"ab".repeat(32)}`, worker: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" } as const;
const tile = new Uint8Array(64 * 64).map((_, i) => (i * 97 + (i >> 6) * 13) & 0xff);
tile[0] = 255, tile[1] = 255, tile[64] = 255, tile[65] = 255; // a full-white 2x2 block: 1020 / 4 = 255
let output: Uint8Array;
const phases: string[] = [];

before(async () => {
  output = await zkDownscale.run(tile, { width: 64, height: 64, binding }, { onProgress: (e) => phases.push(e.phase) });
});
after(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

describe("zk-downscale", () => {
  it("proves a 64x64 tile: payload is the 2x2 box filter, progress names witness then proving", async () => {
    const d = decodeOutput(output);
    assert.equal(d.circuit, "zk-downscale");
    assert.deepEqual(d.payload, downscale(tile, 64, 64));
    assert.equal(d.payload.length, 32 * 32);
    assert.equal(d.payload[0], 255);
    assert.equal(d.payload[1], (tile[2]! + tile[3]! + tile[66]! + tile[67]!) >> 2);
    assert.deepEqual(phases, ["compute", "witness", "proving", "done"]);
  });

  it("the commitments computed in TS equal the circuit's public signals", async () => {
    const d = decodeOutput(output);
    assert.equal(d.publicSignals.length, 4);
    assert.equal(d.publicSignals[0], await inputCommitment(tile));
    assert.equal(d.publicSignals[1], await commitBytes(d.payload, 31));
    assert.equal(d.publicSignals[2], taskIdSignal(binding.taskId));
    assert.equal(d.publicSignals[3], workerSignal(binding.worker));
  });

  it("the proof verifies in JS; a tampered proof or tampered public signals do not", async () => {
    const d = decodeOutput(output);
    const { vkey } = await loadArtifacts("zk-downscale");
    const proof = decodeProofFromChain(d.proof);
    const signals = d.publicSignals.map(String);
    const started = performance.now();
    assert.equal(await snarkjs.groth16.verify(vkey, signals, proof), true);
    console.log(`    groth16.verify: ${(performance.now() - started).toFixed(1)} ms`);
    assert.deepEqual(encodeProofForChain(proof), d.proof, "chain encoding round-trips");
    for (let i = 0; i < 4; i++) {
      const wrong = [...signals];
      wrong[i] = (BigInt(wrong[i]!) + 1n).toString();
      assert.equal(await snarkjs.groth16.verify(vkey, wrong, proof), false, `public signal ${i} tampered`);
    }
    const tampered = structuredClone(proof);
    tampered.pi_a[0] = (BigInt(tampered.pi_a[0]!) + 1n).toString();
    assert.equal(await snarkjs.groth16.verify(vkey, signals, tampered), false, "pi_a tampered");
    const swapped = structuredClone(proof);
    swapped.pi_c = [...proof.pi_a];
    assert.equal(await snarkjs.groth16.verify(vkey, signals, swapped), false, "pi_c replaced");
    assert.equal(await verifyOutput(output, { inputCommitment: await inputCommitment(tile), binding }), true);
    assert.equal(await verifyOutput(output, { inputCommitment: await inputCommitment(tile) }), false, "binding matters");
  });

  it("checkOutput accepts the output bytes against the proven commitment and refuses altered bytes", async () => {
    const d = decodeOutput(output);
    const commitment = d.publicSignals[1]!;
    assert.equal((await checkOutput(output, commitment, { width: 64, height: 64 })).ok, true);
    const altered = encodeOutput({ ...d, payload: d.payload.map((v, i) => (i === 500 ? v ^ 1 : v)) });
    const result = await checkOutput(altered, commitment);
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.reason, /do not hash/);
    assert.equal((await checkOutput(output.subarray(0, 100), commitment)).ok, false);
    assert.equal((await checkOutput(output, commitment + 1n)).ok, false);
  });

  it("refuses bad specs and inputs before proving", async () => {
    await assert.rejects(zkDownscale.run(tile, { width: 128, height: 64 } as never), (e) => isTaskError(e, "invalid-spec"));
    await assert.rejects(zkDownscale.run(tile, { width: 64, height: 64, extra: 1 } as never), (e) => isTaskError(e, "invalid-spec"));
    await assert.rejects(
      zkDownscale.run(tile, { width: 64, height: 64, binding: { taskId: "0x12", worker: binding.worker } } as never),
      (e) => isTaskError(e, "invalid-spec"),
    );
    await assert.rejects(zkDownscale.run(tile.subarray(1), { width: 64, height: 64 }), (e) => isTaskError(e, "corrupt-input"));
    await assert.rejects(zkDownscale.run(new Uint8Array(5000), { width: 64, height: 64 }), (e) => isTaskError(e, "too-large"));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(zkDownscale.run(tile, { width: 64, height: 64 }, { signal: controller.signal }), (e) => isTaskError(e, "cancelled"));
  });

  it("packs and chains exactly as circuits/lib/commit.circom", async () => {
    assert.deepEqual(packBytes(new Uint8Array([1, 2, 3]), 31), [0x030201n]);
    assert.equal(packBytes(new Uint8Array(4096), 31).length, 133);
    assert.equal(packBytes(new Uint8Array(1024), 28).length, 37);
    // 16 elements: one Poseidon; 17: a second Poseidon(h, e16).
    const e = Array.from({ length: 17 }, (_, i) => BigInt(i + 1));
    const h16 = await poseidonChain(e.slice(0, 16));
    assert.equal(await poseidonChain(e), await poseidonChain([h16, 17n]));
    assert.notEqual(await poseidonChain(e), h16);
  });
});

/**
 * npm run circuits:check (also part of npm test via test:unit): the committed zk artifacts are consistent.
 * - the circuits still compile (circom2 --O2) to the r1cs and witness wasm whose hashes are committed;
 * - the committed zkeys are the ones recorded in circuits/artifacts.json;
 * - the vkeys and Solidity verifiers exported from the committed zkeys equal the committed ones.
 * It does not redo phase 2 (minutes): npm run circuits:build does that.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { after, describe, it } from "node:test";
import {
  CIRCUITS,
  compile,
  exportVerifier,
  exportVkey,
  paths,
  poseidonConstants,
  readManifest,
  root,
  sha256File,
  terminateCurves,
  verifierPath,
  zkKeysPath,
  zkKeysSource,
} from "./pipeline.ts";

const manifest = readManifest();
const scratch = mkdtempSync(join(root, "circuits", ".check-"));
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await terminateCurves();
});

describe("committed zk artifacts", () => {
  it("contracts/src/verifiers/ZkKeys.sol says what artifacts.json says about development keys", () => {
    assert.equal(typeof manifest.developmentKeys, "boolean", "artifacts.json must say whether its keys are development keys");
    assert.equal(readFileSync(zkKeysPath, "utf8"), zkKeysSource(manifest.developmentKeys));
  });

  it("public/zk/poseidon-constants.json is circomlibjs's", () => {
    assert.equal(sha256File(poseidonConstants.published), sha256File(poseidonConstants.source));
  });

  // Both compiles start at once (2 cores); each test awaits its own.
  const compiled = new Map(CIRCUITS.map((c) => [c.name, compile(c.name, relative(root, scratch))]));

  for (const circuit of CIRCUITS) {
    const recorded = manifest.circuits[circuit.name];
    const p = paths(circuit.name);

    it(`${circuit.name}: circuit compiles to the committed r1cs and witness wasm`, async () => {
      assert.ok(recorded, `${circuit.name} missing from circuits/artifacts.json`);
      const { r1cs, wasm } = await compiled.get(circuit.name)!;
      assert.equal(sha256File(r1cs), recorded.r1csSha256, "r1cs changed: run npm run circuits:build and commit");
      assert.equal(sha256File(wasm), recorded.wasmSha256, "witness wasm changed: run npm run circuits:build");
      assert.equal(sha256File(p.publicWasm), recorded.wasmSha256, `public/zk/${circuit.name}.wasm is not the built one`);
    });

    it(`${circuit.name}: zkey, vkey and Solidity verifier agree`, async () => {
      assert.ok(recorded);
      assert.equal(sha256File(p.publicZkey), recorded.zkeySha256, `public/zk/${circuit.name}.zkey is not the recorded one`);
      assert.equal(await exportVkey(p.publicZkey), readFileSync(p.publicVkey, "utf8"), "vkey differs from the zkey's");
      assert.equal(
        await exportVerifier(p.publicZkey, circuit.contract),
        readFileSync(verifierPath(circuit), "utf8"),
        `${circuit.contract}.sol differs from the verifier exported from the zkey`,
      );
    });
  }
});

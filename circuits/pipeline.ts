/**
 * The circuit build pipeline's pieces, shared by `npm run circuits:build` (circuits/build.ts) and the
 * consistency check run in `npm test` (circuits/check.test.ts). Paths are relative to the repo root,
 * because circom2 (circom compiled to WebAssembly) is sandboxed to the working directory.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
// @ts-expect-error snarkjs ships no types
import * as snarkjs from "snarkjs";

export const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

export type CircuitInfo = {
  /** circuits/<name>.circom, public/zk/<name>.{wasm,zkey,vkey.json} */
  name: string;
  /** Name of the generated Solidity contract (snarkjs calls every one Groth16Verifier). */
  contract: string;
};

export const CIRCUITS: CircuitInfo[] = [
  { name: "zk-downscale", contract: "ZkDownscaleGroth16Verifier" },
  { name: "zk-matmul", contract: "ZkMatmulGroth16Verifier" },
];

/** Fixed public beacon for the last phase-2 step: byte-reproducible, and therefore INSECURE (test/dev only). */
export const BEACON_HASH = "436f6d707574654372656469742064657620626561636f6e2c20696e7365637572";
export const BEACON_ITERATIONS_EXP = 10;

export const paths = (name: string) => ({
  source: join(root, "circuits", `${name}.circom`),
  publicWasm: join(root, "public/zk", `${name}.wasm`),
  publicZkey: join(root, "public/zk", `${name}.zkey`),
  publicVkey: join(root, "public/zk", `${name}.vkey.json`),
});
export const verifierPath = (c: CircuitInfo) => join(root, "contracts/src/verifiers", `${c.contract}.sol`);
export const manifestPath = join(root, "circuits/artifacts.json");
/** circomlibjs's Poseidon constants, served with the circuits for wasm-tasks/zk-common/poseidon.ts. */
export const poseidonConstants = {
  source: join(root, "node_modules/circomlibjs/src/poseidon_constants.json"),
  published: join(root, "public/zk/poseidon-constants.json"),
};

export type Manifest = {
  note: string;
  /**
   * The zkeys come from a development phase 2 (a fixed beacon, no independent contributions): anyone can forge
   * proofs for them. Mirrored by contracts/src/verifiers/ZkKeys.sol, which the adapters report as
   * `developmentKeys()`; circuits:check keeps the two equal and the deploy step refuses other chains while true.
   */
  developmentKeys: boolean;
  circom2: string;
  snarkjs: string;
  ptau: { sha256: string; power: number; source: string };
  circuits: Record<string, { constraints: number; publicSignals: number; r1csSha256: string; wasmSha256: string; zkeySha256: string; zkeyBytes: number; wasmBytes: number }>;
};

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
export const sha256File = (file: string) => sha256(readFileSync(file));

const run = promisify(execFile);

/**
 * Compiles circuits/<name>.circom with circom2 --O2 into `outDir` (relative to the repo root).
 * Returns the r1cs and witness-generator wasm paths.
 */
export async function compile(name: string, outDir: string): Promise<{ r1cs: string; wasm: string }> {
  const bin = join(root, "node_modules/.bin/circom2");
  await run(bin, [`circuits/${name}.circom`, "--r1cs", "--wasm", "--O2", "-l", "node_modules", "-o", outDir], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { r1cs: join(root, outDir, `${name}.r1cs`), wasm: join(root, outDir, `${name}_js`, `${name}.wasm`) };
}

/** Verification key JSON exactly as committed (2-space indent, trailing newline). */
export async function exportVkey(zkey: string): Promise<string> {
  const vk = await snarkjs.zKey.exportVerificationKey(zkey);
  return `${JSON.stringify(vk, null, 2)}\n`;
}

/** Solidity verifier exactly as committed: snarkjs's groth16 template, contract renamed per circuit. */
export async function exportVerifier(zkey: string, contract: string): Promise<string> {
  const template = readFileSync(join(root, "node_modules/snarkjs/templates/verifier_groth16.sol.ejs"), "utf8");
  const source: string = await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template });
  if (!source.includes("contract Groth16Verifier {")) throw new Error("unexpected snarkjs verifier template");
  return source.replace("contract Groth16Verifier {", `contract ${contract} {`);
}

export const readManifest = (): Manifest => JSON.parse(readFileSync(manifestPath, "utf8"));

/** The Solidity mirror of `Manifest.developmentKeys`. */
export const zkKeysPath = join(root, "contracts/src/verifiers/ZkKeys.sol");
export const zkKeysSource = (development: boolean) => `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Written by npm run circuits:build from circuits/artifacts.json; circuits:check keeps the two equal.
library ZkKeys {
    /// @notice True while the committed zkeys come from a development phase 2, whose proofs anyone can forge.
    bool internal constant DEVELOPMENT = ${development};
}
`;

/** snarkjs keeps worker threads alive; end them so a script can exit. */
export async function terminateCurves(): Promise<void> {
  const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128;
  if (curve) await curve.terminate();
}

export { snarkjs };

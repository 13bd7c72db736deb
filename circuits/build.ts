/**
 * npm run circuits:build — compiles every circuit, runs the Groth16 phase 2 on a prepared powers-of-tau
 * file, and writes the committed artifacts:
 *   public/zk/<name>.wasm, <name>.zkey, <name>.vkey.json   (loaded by the task types, browser and Node)
 *   contracts/src/verifiers/<Contract>.sol                  (generated Groth16 verifiers)
 *   circuits/artifacts.json                                 (hashes + constraint counts, checked in CI)
 *
 * Powers of tau, in this order:
 *   1. ZK_PTAU=/path/to/ceremony.ptau  (production: a public ceremony file, see circuits/README.md)
 *   2. ../shared/zk/dev-pot16_final.ptau if its sha256 is the known dev file's
 *   3. circuits/build/dev-pot16_final.ptau, generated here (new -> beacon -> prepare phase2; ~22 min)
 * Phase 2 is `zkey new` + `zkey beacon` with a fixed beacon: byte-reproducible, INSECURE, dev/test only.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  BEACON_HASH,
  BEACON_ITERATIONS_EXP,
  CIRCUITS,
  type Manifest,
  compile,
  exportVerifier,
  exportVkey,
  manifestPath,
  paths,
  poseidonConstants,
  root,
  sha256File,
  snarkjs,
  terminateCurves,
  verifierPath,
  zkKeysPath,
  zkKeysSource,
} from "./pipeline.ts";

const DEV_PTAU_SHA256 = "b4017de8f4a3e08ac4bbb5eac84c0d86c72a915da9b136308744cfdd99db79ce";
const POWER = 16;
const buildDir = "circuits/build";
mkdirSync(join(root, buildDir), { recursive: true });
mkdirSync(join(root, "public/zk"), { recursive: true });
mkdirSync(join(root, "contracts/src/verifiers"), { recursive: true });

const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

async function choosePtau(): Promise<{ file: string; source: string }> {
  if (process.env.ZK_PTAU) {
    log(`using ZK_PTAU=${process.env.ZK_PTAU}`);
    return { file: process.env.ZK_PTAU, source: `ZK_PTAU (${process.env.ZK_PTAU.split("/").pop()})` };
  }
  const shared = join(root, "../shared/zk/dev-pot16_final.ptau");
  if (existsSync(shared) && sha256File(shared) === DEV_PTAU_SHA256) {
    return { file: shared, source: "dev-pot16_final.ptau (one local random contribution + beacon; DEV ONLY)" };
  }
  const local = join(root, buildDir, `dev-pot${POWER}_final.ptau`);
  if (!existsSync(local)) {
    log(`generating a local dev ptau 2^${POWER} (reproducible, insecure; prepare phase2 takes ~20 min on 2 cores)`);
    const p0 = join(root, buildDir, `pot${POWER}_0.ptau`);
    const p1 = join(root, buildDir, `pot${POWER}_beacon.ptau`);
    await snarkjs.powersOfTau.newAccumulator(await snarkjs.curves.getCurveFromName("bn128"), POWER, p0);
    await snarkjs.powersOfTau.beacon(p0, p1, "ComputeCredit dev ptau beacon", BEACON_HASH, BEACON_ITERATIONS_EXP);
    await snarkjs.powersOfTau.preparePhase2(p1, local);
  }
  return { file: local, source: `locally generated dev-pot${POWER}_final.ptau (new -> beacon -> prepare; INSECURE, DEV ONLY)` };
}

const ptau = await choosePtau();
const ptauSha = sha256File(ptau.file);
const manifest: Manifest = {
  note: "Written by npm run circuits:build; checked by circuits/check.test.ts. DEV SETUP: insecure beacon phase 2, see circuits/README.md.",
  circom2: JSON.parse(readFileSync(join(root, "node_modules/circom2/package.json"), "utf8")).version,
  snarkjs: JSON.parse(readFileSync(join(root, "node_modules/snarkjs/package.json"), "utf8")).version,
  ptau: { sha256: ptauSha, power: POWER, source: ptau.source },
  // This build always ends phase 2 with a fixed beacon and no independent contributions: development keys.
  developmentKeys: true,
  circuits: {},
};

for (const circuit of CIRCUITS) {
  const p = paths(circuit.name);
  log(`${circuit.name}: compile (circom2 --O2)`);
  const { r1cs, wasm } = await compile(circuit.name, buildDir);
  const info = await snarkjs.r1cs.info(r1cs);
  log(`${circuit.name}: ${info.nConstraints} constraints, ${info.nOutputs + info.nPubInputs} public signals`);
  const zkey0 = join(root, buildDir, `${circuit.name}_0.zkey`);
  log(`${circuit.name}: zkey new`);
  await snarkjs.zKey.newZKey(r1cs, ptau.file, zkey0);
  log(`${circuit.name}: zkey beacon`);
  await snarkjs.zKey.beacon(zkey0, p.publicZkey, `ComputeCredit dev beacon (${circuit.name})`, BEACON_HASH, BEACON_ITERATIONS_EXP);
  copyFileSync(wasm, p.publicWasm);
  writeFileSync(p.publicVkey, await exportVkey(p.publicZkey));
  writeFileSync(verifierPath(circuit), await exportVerifier(p.publicZkey, circuit.contract));
  manifest.circuits[circuit.name] = {
    constraints: info.nConstraints,
    publicSignals: info.nOutputs + info.nPubInputs,
    r1csSha256: sha256File(r1cs),
    wasmSha256: sha256File(p.publicWasm),
    zkeySha256: sha256File(p.publicZkey),
    zkeyBytes: statSync(p.publicZkey).size,
    wasmBytes: statSync(p.publicWasm).size,
  };
  log(`${circuit.name}: wrote ${relative(root, p.publicZkey)} (${statSync(p.publicZkey).size} bytes), ${relative(root, verifierPath(circuit))}`);
}
copyFileSync(poseidonConstants.source, poseidonConstants.published);
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(zkKeysPath, zkKeysSource(manifest.developmentKeys));
log(`wrote ${relative(root, manifestPath)}`);
await terminateCurves();

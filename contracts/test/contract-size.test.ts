/**
 * Every deployable contract must fit EIP-170's 24,576-byte runtime limit, which every EVM chain enforces.
 * Failing here names the contract and its size, instead of a bare "code too large" at deploy.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import hre from "hardhat";

const EIP170_LIMIT = 24_576;
const deployable = [
  "ComputeCreditForwarder",
  "ProtocolConfig",
  "CreditLedger",
  "WorkerRegistry",
  "TaskTypeRegistry",
  "TaskMarket",
  "ZkDownscaleProofVerifier",
  "ZkMatmulProofVerifier",
];

describe("contract sizes", () => {
  for (const name of deployable) {
    it(`${name} fits the 24,576-byte runtime code limit`, async () => {
      const artifact = await hre.artifacts.readArtifact(name);
      const size = (artifact.deployedBytecode.length - 2) / 2;
      assert.ok(size > 0, `${name} has no runtime code`);
      assert.ok(size <= EIP170_LIMIT, `${name} is ${size} bytes, over the ${EIP170_LIMIT}-byte limit`);
    });
  }
});

/**
 * Every deployable contract and linked library must fit EIP-170's 24,576-byte runtime limit, which every EVM
 * chain enforces, with at least 2,048 bytes of headroom so that the protocol has room to grow (issue 9, "Make
 * room first"). Failing here names the contract and its size, instead of a bare "code too large" at deploy.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import hre from "hardhat";
import { MARKET_LIBRARIES } from "../deploy/deploy-protocol.ts";

const EIP170_LIMIT = 24_576;
const HEADROOM = 2_048;

/** What the deploy step deploys (deploy-protocol.ts), and the Groth16 verifiers the zk adapters deploy. */
const deployable = [
  "ComputeCreditForwarder",
  "ProtocolConfig",
  "CreditLedger",
  "WorkerRegistry",
  "TaskTypeRegistry",
  ...MARKET_LIBRARIES,
  "TaskMarket",
  "ZkDownscaleProofVerifier",
  "ZkMatmulProofVerifier",
  "ZkDownscaleGroth16Verifier",
  "ZkMatmulGroth16Verifier",
];

/** Runtime size in bytes; a linked library's address placeholder counts as the 20 bytes it becomes. */
async function runtimeSize(name: string): Promise<number> {
  const artifact = await hre.artifacts.readArtifact(name);
  return (artifact.deployedBytecode.length - 2) / 2;
}

describe("contract sizes", () => {
  it("test_sizes_coverTheLibrariesTaskMarketLinks", async () => {
    assert.deepEqual([...MARKET_LIBRARIES], ["ReplicationRound", "TaskAudit"]);
    const market = await hre.artifacts.readArtifact("TaskMarket");
    const linked = Object.values(market.linkReferences).flatMap((refs) => Object.keys(refs));
    assert.deepEqual(linked.sort(), [...MARKET_LIBRARIES].sort(), "TaskMarket links exactly the deployed libraries");
  });

  for (const name of deployable) {
    it(`test_size_${name}_keeps${HEADROOM}BytesOfHeadroomUnderEip170`, async () => {
      const size = await runtimeSize(name);
      assert.ok(size > 0, `${name} has no runtime code`);
      assert.ok(
        size <= EIP170_LIMIT - HEADROOM,
        `${name} is ${size} bytes: ${EIP170_LIMIT - size} bytes of headroom, under the ${HEADROOM} required`,
      );
    });
  }
});

/**
 * Every custom error our contracts can revert with (their own and the OpenZeppelin ones they inherit, as the
 * compiled ABIs list them) has a sentence in lib/client/revert.ts, so that a tab or `npm run worker` never shows a
 * user a bare error name. In the contracts suite because it reads the build this suite compiles.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import hre from "hardhat";
import type { Abi } from "viem";
import { revertMessages } from "../../lib/client/revert.ts";

describe("revert sentences", () => {
  it("every custom error of our contracts has a sentence", async () => {
    const names = [...(await hre.artifacts.getAllFullyQualifiedNames())].filter((n) => n.startsWith("contracts/src/"));
    assert.ok(names.length >= 6, `the build lists our contracts (${names.length})`);
    const missing = new Set<string>();
    for (const name of names) {
      const { abi } = await hre.artifacts.readArtifact(name);
      for (const item of abi as Abi) if (item.type === "error" && !Object.hasOwn(revertMessages, item.name)) missing.add(item.name);
    }
    assert.deepEqual([...missing], []);
  });
});

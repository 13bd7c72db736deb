/**
 * Only approved code runs (issue 10): the deploy step registers each genesis type with the code CID of its code as
 * this checkout holds it (wasm-tasks/code-cid.ts), and a new version of a type is a new type with its own id, code CID
 * and capability bit, so workers on the old and the new code never take each other's tasks.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress } from "viem";
import { codeCidOfManifest } from "../../wasm-tasks/code-cid.ts";
import { taskCodeCid, taskCodeManifest } from "../../wasm-tasks/code-cid-node.ts";
import { genesisTaskTypes, rejectedDigestOf } from "../deploy/deploy-protocol.ts";
import { IMAGE_RESIZE, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

describe("task code CIDs", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;
  async function protocolFixture() {
    return setupProtocol(connection);
  }
  const load = () => networkHelpers.loadFixture(protocolFixture);

  it("test_genesisTypes_registerTheCodeCidComputedFromTheirFiles", async () => {
    const s = await load();
    const seen = new Set<string>();
    for (const [id, seed] of genesisTaskTypes.entries()) {
      const registered = (await s.taskTypes.read.taskType([id])).codeCid;
      // Computed again here, from the files on disk, not taken from the seed the deploy step used.
      const computed = await taskCodeCid(seed.name);
      assert.notEqual(registered, "", `${seed.name}: a code CID is registered`);
      assert.equal(registered, computed, `${seed.name}: the registered code CID is the one its files give`);
      assert.equal(seed.codeCid, computed, seed.name);
      seen.add(registered);
    }
    assert.equal(seen.size, genesisTaskTypes.length, "each type has its own code CID");
  });

  it("test_genesisTypes_codeCidsAreInTheTaskTypeAddedEvents", async () => {
    const s = await load();
    const events = await s.taskTypes.getEvents.TaskTypeAdded({}, { fromBlock: 0n });
    assert.deepEqual(
      events.map((e) => [e.args.typeId, e.args.name, e.args.codeCid]),
      genesisTaskTypes.map((t, id) => [id, t.name, t.codeCid]),
    );
  });

  it("test_newVersion_isANewTypeWithItsOwnIdCodeCidAndCapability", async () => {
    const s = await load();
    const [gov, requesterW, oldW, newW] = s.wallets;
    assert.ok(gov && requesterW && oldW && newW);
    // A next version ("image-resize@3", image-resize@2 is a genesis type): the same files would give another CID under
    // another name; a real one differs in its files too.
    const v2Name = "image-resize@3";
    const v2Cid = await codeCidOfManifest({ ...(await taskCodeManifest("image-resize")), type: v2Name });
    const v1 = await s.taskTypes.read.taskType([IMAGE_RESIZE]);
    assert.notEqual(v2Cid, v1.codeCid);
    await s.wait(await s.taskTypes.write.addTaskType([v2Name, v2Cid, await rejectedDigestOf(v2Name), v1.policy]));
    const v2Id = Number((await s.taskTypes.read.typeCount()) - 1n);
    assert.equal(v2Id, genesisTaskTypes.length);
    assert.equal((await s.taskTypes.read.taskType([v2Id])).codeCid, v2Cid);
    assert.equal((await s.taskTypes.read.taskType([IMAGE_RESIZE])).codeCid, v1.codeCid, "the old version keeps its code");

    // Each worker registers the capability of the code it holds (the engine sets only the types whose code matches).
    const oldWorker = await s.as(oldW);
    const newWorker = await s.as(newW);
    await s.wait(await oldWorker.registry.write.register([1000, 1n << BigInt(IMAGE_RESIZE)]));
    await s.wait(await oldWorker.registry.write.stake([1_000n]));
    await s.wait(await newWorker.registry.write.register([1000, 1n << BigInt(v2Id)]));
    await s.wait(await newWorker.registry.write.stake([1_000n]));
    await s.registerWorker(requesterW, 0n, false);
    const oldTask = await s.post(requesterW, { typeId: IMAGE_RESIZE });
    const newTask = await s.post(requesterW, { typeId: v2Id });
    await viem.assertions.revertWithCustomErrorWithArgs(newWorker.market.write.claim([oldTask]), s.market, "MissingCapability", [
      getAddress(newW.account.address),
      IMAGE_RESIZE,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(oldWorker.market.write.claim([newTask]), s.market, "MissingCapability", [
      getAddress(oldW.account.address),
      v2Id,
    ]);
    await s.wait(await oldWorker.market.write.claim([oldTask]));
    await s.wait(await newWorker.market.write.claim([newTask]));
    assert.equal(getAddress((await s.market.read.taskOf([newTask])).worker), getAddress(newW.account.address));
    assert.notEqual(getAddress((await s.market.read.taskOf([oldTask])).worker), ZERO_ADDRESS);
  });
});

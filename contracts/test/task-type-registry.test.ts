/**
 * TaskTypeRegistry: governance approves task types (id, name, code CID, verification modes, zk verifier).
 * One test per rule and per revert, plus what the market makes of a type's policy.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, toHex } from "viem";
import { VerificationMode } from "../../lib/protocol/params.ts";
import { genesisTaskTypes } from "../deploy/deploy-protocol.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const REPLICATED = 1;
const ZK = 2;
const BOTH = REPLICATED | ZK;
const VERIFIER = "0x00000000000000000000000000000000000000aa" as Address;

describe("TaskTypeRegistry", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;

  async function typesFixture() {
    const s = await setupProtocol(connection);
    const [gov, alice] = s.wallets;
    assert.ok(gov && alice);
    const typesAsAlice = await viem.getContractAt("TaskTypeRegistry", s.taskTypes.address, { client: { wallet: alice } });
    return { s, gov, alice, typesAsAlice };
  }
  const load = () => networkHelpers.loadFixture(typesFixture);
  const NEXT = genesisTaskTypes.length; // id of the next added type

  describe("TaskTypeRegistry.addTaskType", () => {
    it("holds the genesis task types in deploy order, active; replicated ones without, zk ones with a verifier", async () => {
      const { s } = await load();
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(genesisTaskTypes.length));
      for (const [id, seed] of genesisTaskTypes.entries()) {
        const t = await s.taskTypes.read.taskType([id]);
        assert.equal(t.name, seed.name);
        assert.equal(t.codeCid, seed.codeCid);
        // zk types (zk-downscale, zk-matmul) get their deployed adapter: contracts/test/zk-verifiers.test.ts.
        const zkVerifier = seed.zkAdapter ? s.zkAdapters[seed.name] : ZERO_ADDRESS;
        assert.deepEqual(t.policy, { zkVerifier, modes: seed.modes, active: true });
        if (!seed.zkAdapter) assert.equal(seed.modes, REPLICATED);
      }
    });

    it("appends a type with the next id, stores it and emits TaskTypeAdded", async () => {
      const { s } = await load();
      const { result } = await s.taskTypes.simulate.addTaskType(["zk-sha", "bafy-code", BOTH, VERIFIER]);
      assert.equal(result, NEXT);
      await viem.assertions.emitWithArgs(
        s.taskTypes.write.addTaskType(["zk-sha", "bafy-code", BOTH, VERIFIER]),
        s.taskTypes,
        "TaskTypeAdded",
        [NEXT, "zk-sha", "bafy-code", BOTH, VERIFIER],
      );
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(NEXT + 1));
      const t = await s.taskTypes.read.taskType([NEXT]);
      assert.equal(t.name, "zk-sha");
      assert.equal(t.codeCid, "bafy-code");
      assert.equal(t.policy.zkVerifier.toLowerCase(), VERIFIER);
      assert.equal(t.policy.modes, BOTH);
      assert.equal(t.policy.active, true);
      const p = await s.taskTypes.read.policyOf([NEXT]);
      assert.deepEqual(p, t.policy);
    });

    it("accepts a zk-only type with a verifier and a replicated type without one", async () => {
      const { s } = await load();
      await s.wait(await s.taskTypes.write.addTaskType(["zk-only", "c1", ZK, VERIFIER]));
      await s.wait(await s.taskTypes.write.addTaskType(["rep-only", "c2", REPLICATED, ZERO_ADDRESS]));
      assert.equal((await s.taskTypes.read.policyOf([NEXT])).modes, ZK);
      assert.equal((await s.taskTypes.read.policyOf([NEXT + 1])).modes, REPLICATED);
    });

    it("reverts InvalidModes for no mode", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.addTaskType(["x", "c", 0, ZERO_ADDRESS]),
        s.taskTypes,
        "InvalidModes",
        [0],
      );
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(NEXT));
    });

    it("reverts InvalidModes for an unknown mode bit", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.addTaskType(["x", "c", 4, VERIFIER]),
        s.taskTypes,
        "InvalidModes",
        [4],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.addTaskType(["x", "c", 7, VERIFIER]),
        s.taskTypes,
        "InvalidModes",
        [7],
      );
    });

    it("reverts ZkModeNeedsVerifier for a zk type without a verifier", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.addTaskType(["x", "c", ZK, ZERO_ADDRESS]),
        s.taskTypes,
        "ZkModeNeedsVerifier",
        [NEXT],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.addTaskType(["x", "c", BOTH, ZERO_ADDRESS]),
        s.taskTypes,
        "ZkModeNeedsVerifier",
        [NEXT],
      );
    });

    it("reverts OwnableUnauthorizedAccount for anyone but governance", async () => {
      const { s, alice, typesAsAlice } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        typesAsAlice.write.addTaskType(["x", "c", REPLICATED, ZERO_ADDRESS]),
        s.taskTypes,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(NEXT));
    });

    it("reverts TooManyTaskTypes past 256 types, so that ids fit the capability bitmap", async () => {
      const { s } = await load();
      for (let id = NEXT; id < 256; id++) {
        await s.taskTypes.write.addTaskType([`t${id}`, "", REPLICATED, ZERO_ADDRESS]);
      }
      await networkHelpers.mine();
      assert.equal(await s.taskTypes.read.typeCount(), 256n);
      assert.equal((await s.taskTypes.read.taskType([255])).name, "t255");
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.addTaskType(["one-too-many", "", REPLICATED, ZERO_ADDRESS]),
        s.taskTypes,
        "TooManyTaskTypes",
        [],
      );
    });
  });

  describe("TaskTypeRegistry.updateTaskType", () => {
    it("replaces the code CID and policy, keeps the name, and emits TaskTypeUpdated", async () => {
      const { s } = await load();
      await viem.assertions.emitWithArgs(
        s.taskTypes.write.updateTaskType([0, "bafy-new", BOTH, VERIFIER, false]),
        s.taskTypes,
        "TaskTypeUpdated",
        [0, "bafy-new", BOTH, VERIFIER, false],
      );
      const t = await s.taskTypes.read.taskType([0]);
      assert.equal(t.name, genesisTaskTypes[0]?.name);
      assert.equal(t.codeCid, "bafy-new");
      assert.equal(t.policy.zkVerifier.toLowerCase(), VERIFIER);
      assert.equal(t.policy.modes, BOTH);
      assert.equal(t.policy.active, false);
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(NEXT));
    });

    it("reverts UnknownTaskType for an id never added", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.updateTaskType([NEXT, "c", REPLICATED, ZERO_ADDRESS, true]),
        s.taskTypes,
        "UnknownTaskType",
        [NEXT],
      );
    });

    it("reverts InvalidModes for no mode", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.updateTaskType([1, "c", 0, ZERO_ADDRESS, true]),
        s.taskTypes,
        "InvalidModes",
        [0],
      );
    });

    it("reverts ZkModeNeedsVerifier when enabling zk without a verifier", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.updateTaskType([2, "c", BOTH, ZERO_ADDRESS, true]),
        s.taskTypes,
        "ZkModeNeedsVerifier",
        [2],
      );
      assert.equal((await s.taskTypes.read.policyOf([2])).modes, REPLICATED);
    });

    it("reverts OwnableUnauthorizedAccount for anyone but governance", async () => {
      const { s, alice, typesAsAlice } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        typesAsAlice.write.updateTaskType([0, "evil", REPLICATED, ZERO_ADDRESS, true]),
        s.taskTypes,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      assert.equal((await s.taskTypes.read.taskType([0])).codeCid, genesisTaskTypes[0]?.codeCid);
    });
  });

  describe("TaskTypeRegistry.taskType", () => {
    it("reverts UnknownTaskType for an id never added", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(s.taskTypes.read.taskType([NEXT]), s.taskTypes, "UnknownTaskType", [
        NEXT,
      ]);
    });
  });

  describe("TaskTypeRegistry.policyOf", () => {
    it("reverts UnknownTaskType for an id never added", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(s.taskTypes.read.policyOf([255]), s.taskTypes, "UnknownTaskType", [255]);
    });
  });

  describe("TaskMarket.post and the task-type policy", () => {
    const postParams = (typeId: number, mode: number, zkInputCommitment = 0n) => ({
      typeId,
      mode,
      bounty: 1_000,
      deadline: 2 ** 32 - 1,
      claimWindow: 0,
      preferredWorker: ZERO_ADDRESS,
      zkInputCommitment,
      inputCid: toHex("bafy-input"),
      spec: toHex("{}"),
    });

    it("reverts TaskTypeInactive for a deactivated type, and accepts posts again once reactivated", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await s.wait(await s.taskTypes.write.updateTaskType([1, "", REPLICATED, ZERO_ADDRESS, false]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.market.write.post([postParams(1, VerificationMode.Replicated)]),
        s.market,
        "TaskTypeInactive",
        [1],
      );
      await s.wait(await s.taskTypes.write.updateTaskType([1, "", REPLICATED, ZERO_ADDRESS, true]));
      await s.wait(await a.market.write.post([postParams(1, VerificationMode.Replicated)]));
      assert.equal(await s.market.read.nonces([alice.account.address]), 1n);
    });

    it("reverts ModeNotAllowed for a verification mode the type does not allow", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.market.write.post([postParams(0, VerificationMode.Zk, 7n)]),
        s.market,
        "ModeNotAllowed",
        [0, VerificationMode.Zk],
      );
      await s.wait(await s.taskTypes.write.addTaskType(["zk-only", "", ZK, VERIFIER]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.market.write.post([postParams(NEXT, VerificationMode.Replicated)]),
        s.market,
        "ModeNotAllowed",
        [NEXT, VerificationMode.Replicated],
      );
    });

    it("reverts UnknownTaskType for a type never added", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.market.write.post([postParams(NEXT, VerificationMode.Replicated)]),
        s.taskTypes,
        "UnknownTaskType",
        [NEXT],
      );
    });
  });
});

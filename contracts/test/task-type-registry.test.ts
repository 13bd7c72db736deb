/**
 * TaskTypeRegistry: governance approves task types (id, name, code CID, the digest of the type's canonical
 * input-rejected output, and a policy: zk verifier, verification modes, active flag and the on-chain cost model).
 * One test per rule and per revert, what the deploy step registers for the genesis types, and what the market
 * makes of a type's policy.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, getAddress, keccak256, toHex } from "viem";
import { cidDigest } from "../../lib/protocol/hashes.ts";
import { VerificationMode, workValue } from "../../lib/protocol/params.ts";
import { outputCid } from "../../wasm-tasks/digest.ts";
import { taskTypes as taskTypeModules } from "../../wasm-tasks/index.ts";
import { inputRejectedOutput } from "../../wasm-tasks/input-rejected.ts";
import { genesisTaskTypes, rejectedDigestOf, workModelOf } from "../deploy/deploy-protocol.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const REPLICATED = 1;
const ZK = 2;
const BOTH = REPLICATED | ZK;
const VERIFIER = getAddress("0x00000000000000000000000000000000000000aa");
const DIGEST = keccak256(toHex("computecredit:input-rejected:test\n"));
const DIGEST2 = keccak256(toHex("computecredit:input-rejected:test-2\n"));

type Policy = { zkVerifier: Address; modes: number; active: boolean; workMsBase: number; workMsPerMiB: number };
const policy = (p: Partial<Policy> = {}): Policy => ({
  zkVerifier: ZERO_ADDRESS,
  modes: REPLICATED,
  active: true,
  workMsBase: 3_600,
  workMsPerMiB: 7_200,
  ...p,
});

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

  describe("the genesis task types (contracts/deploy/deploy-protocol.ts)", () => {
    it("test_genesisTypes_areRegisteredInDeployOrderActiveWithTheirModesAndVerifiers", async () => {
      const { s } = await load();
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(genesisTaskTypes.length));
      for (const [id, seed] of genesisTaskTypes.entries()) {
        const t = await s.taskTypes.read.taskType([id]);
        assert.equal(t.name, seed.name);
        assert.equal(t.codeCid, seed.codeCid);
        // zk types (zk-downscale, zk-matmul) get their deployed adapter: contracts/test/zk-verifiers.test.ts.
        const zkVerifier = seed.zkAdapter ? s.zkAdapters[seed.name] : ZERO_ADDRESS;
        assert.equal(t.policy.zkVerifier, zkVerifier, seed.name);
        assert.deepEqual([t.policy.modes, t.policy.active], [seed.modes, true], seed.name);
        if (!seed.zkAdapter) assert.equal(seed.modes, REPLICATED);
      }
    });

    it("test_genesisTypes_carryTheWasmTasksWorkModel", async () => {
      const { s } = await load();
      for (const [id, seed] of genesisTaskTypes.entries()) {
        const module = taskTypeModules[seed.name];
        assert.ok(module, `wasm-tasks has a module for ${seed.name}`);
        assert.deepEqual(workModelOf(seed), module.workModel, `${seed.name}: the deploy step uses the module's model`);
        const p = await s.taskTypes.read.policyOf([id]);
        assert.deepEqual(
          { msBase: p.workMsBase, msPerMiB: p.workMsPerMiB },
          module.workModel,
          `${seed.name}: the registered cost model is the module's workModel`,
        );
        assert.ok(p.workMsBase + p.workMsPerMiB > 0, `${seed.name}: a cost model that bounds something`);
      }
    });

    it("test_genesisTypes_carryTheDigestOfTheirCanonicalInputRejectedOutput", async () => {
      const { s } = await load();
      const digests = new Set<Hex>();
      for (const [id, seed] of genesisTaskTypes.entries()) {
        const expected = await rejectedDigestOf(seed.name);
        // The same digest computed from first principles: keccak256 of the CID of the canonical bytes.
        assert.equal(expected, cidDigest((await outputCid(inputRejectedOutput(seed.name))).bytes));
        assert.equal(await s.taskTypes.read.rejectedDigestOf([id]), expected, seed.name);
        assert.equal((await s.taskTypes.read.taskType([id])).rejectedDigest, expected, seed.name);
        digests.add(expected);
      }
      assert.equal(digests.size, genesisTaskTypes.length, "each type has its own input-rejected output");
    });
  });

  describe("TaskTypeRegistry.addTaskType", () => {
    it("test_addTaskType_appendsWithTheNextIdAndEmitsTaskTypeAdded", async () => {
      const { s } = await load();
      const p = policy({ zkVerifier: VERIFIER, modes: BOTH, workMsBase: 123, workMsPerMiB: 456 });
      const { result } = await s.taskTypes.simulate.addTaskType(["zk-sha", "bafy-code", DIGEST, p]);
      assert.equal(result, NEXT);
      await viem.assertions.emitWithArgs(s.taskTypes.write.addTaskType(["zk-sha", "bafy-code", DIGEST, p]), s.taskTypes, "TaskTypeAdded", [
        NEXT,
        "zk-sha",
        "bafy-code",
        DIGEST,
        p,
      ]);
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(NEXT + 1));
      assert.deepEqual(await s.taskTypes.read.taskType([NEXT]), { name: "zk-sha", codeCid: "bafy-code", rejectedDigest: DIGEST, policy: p });
      assert.deepEqual(await s.taskTypes.read.policyOf([NEXT]), p);
      assert.equal(await s.taskTypes.read.rejectedDigestOf([NEXT]), DIGEST);
    });

    it("test_addTaskType_acceptsAZkOnlyTypeWithAVerifierAndAReplicatedTypeWithout", async () => {
      const { s } = await load();
      await s.wait(await s.taskTypes.write.addTaskType(["zk-only", "c1", DIGEST, policy({ modes: ZK, zkVerifier: VERIFIER })]));
      await s.wait(await s.taskTypes.write.addTaskType(["rep-only", "c2", DIGEST2, policy({ modes: REPLICATED })]));
      assert.equal((await s.taskTypes.read.policyOf([NEXT])).modes, ZK);
      assert.equal((await s.taskTypes.read.policyOf([NEXT + 1])).modes, REPLICATED);
    });

    it("test_addTaskType_revertsInvalidModesForNoMode", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.addTaskType(["x", "c", DIGEST, policy({ modes: 0 })]),
        s.taskTypes,
        "InvalidModes",
        [0],
      );
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(NEXT));
    });

    it("test_addTaskType_revertsInvalidModesForAnUnknownModeBit", async () => {
      const { s } = await load();
      for (const modes of [4, 7]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          s.taskTypes.write.addTaskType(["x", "c", DIGEST, policy({ modes, zkVerifier: VERIFIER })]),
          s.taskTypes,
          "InvalidModes",
          [modes],
        );
      }
    });

    it("test_addTaskType_revertsZkModeNeedsVerifier", async () => {
      const { s } = await load();
      for (const modes of [ZK, BOTH]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          s.taskTypes.write.addTaskType(["x", "c", DIGEST, policy({ modes })]),
          s.taskTypes,
          "ZkModeNeedsVerifier",
          [NEXT],
        );
      }
    });

    it("test_addTaskType_revertsOwnableUnauthorizedAccount", async () => {
      const { s, alice, typesAsAlice } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        typesAsAlice.write.addTaskType(["x", "c", DIGEST, policy()]),
        s.taskTypes,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(NEXT));
    });

    it("test_addTaskType_revertsTooManyTaskTypesPast256", async () => {
      const { s } = await load();
      assert.equal(await s.taskTypes.read.MAX_TYPES(), 256n);
      for (let id = NEXT; id < 256; id++) await s.taskTypes.write.addTaskType([`t${id}`, "", DIGEST, policy()]);
      await networkHelpers.mine();
      assert.equal(await s.taskTypes.read.typeCount(), 256n);
      assert.equal((await s.taskTypes.read.taskType([255])).name, "t255");
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.addTaskType(["one-too-many", "", DIGEST, policy()]),
        s.taskTypes,
        "TooManyTaskTypes",
        [],
      );
    });
  });

  describe("TaskTypeRegistry.updateTaskType", () => {
    it("test_updateTaskType_replacesCodeDigestAndPolicyKeepsTheNameAndEmitsTaskTypeUpdated", async () => {
      const { s } = await load();
      const p = policy({ zkVerifier: VERIFIER, modes: BOTH, active: false, workMsBase: 1, workMsPerMiB: 2 });
      await viem.assertions.emitWithArgs(s.taskTypes.write.updateTaskType([0, "bafy-new", DIGEST2, p]), s.taskTypes, "TaskTypeUpdated", [
        0,
        "bafy-new",
        DIGEST2,
        p,
      ]);
      assert.deepEqual(await s.taskTypes.read.taskType([0]), {
        name: genesisTaskTypes[0]!.name,
        codeCid: "bafy-new",
        rejectedDigest: DIGEST2,
        policy: p,
      });
      assert.equal(await s.taskTypes.read.rejectedDigestOf([0]), DIGEST2);
      assert.equal(await s.taskTypes.read.typeCount(), BigInt(NEXT));
    });

    it("test_updateTaskType_revertsUnknownTaskType", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.updateTaskType([NEXT, "c", DIGEST, policy()]),
        s.taskTypes,
        "UnknownTaskType",
        [NEXT],
      );
    });

    it("test_updateTaskType_revertsInvalidModes", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.updateTaskType([1, "c", DIGEST, policy({ modes: 0 })]),
        s.taskTypes,
        "InvalidModes",
        [0],
      );
    });

    it("test_updateTaskType_revertsZkModeNeedsVerifier", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(
        s.taskTypes.write.updateTaskType([2, "c", DIGEST, policy({ modes: BOTH })]),
        s.taskTypes,
        "ZkModeNeedsVerifier",
        [2],
      );
      assert.equal((await s.taskTypes.read.policyOf([2])).modes, REPLICATED);
    });

    it("test_updateTaskType_revertsOwnableUnauthorizedAccount", async () => {
      const { s, alice, typesAsAlice } = await load();
      const before = await s.taskTypes.read.taskType([0]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        typesAsAlice.write.updateTaskType([0, "evil", DIGEST, policy()]),
        s.taskTypes,
        "OwnableUnauthorizedAccount",
        [alice.account.address],
      );
      assert.deepEqual(await s.taskTypes.read.taskType([0]), before);
    });
  });

  describe("TaskTypeRegistry views", () => {
    it("test_taskType_revertsUnknownTaskType", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(s.taskTypes.read.taskType([NEXT]), s.taskTypes, "UnknownTaskType", [NEXT]);
    });

    it("test_policyOf_revertsUnknownTaskType", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(s.taskTypes.read.policyOf([255]), s.taskTypes, "UnknownTaskType", [255]);
    });

    it("test_rejectedDigestOf_revertsUnknownTaskType", async () => {
      const { s } = await load();
      await viem.assertions.revertWithCustomErrorWithArgs(s.taskTypes.read.rejectedDigestOf([NEXT]), s.taskTypes, "UnknownTaskType", [
        NEXT,
      ]);
    });
  });

  describe("TaskMarket.post and the task-type policy", () => {
    const postParams = (typeId: number, mode: number, zkInputCommitment = 0n, inputBytes = 1 << 20) => ({
      typeId,
      mode,
      bounty: 1_000,
      deadline: 2 ** 32 - 1,
      claimWindow: 0,
      inputBytes,
      preferredWorker: ZERO_ADDRESS,
      zkInputCommitment,
      inputCid: toHex("bafy-input"),
      spec: toHex("{}"),
    });

    it("test_post_revertsTaskTypeInactiveUntilTheTypeIsReactivated", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      const digest = await s.taskTypes.read.rejectedDigestOf([1]);
      const p = await s.taskTypes.read.policyOf([1]);
      await s.wait(await s.taskTypes.write.updateTaskType([1, "", digest, { ...p, active: false }]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.market.write.post([postParams(1, VerificationMode.Replicated)]),
        s.market,
        "TaskTypeInactive",
        [1],
      );
      await s.wait(await s.taskTypes.write.updateTaskType([1, "", digest, { ...p, active: true }]));
      await s.wait(await a.market.write.post([postParams(1, VerificationMode.Replicated)]));
      assert.equal(await s.market.read.nonces([alice.account.address]), 1n);
    });

    it("test_post_revertsModeNotAllowed", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.market.write.post([postParams(0, VerificationMode.Zk, 7n)]),
        s.market,
        "ModeNotAllowed",
        [0, VerificationMode.Zk],
      );
      await s.wait(await s.taskTypes.write.addTaskType(["zk-only", "", DIGEST, policy({ modes: ZK, zkVerifier: VERIFIER })]));
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.market.write.post([postParams(NEXT, VerificationMode.Replicated)]),
        s.market,
        "ModeNotAllowed",
        [NEXT, VerificationMode.Replicated],
      );
    });

    it("test_post_revertsUnknownTaskType", async () => {
      const { s, alice } = await load();
      const a = await s.registerWorker(alice, 0n, false);
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.market.write.post([postParams(NEXT, VerificationMode.Replicated)]),
        s.taskTypes,
        "UnknownTaskType",
        [NEXT],
      );
    });

    it("test_post_readsTheCostModelAtPostSoAnUpdatePricesLaterPostsOnly", async () => {
      const { s, alice } = await load();
      await s.registerWorker(alice, 0n, false);
      const first = { msBase: 36_000, msPerMiB: 3_600 };
      const second = { msBase: 0, msPerMiB: 360_000 };
      const p = (m: typeof first) => policy({ workMsBase: m.msBase, workMsPerMiB: m.msPerMiB });
      await s.wait(await s.taskTypes.write.addTaskType(["priced", "", DIGEST, p(first)]));
      const before = await s.post(alice, { typeId: NEXT, inputBytes: 3 << 20 });
      await s.wait(await s.taskTypes.write.updateTaskType([NEXT, "", DIGEST, p(second)]));
      const after = await s.post(alice, { typeId: NEXT, inputBytes: 3 << 20 });
      assert.equal((await s.market.read.taskOf([before])).workValue, Number(workValue(first, 3 << 20)));
      assert.equal((await s.market.read.taskOf([after])).workValue, Number(workValue(second, 3 << 20)));
      assert.deepEqual([workValue(first, 3 << 20), workValue(second, 3 << 20)], [13n, 300n]);
    });
  });
});

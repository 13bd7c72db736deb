/**
 * ProtocolConfig: the one place where the parameters live (DESIGN §4). Each constructor check (including those of
 * expirySlashBps and inputRejectedPayBps), the round trip of lib/protocol/params.ts through `params()`, and the
 * other contracts reading their values from it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { bytesToHex, keccak256, toHex } from "viem";
import { cidDigest, computeCommitment } from "../../lib/protocol/hashes.ts";
import { type ProtocolParams, bpsShare, defaultParams } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { outputCid } from "../../wasm-tasks/digest.ts";
import { inputRejectedOutput } from "../../wasm-tasks/input-rejected.ts";
import { ALL_CAPABILITIES, setupProtocol } from "../test-support/fixture.ts";

describe("ProtocolConfig", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem } = connection;
  const reference = await viem.deployContract("ProtocolConfig", [defaultParams]);

  const deployWith = (overrides: Partial<ProtocolParams>) =>
    viem.deployContract("ProtocolConfig", [{ ...defaultParams, ...overrides }]);

  const rejects = (overrides: Partial<ProtocolParams>, name: string) =>
    viem.assertions.revertWithCustomErrorWithArgs(deployWith(overrides), reference, "InvalidParam", [name]);

  describe("ProtocolConfig.params", () => {
    it("test_params_roundTripsDefaultParamsFieldByField", async () => {
      const onChain = await reference.read.params();
      const keys = Object.keys(defaultParams) as (keyof ProtocolParams)[];
      assert.deepEqual(Object.keys(onChain).sort(), [...keys].sort());
      for (const key of keys) {
        assert.equal(BigInt(onChain[key]), BigInt(defaultParams[key]), key);
      }
    });

    it("test_params_roundTripsNonDefaultValues", async () => {
      const custom: ProtocolParams = {
        genesisGrant: 7_000n,
        genesisAccounts: 3,
        creditLimitBps: 2500,
        creditLimitCap: 42_000n,
        claimWindow: 1234,
        maxActiveClaims: 2,
        claimStakeBps: 2000,
        rejectSlashBps: 1500,
        verifierFeeBps: 250,
        platformFeeBps: 50,
        auditRateBps: 10_000,
        fraudSlashMultiplier: 3,
        banDuration: 99,
        auditorRewardBps: 10_000,
        commitWindow: 77,
        revealWindow: 66,
        minVerifierStake: 2_500n,
        auditWindow: 555,
        unstakeCooldown: 444,
        minBounty: 40n,
        expirySlashBps: 2000,
        inputRejectedPayBps: 10_000,
      };
      const config = await viem.deployContract("ProtocolConfig", [custom]);
      assert.deepStrictEqual({ ...(await config.read.params()) }, custom);
    });

    it("test_params_areWhatTheLedgerUsesForTheGenesisGrant", async () => {
      const s = await setupProtocol(connection, { genesisGrant: 7_000n, creditLimitCap: 123n });
      const [, alice] = s.wallets;
      assert.ok(alice);
      assert.equal((await s.config.read.params()).genesisGrant, 7_000n);
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, 7_000n);
      assert.equal(await s.ledger.read.genesisIssued(), 7_000n);
    });

    it("test_params_areWhatTheMarketUsesForTheExpirySlash", async () => {
      const expirySlashBps = 700;
      const s = await setupProtocol(connection, { expirySlashBps });
      const { networkHelpers } = connection;
      const [, requester, worker] = s.wallets;
      assert.ok(requester && worker);
      await s.registerWorker(requester, 0n, false);
      const w = await s.registerWorker(worker, 2_000n, false);
      const taskId = await s.post(requester, { bounty: 1_000n });
      await s.wait(await w.market.write.claim([taskId]));
      await networkHelpers.time.increase(defaultParams.claimWindow + 1);
      const slash = bpsShare(1_000n, expirySlashBps);
      await viem.assertions.emitWithArgs(s.market.write.expireClaim([taskId]), s.ledger, "Slashed", [
        worker.account.address,
        slash,
        slash,
        slash,
      ]);
    });

    it("test_params_areWhatTheMarketUsesForTheInputRejectedPay", async () => {
      const inputRejectedPayBps = 2_500;
      const s = await setupProtocol(connection, { inputRejectedPayBps, auditRateBps: 0 });
      const { networkHelpers } = connection;
      const [, requester, worker, v1, v2] = s.wallets;
      assert.ok(requester && worker && v1 && v2);
      await s.registerWorker(requester, 0n, false);
      const w = await s.registerWorker(worker, 2_000n, false);
      await s.registerWorker(v1);
      await s.registerWorker(v2);
      const taskId = await s.post(requester, { bounty: 1_000n });
      await s.wait(await w.market.write.claim([taskId]));
      // Every replica publishes image-resize's canonical "input cannot be processed" output.
      const cid = bytesToHex((await outputCid(inputRejectedOutput("image-resize"))).bytes);
      const rejected = (who: typeof worker) => {
        const salt = keccak256(toHex(`salt-${who.account.address}`));
        return { cid, salt, commitment: computeCommitment(taskId, who.account.address, cidDigest(cid), salt) };
      };
      const results = [worker, v1, v2].map(rejected);
      await s.wait(await w.market.write.commit([taskId, results[0]!.commitment]));
      await s.drawVerifiers(taskId);
      for (const [i, who] of [v1, v2].entries()) {
        await s.wait(await (await s.as(who)).market.write.commit([taskId, results[i + 1]!.commitment]));
      }
      for (const [i, who] of [worker, v1, v2].entries()) await s.revealAs(who, taskId, results[i]!);
      await s.wait(await s.market.write.settle([taskId]));
      await networkHelpers.time.increase(defaultParams.auditWindow + 1);
      const before = await s.account(worker.account.address);
      await viem.assertions.emitWithArgs(s.market.write.finalize([taskId]), s.market, "TaskFinalized", [
        taskId,
        bpsShare(1_000n, inputRejectedPayBps),
      ]);
      assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.InputRejected);
      const after = await s.account(worker.account.address);
      assert.equal(after.genesis - before.genesis, 250n);
      await s.conserved([taskId]);
    });
  });

  describe("ProtocolConfig.constructor", () => {
    it("test_constructor_revertsInvalidParamGenesisAccountsForZero", async () => {
      await rejects({ genesisAccounts: 0 }, "genesisAccounts");
    });

    it("test_constructor_revertsInvalidParamCreditLimitBpsAbove100Percent", async () => {
      await rejects({ creditLimitBps: 10_001 }, "creditLimitBps");
    });

    it("test_constructor_acceptsCreditLimitBpsOf100Percent", async () => {
      const config = await deployWith({ creditLimitBps: 10_000 });
      assert.equal((await config.read.params()).creditLimitBps, 10_000);
    });

    it("test_constructor_revertsInvalidParamMaxActiveClaimsForZero", async () => {
      await rejects({ maxActiveClaims: 0 }, "maxActiveClaims");
    });

    it("test_constructor_revertsInvalidParamRejectSlashBpsForAClaimStakeAbove100Percent", async () => {
      await rejects({ claimStakeBps: 10_001, rejectSlashBps: 1000 }, "rejectSlashBps");
    });

    it("test_constructor_revertsInvalidParamRejectSlashBpsAboveTheClaimStake", async () => {
      await rejects({ claimStakeBps: 1000, rejectSlashBps: 1001 }, "rejectSlashBps");
    });

    it("test_constructor_acceptsARejectSlashEqualToTheClaimStake", async () => {
      const config = await deployWith({ claimStakeBps: 1500, rejectSlashBps: 1500 });
      assert.equal((await config.read.params()).rejectSlashBps, 1500);
    });

    it("test_constructor_revertsInvalidParamAuditRateBpsAbove100Percent", async () => {
      await rejects({ auditRateBps: 10_001 }, "auditRateBps");
    });

    it("test_constructor_revertsInvalidParamAuditorRewardBpsAbove100Percent", async () => {
      await rejects({ auditorRewardBps: 10_001 }, "auditorRewardBps");
    });

    it("test_constructor_revertsInvalidParamMinBountyWhenItsVerifierFeeRoundsToZero", async () => {
      // 99 mCC x 1% = 0.99 mCC -> 0.
      await rejects({ minBounty: 99n, verifierFeeBps: 100 }, "minBounty");
    });

    it("test_constructor_revertsInvalidParamMinBountyForAZeroVerifierFee", async () => {
      await rejects({ minBounty: 1_000_000n, verifierFeeBps: 0 }, "minBounty");
    });

    it("test_constructor_acceptsTheSmallestMinBountyWithA1mCCFee", async () => {
      const config = await deployWith({ minBounty: 100n, verifierFeeBps: 100 });
      assert.equal((await config.read.params()).minBounty, 100n);
    });

    it("test_constructor_revertsInvalidParamExpirySlashBpsAboveTheClaimStake", async () => {
      await rejects({ claimStakeBps: 1000, expirySlashBps: 1001 }, "expirySlashBps");
    });

    it("test_constructor_acceptsAnExpirySlashEqualToTheClaimStake", async () => {
      const config = await deployWith({ claimStakeBps: 1000, expirySlashBps: 1000 });
      assert.equal((await config.read.params()).expirySlashBps, 1000);
    });

    it("test_constructor_revertsInvalidParamInputRejectedPayBpsAbove100Percent", async () => {
      await rejects({ inputRejectedPayBps: 10_001 }, "inputRejectedPayBps");
    });

    it("test_constructor_acceptsInputRejectedPayBpsOf100Percent", async () => {
      const config = await deployWith({ inputRejectedPayBps: 10_000 });
      assert.equal((await config.read.params()).inputRejectedPayBps, 10_000);
    });

    it("test_constructor_revertsInvalidParamWindowForAZeroClaimWindow", async () => {
      await rejects({ claimWindow: 0 }, "window");
    });

    it("test_constructor_revertsInvalidParamWindowForAZeroCommitWindow", async () => {
      await rejects({ commitWindow: 0 }, "window");
    });

    it("test_constructor_revertsInvalidParamWindowForAZeroRevealWindow", async () => {
      await rejects({ revealWindow: 0 }, "window");
    });
  });
});

/**
 * ProtocolConfig: the one place where the parameters live (DESIGN §4). Each constructor check, the round trip
 * of lib/protocol/params.ts through `params()`, and the other contracts reading their values from it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type ProtocolParams, defaultParams } from "../../lib/protocol/params.ts";
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
    it("round-trips lib/protocol/params.ts defaultParams field by field", async () => {
      const onChain = await reference.read.params();
      const keys = Object.keys(defaultParams) as (keyof ProtocolParams)[];
      assert.deepEqual(Object.keys(onChain).sort(), [...keys].sort());
      for (const key of keys) {
        assert.equal(BigInt(onChain[key]), BigInt(defaultParams[key]), key);
      }
    });

    it("round-trips non-default values", async () => {
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
      };
      const config = await viem.deployContract("ProtocolConfig", [custom]);
      const onChain = await config.read.params();
      for (const key of Object.keys(custom) as (keyof ProtocolParams)[]) {
        assert.equal(BigInt(onChain[key]), BigInt(custom[key]), key);
      }
    });

    it("is what the deployed contracts use: a genesisGrant override is the grant a registration gets", async () => {
      const s = await setupProtocol(connection, { genesisGrant: 7_000n, creditLimitCap: 123n });
      const [, alice] = s.wallets;
      assert.ok(alice);
      assert.equal((await s.config.read.params()).genesisGrant, 7_000n);
      const a = await s.as(alice);
      await s.wait(await a.registry.write.register([1000, ALL_CAPABILITIES]));
      assert.equal((await s.ledger.read.accountOf([alice.account.address])).genesis, 7_000n);
      assert.equal(await s.ledger.read.genesisIssued(), 7_000n);
    });
  });

  describe("ProtocolConfig.constructor", () => {
    it("reverts InvalidParam(genesisAccounts) when no account would get genesis", async () => {
      await rejects({ genesisAccounts: 0 }, "genesisAccounts");
    });

    it("reverts InvalidParam(creditLimitBps) above 100%", async () => {
      await rejects({ creditLimitBps: 10_001 }, "creditLimitBps");
    });

    it("accepts creditLimitBps of exactly 100%", async () => {
      const config = await deployWith({ creditLimitBps: 10_000 });
      assert.equal((await config.read.params()).creditLimitBps, 10_000);
    });

    it("reverts InvalidParam(maxActiveClaims) when a worker could hold no claim", async () => {
      await rejects({ maxActiveClaims: 0 }, "maxActiveClaims");
    });

    it("reverts InvalidParam(rejectSlashBps) when the claim stake is above 100%", async () => {
      await rejects({ claimStakeBps: 10_001, rejectSlashBps: 1000 }, "rejectSlashBps");
    });

    it("reverts InvalidParam(rejectSlashBps) when the reject slash exceeds the stake locked per claim", async () => {
      await rejects({ claimStakeBps: 1000, rejectSlashBps: 1001 }, "rejectSlashBps");
    });

    it("accepts a reject slash equal to the claim stake", async () => {
      const config = await deployWith({ claimStakeBps: 1500, rejectSlashBps: 1500 });
      assert.equal((await config.read.params()).rejectSlashBps, 1500);
    });

    it("reverts InvalidParam(auditRateBps) above 100%", async () => {
      await rejects({ auditRateBps: 10_001 }, "auditRateBps");
    });

    it("reverts InvalidParam(auditorRewardBps) above 100%", async () => {
      await rejects({ auditorRewardBps: 10_001 }, "auditorRewardBps");
    });

    it("reverts InvalidParam(minBounty) when the verifier fee of the minimum bounty rounds to 0 mCC", async () => {
      // 99 mCC x 1% = 0.99 mCC -> 0.
      await rejects({ minBounty: 99n, verifierFeeBps: 100 }, "minBounty");
    });

    it("reverts InvalidParam(minBounty) when the verifier fee is zero", async () => {
      await rejects({ minBounty: 1_000_000n, verifierFeeBps: 0 }, "minBounty");
    });

    it("accepts the smallest minimum bounty whose verifier fee is 1 mCC", async () => {
      const config = await deployWith({ minBounty: 100n, verifierFeeBps: 100 });
      assert.equal((await config.read.params()).minBounty, 100n);
    });

    it("reverts InvalidParam(window) for a zero claim window", async () => {
      await rejects({ claimWindow: 0 }, "window");
    });

    it("reverts InvalidParam(window) for a zero commit window", async () => {
      await rejects({ commitWindow: 0 }, "window");
    });

    it("reverts InvalidParam(window) for a zero reveal window", async () => {
      await rejects({ revealWindow: 0 }, "window");
    });
  });
});

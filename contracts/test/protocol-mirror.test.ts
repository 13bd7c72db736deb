/**
 * The shared rules are written twice, once in lib/protocol (TypeScript, for the UI and the browser workers)
 * and once in Solidity (contracts/src/libraries and the contracts). This file keeps the two equal: the hashes
 * and the basis-point arithmetic on a few hundred random inputs from a fixed seed, the parameter struct field
 * by field and in the same order, and the task-status enum value by value.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, bytesToHex, keccak256, toHex } from "viem";
import { cidDigest, computeCommitment, computeTaskId } from "../../lib/protocol/hashes.ts";
import {
  BPS_DENOMINATOR,
  type ProtocolParams,
  VerificationMode,
  bpsShare,
  creditLimit,
  defaultParams,
  escrowFor,
} from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { OPERATOR_ROLE } from "../deploy/deploy-protocol.ts";
import { setupProtocol } from "../test-support/fixture.ts";
import { mulberry32 } from "../test-support/random.ts";

const SEED = 0x5eed_2026;
const SAMPLES = 300;

/** mulberry32: a small seeded PRNG, so that a failure reproduces. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  /** An unsigned integer of up to `bits` bits, biased towards edges (0, 1, max) and small values. */
  const uint = (bits: number): bigint => {
    const max = (1n << BigInt(bits)) - 1n;
    const pick = int(8);
    if (pick === 0) return 0n;
    if (pick === 1) return max;
    if (pick === 2) return BigInt(int(1000));
    const width = 1 + int(bits);
    return BigInt(bytesToHex(bytes(Math.ceil(bits / 8)))) & ((1n << BigInt(width)) - 1n);
  };
  return { next, int, bytes, uint, address: (): Address => bytesToHex(bytes(20)), word: (): Hex => bytesToHex(bytes(32)) };
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

describe("lib/protocol mirrors the Solidity rules", async () => {
  const connection = await network.create();
  const { viem } = connection;
  const harness = await viem.deployContract("ProtocolHashesHarness");

  describe("ProtocolHashes", () => {
    it(`taskId equals computeTaskId on ${SAMPLES} random inputs (seed ${SEED})`, async () => {
      const rnd = prng(SEED);
      for (let i = 0; i < SAMPLES; i++) {
        const [chainId, market, requester, nonce] = [rnd.uint(256), rnd.address(), rnd.address(), rnd.uint(256)];
        const onChain = await harness.read.taskId([chainId, market, requester, nonce]);
        assert.equal(computeTaskId(chainId, market, requester, nonce), onChain, `sample ${i}`);
      }
    });

    it(`cidDigest equals on ${SAMPLES} random CIDs of 0..200 bytes, given as bytes and as hex`, async () => {
      const rnd = prng(SEED + 1);
      for (let i = 0; i < SAMPLES; i++) {
        const cid = rnd.bytes(rnd.int(201));
        const onChain = await harness.read.cidDigest([bytesToHex(cid)]);
        assert.equal(cidDigest(cid), onChain, `sample ${i} (${cid.length} bytes)`);
        assert.equal(cidDigest(bytesToHex(cid)), onChain, `sample ${i} as hex`);
      }
    });

    it(`commitment equals computeCommitment on ${SAMPLES} random inputs`, async () => {
      const rnd = prng(SEED + 2);
      for (let i = 0; i < SAMPLES; i++) {
        const [taskId, sender, digest, salt] = [rnd.word(), rnd.address(), rnd.word(), rnd.word()];
        const onChain = await harness.read.commitment([taskId, sender, digest, salt]);
        assert.equal(computeCommitment(taskId, sender, digest, salt), onChain, `sample ${i}`);
      }
    });

    it("the commitment binds every argument: changing any one changes it", async () => {
      const rnd = prng(SEED + 3);
      const [taskId, sender, digest, salt] = [rnd.word(), rnd.address(), rnd.word(), rnd.word()];
      const base = computeCommitment(taskId, sender, digest, salt);
      assert.equal(await harness.read.commitment([taskId, sender, digest, salt]), base);
      const variants = [
        computeCommitment(rnd.word(), sender, digest, salt),
        computeCommitment(taskId, rnd.address(), digest, salt),
        computeCommitment(taskId, sender, rnd.word(), salt),
        computeCommitment(taskId, sender, digest, rnd.word()),
      ];
      assert.equal(new Set([base, ...variants]).size, 5);
    });

    it("known vector: the market's own nextTaskId is computeTaskId(chainId, market, requester, nonce)", async () => {
      const s = await setupProtocol(connection);
      const [, alice] = s.wallets;
      assert.ok(alice);
      const chainId = BigInt(await s.publicClient.getChainId());
      const expected = computeTaskId(chainId, s.market.address, alice.account.address, 0n);
      assert.equal(await s.market.read.nextTaskId([alice.account.address]), expected);
      assert.equal(
        expected,
        keccak256(
          `0x${chainId.toString(16).padStart(64, "0")}${s.market.address.slice(2).toLowerCase().padStart(64, "0")}${alice.account.address.slice(2).toLowerCase().padStart(64, "0")}${"0".repeat(64)}`,
        ),
      );
    });
  });

  describe("Bps and the amounts derived from it", () => {
    it(`Bps.share equals bpsShare on ${SAMPLES} random amounts and shares, rounding down`, async () => {
      const rnd = prng(SEED + 4);
      for (let i = 0; i < SAMPLES; i++) {
        // Amounts up to 2^200 so that amount * bps cannot overflow in Solidity (which would revert).
        const amount = rnd.uint(200);
        const bps = rnd.int(3) === 0 ? [0, 1, 9_999, 10_000][rnd.int(4)]! : rnd.int(10_001);
        const onChain = await harness.read.share([amount, BigInt(bps)]);
        assert.equal(bpsShare(amount, bps), onChain, `sample ${i}: ${amount} x ${bps}`);
      }
      assert.equal(bpsShare(199n, 50), 0n);
      assert.equal(await harness.read.share([199n, 50n]), 0n);
      assert.equal(BPS_DENOMINATOR, 10_000n);
    });

    const custom: Partial<ProtocolParams> = {
      verifierFeeBps: 250,
      platformFeeBps: 75,
      creditLimitBps: 3_333,
      creditLimitCap: 7_777n,
      minBounty: 40n,
    };

    for (const [label, overrides] of [
      ["default", {}],
      ["custom", custom],
    ] as const) {
      it(`escrowFor equals TaskMarket.escrowFor for both modes on ${SAMPLES} random bounties (${label} params)`, async () => {
        const s = await setupProtocol(connection, overrides);
        const params = { ...defaultParams, ...overrides };
        const rnd = prng(SEED + 5);
        for (let i = 0; i < SAMPLES; i++) {
          const bounty = rnd.uint(rnd.int(2) === 0 ? 40 : 128);
          for (const mode of [VerificationMode.Replicated, VerificationMode.Zk]) {
            const onChain = await s.market.read.escrowFor([bounty, mode]);
            assert.equal(escrowFor(bounty, mode, params), onChain, `sample ${i}: bounty ${bounty}, mode ${mode}`);
          }
        }
        // One exact value each, so that both sides agreeing on a wrong formula would not pass.
        const fees = (bps: number) => (1_000n * BigInt(bps)) / 10_000n;
        assert.equal(
          await s.market.read.escrowFor([1_000n, VerificationMode.Replicated]),
          1_000n + fees(params.platformFeeBps) + 2n * fees(params.verifierFeeBps),
        );
        assert.equal(await s.market.read.escrowFor([1_000n, VerificationMode.Zk]), 1_000n + fees(params.platformFeeBps));
      });

      it(`creditLimit equals CreditLedger.creditLimit for ${SAMPLES / 3} random earned amounts (${label} params)`, async () => {
        const s = await setupProtocol(connection, overrides);
        const params = { ...defaultParams, ...overrides };
        const [operator] = s.wallets;
        assert.ok(operator);
        // The test account becomes an operator so that it can give accounts any `earned` amount the honest way:
        // a slash of a throwaway account fills the treasury, and a treasury payment is earned credit.
        await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, operator.account.address]));
        const rnd = prng(SEED + 6);
        const cap = params.creditLimitCap;
        const edges = [0n, 1n, 2n, (cap * 10_000n) / BigInt(params.creditLimitBps), (cap * 10_000n) / BigInt(params.creditLimitBps) + 1n];
        for (let i = 0; i < SAMPLES / 3; i++) {
          const earned = i < edges.length ? edges[i]! : rnd.int(2) === 0 ? BigInt(rnd.int(Number(cap) * 3)) : rnd.uint(60);
          const account = rnd.address();
          if (earned > 0n) {
            await s.wait(await s.ledger.write.slash([rnd.address(), earned]));
            await s.wait(await s.ledger.write.payFromTreasury([account, earned]));
          }
          assert.equal((await s.ledger.read.accountOf([account])).earned, earned);
          const onChain = await s.ledger.read.creditLimit([account]);
          assert.equal(creditLimit(earned, params), onChain, `sample ${i}: earned ${earned}`);
        }
        assert.equal(creditLimit(10n ** 12n, params), cap);
      });
    }
  });

  describe("ProtocolConfig.params and ProtocolParams", () => {
    it("a default deploy's params() equals defaultParams field by field, with the same JS types", async () => {
      const s = await setupProtocol(connection);
      const onChain = await s.config.read.params();
      assert.deepStrictEqual({ ...onChain }, defaultParams);
      for (const key of Object.keys(defaultParams) as (keyof ProtocolParams)[]) {
        assert.strictEqual(onChain[key], defaultParams[key], key);
      }
    });

    it("the Solidity struct and the TS type have the same field names in the same order", async () => {
      const s = await setupProtocol(connection);
      const fn = s.config.abi.find((item) => item.type === "function" && item.name === "params");
      assert.ok(fn && fn.type === "function");
      const [output] = fn.outputs;
      assert.ok(output && "components" in output);
      assert.deepEqual(
        output.components.map((c) => c.name),
        Object.keys(defaultParams),
      );
      // And the ProtocolConfig constructor takes the same struct, so a deploy with the TS object is positional-safe.
      const ctor = s.config.abi.find((item) => item.type === "constructor");
      assert.ok(ctor && ctor.type === "constructor");
      const [input] = ctor.inputs;
      assert.ok(input && "components" in input);
      assert.deepEqual(
        input.components.map((c) => c.name),
        Object.keys(defaultParams),
      );
    });
  });

  describe("TaskStatus and VerificationMode", () => {
    const source = readFileSync(new URL("../src/interfaces/ITaskMarket.sol", import.meta.url), "utf8");
    const enumMembers = (name: string): string[] => {
      const body = new RegExp(`enum ${name}\\s*\\{([^}]*)\\}`).exec(source)?.[1];
      assert.ok(body, `enum ${name} not found in ITaskMarket.sol`);
      return body
        .split(",")
        .map((m) => m.replace(/\/\/.*$/gm, "").trim())
        .filter(Boolean);
    };

    it("the TS TaskStatus has the Solidity enum's members, in the same order, numbered from 0", () => {
      const members = enumMembers("TaskStatus");
      assert.deepEqual(Object.keys(TaskStatus), members);
      assert.deepEqual(
        Object.values(TaskStatus),
        members.map((_, i) => i),
      );
    });

    it("the TS VerificationMode has the Solidity enum's members, in the same order", () => {
      const members = enumMembers("VerificationMode");
      assert.deepEqual(Object.keys(VerificationMode), members);
      assert.deepEqual(
        Object.values(VerificationMode),
        members.map((_, i) => i),
      );
    });

    it("the ABI of taskOf returns the status as the uint8 of ITaskMarket.TaskStatus", async () => {
      const s = await setupProtocol(connection);
      const fn = s.market.abi.find((item) => item.type === "function" && item.name === "taskOf");
      assert.ok(fn && fn.type === "function");
      const [output] = fn.outputs;
      assert.ok(output && "components" in output);
      const status = output.components.find((c) => c.name === "status");
      assert.deepEqual(status && { type: status.type, internalType: status.internalType }, {
        type: "uint8",
        internalType: "enum ITaskMarket.TaskStatus",
      });
    });

    it("driving tasks through every status reads back the TS TaskStatus value at each step", async () => {
      const s = await setupProtocol(connection, { auditRateBps: 0 });
      const { networkHelpers } = connection;
      const [, requester, worker, ...pool] = s.wallets;
      assert.ok(requester && worker && pool.length >= 5);
      const members = pool.slice(0, 5);
      await s.registerWorker(requester, 0n, false);
      const w = await s.registerWorker(worker, 5_000n, false);
      const handles = new Map<string, Awaited<ReturnType<typeof s.as>>>();
      for (const m of members) handles.set(m.account.address.toLowerCase(), await s.registerWorker(m, 5_000n, true));
      const req = await s.as(requester);
      const handle = (a: Address) => {
        const h = handles.get(a.toLowerCase());
        assert.ok(h, `unknown member ${a}`);
        return h;
      };
      const status = async (id: Hex) => (await s.market.read.taskOf([id])).status;

      /** Runs a replicated round in which member 1 reports `verifierA` and member 2 reports `verifierB`. */
      async function acceptRound(id: Hex, workerOutput: string, verifierA: string, verifierB: string) {
        await s.wait(await w.market.write.claim([id]));
        assert.equal(await status(id), TaskStatus.Claimed);
        const out = s.result(id, worker!.account.address, workerOutput);
        await s.wait(await w.market.write.commit([id, out.commitment]));
        await s.drawVerifiers(id);
        assert.equal(await status(id), TaskStatus.Committed);
        const round = await s.market.read.roundOf([id]);
        const [a, b] = [round.members[1].account, round.members[2].account];
        const ra = s.result(id, a, verifierA);
        const rb = s.result(id, b, verifierB);
        await s.wait(await handle(a).market.write.commit([id, ra.commitment]));
        await s.wait(await handle(b).market.write.commit([id, rb.commitment]));
        await s.wait(await w.market.write.reveal([id, out.cid, out.salt]));
        assert.equal(await status(id), TaskStatus.Revealing);
        await s.wait(await handle(a).market.write.reveal([id, ra.cid, ra.salt]));
        await s.wait(await handle(b).market.write.reveal([id, rb.cid, rb.salt]));
        await s.wait(await s.market.write.settle([id]));
        assert.equal(await status(id), TaskStatus.Accepted);
        return [a, b];
      }

      /** A forced audit in which every auditor reports `auditorOutput`. */
      async function audit(id: Hex, auditorOutput: string) {
        await s.wait(await req.market.write.forceAudit([id]));
        await s.drawAuditors(id);
        assert.equal(await status(id), TaskStatus.Auditing);
        const auditors = (await s.market.read.auditOf([id])).members.map((m) => m.account);
        const results = auditors.map((a) => s.result(id, a, auditorOutput));
        for (const [i, a] of auditors.entries()) await s.wait(await handle(a).market.write.commit([id, results[i]!.commitment]));
        for (const [i, a] of auditors.entries()) {
          await s.wait(await handle(a).market.write.reveal([id, results[i]!.cid, results[i]!.salt]));
        }
        await s.wait(await s.market.write.finalizeAudit([id]));
      }

      assert.equal(await status(toHex(0n, { size: 32 })), TaskStatus.None);
      const clean = await s.post(requester);
      assert.equal(await status(clean), TaskStatus.Open);
      await acceptRound(clean, "good", "good", "good");
      await audit(clean, "good");
      assert.equal(await status(clean), TaskStatus.Final);

      const fraud = await s.post(requester);
      await acceptRound(fraud, "lie", "lie", "good");
      await audit(fraud, "good");
      assert.equal(await status(fraud), TaskStatus.Fraudulent);

      const cancelled = await s.post(requester);
      await s.wait(await req.market.write.cancel([cancelled]));
      assert.equal(await status(cancelled), TaskStatus.Cancelled);

      const now = Number((await s.publicClient.getBlock()).timestamp);
      const expired = await s.post(requester, { deadline: now + 100 });
      await networkHelpers.time.increase(200);
      await s.wait(await s.market.write.expire([expired]));
      assert.equal(await status(expired), TaskStatus.Expired);
      assert.ok(sameAddress((await s.market.read.taskOf([expired])).requester, requester.account.address));
    });
  });
});

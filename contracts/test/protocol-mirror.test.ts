/**
 * The shared rules are written twice, once in lib/protocol (TypeScript, for the UI and the browser workers)
 * and once in Solidity (contracts/src/libraries and the contracts). This file keeps the two equal: the hashes
 * and the basis-point arithmetic on a few hundred random inputs from a fixed seed, the amounts derived from the
 * parameters (escrowFor with its audit reserve, workValue, creditLimit) against what the contracts compute, the
 * parameter struct field by field and in the same order, and the task-status enum value by value.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, bytesToHex, keccak256, parseEventLogs, toHex } from "viem";
import { cidDigest, computeCommitment, computeTaskId } from "../../lib/protocol/hashes.ts";
import {
  BPS_DENOMINATOR,
  type ProtocolParams,
  REFERENCE_MS_PER_MCC,
  VerificationMode,
  auditReserve,
  bpsShare,
  creditLimit,
  defaultParams,
  escrowFor,
  workValue,
} from "../../lib/protocol/params.ts";
import { RejectReason, TaskStatus, allowedTransitions, terminalStatuses } from "../../lib/protocol/status.ts";
import { outputCid } from "../../wasm-tasks/digest.ts";
import { taskTypes as taskTypeModules } from "../../wasm-tasks/index.ts";
import { inputRejectedOutput } from "../../wasm-tasks/input-rejected.ts";
import { OPERATOR_ROLE, genesisTaskTypes } from "../deploy/deploy-protocol.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";
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
  const connection = await network.create({ chainType: "l1" });
  const { viem } = connection;
  const harness = await viem.deployContract("ProtocolHashesHarness");

  describe("ProtocolHashes", () => {
    it(`test_taskId_equalsComputeTaskId (${SAMPLES} random inputs, seed ${SEED})`, async () => {
      const rnd = prng(SEED);
      for (let i = 0; i < SAMPLES; i++) {
        const [chainId, market, requester, nonce] = [rnd.uint(256), rnd.address(), rnd.address(), rnd.uint(256)];
        const onChain = await harness.read.taskId([chainId, market, requester, nonce]);
        assert.equal(computeTaskId(chainId, market, requester, nonce), onChain, `sample ${i}`);
      }
    });

    it(`test_cidDigest_equalsForBytesAndHex (${SAMPLES} random CIDs of 0..200 bytes)`, async () => {
      const rnd = prng(SEED + 1);
      for (let i = 0; i < SAMPLES; i++) {
        const cid = rnd.bytes(rnd.int(201));
        const onChain = await harness.read.cidDigest([bytesToHex(cid)]);
        assert.equal(cidDigest(cid), onChain, `sample ${i} (${cid.length} bytes)`);
        assert.equal(cidDigest(bytesToHex(cid)), onChain, `sample ${i} as hex`);
      }
    });

    it(`test_commitment_equalsComputeCommitment (${SAMPLES} random inputs)`, async () => {
      const rnd = prng(SEED + 2);
      for (let i = 0; i < SAMPLES; i++) {
        const [taskId, sender, digest, salt] = [rnd.word(), rnd.address(), rnd.word(), rnd.word()];
        const onChain = await harness.read.commitment([taskId, sender, digest, salt]);
        assert.equal(computeCommitment(taskId, sender, digest, salt), onChain, `sample ${i}`);
      }
    });

    it("test_commitment_bindsEveryArgument", async () => {
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

    it("test_nextTaskId_isComputeTaskIdOfChainMarketRequesterNonce", async () => {
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
    it(`test_bpsShare_equalsBpsShareRoundingDown (${SAMPLES} random amounts and shares)`, async () => {
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
      it(`test_escrowFor_equalsTaskMarketEscrowForInBothModesWithTheAuditReserve (${label} params, ${SAMPLES} random bounties)`, async () => {
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
        // One exact value each, so that both sides agreeing on a wrong formula would not pass: the platform fee
        // and the audit reserve (three auditors' fees) in both modes, plus two verifiers' fees if replicated.
        const fee = (bps: number) => (1_000n * BigInt(bps)) / 10_000n;
        const reserve = 3n * fee(params.verifierFeeBps);
        assert.equal(auditReserve(1_000n, params), reserve);
        assert.equal(
          await s.market.read.escrowFor([1_000n, VerificationMode.Replicated]),
          1_000n + fee(params.platformFeeBps) + 2n * fee(params.verifierFeeBps) + reserve,
        );
        assert.equal(
          await s.market.read.escrowFor([1_000n, VerificationMode.Zk]),
          1_000n + fee(params.platformFeeBps) + reserve,
        );
      });

      it(`test_creditLimit_equalsCreditLedgerCreditLimit (${label} params, ${SAMPLES / 3} random earned amounts)`, async () => {
        const s = await setupProtocol(connection, overrides);
        const params = { ...defaultParams, ...overrides };
        const [operator] = s.wallets;
        assert.ok(operator);
        // The test account becomes an operator so that it can give accounts any `earned` amount: a release of a
        // 1 mCC escrow that counts `earned` of work credit. (The market never counts more work credit than the
        // pay; the ledger does not check it, which is what lets this test reach every amount.)
        await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, operator.account.address]));
        const funder = operator.account.address;
        await s.wait(await s.ledger.write.grantGenesis([funder]));
        const rnd = prng(SEED + 6);
        const cap = params.creditLimitCap;
        const atCap = (cap * 10_000n) / BigInt(params.creditLimitBps);
        const edges = [0n, 1n, 2n, atCap, atCap + 1n];
        for (let i = 0; i < SAMPLES / 3; i++) {
          const earned = i < edges.length ? edges[i]! : rnd.int(2) === 0 ? BigInt(rnd.int(Number(cap) * 3)) : rnd.uint(60);
          const account = rnd.address();
          if (earned > 0n) {
            const task = rnd.word();
            await s.wait(await s.ledger.write.escrow([task, funder, 1n]));
            await s.wait(
              await s.ledger.write.release([
                task,
                funder,
                [{ account, pay: 1n, workCredit: earned, iou: false, unlock: 0n, slash: 0n }],
                0n,
              ]),
            );
          }
          assert.equal((await s.ledger.read.accountOf([account])).earned, earned);
          const onChain = await s.ledger.read.creditLimit([account]);
          assert.equal(creditLimit(earned, params), onChain, `sample ${i}: earned ${earned}`);
        }
        assert.equal(creditLimit(10n ** 12n, params), cap);
      });
    }
  });

  describe("workValue and TaskMarket.post", () => {
    /** Posts (then cancels, so that the requester's credit lasts) and returns what post stored and emitted. */
    async function postAndRead(
      s: Awaited<ReturnType<typeof setupProtocol>>,
      requester: (typeof s.wallets)[number],
      typeId: number,
      inputBytes: number,
      zk = false,
    ) {
      const req = await s.as(requester);
      const taskId = await s.market.read.nextTaskId([requester.account.address]);
      const hash = await req.market.write.post([
        {
          typeId,
          mode: zk ? VerificationMode.Zk : VerificationMode.Replicated,
          bounty: 100,
          deadline: 2 ** 32 - 1,
          claimWindow: 0,
          inputBytes,
          preferredWorker: ZERO_ADDRESS,
          zkInputCommitment: zk ? 1n : 0n,
          inputCid: toHex(`bafy-mirror-${inputBytes}`),
          spec: toHex("{}"),
        },
      ]);
      const receipt = await s.wait(hash);
      const [posted] = parseEventLogs({ abi: s.market.abi, logs: receipt.logs, eventName: "TaskPosted" });
      assert.ok(posted);
      const stored = (await s.market.read.taskOf([taskId])).workValue;
      await s.wait(await req.market.write.cancel([taskId]));
      return { emitted: posted.args.workValue, stored: BigInt(stored) };
    }

    it(`test_workValue_equalsWhatTaskMarketPostStoresAndEmits (${SAMPLES / 5} random cost models and input sizes)`, async () => {
      const s = await setupProtocol(connection);
      const [, requester] = s.wallets;
      assert.ok(requester);
      await s.registerWorker(requester, 0n, false);
      // An extra replicated type whose cost model each sample sets.
      const typeId = genesisTaskTypes.length;
      const digest = keccak256(toHex("mirror-input-rejected"));
      const policy = (m: { msBase: number; msPerMiB: number }) => ({
        zkVerifier: ZERO_ADDRESS,
        modes: 1,
        active: true,
        workMsBase: m.msBase,
        workMsPerMiB: m.msPerMiB,
      });
      await s.wait(await s.taskTypes.write.addTaskType(["mirror", "", digest, policy({ msBase: 0, msPerMiB: 0 })]));
      const MAX32 = 2 ** 32 - 1;
      const MIB = 1 << 20;
      const ms = Number(REFERENCE_MS_PER_MCC);
      // Edges first: nothing, one ms under and at 1 mCC, one byte under and at 1 MiB, and the 24-bit cap.
      const edges: [{ msBase: number; msPerMiB: number }, number][] = [
        [{ msBase: 0, msPerMiB: 0 }, MAX32],
        [{ msBase: ms - 1, msPerMiB: 0 }, 0],
        [{ msBase: ms, msPerMiB: 0 }, 0],
        [{ msBase: 0, msPerMiB: ms }, MIB - 1],
        [{ msBase: 0, msPerMiB: ms }, MIB],
        [{ msBase: MAX32, msPerMiB: MAX32 }, MAX32],
        [{ msBase: 0, msPerMiB: MAX32 }, MIB],
      ];
      const rnd = prng(SEED + 7);
      for (let i = 0; i < SAMPLES / 5; i++) {
        const [model, inputBytes] =
          i < edges.length ? edges[i]! : [{ msBase: Number(rnd.uint(32)), msPerMiB: Number(rnd.uint(32)) }, Number(rnd.uint(32))];
        await s.wait(await s.taskTypes.write.updateTaskType([typeId, "", digest, policy(model)]));
        const { emitted, stored } = await postAndRead(s, requester, typeId, inputBytes);
        const expected = workValue(model, inputBytes);
        assert.equal(stored, expected, `sample ${i}: ${JSON.stringify(model)} x ${inputBytes} bytes (stored)`);
        assert.equal(emitted, expected, `sample ${i}: ${JSON.stringify(model)} x ${inputBytes} bytes (TaskPosted)`);
      }
      // Exact values, so that both sides agreeing on a wrong formula would not pass.
      assert.equal(workValue({ msBase: ms - 1, msPerMiB: 0 }, 0), 0n);
      assert.equal(workValue({ msBase: 0, msPerMiB: ms }, MIB), 1n);
      assert.equal(workValue({ msBase: 0, msPerMiB: ms }, MIB - 1), 0n);
      assert.equal(workValue({ msBase: MAX32, msPerMiB: MAX32 }, MAX32), 0xffffffn);
    });

    it("test_workValue_ofEveryGenesisTypeWithItsWasmTasksModelEqualsWhatPostStores", async () => {
      const s = await setupProtocol(connection);
      const [, requester] = s.wallets;
      assert.ok(requester);
      await s.registerWorker(requester, 0n, false);
      const rnd = prng(SEED + 8);
      for (const [typeId, seed] of genesisTaskTypes.entries()) {
        const model = taskTypeModules[seed.name]?.workModel;
        assert.ok(model, seed.name);
        for (const inputBytes of [0, 1 << 20, Number(rnd.uint(28)), Number(rnd.uint(32))]) {
          const { emitted, stored } = await postAndRead(s, requester, typeId, inputBytes, seed.modes === 2);
          assert.equal(stored, workValue(model, inputBytes), `${seed.name} x ${inputBytes} bytes`);
          assert.equal(emitted, stored);
        }
      }
    });
  });

  describe("ProtocolConfig.params and ProtocolParams", () => {
    it("test_params_ofADefaultDeployEqualDefaultParamsFieldByField", async () => {
      const s = await setupProtocol(connection);
      const onChain = await s.config.read.params();
      assert.deepStrictEqual({ ...onChain }, defaultParams);
      for (const key of Object.keys(defaultParams) as (keyof ProtocolParams)[]) {
        assert.strictEqual(onChain[key], defaultParams[key], key);
      }
    });

    it("test_params_haveTheSameFieldNamesInTheSameOrder", async () => {
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

  describe("the parameters issue 9 added", () => {
    it("test_params_expirySlashBpsAndInputRejectedPayBpsCloseTheStructWithTheirDefaults", async () => {
      const s = await setupProtocol(connection);
      const keys = Object.keys(defaultParams);
      assert.deepEqual(keys.slice(-2), ["expirySlashBps", "inputRejectedPayBps"]);
      assert.deepEqual([defaultParams.expirySlashBps, defaultParams.inputRejectedPayBps], [100, 1000]);
      const onChain = await s.config.read.params();
      assert.deepEqual([onChain.expirySlashBps, onChain.inputRejectedPayBps], [100, 1000]);
      const fn = s.config.abi.find((item) => item.type === "function" && item.name === "params");
      assert.ok(fn && fn.type === "function");
      const [output] = fn.outputs;
      assert.ok(output && "components" in output);
      assert.deepEqual(
        output.components.slice(-2).map((c) => [c.name, c.type]),
        [
          ["expirySlashBps", "uint16"],
          ["inputRejectedPayBps", "uint16"],
        ],
      );
    });

    it("test_params_tsTypesMatchTheSolidityWidths", async () => {
      const s = await setupProtocol(connection);
      const fn = s.config.abi.find((item) => item.type === "function" && item.name === "params");
      assert.ok(fn && fn.type === "function");
      const [output] = fn.outputs;
      assert.ok(output && "components" in output);
      for (const c of output.components) {
        const bits = Number(c.type.replace("uint", ""));
        const value = defaultParams[c.name as keyof ProtocolParams];
        assert.equal(typeof value, bits > 48 ? "bigint" : "number", `${c.name} (${c.type})`);
      }
    });
  });

  describe("TaskStatus and VerificationMode", () => {
    const source = readFileSync(new URL("../src/interfaces/ITaskMarket.sol", import.meta.url), "utf8");
    const enumMembers = (name: string): string[] => {
      const body = new RegExp(`enum ${name}\\s*\\{([^}]*)\\}`).exec(source)?.[1];
      assert.ok(body, `enum ${name} not found in ITaskMarket.sol`);
      // Comments first: a member's comment may hold a comma of its own.
      return body
        .replace(/\/\/.*$/gm, "")
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean);
    };

    it("test_taskStatus_hasTheSolidityMembersInOrder", () => {
      const members = enumMembers("TaskStatus");
      assert.deepEqual(Object.keys(TaskStatus), members);
      assert.deepEqual(
        Object.values(TaskStatus),
        members.map((_, i) => i),
      );
    });

    it("test_taskStatus_inputRejectedIs11AndTerminal", () => {
      assert.equal(TaskStatus.InputRejected, 11);
      const noWayOut = (Object.values(TaskStatus) as TaskStatus[]).filter((st) => allowedTransitions[st].length === 0);
      assert.deepEqual([...noWayOut].sort(), [...terminalStatuses].sort());
      assert.ok(allowedTransitions[TaskStatus.Accepted].includes(TaskStatus.InputRejected));
      assert.ok(allowedTransitions[TaskStatus.Auditing].includes(TaskStatus.InputRejected));
    });

    it("test_rejectReason_hasTheSolidityMembersInOrder", () => {
      const members = enumMembers("RejectReason");
      assert.deepEqual(Object.keys(RejectReason), members);
      assert.deepEqual(
        Object.values(RejectReason),
        members.map((_, i) => i),
      );
    });

    it("test_verificationMode_hasTheSolidityMembersInOrder", () => {
      const members = enumMembers("VerificationMode");
      assert.deepEqual(Object.keys(VerificationMode), members);
      assert.deepEqual(
        Object.values(VerificationMode),
        members.map((_, i) => i),
      );
    });

    it("test_taskOf_returnsTheStatusAsTheUint8OfTheEnum", async () => {
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

    it("test_taskStatus_readsBackAtEveryStatusOfRealTasks", async () => {
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

      // The canonical "input cannot be processed" output of image-resize (type 0), as every replica would publish it.
      const REJECTED = "<input-rejected>";
      const rejectedCid = bytesToHex((await outputCid(inputRejectedOutput(genesisTaskTypes[0]!.name))).bytes);
      assert.equal(cidDigest(rejectedCid), await s.taskTypes.read.rejectedDigestOf([0]));
      const resultOf = (id: Hex, sender: Address, output: string) => {
        if (output !== REJECTED) return s.result(id, sender, output);
        const salt = keccak256(toHex(`rejected-${sender}`));
        return { cid: rejectedCid, salt, commitment: computeCommitment(id, sender, cidDigest(rejectedCid), salt) };
      };

      /** Runs a replicated round in which member 1 reports `verifierA` and member 2 reports `verifierB`. */
      async function acceptRound(id: Hex, workerOutput: string, verifierA: string, verifierB: string) {
        await s.wait(await w.market.write.claim([id]));
        assert.equal(await status(id), TaskStatus.Claimed);
        const out = resultOf(id, worker!.account.address, workerOutput);
        await s.wait(await w.market.write.commit([id, out.commitment]));
        await s.drawVerifiers(id);
        assert.equal(await status(id), TaskStatus.Committed);
        const round = await s.market.read.roundOf([id]);
        const [a, b] = [round.members[1].account, round.members[2].account];
        const ra = resultOf(id, a, verifierA);
        const rb = resultOf(id, b, verifierB);
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
        const results = auditors.map((a) => resultOf(id, a, auditorOutput));
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

      const rejected = await s.post(requester);
      await acceptRound(rejected, REJECTED, REJECTED, REJECTED);
      assert.equal((await s.market.read.roundOf([rejected])).inputRejected, true);
      await networkHelpers.time.increase(defaultParams.auditWindow + 1);
      await s.wait(await s.market.write.finalize([rejected]));
      assert.equal(await status(rejected), TaskStatus.InputRejected);

      const rejectedAudited = await s.post(requester);
      await acceptRound(rejectedAudited, REJECTED, REJECTED, "good");
      await audit(rejectedAudited, REJECTED);
      assert.equal(await status(rejectedAudited), TaskStatus.InputRejected);

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

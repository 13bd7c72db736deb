/**
 * Meta-transactions (ERC-2771) through ComputeCreditForwarder (OpenZeppelin's ERC2771Forwarder): a relayed
 * call acts for the signer of the request, never for the relayer, and the relayer pays the gas. Signers here
 * are fresh local keys that never hold ether, as a browser burner wallet would be.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import {
  type Address,
  type Hex,
  type LocalAccount,
  concat,
  encodeFunctionData,
  keccak256,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { VerificationMode, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { forwardRequestTypes } from "../../lib/protocol/forwarder.ts";
import { OPERATOR_ROLE } from "../deploy/deploy-protocol.ts";
import { ALL_CAPABILITIES, ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";

const GRANT = defaultParams.genesisGrant;

/** Deterministic fresh keys: never funded with ether. */
const burner = (label: string) => privateKeyToAccount(keccak256(toHex(`computecredit-burner-${label}`)));

describe("ComputeCreditForwarder", async () => {
  const connection = await network.create({ chainType: "l1" });
  const { viem, networkHelpers } = connection;

  async function relayFixture() {
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [gov, relayer, attacker, victim] = s.wallets;
    const op = s.wallets[19];
    assert.ok(gov && relayer && attacker && victim && op);
    const forwarder = await viem.getContractAt("ComputeCreditForwarder", s.forwarder.address, { client: { wallet: relayer } });
    const [, name, version, chainId, verifyingContract] = await s.forwarder.read.eip712Domain();
    const domain = { name, version, chainId, verifyingContract };
    await s.wait(await s.ledger.write.grantRole([OPERATOR_ROLE, op.account.address]));
    const opLedger = await viem.getContractAt("CreditLedger", s.ledger.address, { client: { wallet: op } });

    // Transferable credit is the other side of someone's debt: a lender earns a credit line from the funder's
    // genesis (as verified work), sends the genesis back, and then pays out of its credit line.
    const [lender, funder] = [s.wallets[17]!.account.address, s.wallets[18]!.account.address];
    let taskCounter = 0;
    const fundingTasks: Hex[] = [];
    const newTask = () => {
      const t = keccak256(toHex(`meta-funding-${taskCounter++}`));
      fundingTasks.push(t);
      return t;
    };
    const pay = (account: Address, amount: bigint, workCredit = 0n) => [
      { account, pay: amount, workCredit, iou: false, unlock: 0n, slash: 0n },
    ];
    await s.wait(await opLedger.write.grantGenesis([funder]));
    const earn = newTask();
    await s.wait(await opLedger.write.escrow([earn, funder, GRANT]));
    await s.wait(await opLedger.write.release([earn, funder, pay(lender, GRANT, GRANT), 0n]));
    const back = newTask();
    await s.wait(await opLedger.write.escrow([back, lender, GRANT]));
    await s.wait(await opLedger.write.release([back, lender, pay(funder, GRANT), 0n]));
    /** Pays `to` `amount` of transferable credit out of the lender's credit line (5 CC). */
    async function fundTransferable(to: Address, amount: bigint) {
      const t = newTask();
      await s.wait(await opLedger.write.escrow([t, lender, amount]));
      await s.wait(await opLedger.write.release([t, lender, pay(to, amount), 0n]));
    }
    /** Credit conservation over `accounts`, the lender, the funder and the funding tasks. */
    async function assertConserved(accounts: Address[], tasks: Hex[] = []) {
      const totals = await s.creditTotals([...accounts, lender, funder], [...fundingTasks, ...tasks]);
      assert.equal(totals.held, totals.issued);
    }
    return { s, gov, relayer, attacker, victim, op, opLedger, forwarder, domain, fundTransferable, assertConserved };
  }
  type F = Awaited<ReturnType<typeof relayFixture>>;
  const load = () => networkHelpers.loadFixture(relayFixture);

  const latest = async (f: F) => (await f.s.publicClient.getBlock()).timestamp;

  /**
   * A signed ForwardRequestData: `signer` signs a request claiming to come from `from` (the signer itself
   * unless a forgery is wanted), with the forwarder's current nonce for `from`.
   */
  async function signRequest(
    f: F,
    signer: LocalAccount,
    to: Address,
    data: Hex,
    opts: { from?: Address; deadline?: bigint; gas?: bigint } = {},
  ) {
    const from = opts.from ?? signer.address;
    const deadline = opts.deadline ?? (await latest(f)) + 3600n;
    const gas = opts.gas ?? 1_000_000n;
    const nonce = await f.s.forwarder.read.nonces([from]);
    const signature = await signer.signTypedData({
      domain: f.domain,
      types: forwardRequestTypes,
      primaryType: "ForwardRequest",
      message: { from, to, value: 0n, gas, nonce, deadline: Number(deadline), data },
    });
    return { from, to, value: 0n, gas, deadline: Number(deadline), data, signature };
  }

  const registerData = (rate = 1000) =>
    encodeFunctionData({ abi: [registerAbi], functionName: "register", args: [rate, ALL_CAPABILITIES] });
  const registerAbi = {
    type: "function",
    name: "register",
    stateMutability: "nonpayable",
    inputs: [
      { name: "rateMilli", type: "uint32" },
      { name: "capabilities", type: "uint256" },
    ],
    outputs: [],
  } as const;

  async function relayedRegister(f: F, signer: LocalAccount) {
    const req = await signRequest(f, signer, f.s.registry.address, registerData());
    return f.s.wait(await f.forwarder.write.execute([req]));
  }

  describe("ComputeCreditForwarder.execute", () => {
    it("relays register for the signer, not the relayer, with the relayer paying the gas", async () => {
      const f = await load();
      const { s, relayer } = f;
      const signer = burner("register");
      const relayerEthBefore = await s.publicClient.getBalance({ address: relayer.account.address });
      const req = await signRequest(f, signer, s.registry.address, registerData(1234));
      assert.equal(await s.forwarder.read.verify([req]), true);
      const hash = await f.forwarder.write.execute([req]);
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkerRegistered", [signer.address, 1234n, ALL_CAPABILITIES, GRANT]);
      await viem.assertions.emitWithArgs(hash, s.forwarder, "ExecutedForwardRequest", [signer.address, 0n, true]);
      const receipt = await s.wait(hash);
      assert.equal(await s.registry.read.isRegistered([signer.address]), true);
      assert.equal((await s.registry.read.workerOf([signer.address])).rateMilli, 1234);
      assert.equal(await s.registry.read.isRegistered([relayer.account.address]), false);
      assert.equal((await s.ledger.read.accountOf([signer.address])).genesis, GRANT);
      assert.equal(await s.ledger.read.hasGenesis([relayer.account.address]), false);
      assert.equal(await s.publicClient.getBalance({ address: signer.address }), 0n);
      const relayerEthAfter = await s.publicClient.getBalance({ address: relayer.account.address });
      assert.equal(relayerEthBefore - relayerEthAfter, receipt.gasUsed * receipt.effectiveGasPrice);
      assert.equal(await s.forwarder.read.nonces([signer.address]), 1n);
    });

    it("relays market.post for the signer: the task is the signer's and its escrow the signer's genesis", async () => {
      const f = await load();
      const { s, relayer } = f;
      const signer = burner("poster");
      await relayedRegister(f, signer);
      const taskId = await s.market.read.nextTaskId([signer.address]);
      const params = {
        typeId: 0,
        mode: VerificationMode.Replicated,
        bounty: 1_000,
        deadline: Number((await latest(f)) + 3600n),
        claimWindow: 0,
        inputBytes: 1_000,
        preferredWorker: ZERO_ADDRESS,
        zkInputCommitment: 0n,
        inputCid: toHex("bafy-relayed-input"),
        spec: toHex('{"width":8,"height":8}'),
      } as const;
      const data = encodeFunctionData({ abi: s.market.abi, functionName: "post", args: [params] });
      const req = await signRequest(f, signer, s.market.address, data);
      const hash = await f.forwarder.write.execute([req]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Escrowed", [
        taskId,
        signer.address,
        escrowFor(1_000n, VerificationMode.Replicated),
        escrowFor(1_000n, VerificationMode.Replicated),
      ]);
      const task = await s.market.read.taskOf([taskId]);
      assert.equal(task.requester.toLowerCase(), signer.address.toLowerCase());
      assert.equal(await s.market.read.nonces([signer.address]), 1n);
      assert.equal(await s.market.read.nonces([relayer.account.address]), 0n);
      assert.equal(
        (await s.ledger.read.accountOf([signer.address])).genesis,
        GRANT - escrowFor(1_000n, VerificationMode.Replicated),
      );
      await f.assertConserved([signer.address, relayer.account.address], [taskId]);
    });

    it("relays ledger.transfer of the signer's transferable credit", async () => {
      const f = await load();
      const { s, relayer } = f;
      const signer = burner("payer");
      await f.fundTransferable(signer.address, 700n);
      const data = encodeFunctionData({ abi: s.ledger.abi, functionName: "transfer", args: [relayer.account.address, 300n] });
      const hash = await f.forwarder.write.execute([await signRequest(f, signer, s.ledger.address, data)]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Transferred", [signer.address, relayer.account.address, 300n]);
      assert.equal((await s.ledger.read.accountOf([signer.address])).balance, 400n);
      assert.equal((await s.ledger.read.accountOf([relayer.account.address])).balance, 300n);
      await f.assertConserved([signer.address, relayer.account.address]);
    });

    it("relays stake and joinVerifierPool for the signer: the signer is in the pool from the next block", async () => {
      const f = await load();
      const { s, relayer } = f;
      const signer = burner("verifier");
      await relayedRegister(f, signer);
      const stakeData = encodeFunctionData({ abi: s.registry.abi, functionName: "stake", args: [defaultParams.minVerifierStake] });
      await s.wait(await f.forwarder.write.execute([await signRequest(f, signer, s.registry.address, stakeData)]));
      const joinData = encodeFunctionData({ abi: s.registry.abi, functionName: "joinVerifierPool", args: [] });
      const hash = await f.forwarder.write.execute([await signRequest(f, signer, s.registry.address, joinData)]);
      const block = (await s.wait(hash)).blockNumber;
      await viem.assertions.emitWithArgs(hash, s.registry, "VerifierPoolJoined", [signer.address, block + 1n]);
      assert.equal((await s.ledger.read.accountOf([signer.address])).stake, defaultParams.minVerifierStake);
      assert.equal((await s.registry.read.poolMemberAt([0n, block + 1n])).toLowerCase(), signer.address.toLowerCase());
      assert.equal(await s.registry.read.poolSizeAt([block]), 0n);
      assert.equal((await s.registry.read.workerOf([relayer.account.address])).poolIndex, 0);
    });

    it("reverts ERC2771ForwarderInvalidSigner for a request signed by B claiming to come from A, and moves nothing", async () => {
      const f = await load();
      const { s } = f;
      const alice = burner("alice");
      const mallory = burner("mallory");
      await relayedRegister(f, alice);
      const data = encodeFunctionData({ abi: s.ledger.abi, functionName: "transfer", args: [mallory.address, 1n] });
      const forged = await signRequest(f, mallory, s.ledger.address, data, { from: alice.address });
      assert.equal(await s.forwarder.read.verify([forged]), false);
      const aliceBefore = await s.ledger.read.accountOf([alice.address]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.forwarder.write.execute([forged]),
        s.forwarder,
        "ERC2771ForwarderInvalidSigner",
        [mallory.address, alice.address],
      );
      // A forged registration does not register the victim either.
      const victim = burner("victim");
      const forgedRegister = await signRequest(f, mallory, s.registry.address, registerData(), { from: victim.address });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.forwarder.write.execute([forgedRegister]),
        s.forwarder,
        "ERC2771ForwarderInvalidSigner",
        [mallory.address, victim.address],
      );
      assert.deepEqual(await s.ledger.read.accountOf([alice.address]), aliceBefore);
      assert.equal((await s.ledger.read.accountOf([mallory.address])).balance, 0n);
      assert.equal(await s.registry.read.isRegistered([victim.address]), false);
      assert.equal(await s.registry.read.isRegistered([mallory.address]), false);
      assert.equal(await s.forwarder.read.nonces([alice.address]), 1n);
      assert.equal(await s.forwarder.read.nonces([victim.address]), 0n);
    });

    it("reverts ERC2771ForwarderExpiredRequest past the deadline", async () => {
      const f = await load();
      const { s } = f;
      const signer = burner("late");
      const deadline = (await latest(f)) - 1n;
      const req = await signRequest(f, signer, s.registry.address, registerData(), { deadline });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.forwarder.write.execute([req]),
        s.forwarder,
        "ERC2771ForwarderExpiredRequest",
        [Number(deadline)],
      );
      assert.equal(await s.registry.read.isRegistered([signer.address]), false);
    });

    it("reverts ERC2771ForwarderInvalidSigner when a request is replayed", async () => {
      const f = await load();
      const { s } = f;
      const signer = burner("replayed");
      const req = await signRequest(f, signer, s.registry.address, registerData());
      await s.wait(await f.forwarder.write.execute([req]));
      // The nonce moved on: the old signature now recovers to some other address.
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.forwarder.write.execute([req]),
        s.forwarder,
        "ERC2771ForwarderInvalidSigner",
        [(recovered: Address) => recovered.toLowerCase() !== signer.address.toLowerCase(), signer.address],
      );
      assert.equal(await s.forwarder.read.nonces([signer.address]), 1n);
    });

    it("reverts FailedCall when the relayed call reverts, and does not use up the nonce", async () => {
      const f = await load();
      const { s, relayer } = f;
      const signer = burner("genesis-mover");
      await relayedRegister(f, signer);
      const data = encodeFunctionData({ abi: s.ledger.abi, functionName: "transfer", args: [relayer.account.address, 1n] });
      const req = await signRequest(f, signer, s.ledger.address, data);
      await viem.assertions.revertWithCustomErrorWithArgs(f.forwarder.write.execute([req]), s.forwarder, "FailedCall", []);
      assert.equal(await s.forwarder.read.nonces([signer.address]), 1n);
      assert.equal((await s.ledger.read.accountOf([signer.address])).genesis, GRANT);
    });

    it("reverts ERC2771UntrustfulTarget for a contract that does not trust the forwarder", async () => {
      const f = await load();
      const { s } = f;
      const signer = burner("types");
      const data = encodeFunctionData({
        abi: s.taskTypes.abi,
        functionName: "addTaskType",
        args: [
          "x",
          "",
          keccak256(toHex("rejected")),
          { zkVerifier: ZERO_ADDRESS, modes: 1, active: true, workMsBase: 0, workMsPerMiB: 0 },
        ],
      });
      const req = await signRequest(f, signer, s.taskTypes.address, data);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.forwarder.write.execute([req]),
        s.forwarder,
        "ERC2771UntrustfulTarget",
        [s.taskTypes.address, s.forwarder.address],
      );
    });
  });

  describe("ERC2771Context._msgSender", () => {
    it("is the registry's trusted forwarder, the ledger's and the market's", async () => {
      const { s } = await load();
      for (const c of [s.ledger, s.registry, s.market]) {
        assert.equal(await c.read.isTrustedForwarder([s.forwarder.address]), true);
        assert.equal((await c.read.trustedForwarder()).toLowerCase(), s.forwarder.address.toLowerCase());
      }
    });

    it("does not treat a direct call with an appended address as relayed: register acts for the caller", async () => {
      const f = await load();
      const { s, attacker, victim } = f;
      const data = concat([registerData(), victim.account.address]);
      const hash = await attacker.sendTransaction({ to: s.registry.address, data });
      await viem.assertions.emitWithArgs(hash, s.registry, "WorkerRegistered", [
        attacker.account.address,
        1000n,
        ALL_CAPABILITIES,
        GRANT,
      ]);
      assert.equal(await s.registry.read.isRegistered([attacker.account.address]), true);
      assert.equal(await s.registry.read.isRegistered([victim.account.address]), false);
    });

    it("does not treat a direct call with an appended address as relayed: transfer cannot spend the victim's credit", async () => {
      const f = await load();
      const { s, attacker, victim } = f;
      await f.fundTransferable(victim.account.address, 500n);
      const data = concat([
        encodeFunctionData({ abi: s.ledger.abi, functionName: "transfer", args: [attacker.account.address, 500n] }),
        victim.account.address,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        attacker.sendTransaction({ to: s.ledger.address, data }),
        s.ledger,
        "InsufficientTransferable",
        [attacker.account.address, 0n, 500n],
      );
      assert.equal((await s.ledger.read.accountOf([victim.account.address])).balance, 500n);
      await f.assertConserved([attacker.account.address, victim.account.address]);
    });
  });
});

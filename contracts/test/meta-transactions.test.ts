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
import { defaultParams, escrowFor, VerificationMode } from "../../lib/protocol/params.ts";
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
    return { s, gov, relayer, attacker, victim, op, opLedger, forwarder, domain };
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
      const totals = await s.creditTotals([signer.address, relayer.account.address], [taskId]);
      assert.equal(totals.held, totals.issued);
    });

    it("relays ledger.transfer of the signer's earned credit", async () => {
      const f = await load();
      const { s, relayer, victim, opLedger } = f;
      const signer = burner("payer");
      const task = keccak256(toHex("meta-funding"));
      await s.wait(await opLedger.write.grantGenesis([victim.account.address]));
      await s.wait(await opLedger.write.escrow([task, victim.account.address, 700n]));
      await s.wait(await opLedger.write.payFromEscrow([task, signer.address, 700n, true]));
      const data = encodeFunctionData({ abi: s.ledger.abi, functionName: "transfer", args: [relayer.account.address, 300n] });
      const hash = await f.forwarder.write.execute([await signRequest(f, signer, s.ledger.address, data)]);
      await viem.assertions.emitWithArgs(hash, s.ledger, "Transferred", [signer.address, relayer.account.address, 300n]);
      assert.equal((await s.ledger.read.accountOf([signer.address])).balance, 400n);
      assert.equal((await s.ledger.read.accountOf([relayer.account.address])).balance, 300n);
      const totals = await s.creditTotals([signer.address, relayer.account.address, victim.account.address], [task]);
      assert.equal(totals.held, totals.issued);
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
        args: ["x", "", 1, ZERO_ADDRESS],
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
      const { s, attacker, victim, opLedger } = f;
      const task = keccak256(toHex("meta-funding-victim"));
      await s.wait(await opLedger.write.grantGenesis([attacker.account.address]));
      await s.wait(await opLedger.write.escrow([task, attacker.account.address, 500n]));
      await s.wait(await opLedger.write.payFromEscrow([task, victim.account.address, 500n, true]));
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
      const totals = await s.creditTotals([attacker.account.address, victim.account.address], [task]);
      assert.equal(totals.held, totals.issued);
    });
  });
});

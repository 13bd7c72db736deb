/**
 * Shared test setup for the protocol: a deployed system, funded registered workers, and helpers that act
 * as requester, worker and verifier the way the browser clients will.
 */
import assert from "node:assert/strict";
import type { NetworkConnection } from "hardhat/types/network";
import { type Address, type Hex, getAddress, keccak256, toHex } from "viem";
import { cidDigest, computeCommitment } from "../../lib/protocol/hashes.ts";
import { type ProtocolParams, VerificationMode } from "../../lib/protocol/params.ts";
import { deployProtocol } from "../deploy/deploy-protocol.ts";

/** Every genesis type and the ones a test adds after them. */
export const ALL_CAPABILITIES = (1n << 16n) - 1n;
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as const;
export const IMAGE_RESIZE = 0;

/**
 * A connection the protocol is set up on: most tests create an "l1" chain, some the default network's "generic"
 * one (`network.create()`); the protocol needs nothing chain-type specific.
 */
export type Connection = NetworkConnection<"l1"> | NetworkConnection<"generic">;

export async function setupProtocol(connection: Connection, params: Partial<ProtocolParams> = {}) {
  const { viem } = connection;
  const protocol = await deployProtocol(viem, { params });
  const wallets = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();

  const as = async (wallet: (typeof wallets)[number]) => ({
    ledger: await viem.getContractAt("CreditLedger", protocol.ledger.address, { client: { wallet } }),
    registry: await viem.getContractAt("WorkerRegistry", protocol.registry.address, { client: { wallet } }),
    market: await viem.getContractAt("TaskMarket", protocol.market.address, { client: { wallet } }),
  });

  const wait = (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });

  /** Registers an account with every capability, stakes `stake` mCC and optionally joins the verifier pool. */
  async function registerWorker(wallet: (typeof wallets)[number], stake = 5_000n, joinPool = true) {
    const c = await as(wallet);
    await wait(await c.registry.write.register([1000, ALL_CAPABILITIES]));
    if (stake > 0n) await wait(await c.registry.write.stake([stake]));
    if (joinPool) await wait(await c.registry.write.joinVerifierPool());
    return c;
  }

  let cidCounter = 0;
  /** A distinct fake input CID (bytes) per call; the contracts only hash and log it. */
  const nextCid = (): Hex => toHex(`bafy-test-input-${cidCounter++}`);

  async function post(
    wallet: (typeof wallets)[number],
    overrides: Partial<{
      typeId: number;
      mode: number;
      bounty: bigint;
      deadline: number;
      claimWindow: number;
      inputBytes: number;
      preferredWorker: Address;
      zkInputCommitment: bigint;
      inputCid: Hex;
      spec: Hex;
    }> = {},
  ): Promise<Hex> {
    const c = await as(wallet);
    const now = Number((await publicClient.getBlock()).timestamp);
    const taskId = await c.market.read.nextTaskId([wallet.account.address]);
    await wait(
      await c.market.write.post([
        {
          typeId: overrides.typeId ?? IMAGE_RESIZE,
          mode: overrides.mode ?? VerificationMode.Replicated,
          bounty: Number(overrides.bounty ?? 1_000n),
          deadline: overrides.deadline ?? now + 3600,
          claimWindow: overrides.claimWindow ?? 0,
          inputBytes: overrides.inputBytes ?? 100_000,
          preferredWorker: overrides.preferredWorker ?? ZERO_ADDRESS,
          zkInputCommitment: overrides.zkInputCommitment ?? 0n,
          inputCid: overrides.inputCid ?? nextCid(),
          spec: overrides.spec ?? toHex('{"width":64,"height":64}'),
        },
      ]),
    );
    return taskId;
  }

  /** A result as a worker or verifier produces it: the output CID, a salt, and the commitment. */
  function result(taskId: Hex, sender: Address, output: string, saltSeed = "salt") {
    const cid = toHex(`bafy-output-${output}`);
    const salt = keccak256(toHex(`${saltSeed}-${sender}`));
    const digest = cidDigest(cid);
    return { cid, salt, digest, commitment: computeCommitment(taskId, sender, digest, salt) };
  }

  /** The same for a result given by its binary CID (e.g. a type's canonical input-rejected output). */
  function resultWithCid(taskId: Hex, sender: Address, cid: Hex, saltSeed = "salt") {
    const salt = keccak256(toHex(`${saltSeed}-${sender}`));
    const digest = cidDigest(cid);
    return { cid, salt, digest, commitment: computeCommitment(taskId, sender, digest, salt) };
  }

  /**
   * Sum of all credit the ledger holds for the given accounts and tasks, against genesis issued.
   * Accounts and tasks outside the lists must hold nothing for the check to be meaningful.
   */
  async function creditTotals(accounts: Address[], taskIds: Hex[]) {
    let held = 0n;
    for (const a of accounts) {
      const acc = await protocol.ledger.read.accountOf([a]);
      held += BigInt(acc.balance) + BigInt(acc.genesis) + BigInt(acc.stake);
    }
    for (const id of taskIds) held += (await protocol.ledger.read.escrowOf([id])).amount;
    held += await protocol.ledger.read.treasury();
    return { held, issued: await protocol.ledger.read.genesisIssued() };
  }

  const nextTaskIdFor = (requester: Address) => protocol.market.read.nextTaskId([requester]);

  type Wallet = (typeof wallets)[number];
  /** Every account the checks below cover: the node's wallets, and the extra ones `extraWallet` makes. */
  const everyone = wallets.map((w) => w.account.address);
  /**
   * The `i`-th extra account (beyond the node's wallets): an impersonated address with gas money, for worlds that
   * need many accounts (Sybils, big pools). It is added to the accounts the conservation checks cover.
   */
  async function extraWallet(i: number): Promise<Wallet> {
    const address = getAddress(`0x${keccak256(toHex(`extra-account-${i}`)).slice(26)}`);
    await connection.networkHelpers.impersonateAccount(address);
    await connection.networkHelpers.setBalance(address, 10n ** 20n);
    if (!everyone.includes(address)) everyone.push(address);
    const wallet = (await viem.getWalletClient(address)) as Wallet;
    if (!extraWallets.some((w) => w.account.address === wallet.account.address)) extraWallets.push(wallet);
    return wallet;
  }
  /** Credit conservation over every wallet and the given tasks: held == genesis issued. */
  const conserved = async (taskIds: Hex[]) => {
    const t = await creditTotals(everyone, taskIds);
    assert.equal(t.held, t.issued, "credit conservation: held == issued");
  };
  /**
   * Genesis stays genesis: the genesis-tagged credit everywhere (genesis pots, genesis-sourced stake, the genesis
   * part of every escrow and of the treasury) is exactly the genesis issued, so none of it became transferable.
   */
  const genesisKept = async (taskIds: Hex[]) => {
    let tagged = await protocol.ledger.read.treasuryGenesis();
    for (const a of everyone) {
      const acc = await protocol.ledger.read.accountOf([a]);
      tagged += acc.genesis + acc.stakeGenesis;
    }
    for (const id of taskIds) tagged += (await protocol.ledger.read.escrowOf([id])).genesis;
    assert.equal(tagged, await protocol.ledger.read.genesisIssued(), "genesis-tagged credit == genesis issued");
  };
  const extraWallets: Wallet[] = [];
  const walletOf = (a: Address) => {
    const w = [...wallets, ...extraWallets].find((x) => getAddress(x.account.address) === getAddress(a));
    if (!w) throw new Error(`no wallet for ${a}`);
    return w;
  };
  const account = (a: Address) => protocol.ledger.read.accountOf([a]);
  /** Commits `output` for `w` (worker, verifier or auditor) and returns what it must reveal. */
  const commitAs = async (w: Wallet, taskId: Hex, output: string) => {
    const res = result(taskId, w.account.address, output);
    await wait(await (await as(w)).market.write.commit([taskId, res.commitment]));
    return res;
  };
  const revealAs = async (w: Wallet, taskId: Hex, res: { cid: Hex; salt: Hex }) =>
    wait(await (await as(w)).market.write.reveal([taskId, res.cid, res.salt]));

  /**
   * Draws a task's missing verifiers (from the default wallet): the worker's commit (or a replacement) only
   * anchors the draw to its block, and the draw itself happens in a later transaction. On automine every
   * transaction is its own block, so calling this right after the anchoring transaction works.
   */
  const drawVerifiers = async (taskId: Hex) => wait(await protocol.market.write.drawVerifiers([taskId]));
  /** Draws an audit's auditors (from the default wallet), in a later block than the one that started it. */
  const drawAuditors = async (taskId: Hex) => wait(await protocol.market.write.drawAuditors([taskId]));

  /** Registers one more task type (governance is the deployer) and returns its id. */
  async function addType(t: {
    name: string;
    modes: number;
    zkVerifier?: Address;
    workMsBase?: number;
    workMsPerMiB?: number;
    rejectedDigest?: Hex;
  }): Promise<number> {
    await wait(
      await protocol.taskTypes.write.addTaskType([
        t.name,
        "",
        t.rejectedDigest ?? keccak256(toHex(`rejected-${t.name}`)),
        {
          zkVerifier: t.zkVerifier ?? ZERO_ADDRESS,
          modes: t.modes,
          active: true,
          workMsBase: t.workMsBase ?? 0,
          workMsPerMiB: t.workMsPerMiB ?? 0,
        },
      ]),
    );
    return Number((await protocol.taskTypes.read.typeCount()) - 1n);
  }

  return {
    ...protocol,
    viem,
    wallets,
    publicClient,
    as,
    wait,
    registerWorker,
    post,
    result,
    resultWithCid,
    creditTotals,
    nextTaskIdFor,
    drawVerifiers,
    drawAuditors,
    conserved,
    genesisKept,
    extraWallet,
    addType,
    everyone,
    walletOf,
    account,
    commitAs,
    revealAs,
  };
}

export type Setup = Awaited<ReturnType<typeof setupProtocol>>;

/**
 * Stateful fuzz of the protocol (issues 2 and 9, "Tests"): random sequences of every user action against one
 * deployed system, each checked against the protocol's rules as ITaskMarket/ICreditLedger state them, with the
 * invariants checked after every step.
 *
 * Each run starts a fresh in-process chain whose clock is driven by the test (every block gets a timestamp the
 * fuzz chose, mined blocks included), so a seed replays exactly the same chain, draws included. Seed and length:
 *   FUZZ_SEED (base seed; run k uses FUZZ_SEED + k), FUZZ_STEPS (steps per run), FUZZ_RUNS (number of runs), FUZZ_CONCURRENCY (runs side by side, 2).
 * Reproduce one run with `FUZZ_SEED=<its seed> FUZZ_RUNS=1 npx hardhat test nodejs contracts/test/invariants.fuzz.test.ts`;
 * a failure names its seed and step.
 *
 * The fuzz keeps a shadow of the ledger (every account, escrow, the treasury, the IOUs) driven only by the
 * ledger's events, and a model of the market (tasks, rounds, the verifier pool with its history). Before each
 * transaction it predicts, from the state before it, whether it must revert and with which error, or what it
 * must do: the draw (replayed from the anchor block's hash and the pool as it stood in that block, each candidate's
 * eligibility read as of the draw), the random audit decision (from the settle block's hash), every slash, reward,
 * payment, refund and IOU, the reputation changes of an acceptance, and the statuses it leaves.
 *
 * Actions: post (inputs of any size, work values from the cost model; a fifth spend the requester's whole credit,
 * its credit line included; a "heavy" fuzz type values its tasks at a few CC of work), Sybil registration and
 * posting (fresh accounts, some past the genesis cap, each posting a task whose escrow is its whole credit, with
 * the attacker as preferred worker), cancel, expire, claim (and stale-claim takeover), release, expireClaim,
 * commit, reveal (a task may have a bad input, whose honest result is the type's canonical input-rejected output,
 * and a colluding ring that reports a lie, sometimes the input-rejected output on a good input; drawn members may
 * stay absent or silent), drawVerifiers, drawAuditors (often late, sometimes at a lapsed anchor), pool joins and
 * leaves, capability updates and claim releases between anchors and draws, replaceSilentVerifiers, settle,
 * decideAudit (sometimes late, past the settle hash's 256 blocks; sometimes by the worker through AuditDodger, which
 * reverts when audited), submitProof (sometimes a valid proof under a wrong output CID), forceAudit (also while the
 * audit decision is pending), finalizeAudit, finalize (also before the decision), transfers
 * (also of pay still pending in an audit window), stake, unstake, register, clearCycle, pauses of each contract
 * (the market's extends audit windows), time jumps, and mining blocks (past 256, so anchors lapse).
 *
 * Invariants, after every step (a step re-reads what its events named; every 10 steps every live task, account and
 * the pool order are re-read, every 100 steps every task and the IOU matrix too, so that a change no event
 * announced is caught):
 *  (1) conservation: sum(balance + genesis + stake) + sum(escrow) + treasury == genesisIssued == the grants;
 *  (2) genesis never becomes transferable: sum(genesis + stakeGenesis) + sum(escrow.genesis) + treasuryGenesis
 *      == genesisIssued, and every movement carries its genesis share as the ledger's rules say (the shadow);
 *  (3) no account can transfer credit an audit may still reverse: nothing is paid before a task is final (no
 *      payment, refund or reward in an accepting transaction), an Accepted/Auditing task's escrow still holds its
 *      bounty (its whole escrowFor), and a transfer of more than the sender's positive balance reverts
 *      InsufficientTransferable (tried on purpose with pay that is pending);
 *  (4) work credit (`earned`) grows only at a finalization, by at most the task's work value per payee (exactly
 *      min(pay, workValue), none for an input-rejected result), and shrinks on transfers; the credit limit is
 *      min(cap, creditLimitBps x earned);
 *  (5) every status change is in lib/protocol/status.ts (InputRejected included), is the one predicted, comes
 *      with an event; terminal statuses never change; InputRejected iff the accepted digest is the type's
 *      rejected digest;
 *  (6) at the end every task is driven to a terminal status (liveness): no escrow, locked stake, active claim or
 *      open audit remains.
 * And: the shadow ledger equals the chain (every credit movement is an event); escrow is exactly what the status
 * implies (escrowFor until terminal, 0 after); locked stake equals the duties held (claim lock until final, duty
 * locks of the verifiers that revealed until final, of every drawn member while its round runs), less only what a
 * slash took; active claims and open audits match; no task is paid twice; IOUs are never owed both ways, and each
 * account's net IOU position is the worker pay it earned minus the pay it owed; nobody sits twice in a task; claims
 * and draws go only to registered, capable, unbanned pool members (the pool as of the anchor block, eligibility
 * as of the draw: see the eligibility-toggling property tests at the end); an undecided audit holds a task Accepted
 * and nothing else; each task's excluded accounts are the model's; a worker's stake does not leave while its
 * accepted work can still be audited; every revert is an error the protocol declares, and EnforcedPause only from
 * the entry points a pause stops.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import hre, { network } from "hardhat";
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  type ContractFunctionReturnType,
  type Hex,
  type Log,
  bytesToHex,
  decodeErrorResult,
  encodeAbiParameters,
  getAddress,
  keccak256,
  parseAbi,
  parseEventLogs,
  toHex,
} from "viem";
import { cidDigest, computeCommitment } from "../../lib/protocol/hashes.ts";
import {
  type ProtocolParams,
  VerificationMode,
  bpsShare,
  creditLimit,
  defaultParams,
  escrowFor,
  workValue as workValueOf,
} from "../../lib/protocol/params.ts";
import { TaskStatus, isAllowedTransition, taskStatusName, terminalStatuses } from "../../lib/protocol/status.ts";
import { outputCid } from "../../wasm-tasks/digest.ts";
import { inputRejectedOutput } from "../../wasm-tasks/input-rejected.ts";
import { ZERO_ADDRESS, setupProtocol } from "../test-support/fixture.ts";
import { mulberry32 } from "../test-support/random.ts";

const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20_261_122) >>> 0;
/** 4 x 2,500 = 10,000 steps by default (issue 9 asks for at least 10,000 in `npm test`). */
const STEPS = Number(process.env.FUZZ_STEPS ?? 2_500);
const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
/**
 * Audits often (60% of the acceptances, plus forced ones), so that audits and fraud are reached in every run; a
 * genesis cap low enough that the Sybils of each run pass it.
 */
const PARAMS: Partial<ProtocolParams> = { auditRateBps: 6_000, genesisAccounts: 17 };
const GAS = 6_000_000n;
/** Every this many steps the invariants re-read every live task, every account and the pool order... */
const LIVE_CHECK_EVERY = 10;
/** ... and every terminal task and the IOU matrix. */
const DEEP_CHECK_EVERY = 100;
const INITIAL_DATE = "2031-01-01T00:00:00Z";
const START = 1_925_000_000; // after INITIAL_DATE; every block timestamp is chosen by the fuzz from here
const ALL_TYPES = (1n << 256n) - 1n;
const OUTSIDER = "0x000000000000000000000000000000000000dead";
/** Blocks whose hash the EVM still serves (TaskRules.BLOCKHASH_HORIZON), and the market's other constants. */
const HORIZON = 256;
const MAX_REPLACEMENTS = 2;
const MAX_DRAW_SCAN = 32;
const MAX_CID_BYTES = 128;
const MAX_SYBILS = 14;
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

const S = TaskStatus;
const MEMBER = { None: 0, Drawn: 1, Committed: 2, Revealed: 3 } as const;
const REASON = { VerifiersDisagreed: 0, WorkerSilent: 1, NoConsensus: 2, DrawLapsed: 3 } as const;
const REASON_NAMES = ["verifiers disagreed", "worker silent", "no consensus", "draw lapsed"];

/** mulberry32. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const chance = (p: number) => next() < p;
  const pick = <T>(items: readonly T[]): T | undefined => (items.length ? items[int(items.length)] : undefined);
  const word = (): Hex => bytesToHex(Uint8Array.from({ length: 32 }, () => int(256)));
  const between = (lo: number, hi: number) => lo + int(hi - lo + 1);
  return { next, int, chance, pick, word, between };
}
type Rng = ReturnType<typeof prng>;

type Provider = { request(args: { method: string; params?: unknown }): Promise<unknown> };

/** Every block gets the timestamp `clock.now` (at least one second after the last), so runs replay exactly. */
function driveClock(provider: Provider) {
  const clock = { now: START, last: 0 };
  const request = provider.request.bind(provider);
  provider.request = async (args) => {
    if (args.method === "eth_sendTransaction" || args.method === "eth_sendRawTransaction") {
      if (clock.now <= clock.last) clock.now = clock.last + 1;
      clock.last = clock.now;
      await request({ method: "evm_setNextBlockTimestamp", params: [toHex(clock.now)] });
    }
    return request(args);
  };
  return { clock, request };
}

const lower = (a: string) => a.toLowerCase();
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const isZero = (a: string) => lower(a) === ZERO_ADDRESS;

/** Custom errors the protocol declares: a revert with one of them is an expected outcome of a random action. */
async function declaredErrors(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const name of ["ITaskMarket", "ICreditLedger", "IWorkerRegistry", "ITaskTypeRegistry"]) {
    const artifact = await hre.artifacts.readArtifact(name);
    for (const item of artifact.abi as Abi) if (item.type === "error") names.add(item.name);
  }
  // Pausable's, for the actions that a pause stops.
  names.add("EnforcedPause");
  names.add("ExpectedPause");
  return names;
}

/** ABI of contracts/test/mocks/FuzzInvariantLens.sol, written out here (it predates the mocks' generated types). */
const lensAbi = parseAbi([
  "struct AccountView { int256 balance; uint256 genesis; uint256 earned; uint256 stake; uint256 stakeGenesis; uint256 lockedStake; uint256 creditLimit; uint256 activeClaims; uint256 registeredAt; uint256 bannedUntil; uint256 poolIndex; uint256 lastAcceptedAt; uint256 unstakeRequestedAt; }",
  "struct Member { address account; uint8 status; }",
  "struct Round { uint32 commitDeadline; uint32 revealDeadline; uint32 acceptedAt; uint8 commits; uint8 reveals; uint8 replacements; bool forced; uint32 anchorBlock; uint32 pauseMark; bool inputRejected; bool poolShort; bool auditPending; Member[3] members; bytes32[3] sealOrDigest; }",
  "struct TaskView { uint8 status; address worker; bool revealed; uint256 claimDeadline; uint256 workValue; uint256 escrow; uint256 escrowGenesis; Round round; Round audit; uint256 excludedMask; }",
  "struct GlobalView { uint256 treasury; uint256 treasuryGenesis; uint256 genesisIssued; uint256 genesisAccountsGranted; uint256 pausedTime; uint256 timestamp; uint256 blockNumber; address[] pool; }",
  "function snapshot(address[] accounts, bytes32[] taskIds, address[] owedAccounts, address[] excludedCandidates, bool withPool) view returns (AccountView[] views, TaskView[] tasks, uint256[] owed, GlobalView g)",
]);
type SnapshotResult = ContractFunctionReturnType<typeof lensAbi, "view", "snapshot">;
type AccountView = SnapshotResult[0][number];
type TaskView = SnapshotResult[1][number];
type RoundView = TaskView["round"];

/** A decoded event of the market, ledger or registry. */
type Ev = { eventName: string; args: Record<string, unknown> };
const argAddr = (e: Ev, k: string) => lower(e.args[k] as string);
const argBig = (e: Ev, k: string) => e.args[k] as bigint;
const argNum = (e: Ev, k: string) => Number(e.args[k] as bigint | number);
const argHex = (e: Ev, k: string) => lower(e.args[k] as string) as Hex;
const taskOfEvent = (e: Ev) => (typeof e.args.taskId === "string" ? lower(e.args.taskId) : undefined);

type TaskModel = {
  id: Hex;
  requester: string;
  mode: VerificationMode;
  bounty: bigint;
  typeId: number;
  deadline: number;
  claimWindow: number;
  preferred: string;
  preferredUntil: number;
  zkInput: bigint;
  workValue: bigint;
  sybil: boolean;
  /** Worker and verifiers of a tainted task report one agreed wrong result. */
  tainted: boolean;
  /** The input cannot be processed: the honest result is the type's canonical input-rejected output. */
  badInput: boolean;
  /** On a good input, the ring's lie is the input-rejected output (a claim of bad input, for pay without work). */
  lieIsReject: boolean;
  /** Drawn members that will never commit ("absent") or commit and never reveal ("silent"). */
  stance: Map<string, "absent" | "silent">;
  /** Accounts the task must never seat again: workers rejected at fault, verifiers replaced. */
  excluded: Set<string>;
  /** Last observed on-chain view. */
  view: TaskView | undefined;
  accepts: number;
  finals: number;
  workerPaid: bigint;
  wrongAccepted: boolean;
  /** Work credit each payee got from this task. */
  workCredit: Map<string, bigint>;
};

/** What a transaction must do, predicted from the state before it; `revert` = it must revert with that error. */
type Release = {
  paid: { to: string; amount: bigint; workCredit: bigint; exactCredit: boolean }[];
  toTreasury: bigint;
  iou?: { debtor: string; creditor: string; amount: bigint };
};
type Expect =
  | { revert: string }
  | {
      revert?: undefined;
      /** Every slash of the transaction besides claim-expiry slashes (which the events name). */
      slashes?: [string, bigint][];
      /** A slash of `from` that rewards `to`, each up to `each`, out of what the slash recovered. */
      rewards?: { from: string; to: string[]; each: bigint };
      release?: [string, Release];
      /** Statuses the transaction leaves. */
      status?: [string, number][];
      check?: (events: Ev[]) => void;
    }
  | undefined;
type OkExpect = Exclude<Expect, undefined | { revert: string }>;
const isOk = (x: Expect): x is OkExpect => x !== undefined && x.revert === undefined;
type Ctx = { ts: number; block: number; where: string };
/** The tasks and accounts a transaction's events named. */
type Touched = { tasks: Set<string>; accounts: Set<string> };
const nothing = (): Touched => ({ tasks: new Set(), accounts: new Set() });
type Action = { kind: string; send: () => Promise<Hex | undefined>; predict?: (c: Ctx) => Expect | Promise<Expect> };

type Stats = Map<string, { tried: number; ok: number; reverts: Map<string, number> }>;

/** Outcomes every run of at least 500 steps must reach. */
const RUN_OUTCOMES = [
  "TaskAccepted",
  "TaskRejected",
  "TaskFinalized",
  "AuditClean",
  "TaskProved",
  "TaskExpired",
  "TaskCancelled",
  "sybil task posted",
  "sybil post refused past the genesis cap",
  "pending pay transfer refused",
  "audit decided: audited",
  "audit decided: not audited",
] as const;
/** Rarer outcomes the runs must reach together. */
const TOGETHER_OUTCOMES = [
  "FraudProven",
  "final: input rejected",
  "verifiers replaced after the worker revealed",
  "verifiers replaced for not committing",
  "rejected: draw lapsed",
  "draw refused: anchor lapsed",
  "draw from a pool that changed since its anchor",
  "sybil task final",
  "audit lapsed undrawn",
  "window extended by a pause",
  "audit decided from an unreadable hash (audited)",
  "audit dodge refused",
  "finalize refused: audit undecided",
  "forced audit during a pending decision",
  "accepted with a silent verifier (slashed, reputation -1)",
  "seated an account whose eligibility changed since its anchor",
] as const;

async function runFuzz(seed: number, steps: number) {
  const rnd: Rng = prng(seed);
  const connection = await network.create<"l1">({ chainType: "l1", override: { initialDate: INITIAL_DATE } });
  const { clock, request: rawRequest } = driveClock(connection.provider as unknown as Provider);
  const s = await setupProtocol(connection, PARAMS);
  const params: ProtocolParams = { ...defaultParams, ...PARAMS };
  const allowedErrors = await declaredErrors();
  const blockNumber = async () => Number(BigInt((await rawRequest({ method: "eth_blockNumber" })) as string));

  const zkVerifier = await s.viem.deployContract("FuzzProofVerifier");
  const zkType = await s.addType({ name: "zk-fuzz", modes: 2, zkVerifier: zkVerifier.address, workMsBase: 720_000, workMsPerMiB: 360_000 });
  // A replicated type whose cost model values its tasks at up to a few CC of work, so that credit lines, and the
  // transferable credit they let requesters spend, come into play (the genesis types value fuzz-sized inputs at
  // about 1 mCC). Its canonical input-rejected output is a CID of the fuzz's own.
  const heavyRejected = toHex("bafy-fuzz-input-rejected:heavy-fuzz");
  const heavyType = await s.addType({ name: "heavy-fuzz", modes: 1, workMsBase: 1_800_000, workMsPerMiB: 180_000, rejectedDigest: cidDigest(heavyRejected) });
  const lens = await s.viem.deployContract("FuzzInvariantLens", [s.ledger.address, s.market.address, s.registry.address]);
  const typeCount = Number(await s.taskTypes.read.typeCount());
  const policies: { modes: number; model: { msBase: number; msPerMiB: number }; verifier: string }[] = [];
  /** Each type's canonical input-rejected output CID (bytes, hex), and its digest as the registry holds it. */
  const rejectedCid = new Map<number, Hex>();
  const rejectedDigest = new Map<number, Hex>();
  const replicatedTypes: number[] = [];
  for (let i = 0; i < typeCount; i++) {
    const type = await s.taskTypes.read.taskType([i]);
    policies.push({ modes: type.policy.modes, model: { msBase: type.policy.workMsBase, msPerMiB: type.policy.workMsPerMiB }, verifier: lower(type.policy.zkVerifier) });
    rejectedDigest.set(i, lower(type.rejectedDigest) as Hex);
    if ((type.policy.modes & 1) !== 0) {
      replicatedTypes.push(i);
      const cid = i === heavyType ? heavyRejected : bytesToHex((await outputCid(inputRejectedOutput(type.name))).bytes);
      assert.equal(cidDigest(cid), lower(type.rejectedDigest), `rejected digest of type ${type.name}`);
      rejectedCid.set(i, cid);
    }
  }

  // ---------------------------------------------------------------- actors
  // capabilities, stake, verifier pool, shady (on a "tainted" task it reports the same wrong result as the others)
  // A rare type: only two pool members and one worker can run it, so its verifier draws often come up short and
  // its rounds may never open (the case where nobody may be blamed for silence).
  const rareType = replicatedTypes.filter((x) => x !== heavyType).at(-1)!;
  const common = ALL_TYPES & ~(1n << BigInt(rareType));
  type Profile = { caps: bigint; stake: bigint; pool: boolean; shady: boolean; unregistered?: boolean };
  const profiles: Profile[] = [
    { caps: ALL_TYPES, stake: 3_000n, pool: true, shady: false },
    { caps: ALL_TYPES, stake: 5_000n, pool: true, shady: false },
    { caps: common, stake: 5_000n, pool: true, shady: true }, // the attacker: the Sybils' preferred worker
    { caps: common & ~(1n << BigInt(zkType)), stake: 4_000n, pool: true, shady: false },
    { caps: common, stake: 4_500n, pool: true, shady: true },
    { caps: common, stake: 6_000n, pool: true, shady: false },
    { caps: 1n | (1n << BigInt(zkType)), stake: 4_000n, pool: true, shady: true },
    { caps: common, stake: 3_500n, pool: true, shady: false },
    { caps: common, stake: 2_200n, pool: true, shady: false },
    { caps: common, stake: 3_000n, pool: true, shady: false },
    { caps: common, stake: 0n, pool: false, shady: false },
    { caps: ALL_TYPES, stake: 1_200n, pool: false, shady: false },
    { caps: common, stake: 0n, pool: false, shady: false, unregistered: true },
  ];
  const wallets = s.wallets.slice(1, 1 + profiles.length);
  assert.equal(wallets.length, profiles.length, "not enough hardhat accounts");
  type Person = { i: number; address: Address; c: Awaited<ReturnType<typeof s.as>>; profile: Profile; sybil: boolean };
  const actors: Person[] = await Promise.all(
    wallets.map(async (wallet, i) => ({ i, address: lower(wallet.account.address) as Address, c: await s.as(wallet), profile: profiles[i]!, sybil: false })),
  );
  const attacker = actors[2]!;
  // Sybils: impersonated accounts (no block is mined to make them), registered one by one during the run.
  const sybils: Person[] = [];
  for (let k = 0; k < MAX_SYBILS; k++) {
    const wallet = await s.extraWallet(100 + k);
    sybils.push({ i: profiles.length + k, address: lower(wallet.account.address) as Address, c: await s.as(wallet), profile: { caps: 0n, stake: 0n, pool: false, shady: false }, sybil: true });
  }
  const people = new Map<string, Person>([...actors, ...sybils].map((p) => [p.address, p]));
  // The worker's audit-dodging wrapper of decideAudit (reverts Audited when the decision audits).
  const dodger = await s.viem.deployContract("AuditDodger");
  const dodgerAs = (who: Person) => s.viem.getContractAt("AuditDodger", dodger.address, { client: { wallet: s.walletOf(who.address) } });
  allowedErrors.add("Audited");
  const abi = [...s.market.abi, ...s.ledger.abi, ...s.registry.abi, ...dodger.abi] as Abi;
  /** The accounts that may ever be excluded from a task (Sybils never work): the lens reads their exclusion. */
  const excludedCandidates = actors.map((a) => a.address);

  // ---------------------------------------------------------------- shadow ledger (driven by the ledger's events)
  type Acc = { balance: bigint; genesis: bigint; earned: bigint; stake: bigint; stakeGenesis: bigint; locked: bigint };
  const accounts = new Map<string, Acc>();
  const tracked: Address[] = [];
  const acc = (a: string): Acc => {
    let x = accounts.get(lower(a));
    if (!x) {
      x = { balance: 0n, genesis: 0n, earned: 0n, stake: 0n, stakeGenesis: 0n, locked: 0n };
      accounts.set(lower(a), x);
      tracked.push(lower(a) as Address);
    }
    return x;
  };
  for (const a of [s.wallets[0]!.account.address, ...actors.map((p) => p.address), OUTSIDER]) acc(a);
  const book = { treasury: 0n, treasuryGenesis: 0n, issued: 0n, granted: 0, grants: 0n };
  const escrows = new Map<string, { amount: bigint; genesis: bigint }>();
  const escrowOf = (id: string) => {
    let e = escrows.get(id);
    if (!e) escrows.set(id, (e = { amount: 0n, genesis: 0n }));
    return e;
  };
  const owedModel = new Map<string, bigint>();
  const owedOf = (d: string, c: string) => owedModel.get(`${lower(d)}|${lower(c)}`) ?? 0n;
  const setOwed = (d: string, c: string, v: bigint) => owedModel.set(`${lower(d)}|${lower(c)}`, v);
  /** Net IOU position each account should have: worker pay it earned minus worker pay it owed as requester. */
  const netIou = new Map<string, bigint>();
  const addNet = (a: string, d: bigint) => netIou.set(lower(a), (netIou.get(lower(a)) ?? 0n) + d);
  const freeStake = (a: string) => {
    const x = acc(a);
    return x.stake > x.locked ? x.stake - x.locked : 0n;
  };
  const creditLimitOf = (a: string) => creditLimit(acc(a).earned, params);
  const spendable = (a: string) => acc(a).balance + acc(a).genesis + creditLimitOf(a);

  // ---------------------------------------------------------------- registry and market model
  const workers = new Map<string, { caps: bigint }>();
  const bannedUntil = new Map<string, number>();
  /** The verifier pool in slot order, and its history: `members` holds for draws anchored at `from` or later. */
  const pool: string[] = [];
  const poolHistory: { from: number; members: string[] }[] = [];
  const poolAt = (block: number) => {
    for (let k = poolHistory.length - 1; k >= 0; k--) if (poolHistory[k]!.from <= block) return poolHistory[k]!.members;
    return [];
  };
  /**
   * What made each account eligible for a draw (capabilities, stake, locked stake), by block: `from` is the first
   * block whose draws would read it, as for the pool. The draws read eligibility as of the draw (WorkerRegistry),
   * so this only counts the draws that seat an account whose eligibility changed after the anchor.
   */
  const eligibility = new Map<string, { from: number; caps: bigint; stake: bigint; locked: bigint }[]>();
  const eligibleAt = (who: string, block: number, typeId: number, lock: bigint) => {
    const h = eligibility.get(lower(who)) ?? [];
    let e: (typeof h)[number] | undefined;
    for (let k = h.length - 1; k >= 0 && !e; k--) if (h[k]!.from <= block) e = h[k];
    if (!e) return "not registered";
    if (((e.caps >> BigInt(typeId)) & 1n) === 0n) return "not capable of the type";
    if (e.stake < params.minVerifierStake) return "below the verifier stake";
    if (e.stake - e.locked < lock) return "not enough free stake";
    return undefined;
  };
  const recordEligibility = (who: string, block: number) => {
    const w_ = workers.get(lower(who));
    if (!w_) return;
    const a = acc(who);
    const h = eligibility.get(lower(who)) ?? [];
    if (h.at(-1)?.from === block + 1) h.pop();
    h.push({ from: block + 1, caps: w_.caps, stake: a.stake, locked: a.locked });
    eligibility.set(lower(who), h);
  };
  const paused = { market: false, ledger: false, registry: false };
  let pausedBefore = 0;
  let pausedAt = 0;
  const pausedTime = (ts: number) => pausedBefore + (paused.market ? ts - pausedAt : 0);
  let currentBlock = 0;

  const tasks: TaskModel[] = [];
  const taskById = new Map<string, TaskModel>();
  const secrets = new Map<string, { cid: Hex; salt: Hex; commitment: Hex }>();
  const secretKey = (id: string, phase: "round" | "audit", who: string) => `${lower(id)}|${phase}|${lower(who)}`;
  const outcomes = new Map<string, number>([...RUN_OUTCOMES, ...TOGETHER_OUTCOMES].map((k) => [k, 0]));
  const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
  const underLocked = new Set<string>(); // accounts slashed since they last held no duty
  const underLockedSeen = new Set<string>();
  let accountViews = new Map<string, AccountView>();
  const expectedStatus = new Map<string, number>();
  const stats: Stats = new Map();

  const fee = (bounty: bigint) => bpsShare(bounty, params.verifierFeeBps);
  const claimLock = (bounty: bigint) => bpsShare(bounty, params.claimStakeBps);
  const dutyLock = (bounty: bigint) => bpsShare(bounty, params.rejectSlashBps);
  const isTerminal = (status: number) => (terminalStatuses as readonly number[]).includes(status);
  const statusOf = (t: TaskModel) => t.view?.status ?? S.Open;
  const revealedAt = (r: RoundView, i: number) => r.members[i]!.status === MEMBER.Revealed;
  const revealedWith = (r: RoundView, i: number, digest: Hex) => revealedAt(r, i) && lower(r.sealOrDigest[i]!) === lower(digest);
  const memberAt = (r: RoundView, i: number) => lower(r.members[i]!.account);
  const memberIndex = (r: RoundView, who: string) => [0, 1, 2].find((i) => memberAt(r, i) === lower(who));
  const anchorLapsed = (anchor: number, block: number) => anchor !== 0 && block > anchor + HORIZON;
  /** When the audit window of an accepted round (or an audit's own lapse time) closes, as of time `ts`. */
  const closesAt = (r: RoundView, ts: number) => r.acceptedAt + params.auditWindow + (pausedTime(ts) - r.pauseMark);
  const canWork = (who: string, typeId: number, ts: number) => {
    const w = workers.get(lower(who));
    return !!w && (bannedUntil.get(lower(who)) ?? 0) <= ts && ((w.caps >> BigInt(typeId)) & 1n) === 1n;
  };
  const blockHashes = new Map<number, Hex>();
  const blockHash = async (n: number): Promise<Hex> => {
    let h = blockHashes.get(n);
    if (!h) blockHashes.set(n, (h = (await s.publicClient.getBlock({ blockNumber: BigInt(n) })).hash!));
    return h;
  };
  const seedOf = async (anchor: number, id: Hex, purpose: string) =>
    BigInt(
      keccak256(
        encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }], [await blockHash(anchor), id, toHex(purpose, { size: 32 })]),
      ),
    );

  // ---------------------------------------------------------------- events: shadow ledger, model, per-event rules

  /** Applies a successful transaction's events to the shadow and the model, and checks it against `exp`. */
  function applyEvents(events: Ev[], c: Ctx, exp: Expect): Touched {
    const where = c.where;
    const touched = nothing();
    const lastSlash = new Map<string, { recovered: bigint; genesisPart: bigint; paidGenesis?: bigint; paidTransferable?: bigint }>();
    const inTx = (name: string, id?: string) => events.some((e) => e.eventName === name && (id === undefined || taskOfEvent(e) === id));
    for (const ev of events) {
      const id = taskOfEvent(ev);
      if (id) touched.tasks.add(id);
      const t = id ? taskById.get(id) : undefined;
      for (const value of Object.values(ev.args)) {
        for (const x of Array.isArray(value) ? value : [value]) if (typeof x === "string" && /^0x[0-9a-fA-F]{40}$/.test(x)) touched.accounts.add(lower(x));
      }
      if (t?.view) touched.accounts.add(lower(t.view.worker));
      switch (ev.eventName) {
        // ---- ledger
        case "GenesisGranted": {
          const amount = argBig(ev, "amount");
          assert.equal(amount, params.genesisGrant, `${where}: genesis grant`);
          book.granted += 1;
          assert.ok(book.granted <= params.genesisAccounts, `${where}: genesis granted past the cap`);
          assert.equal(argNum(ev, "accountNumber"), book.granted, `${where}: genesis account number`);
          acc(argAddr(ev, "account")).genesis += amount;
          book.issued += amount;
          break;
        }
        case "Escrowed": {
          assert.ok(inTx("TaskPosted", id), `${where}: escrow outside a post`);
          const a = acc(argAddr(ev, "from"));
          const amount = argBig(ev, "amount");
          const fromGenesis = min(amount, a.genesis);
          assert.equal(argBig(ev, "fromGenesis"), fromGenesis, `${where}: escrow must spend genesis first`);
          a.genesis -= fromGenesis;
          a.balance -= amount - fromGenesis;
          const e = escrowOf(id!);
          e.amount += amount;
          e.genesis += fromGenesis;
          break;
        }
        case "EscrowPaid":
        case "EscrowToTreasury": {
          const e = escrowOf(id!);
          const amount = argBig(ev, "amount");
          assert.ok(e.amount >= amount, `${where}: ${ev.eventName} of ${amount} from an escrow of ${e.amount}`);
          // Pro rata genesis share, rounded down (CreditLedger._takeEscrow).
          const share = (amount * e.genesis) / e.amount;
          e.amount -= amount;
          e.genesis -= share;
          if (ev.eventName === "EscrowToTreasury") {
            assert.equal(argBig(ev, "genesisPart"), share, `${where}: genesis share of a payment to the treasury`);
            book.treasury += amount;
            book.treasuryGenesis += share;
            break;
          }
          assert.equal(argBig(ev, "asGenesis"), share, `${where}: genesis share of a payment from escrow`);
          const to = argAddr(ev, "to");
          const a = acc(to);
          a.genesis += share;
          a.balance += amount - share;
          const workCredit = argBig(ev, "workCredit");
          a.earned += workCredit;
          // (4) work credit: only at a finalization, at most the pay and the task's work value per payee
          assert.ok(t, `${where}: payment for an unknown task`);
          assert.ok(inTx("TaskFinalized", id) || inTx("FraudProven", id), `${where}: ${t.id} paid ${to} before it is final`);
          assert.ok(workCredit <= amount, `${where}: work credit ${workCredit} above the pay ${amount}`);
          const credited = (t.workCredit.get(to) ?? 0n) + workCredit;
          assert.ok(credited <= t.workValue, `${where}: ${to} got ${credited} work credit from ${t.id} worth ${t.workValue}`);
          t.workCredit.set(to, credited);
          if (t.sybil && lower(to) === lower(t.view?.worker ?? "")) count("sybil task final");
          break;
        }
        case "EscrowRefunded": {
          const e = escrowOf(id!);
          assert.ok(t, `${where}: refund of an unknown task`);
          assert.equal(argAddr(ev, "to"), t.requester, `${where}: refund of ${t.id} to someone else`);
          assert.equal(argBig(ev, "amount"), e.amount, `${where}: a refund returns the whole rest of the escrow`);
          assert.equal(argBig(ev, "toGenesis"), e.genesis, `${where}: a refund returns the escrow's genesis part as genesis`);
          const a = acc(t.requester);
          a.genesis += e.genesis;
          a.balance += e.amount - e.genesis;
          escrows.set(id!, { amount: 0n, genesis: 0n });
          break;
        }
        case "Staked": {
          const a = acc(argAddr(ev, "account"));
          const amount = argBig(ev, "amount");
          const fromGenesis = min(amount, a.genesis);
          assert.equal(argBig(ev, "fromGenesis"), fromGenesis, `${where}: stake must take genesis first`);
          a.genesis -= fromGenesis;
          a.balance -= amount - fromGenesis;
          a.stake += amount;
          a.stakeGenesis += fromGenesis;
          break;
        }
        case "Unstaked": {
          const who = argAddr(ev, "account");
          const a = acc(who);
          const amount = argBig(ev, "amount");
          const toGenesis = min(amount, a.stakeGenesis);
          assert.equal(argBig(ev, "toGenesis"), toGenesis, `${where}: unstake must return genesis-sourced stake as genesis`);
          a.stake -= amount;
          a.stakeGenesis -= toGenesis;
          a.genesis += toGenesis;
          a.balance += amount - toGenesis;
          // A worker's stake backs its accepted work until no audit can prove it fraudulent.
          for (const x of tasks) {
            if (!x.view || lower(x.view.worker) !== who) continue;
            const auditable = x.view.status === S.Auditing || (x.view.status === S.Accepted && c.ts <= closesAt(x.view.round, c.ts));
            assert.ok(!auditable, `${where}: ${who} unstaked while its work ${x.id} can still be audited (${taskStatusName(x.view.status)}, window closes ${x.view.status === S.Accepted ? closesAt(x.view.round, c.ts) : "-"}, now ${c.ts})`);
          }
          break;
        }
        case "StakeLocked": {
          const who = argAddr(ev, "account");
          const amount = argBig(ev, "amount");
          assert.ok(freeStake(who) >= amount, `${where}: ${who} locked ${amount} with ${freeStake(who)} free`);
          acc(who).locked += amount;
          break;
        }
        case "StakeUnlocked": {
          const a = acc(argAddr(ev, "account"));
          const amount = argBig(ev, "amount");
          assert.ok(amount <= a.locked, `${where}: unlocked ${amount} of ${a.locked} locked`);
          a.locked -= amount;
          break;
        }
        case "Slashed": {
          const who = argAddr(ev, "account");
          const a = acc(who);
          const amount = argBig(ev, "amount");
          const fromStake = min(amount, a.stake);
          const genesisPart = min(fromStake, a.stakeGenesis);
          assert.equal(argBig(ev, "fromStake"), fromStake, `${where}: a slash takes stake first`);
          a.stakeGenesis -= genesisPart;
          a.stake -= fromStake;
          if (a.locked > a.stake) a.locked = a.stake;
          const fromBalance = amount - fromStake;
          const positive = a.balance > 0n ? a.balance : 0n;
          const recovered = fromStake + min(fromBalance, positive);
          assert.equal(argBig(ev, "recovered"), recovered, `${where}: recovered part of a slash`);
          a.balance -= fromBalance;
          book.treasury += amount;
          book.treasuryGenesis += genesisPart;
          lastSlash.set(who, { recovered, genesisPart });
          underLocked.add(who);
          break;
        }
        case "SlashRewarded": {
          const from = argAddr(ev, "from");
          const slash = lastSlash.get(from);
          assert.ok(slash, `${where}: reward out of a slash of ${from} that did not happen`);
          const amount = argBig(ev, "amount");
          // The slash's genesis share, rounded up, capped so that the rewards together never carry more genesis or
          // more transferable credit than the slash recovered of each (CreditLedger.slashAndReward).
          const asGenesis = argBig(ev, "asGenesis");
          const floor = (amount * slash.genesisPart) / slash.recovered;
          assert.ok(asGenesis >= floor - 1n && asGenesis <= floor + 1n, `${where}: genesis share of a slash reward (${asGenesis}, pro rata ${floor})`);
          slash.paidGenesis = (slash.paidGenesis ?? 0n) + asGenesis;
          slash.paidTransferable = (slash.paidTransferable ?? 0n) + amount - asGenesis;
          assert.ok(slash.paidGenesis <= slash.genesisPart, `${where}: rewards carry no more genesis than the slash recovered`);
          assert.ok(slash.paidTransferable <= slash.recovered - slash.genesisPart, `${where}: rewards carry no more transferable credit than the slash recovered`);
          book.treasury -= amount;
          book.treasuryGenesis -= asGenesis;
          const a = acc(argAddr(ev, "to"));
          a.genesis += asGenesis;
          a.balance += amount - asGenesis;
          break;
        }
        case "Transferred": {
          const from = acc(argAddr(ev, "from"));
          const amount = argBig(ev, "amount");
          from.balance -= amount;
          from.earned -= min(amount, from.earned);
          acc(argAddr(ev, "to")).balance += amount;
          break;
        }
        case "IouRecorded": {
          const d = argAddr(ev, "debtor");
          const cr = argAddr(ev, "creditor");
          iouAccounts.add(d);
          iouAccounts.add(cr);
          const amount = argBig(ev, "amount");
          const netted = min(amount, owedOf(cr, d));
          assert.equal(argBig(ev, "netted"), netted, `${where}: IOU netting`);
          setOwed(cr, d, owedOf(cr, d) - netted);
          setOwed(d, cr, owedOf(d, cr) + amount - netted);
          break;
        }
        case "CycleCleared": {
          const path = (ev.args.path as string[]).map(lower);
          const amount = argBig(ev, "amount");
          const edges = path.map((p, i) => owedOf(p, path[(i + 1) % path.length]!));
          assert.equal(amount, edges.reduce(min), `${where}: a cycle clears its smallest edge`);
          path.forEach((p, i) => setOwed(p, path[(i + 1) % path.length]!, edges[i]! - amount));
          break;
        }
        // ---- registry
        case "WorkerRegistered": {
          const who = argAddr(ev, "account");
          workers.set(who, { caps: argBig(ev, "capabilities") });
          const granted = argBig(ev, "genesisGranted");
          book.grants += granted;
          assert.equal(granted, inTx("GenesisGranted") ? params.genesisGrant : 0n, `${where}: grant of ${who}`);
          if (granted === 0n) assert.equal(book.granted, params.genesisAccounts, `${where}: no grant below the genesis cap`);
          break;
        }
        case "VerifierPoolJoined":
        case "VerifierPoolLeft": {
          const who = argAddr(ev, "account");
          assert.equal(argNum(ev, "fromBlock"), c.block + 1, `${where}: a pool change takes effect from the next block`);
          if (ev.eventName === "VerifierPoolJoined") {
            assert.ok(!pool.includes(who), `${where}: ${who} joined twice`);
            pool.push(who);
          } else {
            const index = pool.indexOf(who);
            assert.ok(index >= 0, `${where}: ${who} left a pool it is not in`);
            const last = pool.pop()!;
            if (index < pool.length) pool[index] = last;
          }
          const from = c.block + 1;
          if (poolHistory.at(-1)?.from === from) poolHistory.pop();
          poolHistory.push({ from, members: [...pool] });
          break;
        }
        case "WorkerUpdated":
          workers.get(argAddr(ev, "account"))!.caps = argBig(ev, "capabilities");
          break;
        case "WorkerBanned":
          assert.equal(argNum(ev, "until"), c.ts + params.banDuration, `${where}: ban length`);
          bannedUntil.set(argAddr(ev, "account"), argNum(ev, "until"));
          break;
        // ---- market
        case "TaskPosted": {
          const typeId = argNum(ev, "typeId");
          const mode = argNum(ev, "mode") as VerificationMode;
          const claimWindow = argNum(ev, "claimWindow");
          const deadline = argNum(ev, "deadline");
          const preferred = argAddr(ev, "preferredWorker");
          const workValue = argBig(ev, "workValue");
          assert.equal(workValue, workValueOf(policies[typeId]!.model, argNum(ev, "inputBytes")), `${where}: work value of a task`);
          const requester = argAddr(ev, "requester");
          const replicated = mode === VerificationMode.Replicated;
          const badInput = replicated && rnd.chance(0.15);
          const model: TaskModel = {
            id: argHex(ev, "taskId"),
            requester,
            mode,
            bounty: argBig(ev, "bounty"),
            typeId,
            deadline,
            claimWindow,
            preferred,
            preferredUntil: isZero(preferred) ? 0 : Math.min(c.ts + claimWindow, deadline),
            zkInput: argBig(ev, "zkInputCommitment"),
            workValue,
            sybil: people.get(requester)?.sybil ?? false,
            tainted: rnd.chance(0.2),
            badInput,
            lieIsReject: replicated && !badInput && rnd.chance(0.3),
            stance: new Map(),
            excluded: new Set(),
            view: undefined,
            accepts: 0,
            finals: 0,
            workerPaid: 0n,
            wrongAccepted: false,
            workCredit: new Map(),
          };
          assert.ok(!taskById.has(id!), `${where}: task id ${id} posted twice`);
          tasks.push(model);
          taskById.set(id!, model);
          if (model.sybil) count("sybil task posted");
          if (model.badInput) count("bad input posted");
          break;
        }
        case "TaskClaimed": {
          assert.ok(t, `${where}: claim of an unknown task`);
          const who = argAddr(ev, "worker");
          // who may claim: registered, capable, not banned, not the requester, not excluded from the task
          assert.notEqual(who, t.requester, `${where}: requester claimed its own task`);
          assert.ok(canWork(who, t.typeId, c.ts), `${where}: ${who} may not work on ${t.id}`);
          assert.ok(!t.excluded.has(who), `${where}: ${who} claimed ${t.id} it is excluded from`);
          assert.equal(argNum(ev, "claimDeadline"), Math.min(c.ts + t.claimWindow, t.deadline), `${where}: claim deadline`);
          break;
        }
        case "VerifierDrawn":
        case "AuditorDrawn": {
          assert.ok(t, `${where}: draw for an unknown task`);
          const who = argAddr(ev, ev.eventName === "VerifierDrawn" ? "verifier" : "auditor");
          assert.ok(pool.includes(who), `${where}: ${who} drawn for ${t.id} but not in the verifier pool`);
          assert.ok(canWork(who, t.typeId, c.ts), `${where}: ${who} drawn for ${t.id} but may not work on it`);
          assert.ok(!t.excluded.has(who), `${where}: ${who} drawn for ${t.id} it is excluded from`);
          const roll = rnd.next();
          const audit = ev.eventName === "AuditorDrawn";
          if (roll < (audit ? 0.04 : 0.06)) t.stance.set(`${audit}|${who}`, "absent");
          else if (roll < (audit ? 0.08 : 0.16)) t.stance.set(`${audit}|${who}`, "silent");
          else t.stance.delete(`${audit}|${who}`);
          break;
        }
        case "RandomnessAnchored":
          assert.equal(argNum(ev, "blockNumber"), c.block, `${where}: an anchor is the transaction's own block`);
          break;
        case "CommitWindowOpened":
          assert.equal(argNum(ev, "commitDeadline"), c.ts + params.commitWindow, `${where}: commit deadline`);
          assert.equal(argNum(ev, "revealDeadline"), c.ts + params.commitWindow + params.revealWindow, `${where}: reveal deadline`);
          break;
        case "VerifierReplaced":
          assert.ok(t, `${where}: replacement on an unknown task`);
          t.excluded.add(argAddr(ev, "silent"));
          break;
        case "TaskRejected": {
          assert.ok(t, `${where}: TaskRejected for unknown task`);
          const reason = argNum(ev, "reason");
          if (reason !== REASON.NoConsensus) t.excluded.add(argAddr(ev, "worker"));
          count("TaskRejected");
          count(`rejected: ${REASON_NAMES[reason]}`);
          if (t.view && t.view.round.commitDeadline === 0) count("rejected: round never opened");
          break;
        }
        case "TaskAccepted":
        case "TaskProved": {
          assert.ok(t, `${where}: ${ev.eventName} for unknown task`);
          t.accepts += 1;
          assert.equal(t.accepts, 1, `${where}: task ${t.id} accepted/proved ${t.accepts} times`);
          count(ev.eventName);
          const digest = ev.eventName === "TaskAccepted" ? argHex(ev, "digest") : cidDigest(ev.args.outputCid as Hex);
          if (lower(digest) !== lower(cidDigest(rightCid(t)))) {
            count("accepted a wrong result");
            t.wrongAccepted = true;
          }
          if (ev.eventName === "TaskAccepted" && ev.args.inputRejected) count("accepted: input rejected");
          break;
        }
        case "TaskFinalized":
        case "FraudProven": {
          assert.ok(t, `${where}: ${ev.eventName} for unknown task`);
          t.finals += 1;
          assert.equal(t.finals, 1, `${where}: ${t.id} finalized twice`);
          assert.equal(t.accepts, 1, `${where}: ${t.id} final without an acceptance`);
          count(ev.eventName);
          if (ev.eventName === "FraudProven" && !t.wrongAccepted) count("fraud proven against a right result");
          break;
        }
        case "AuditStarted":
          count(ev.args.forced ? "forced audit" : "random audit");
          if (t?.wrongAccepted) count("audit of a wrong result");
          break;
        case "AuditClean":
          if (t?.wrongAccepted) count("audit missed a wrong result");
          count("AuditClean");
          break;
        case "TaskExpired":
        case "TaskCancelled":
          count(ev.eventName);
          break;
        default:
          break;
      }
    }
    checkTransaction(events, c, exp);
    for (const who of touched.accounts) recordEligibility(who, c.block);
    return touched;
  }

  /**
   * The predicted slashes, rewards, payments, refunds and IOUs of a transaction against its events; and the rules
   * that hold for every transaction: credit leaves an escrow only when its task is final, cancelled or expired.
   */
  function checkTransaction(events: Ev[], c: Ctx, exp: Expect) {
    const where = c.where;
    const e: OkExpect = isOk(exp) ? exp : {};
    const named = (name: string) => events.filter((x) => x.eventName === name);
    // Slashes: exactly the predicted ones, plus the claim-expiry slash of each claim that expired in the transaction.
    const expectedSlashes = [...(e.slashes ?? [])];
    for (const x of named("ClaimExpiredReopened")) {
      const t = taskById.get(taskOfEvent(x)!)!;
      expectedSlashes.push([argAddr(x, "worker"), bpsShare(t.bounty, params.expirySlashBps)]);
      count("claim expired");
    }
    const slashKey = ([a, n]: [string, bigint]) => `${lower(a)}:${n}`;
    assert.deepEqual(
      named("Slashed").map((x) => slashKey([argAddr(x, "account"), argBig(x, "amount")])).sort(),
      expectedSlashes.filter(([, n]) => n > 0n).map(slashKey).sort(),
      `${where}: slashes`,
    );
    // Rewards out of a slash: each rewarded account the same, at most `each`, in all at most what it recovered.
    // CreditLedger.slashAndReward splits each reward into genesis and transferable credit, each part at most its
    // share of what the slash recovered of that kind; that rounding may shorten a reward by one mCC (never lengthen
    // it). The model does not track the genesis part of a stake, so it allows exactly that one mCC.
    const rewardEvents = named("SlashRewarded");
    const rewards = rewardEvents.map((x) => `${argAddr(x, "from")}>${argAddr(x, "to")}`);
    let expectedRewards: string[] = [];
    if (e.rewards && e.rewards.to.length) {
      const slash = named("Slashed").find((x) => argAddr(x, "account") === lower(e.rewards!.from));
      const recovered = slash ? argBig(slash, "recovered") : 0n;
      const n = BigInt(e.rewards.to.length);
      const each = recovered === 0n ? 0n : min(recovered / n, e.rewards.each);
      if (each > 0n) expectedRewards = e.rewards.to.map((to) => `${lower(e.rewards!.from)}>${lower(to)}`);
      if (recovered < e.rewards.each * n) count("reward capped by what the slash recovered");
      const paid = new Set(rewardEvents.map((x) => argBig(x, "amount")));
      assert.ok(paid.size <= 1, `${where}: every rewarded account gets the same reward`);
      for (const amount of paid) {
        assert.ok(amount === each || (amount === each - 1n && amount > 0n), `${where}: a reward of ${amount}, the rule says ${each}`);
        if (amount === each - 1n) count("reward shortened by the genesis split's rounding");
      }
      for (const x of rewardEvents) assert.ok(argBig(x, "asGenesis") <= argBig(x, "amount"), `${where}: a reward's genesis part is within it`);
    }
    assert.deepEqual(rewards.sort(), expectedRewards.sort(), `${where}: rewards out of a slash`);

    // Escrow outflows, task by task.
    const outflow = ["EscrowPaid", "EscrowToTreasury", "EscrowRefunded"];
    const ids = new Set(events.filter((x) => outflow.includes(x.eventName)).map((x) => taskOfEvent(x)!));
    if (e.release) ids.add(e.release[0]);
    for (const id of ids) {
      const t = taskById.get(id)!;
      const held = escrowFor(t.bounty, t.mode, params);
      const paid = events.filter((x) => x.eventName === "EscrowPaid" && taskOfEvent(x) === id);
      const toTreasury = events.filter((x) => x.eventName === "EscrowToTreasury" && taskOfEvent(x) === id).map((x) => argBig(x, "amount"));
      const refunds = events.filter((x) => x.eventName === "EscrowRefunded" && taskOfEvent(x) === id).map((x) => argBig(x, "amount"));
      let release: Release;
      if (e.release && e.release[0] === id) {
        release = e.release[1];
        assert.ok(named("TaskFinalized").length + named("FraudProven").length === 1, `${where}: ${t.id} paid out without becoming final`);
      } else if (events.some((x) => x.eventName === "TaskExpired" && taskOfEvent(x) === id)) {
        // A task whose result was revealed pays its bounty to the treasury when it expires unaccepted.
        release = { paid: [], toTreasury: t.view?.revealed ? t.bounty : 0n };
        if (t.view?.revealed) count("expired after a reveal: bounty to the treasury");
      } else if (events.some((x) => x.eventName === "TaskCancelled" && taskOfEvent(x) === id)) {
        release = { paid: [], toTreasury: 0n };
      } else {
        assert.fail(`${where}: escrow of ${t.id} moved while it is not final, cancelled or expired`);
      }
      const paidKey = (to: string, amount: bigint) => `${lower(to)}:${amount}`;
      assert.deepEqual(
        paid.map((x) => paidKey(argAddr(x, "to"), argBig(x, "amount"))).sort(),
        release.paid.filter((p) => p.amount > 0n).map((p) => paidKey(p.to, p.amount)).sort(),
        `${where}: payments out of the escrow of ${t.id}`,
      );
      for (const x of paid) {
        const p = release.paid.find((q) => lower(q.to) === argAddr(x, "to") && q.amount === argBig(x, "amount"))!;
        const credit = argBig(x, "workCredit");
        if (p.exactCredit) assert.equal(credit, p.workCredit, `${where}: work credit of ${p.to} from ${t.id}`);
        else assert.ok(credit <= p.workCredit, `${where}: work credit of ${p.to} from ${t.id}: ${credit} > ${p.workCredit}`);
      }
      assert.deepEqual(toTreasury, release.toTreasury > 0n ? [release.toTreasury] : [], `${where}: treasury part of the escrow of ${t.id}`);
      const rest = held - release.paid.reduce((sum, p) => sum + p.amount, 0n) - release.toTreasury;
      assert.deepEqual(refunds, rest > 0n ? [rest] : [], `${where}: refund of the escrow of ${t.id}`);
      const ious = events.filter((x) => x.eventName === "IouRecorded");
      const iouKey = (d: string, cr: string, n: bigint) => `${lower(d)}>${lower(cr)}:${n}`;
      assert.deepEqual(
        ious.map((x) => iouKey(argAddr(x, "debtor"), argAddr(x, "creditor"), argBig(x, "amount"))),
        release.iou ? [iouKey(release.iou.debtor, release.iou.creditor, release.iou.amount)] : [],
        `${where}: IOUs of ${t.id}`,
      );
      if (release.iou) {
        addNet(release.iou.creditor, release.iou.amount);
        addNet(release.iou.debtor, -release.iou.amount);
        t.workerPaid += release.iou.amount;
        assert.ok(t.workerPaid <= t.bounty, `${where}: worker of ${t.id} paid ${t.workerPaid} in all`);
      }
    }
    if (!ids.size) assert.equal(named("IouRecorded").length, 0, `${where}: an IOU without a payment`);
    for (const [id, status] of e.status ?? []) expectedStatus.set(lower(id), status);
    e.check?.(events);
  }

  // ---------------------------------------------------------------- predictions

  const ok = (more: OkExpect = {}): Expect => more;
  const revert = (name: string): Expect => ({ revert: name });
  const one = (events: Ev[], name: string, where: string) => {
    const found = events.filter((x) => x.eventName === name);
    assert.equal(found.length, 1, `${where}: ${found.length} ${name} events`);
    return found[0]!;
  };
  const none = (events: Ev[], names: string[], where: string) => {
    for (const name of names) assert.ok(!events.some((x) => x.eventName === name), `${where}: unexpected ${name}`);
  };

  /** Whether settle may end the round now, as ReplicationRound.settle decides it; the error if not. */
  function settleGate(t: TaskModel, ts: number, block: number): string | undefined {
    const v = t.view!;
    if (v.status !== S.Committed && v.status !== S.Revealing) return "WrongStatus";
    const r = v.round;
    if (r.commitDeadline === 0) {
      if (!anchorLapsed(r.anchorBlock, block) && !(r.poolShort && ts > t.deadline)) return "RoundNotOver";
    } else if (r.reveals < 3 && ts <= r.revealDeadline) return "RoundNotOver";
    return undefined;
  }

  /** Whether finalizeAudit may end the audit now; the error if not. */
  function auditGate(t: TaskModel, ts: number, block: number): string | undefined {
    const v = t.view!;
    if (v.status !== S.Auditing) return "WrongStatus";
    const a = v.audit;
    if (a.commitDeadline !== 0) return a.reveals < 3 && ts <= a.revealDeadline ? "RoundNotOver" : undefined;
    return !anchorLapsed(a.anchorBlock, block) && ts <= closesAt(a, ts) ? "RoundNotOver" : undefined;
  }

  /**
   * The random audit decision (TaskAudit.decideAudit) in block `block`: from the hash of the settle block (the
   * round's anchor), or audited once that hash is unreadable.
   */
  async function auditDrawn(t: TaskModel, anchor: number, block: number) {
    if (block > anchor + HORIZON) return true;
    return (await seedOf(anchor, t.id, "audit")) % 10_000n < BigInt(params.auditRateBps);
  }

  function expectSettle(t: TaskModel, c: Ctx): Expect | Promise<Expect> {
    const gate = settleGate(t, c.ts, c.block);
    if (gate) return revert(gate);
    const v = t.view!;
    const r = v.round;
    const d = r.sealOrDigest.map(lower) as Hex[];
    const worker = lower(v.worker);
    const lock = dutyLock(t.bounty);
    const seats = [1, 2].filter((i) => !isZero(memberAt(r, i)));
    const drawPending = r.commitDeadline === 0;
    const lapsed = drawPending && anchorLapsed(r.anchorBlock, c.block);
    const agreed = revealedAt(r, 0) && (revealedWith(r, 1, d[0]!) || revealedWith(r, 2, d[0]!));
    if (agreed) {
      const inputRejected = d[0] === rejectedDigest.get(t.typeId);
      const pending = params.auditRateBps !== 0;
      // Reputation: the worker +1 (recordAcceptedWork), each silent verifier -1; agreeing verifiers earn their fee.
      const reputation = [`${worker}:1`];
      for (const i of seats) {
        if (!revealedAt(r, i)) reputation.push(`${memberAt(r, i)}:-1`);
      }
      return ok({
        // Nothing is paid at acceptance; only a verifier that never revealed is slashed, at once.
        slashes: seats.filter((i) => !revealedAt(r, i)).map((i) => [memberAt(r, i), lock]),
        // Accepted whatever the audit will be: it is decided later from this block's hash (decideAudit).
        status: [[t.id, S.Accepted]],
        check: (events) => {
          const acc_ = one(events, "TaskAccepted", c.where);
          assert.equal(argAddr(acc_, "worker"), worker, `${c.where}: accepted worker`);
          assert.equal(argHex(acc_, "digest"), d[0], `${c.where}: accepted digest`);
          assert.equal(acc_.args.inputRejected, inputRejected, `${c.where}: input rejected iff the type's rejected digest`);
          none(events, ["AuditStarted", "AuditDecided"], c.where);
          if (pending) assert.equal(argNum(one(events, "RandomnessAnchored", c.where), "blockNumber"), c.block, `${c.where}: the audit decision anchored to the settle block`);
          else none(events, ["RandomnessAnchored"], c.where);
          const changed = events.filter((x) => x.eventName === "ReputationChanged").map((x) => `${argAddr(x, "account")}:${argBig(x, "delta")}`);
          assert.deepEqual(changed.sort(), reputation.sort(), `${c.where}: reputation changes of an acceptance`);
          if (seats.some((i) => !revealedAt(r, i))) count("accepted with a silent verifier (slashed, reputation -1)");
        },
      });
    }
    const verifiersAgree = revealedAt(r, 1) && revealedWith(r, 2, d[1]!);
    let reason: number;
    // A lapsed draw blames the worker, unless the pool was too short to fill it: then nobody is to blame.
    if (lapsed && r.poolShort) count("rejected: draw of a short pool lapsed (nobody blamed)");
    if (lapsed && !r.poolShort) reason = REASON.DrawLapsed;
    else if (drawPending) reason = REASON.NoConsensus;
    else if (verifiersAgree) reason = revealedAt(r, 0) ? REASON.VerifiersDisagreed : REASON.WorkerSilent;
    else if (!revealedAt(r, 0)) reason = REASON.WorkerSilent;
    else if ((!revealedAt(r, 1) || !revealedAt(r, 2)) && r.replacements < MAX_REPLACEMENTS) {
      // The worker's result is public: the silent verifiers are slashed and replaced, the round goes on.
      const silent = [1, 2].filter((i) => !revealedAt(r, i));
      return ok({
        slashes: silent.map((i) => [memberAt(r, i), lock]),
        status: [[t.id, S.Revealing]],
        check: (events) => {
          count("verifiers replaced after the worker revealed");
          const replaced = events.filter((x) => x.eventName === "VerifierReplaced").map((x) => `${argAddr(x, "silent")}@${argNum(x, "member")}`);
          assert.deepEqual(replaced.sort(), silent.map((i) => `${memberAt(r, i)}@${i}`).sort(), `${c.where}: replaced verifiers`);
          one(events, "RandomnessAnchored", c.where);
          none(events, ["TaskAccepted", "TaskRejected"], c.where);
        },
      });
    } else reason = REASON.NoConsensus;
    const atFault = reason !== REASON.NoConsensus;
    const roundRan = r.commitDeadline !== 0;
    const slashes: [string, bigint][] = [];
    if (atFault) slashes.push([worker, lock]);
    for (const i of seats) if (!revealedAt(r, i) && roundRan) slashes.push([memberAt(r, i), lock]);
    return ok({
      slashes,
      rewards: atFault ? { from: worker, to: seats.filter((i) => revealedAt(r, i)).map((i) => memberAt(r, i)), each: fee(t.bounty) } : undefined,
      status: [[t.id, c.ts > t.deadline ? S.Expired : S.Open]],
      check: (events) => {
        const rej = one(events, "TaskRejected", c.where);
        assert.equal(argNum(rej, "reason"), reason, `${c.where}: reject reason`);
        assert.equal(argAddr(rej, "worker"), worker, `${c.where}: rejected worker`);
      },
    });
  }

  /** The pool members a draw finds (WorkerRegistry.draw): the pool as of the anchor, eligibility as of now. */
  function simulateDraw(t: TaskModel, seedWord: bigint, anchor: number, count_: number, lock: bigint, exclude: string[], ts: number, members = poolAt(anchor)) {
    const size = members.length;
    const found: string[] = [];
    if (size === 0 || count_ === 0) return found;
    const start = Number(seedWord % BigInt(size));
    for (let i = 0; i < Math.min(size, MAX_DRAW_SCAN) && found.length < count_; i++) {
      const cand = members[(start + i) % size]!;
      if (isZero(cand) || exclude.includes(cand) || !pool.includes(cand) || !canWork(cand, t.typeId, ts)) continue;
      if (acc(cand).stake < params.minVerifierStake || freeStake(cand) < lock) continue;
      found.push(cand);
    }
    return found;
  }

  /** TaskRules.fill: the seats from `first` on that a draw fills now, and whether the commit window opens. */
  async function expectFill(t: TaskModel, r: RoundView, first: number, exclude: string[], audit: boolean, c: Ctx): Promise<Expect> {
    const empty = [0, 1, 2].filter((i) => i >= first && isZero(memberAt(r, i)));
    if (!empty.length) return ok({ check: (events) => none(events, ["VerifierDrawn", "AuditorDrawn"], c.where) });
    if (r.anchorBlock >= c.block) return revert("AnchorNotReady");
    if (anchorLapsed(r.anchorBlock, c.block)) {
      count("draw refused: anchor lapsed");
      return revert("AnchorLapsed");
    }
    const seedWord = await seedOf(r.anchorBlock, t.id, audit ? "auditors" : "verifiers");
    const lock = dutyLock(t.bounty);
    const ex = exclude.map(lower);
    const pick = (found: string[]) => {
      const seated: string[] = [];
      let next = 0;
      for (const i of empty) {
        if (next >= found.length) break;
        let account = found[next++]!;
        while (t.excluded.has(account) && next < found.length) account = found[next++]!;
        if (t.excluded.has(account)) break;
        seated.push(`${account}@${i}`);
      }
      return seated;
    };
    // TaskRules.fill asks for as many extra candidates as the task excludes accounts, so that excluded ones cannot
    // crowd out eligible members.
    const wanted = empty.length + 2 + t.excluded.size;
    const drawn = pick(simulateDraw(t, seedWord, r.anchorBlock, wanted, lock, ex, c.ts));
    const anchored = poolAt(r.anchorBlock);
    if (anchored.join() !== pool.join()) {
      count("draw from a pool that changed since its anchor");
      const now = pick(simulateDraw(t, seedWord, r.anchorBlock, wanted, lock, ex, c.ts, pool));
      if (now.join() !== drawn.join()) count("pool change after the anchor would have changed the draw");
    }
    if (t.excluded.size && pick(simulateDraw(t, seedWord, r.anchorBlock, empty.length + 2, lock, ex, c.ts)).join() !== drawn.join()) {
      count("excluded accounts would have crowded out a seat");
    }
    const opens = drawn.length === empty.length;
    return ok({
      check: (events) => {
        const name = audit ? "AuditorDrawn" : "VerifierDrawn";
        const got = events.filter((x) => x.eventName === name).map((x) => `${argAddr(x, audit ? "auditor" : "verifier")}@${argNum(x, "member")}`);
        assert.deepEqual(got, drawn, `${c.where}: ${name}: the draw from the anchor's hash, the pool (order and length) as of block ${r.anchorBlock}, and eligibility as of the draw`);
        // By design the registry reads each candidate's eligibility at the draw, not as of the anchor: an account
        // that changed it after the seed was public only gets the seat it would have had being eligible all along
        // (see the property tests at the end). Counted, to show the runs reach it.
        for (const seat of drawn) {
          const who = seat.split("@")[0]!;
          const why = eligibleAt(who, r.anchorBlock, t.typeId, lock);
          if (why === undefined) continue;
          count("seated an account whose eligibility changed since its anchor");
          count(`seated though ${why} as of its anchor`);
        }
        if (opens) {
          one(events, "CommitWindowOpened", c.where);
          none(events, ["RandomnessAnchored"], c.where);
        } else {
          count(audit ? "auditor pool short" : "verifier pool short");
          one(events, "RandomnessAnchored", c.where);
          none(events, ["CommitWindowOpened"], c.where);
        }
      },
    });
  }

  function expectDrawVerifiers(t: TaskModel, c: Ctx): Expect | Promise<Expect> {
    const v = t.view!;
    if (v.status !== S.Committed && v.status !== S.Revealing) return revert("WrongStatus");
    const r = v.round;
    if (r.commitDeadline !== 0 || r.anchorBlock === 0) return revert("NothingToDraw");
    return expectFill(t, r, 1, [t.requester, v.worker, memberAt(r, 1), memberAt(r, 2)], false, c);
  }

  function expectDrawAuditors(t: TaskModel, c: Ctx): Expect | Promise<Expect> {
    const v = t.view!;
    if (v.status !== S.Auditing) return revert("WrongStatus");
    const a = v.audit;
    if (a.commitDeadline !== 0 || a.anchorBlock === 0) return revert("NothingToDraw");
    if (c.ts > closesAt(a, c.ts)) return revert("AuditWindowClosed");
    const r = v.round;
    return expectFill(t, a, 0, [t.requester, v.worker, memberAt(r, 1), memberAt(r, 2), memberAt(a, 0), memberAt(a, 1), memberAt(a, 2)], true, c);
  }

  /** TaskAudit._payOut: the worker's pay, the agreeing verifiers' fees, the platform fee; dissenters slashed. */
  function payOut(t: TaskModel, c: Ctx, auditors: Release["paid"], auditorSlashes: [string, bigint][]): Expect {
    const v = t.view!;
    const r = v.round;
    const inputRejected = r.inputRejected;
    const pay = inputRejected ? bpsShare(t.bounty, params.inputRejectedPayBps) : t.bounty;
    const workValue = inputRejected ? 0n : t.workValue;
    const worker = lower(v.worker);
    const paid: Release["paid"] = [{ to: worker, amount: pay, workCredit: min(pay, workValue), exactCredit: true }];
    const slashes = [...auditorSlashes];
    for (const i of [1, 2]) {
      if (isZero(memberAt(r, i)) || !revealedAt(r, i)) continue;
      if (lower(r.sealOrDigest[i]!) === lower(r.sealOrDigest[0]!)) {
        paid.push({ to: memberAt(r, i), amount: fee(t.bounty), workCredit: min(fee(t.bounty), workValue), exactCredit: true });
      } else slashes.push([memberAt(r, i), dutyLock(t.bounty)]);
    }
    return ok({
      slashes,
      release: [lower(t.id), { paid: [...paid, ...auditors], toTreasury: bpsShare(t.bounty, params.platformFeeBps), iou: { debtor: t.requester, creditor: worker, amount: pay } }],
      status: [[t.id, inputRejected ? S.InputRejected : S.Final]],
      check: (events) => {
        assert.equal(argBig(one(events, "TaskFinalized", c.where), "workerPay"), pay, `${c.where}: worker pay`);
        if (inputRejected) count("final: input rejected");
        if (closesAt(r, c.ts) !== r.acceptedAt + params.auditWindow) count("window extended by a pause");
      },
    });
  }

  function expectFinalize(t: TaskModel, c: Ctx): Expect {
    const v = t.view!;
    if (v.status !== S.Accepted) return revert("WrongStatus");
    if (v.round.auditPending) {
      count("finalize refused: audit undecided");
      return revert("AuditUndecided");
    }
    if (c.ts <= closesAt(v.round, c.ts)) return revert("AuditWindowOpen");
    return payOut(t, c, [], []);
  }

  /**
   * TaskAudit.decideAudit: from a later block than the settle block, the settle block's hash decides the random
   * audit (an unreadable hash audits); an audited task starts its audit. `dodging`: sent through AuditDodger, which
   * reverts the whole transaction when audited.
   */
  async function expectDecideAudit(t: TaskModel, c: Ctx, dodging = false): Promise<Expect> {
    const v = t.view!;
    if (v.status !== S.Accepted) return revert("WrongStatus");
    const r = v.round;
    if (!r.auditPending) return revert("NothingToDraw");
    if (r.anchorBlock >= c.block) return revert("AnchorNotReady");
    const stale = c.block > r.anchorBlock + HORIZON;
    const audited = await auditDrawn(t, r.anchorBlock, c.block);
    if (dodging && audited) {
      count("audit dodge refused");
      return revert("Audited");
    }
    return ok({
      status: [[t.id, audited ? S.Auditing : S.Accepted]],
      check: (events) => {
        assert.equal(one(events, "AuditDecided", c.where).args.audited, audited, `${c.where}: the audit decision from the settle block ${r.anchorBlock}'s hash`);
        count(stale ? "audit decided from an unreadable hash (audited)" : audited ? "audit decided: audited" : "audit decided: not audited");
        if (dodging) count("audit dodge let through (not audited)");
        if (audited) {
          assert.equal(one(events, "AuditStarted", c.where).args.forced, false, `${c.where}: random audit`);
          assert.equal(argNum(one(events, "RandomnessAnchored", c.where), "blockNumber"), c.block, `${c.where}: auditor draw anchored`);
        } else none(events, ["AuditStarted", "RandomnessAnchored"], c.where);
      },
    });
  }

  function expectFinalizeAudit(t: TaskModel, c: Ctx): Expect {
    const gate = auditGate(t, c.ts, c.block);
    if (gate) return revert(gate);
    const v = t.view!;
    const a = v.audit;
    const r = v.round;
    const auditRan = a.commitDeadline !== 0;
    if (!auditRan) count("audit lapsed undrawn");
    const accepted = lower(r.sealOrDigest[0]!) as Hex;
    let audited: Hex | undefined;
    for (const i of [0, 1, 2]) {
      const d = lower(a.sealOrDigest[i]!) as Hex;
      if (audited || !revealedAt(a, i) || d === accepted) continue;
      if ([0, 1, 2].filter((j) => revealedWith(a, j, d)).length >= 2) audited = d;
    }
    const lock = dutyLock(t.bounty);
    const f = fee(t.bounty);
    const right = audited ?? accepted;
    const auditorPaid: Release["paid"] = [];
    const slashes: [string, bigint][] = [];
    for (const i of [0, 1, 2]) {
      if (isZero(memberAt(a, i))) continue;
      const isRight = auditRan && revealedWith(a, i, right);
      if (isRight) auditorPaid.push({ to: memberAt(a, i), amount: f, workCredit: r.inputRejected ? 0n : min(f, t.workValue), exactCredit: !audited });
      else if (auditRan) slashes.push([memberAt(a, i), lock]);
    }
    if (!audited) {
      const p = payOut(t, c, auditorPaid, slashes) as OkExpect;
      return {
        ...p,
        check: (events) => {
          one(events, "AuditClean", c.where);
          p.check?.(events);
        },
      };
    }
    // Fraud: the escrow returns to the requester less the fees of those who were right; the worker is slashed.
    const worker = lower(v.worker);
    const honest = [0, 1, 2].filter((i) => revealedWith(a, i, audited!)).map((i) => memberAt(a, i));
    const paid = [...auditorPaid];
    for (const i of [1, 2]) {
      if (isZero(memberAt(r, i)) || !revealedAt(r, i)) continue;
      if (revealedWith(r, i, audited)) {
        honest.push(memberAt(r, i));
        paid.push({ to: memberAt(r, i), amount: f, workCredit: min(f, t.workValue), exactCredit: false });
        count("honest dissenter made whole");
      } else slashes.push([memberAt(r, i), lock]);
    }
    const slashed = t.bounty * BigInt(params.fraudSlashMultiplier);
    slashes.push([worker, slashed]);
    return ok({
      slashes,
      rewards: { from: worker, to: honest, each: bpsShare(t.bounty, params.auditorRewardBps) / BigInt(honest.length) },
      release: [lower(t.id), { paid, toTreasury: 0n }],
      status: [[t.id, S.Fraudulent]],
      check: (events) => {
        const fraud = one(events, "FraudProven", c.where);
        assert.equal(argAddr(fraud, "worker"), worker, `${c.where}: fraudulent worker`);
        assert.equal(argBig(fraud, "slashed"), slashed, `${c.where}: fraud slash`);
        assert.equal(argHex(fraud, "auditedDigest"), audited, `${c.where}: audited digest`);
        assert.equal(argAddr(one(events, "WorkerBanned", c.where), "account"), worker, `${c.where}: banned`);
        none(events, ["TaskFinalized", "AuditClean"], c.where);
      },
    });
  }

  function expectForceAudit(t: TaskModel, sender: string, c: Ctx): Expect {
    if (paused.market) return revert("EnforcedPause");
    const v = t.view!;
    if (lower(sender) !== t.requester) return revert("NotRequester");
    if (v.status !== S.Accepted) return revert("WrongStatus");
    if (c.ts > closesAt(v.round, c.ts)) return revert("AuditWindowClosed");
    return ok({
      status: [[t.id, S.Auditing]],
      check: (events) => {
        // A forced audit escrows nothing: the audit reserve posted with the task pays it. It makes a pending random
        // audit moot (the lens then reads auditPending false, checked by the invariants).
        assert.equal(one(events, "AuditStarted", c.where).args.forced, true, `${c.where}: forced`);
        none(events, ["AuditDecided"], c.where);
        if (v.round.auditPending) count("forced audit during a pending decision");
        if (closesAt(v.round, c.ts) !== v.round.acceptedAt + params.auditWindow) count("window extended by a pause");
      },
    });
  }

  /** A claim that went stale: the transaction that touches it first ends it (the worker is slashed, see checkTransaction). */
  const staleClaim = (t: TaskModel, ts: number) => t.view!.status === S.Claimed && ts > Number(t.view!.claimDeadline);

  /**
   * The checks a claim and a proof without a claim share (TaskMarket._takeOpen), in the contract's order; `null` when
   * they pass, undefined when the outcome is not predicted. `holdsClaim`: a claim also needs a free claim slot.
   */
  function expectTake(t: TaskModel, who: string, c: Ctx, holdsClaim: boolean): Expect | undefined | null {
    const stale = staleClaim(t, c.ts);
    const status = stale ? S.Open : t.view!.status;
    if (status !== S.Open) return revert("WrongStatus");
    if (c.ts > t.deadline) return revert("TaskPastDeadline");
    if (lower(who) === t.requester) return revert("CannotWorkOwnTask");
    if (!workers.has(lower(who))) return revert("WorkerNotRegistered");
    if ((bannedUntil.get(lower(who)) ?? 0) > c.ts) return revert("WorkerBanned");
    if (!canWork(who, t.typeId, c.ts)) return revert("MissingCapability");
    if (t.excluded.has(lower(who))) return revert("WorkerExcluded");
    const previous = stale ? lower(t.view!.worker) : undefined;
    // A worker taking over its own stale claim is slashed first: its free stake then depends on the slash.
    if (previous === lower(who)) return undefined;
    if (holdsClaim) {
      const active = Number(accountViews.get(lower(who))?.activeClaims ?? 0n);
      if (active >= params.maxActiveClaims) return revert("TooManyClaims");
    }
    if (!isZero(t.preferred) && lower(who) !== t.preferred && c.ts < t.preferredUntil) return revert("PreferredWorkerWindow");
    if (freeStake(who) < claimLock(t.bounty)) return revert("InsufficientFreeStake");
    return null;
  }

  /** The events of a step that took a task over from a stale claim (or did not). */
  const staleTakeover = (t: TaskModel, c: Ctx) => {
    const stale = staleClaim(t, c.ts);
    return (events: { eventName: string }[]) => {
      assert.equal(events.filter((x) => x.eventName === "ClaimExpiredReopened").length, stale ? 1 : 0, `${c.where}: stale claim taken over`);
      if (stale) count("stale claim taken over");
    };
  };

  function expectClaim(t: TaskModel, who: string, c: Ctx): Expect {
    if (paused.market) return revert("EnforcedPause");
    const take = expectTake(t, who, c, true);
    if (take !== null) return take;
    return ok({ status: [[t.id, S.Claimed]], check: staleTakeover(t, c) });
  }

  function expectExpire(t: TaskModel, c: Ctx): Expect {
    const stale = staleClaim(t, c.ts);
    const status = stale ? S.Open : t.view!.status;
    if (status !== S.Open) return revert("WrongStatus");
    if (c.ts <= t.deadline) return revert("DeadlineNotPassed");
    return ok({ status: [[t.id, S.Expired]], check: (events) => one(events, "TaskExpired", c.where) });
  }

  function expectCommit(t: TaskModel, who: string, commitment: Hex, c: Ctx): Expect {
    if (/^0x0+$/.test(commitment)) return revert("ZeroCommitment");
    const v = t.view!;
    if (v.status === S.Claimed) {
      if (t.mode !== VerificationMode.Replicated) return revert("WrongMode");
      if (lower(who) !== lower(v.worker)) return revert("NotClaimer");
      if (c.ts > Number(v.claimDeadline)) return revert("ClaimExpired");
      return ok({ status: [[t.id, S.Committed]], check: (events) => one(events, "RandomnessAnchored", c.where) });
    }
    if (v.status !== S.Committed && v.status !== S.Revealing && v.status !== S.Auditing) return revert("WrongStatus");
    const r = v.status === S.Auditing ? v.audit : v.round;
    const i = memberIndex(r, who);
    if (i === undefined) return revert("NotDrawn");
    if (r.members[i]!.status !== MEMBER.Drawn) return revert("AlreadyCommitted");
    if (r.commitDeadline === 0 || c.ts > r.commitDeadline) return revert("CommitWindowClosed");
    return ok({ status: [[t.id, v.status]] });
  }

  function expectReveal(t: TaskModel, who: string, cid: Hex, salt: Hex, c: Ctx): Expect {
    const v = t.view!;
    const audit = v.status === S.Auditing;
    if (!audit && v.status !== S.Committed && v.status !== S.Revealing) return revert("WrongStatus");
    const r = audit ? v.audit : v.round;
    if (r.commits < 3 && (r.commitDeadline === 0 || c.ts <= r.commitDeadline)) return revert("RevealNotOpen");
    if (c.ts > r.revealDeadline) return revert("RevealWindowClosed");
    const i = memberIndex(r, who);
    if (i === undefined || r.members[i]!.status !== MEMBER.Committed) return revert("NotCommitted");
    if (computeCommitment(t.id, getAddress(who), cidDigest(cid), salt) !== lower(r.sealOrDigest[i]!)) return revert("RevealMismatch");
    // Any replicated reveal makes the task Revealing, in every round (ITaskMarket's lifecycle; F1, fixed).
    return ok({ status: [[t.id, audit ? S.Auditing : S.Revealing]] });
  }

  function expectReplace(t: TaskModel, c: Ctx): Expect {
    const v = t.view!;
    if (v.status !== S.Committed && v.status !== S.Revealing) return revert("WrongStatus");
    const r = v.round;
    const d0 = lower(r.sealOrDigest[0]!) as Hex;
    const agreed = revealedAt(r, 0) && (revealedWith(r, 1, d0) || revealedWith(r, 2, d0));
    if (r.replacements >= MAX_REPLACEMENTS || r.commitDeadline === 0 || c.ts <= r.commitDeadline || r.commits === 3 || agreed) {
      return revert("CannotReplace");
    }
    const absent = [1, 2].filter((i) => r.members[i]!.status === MEMBER.Drawn);
    return ok({
      status: [[t.id, v.status]],
      check: (events) => {
        count("verifiers replaced for not committing");
        const replaced = events.filter((x) => x.eventName === "VerifierReplaced").map((x) => `${argAddr(x, "silent")}@${argNum(x, "member")}`);
        assert.deepEqual(replaced.sort(), absent.map((i) => `${memberAt(r, i)}@${i}`).sort(), `${c.where}: replaced verifiers`);
        one(events, "RandomnessAnchored", c.where);
      },
    });
  }

  function expectSubmitProof(t: TaskModel, who: string, output: bigint, valid: boolean, cid: Hex, c: Ctx): Expect {
    const v = t.view!;
    if (t.mode !== VerificationMode.Zk) return revert("WrongMode");
    const holder = v.status === S.Claimed && lower(who) === lower(v.worker);
    let taken = false;
    if (holder) {
      if (c.ts > Number(v.claimDeadline)) return revert("ClaimExpired");
    } else {
      // Without a claim: the proof takes the open task as a claim would (ITaskMarket.submitProof).
      if (v.status === S.Claimed && c.ts <= Number(v.claimDeadline)) return revert("NotClaimer");
      if (paused.market) return revert("EnforcedPause");
      const take = expectTake(t, who, c, false);
      if (take !== null) return take;
      taken = true;
    }
    if (output === 0n) return revert("ZeroCommitment");
    if ((cid.length - 2) / 2 === 0 || (cid.length - 2) / 2 > MAX_CID_BYTES) return revert("InvalidOutputCid");
    if (!valid || policies[t.typeId]!.verifier !== lower(zkVerifier.address)) return revert("InvalidProof");
    if (taken) count("zk task proved without a claim");
    return ok({ status: [[t.id, S.Accepted]], check: taken ? staleTakeover(t, c) : undefined });
  }

  // ---------------------------------------------------------------- invariants

  /** Levels of a check: the step's own tasks and accounts; every live task, account and the pool; everything. */
  const CHECK = { step: 0, live: 1, deep: 2 } as const;
  /** Accounts that ever took part in an IOU: the deep check reads the IOU matrix among them. */
  const iouAccounts = new Set<string>();

  /**
   * Reads the chain and checks the invariants. A step re-reads the tasks and accounts its events named (nothing
   * else can have changed: a change the events did not announce is caught by the next `live` check, which
   * re-reads every live task, every account and the pool order; a `deep` check also re-reads every terminal task
   * and the IOU matrix). The invariants are checked over the last read view of everything.
   */
  async function checkInvariants(where: string, touched: Touched, level: number = CHECK.step) {
    const fresh = tasks.filter((t) => touched.tasks.has(lower(t.id)) || (level >= CHECK.live && !isTerminal(statusOf(t))) || level === CHECK.deep);
    const readAccounts = level >= CHECK.live ? tracked : tracked.filter((a) => touched.accounts.has(lower(a)) || !accountViews.has(lower(a)));
    const owedAccounts = level === CHECK.deep ? tracked.filter((a) => iouAccounts.has(lower(a))) : [];
    const [views, taskViews, owedFlat, g] = await s.publicClient.readContract({
      address: lens.address,
      abi: lensAbi,
      functionName: "snapshot",
      args: [readAccounts, fresh.map((t) => t.id), owedAccounts, excludedCandidates, level >= CHECK.live],
    });
    const freshView = new Map(fresh.map((t, k) => [t, taskViews[k]!]));
    assert.equal(Number(g.blockNumber), currentBlock, `${where}: block number`);

    // The shadow ledger equals the chain: every movement of credit was an event, by the ledger's rules.
    for (const [i, v] of views.entries()) {
      const who = lower(readAccounts[i]!);
      const m = acc(who);
      const chain = { balance: v.balance, genesis: v.genesis, earned: v.earned, stake: v.stake, stakeGenesis: v.stakeGenesis, locked: v.lockedStake };
      assert.deepEqual(chain, m, `${where}: ledger account of ${who} differs from its events`);
      assert.equal(v.creditLimit, creditLimitOf(who), `${where}: credit limit of ${who}`);
      assert.ok(v.lockedStake <= v.stake, `${where}: ${who} locked ${v.lockedStake} > stake ${v.stake}`);
      assert.ok(v.stakeGenesis <= v.stake, `${where}: ${who} stake genesis above stake`);
      const before = accountViews.get(who);
      if (before && level >= CHECK.live && !touched.accounts.has(who)) {
        // (poolIndex moves with swap-and-pop when another member leaves; the pool order is checked below.)
        for (const k of ["activeClaims", "registeredAt", "bannedUntil", "lastAcceptedAt", "unstakeRequestedAt"] as const) {
          assert.equal(v[k], before[k], `${where}: ${k} of ${who} changed without an event naming it`);
        }
      }
      accountViews.set(who, v);
    }
    assert.equal(g.treasury, book.treasury, `${where}: treasury`);
    assert.equal(g.treasuryGenesis, book.treasuryGenesis, `${where}: treasury genesis`);
    assert.equal(g.genesisIssued, book.issued, `${where}: genesis issued`);
    assert.equal(g.genesisIssued, book.grants, `${where}: genesisIssued differs from the grants registration reported`);
    assert.equal(Number(g.genesisAccountsGranted), book.granted, `${where}: genesis accounts granted`);
    assert.equal(Number(g.pausedTime), pausedTime(Number(g.timestamp)), `${where}: paused time`);

    const snapTasks = tasks.map((t) => freshView.get(t) ?? t.view!);
    const allViews = tracked.map((a) => accountViews.get(lower(a))!);
    // (1) conservation, (2) genesis never becomes transferable
    let held = g.treasury;
    let genesisTagged = g.treasuryGenesis;
    for (const a of allViews) {
      held += a.balance + a.genesis + a.stake;
      genesisTagged += a.genesis + a.stakeGenesis;
    }
    for (const v of snapTasks) {
      held += v.escrow;
      genesisTagged += v.escrowGenesis;
    }
    assert.equal(held, g.genesisIssued, `${where}: (1) credit not conserved (held ${held}, issued ${g.genesisIssued})`);
    assert.equal(genesisTagged, g.genesisIssued, `${where}: (2) genesis-tagged credit ${genesisTagged} != genesis issued ${g.genesisIssued}`);

    const expectedLock = new Map<string, bigint>();
    const addLock = (a: string, amount: bigint) => {
      if (!isZero(a)) expectedLock.set(lower(a), (expectedLock.get(lower(a)) ?? 0n) + amount);
    };
    const claimed = new Map<string, bigint>();
    /**
     * The stake a task's duties hold: the worker's claim lock until final; each drawn member's lock while its round
     * runs, and a verifier that revealed keeps it until final.
     */
    function addDuties(t: TaskModel, v: TaskView) {
      const worker = lower(v.worker);
      if (v.status === S.Claimed) claimed.set(worker, (claimed.get(worker) ?? 0n) + 1n);
      if (v.status >= S.Claimed && v.status <= S.Auditing) addLock(worker, claimLock(t.bounty));
      for (const i of [1, 2]) {
        const m = v.round.members[i]!;
        if (v.status === S.Committed || v.status === S.Revealing) addLock(m.account, dutyLock(t.bounty));
        if ((v.status === S.Accepted || v.status === S.Auditing) && m.status === MEMBER.Revealed) addLock(m.account, dutyLock(t.bounty));
      }
      if (v.status === S.Auditing) for (const m of v.audit.members) addLock(m.account, dutyLock(t.bounty));
    }

    for (const [k, t] of tasks.entries()) {
      const v = snapTasks[k]!;
      if (!freshView.has(t)) {
        addDuties(t, v);
        continue;
      }
      const id = lower(t.id);
      const before = t.view?.status ?? S.None;
      // (5) transitions in the graph, as predicted; terminal never changes; every change comes with an event
      assert.ok(isAllowedTransition(before as TaskStatus, v.status as TaskStatus), `${where}: (5) task ${t.id} went ${taskStatusName(before)} -> ${taskStatusName(v.status)}`);
      if (isTerminal(before)) assert.equal(v.status, before, `${where}: terminal task ${t.id} changed`);
      if (!touched.tasks.has(id) && t.view) assert.deepEqual(v, t.view, `${where}: task ${t.id} changed without an event naming it`);
      const predicted = expectedStatus.get(id);
      if (predicted !== undefined) {
        expectedStatus.delete(id);
        assert.equal(taskStatusName(v.status), taskStatusName(predicted), `${where}: (5) status of ${t.id}`);
      }
      // escrow: the shadow's, and exactly what the status implies; (3) an accepted task still holds its bounty
      const e = escrowOf(id);
      assert.equal(v.escrow, e.amount, `${where}: escrow of ${t.id} moved without an event`);
      assert.equal(v.escrowGenesis, e.genesis, `${where}: genesis part of the escrow of ${t.id}`);
      assert.equal(v.escrow, isTerminal(v.status) ? 0n : escrowFor(t.bounty, t.mode, params), `${where}: escrow of ${t.id} in ${taskStatusName(v.status)}`);
      if (v.status === S.Accepted || v.status === S.Auditing) assert.ok(v.escrow >= t.bounty, `${where}: (3) pending pay of ${t.id} left its escrow`);
      assert.ok(v.escrowGenesis <= v.escrow, `${where}: escrow genesis above escrow`);
      assert.equal(v.workValue, t.workValue, `${where}: work value of ${t.id}`);
      // An undecided random audit holds an accepted replicated task, and nothing else; it pays nothing meanwhile.
      if (v.round.auditPending) {
        assert.equal(taskStatusName(v.status), "Accepted", `${where}: ${t.id} has an audit pending while ${taskStatusName(v.status)}`);
        assert.ok(t.mode === VerificationMode.Replicated && params.auditRateBps !== 0, `${where}: ${t.id} has an audit pending it cannot have`);
      }
      // The accounts the task excludes (they set how many candidates a draw asks for) are the model's.
      if (!isTerminal(v.status)) {
        const chain = excludedCandidates.filter((_, i) => ((v.excludedMask >> BigInt(i)) & 1n) === 1n);
        assert.deepEqual(chain.sort(), [...t.excluded].sort(), `${where}: accounts excluded from ${t.id}`);
      }
      // Accepted or proved exactly once iff the status says so; final (paid) exactly once iff terminal after it.
      const wasAccepted = [S.Accepted, S.Auditing, S.Final, S.Fraudulent, S.InputRejected].includes(v.status as 5);
      assert.equal(t.accepts, wasAccepted ? 1 : 0, `${where}: acceptances of ${t.id} in ${taskStatusName(v.status)}`);
      assert.equal(t.finals, [S.Final, S.Fraudulent, S.InputRejected].includes(v.status as 7) ? 1 : 0, `${where}: finalizations of ${t.id}`);
      if (v.status === S.Accepted || v.status === S.Auditing) {
        const inputRejected = t.mode === VerificationMode.Replicated && lower(v.round.sealOrDigest[0]!) === rejectedDigest.get(t.typeId);
        assert.equal(v.round.inputRejected, inputRejected, `${where}: (5) input-rejected flag of ${t.id}`);
      }
      // Who may sit in a round: verifiers are neither requester nor worker, auditors none of those, no one twice.
      if ([S.Committed, S.Revealing, S.Accepted, S.Auditing].includes(v.status as 3)) {
        // A proved zk task has no round members: only the published output's digest and the acceptance time.
        const member0 = t.mode === VerificationMode.Zk ? ZERO_ADDRESS : lower(v.worker);
        assert.equal(memberAt(v.round, 0), member0, `${where}: round member 0 of ${t.id}`);
        const seated = [t.requester, lower(v.worker), ...[1, 2].map((i) => memberAt(v.round, i)), ...(v.status === S.Auditing ? [0, 1, 2].map((i) => memberAt(v.audit, i)) : [])].filter((m) => !isZero(m));
        assert.equal(new Set(seated).size, seated.length, `${where}: someone sits twice in ${t.id}: ${seated.join(", ")}`);
      }
      addDuties(t, v);
      t.view = v;
    }
    assert.equal(expectedStatus.size, 0, `${where}: predicted statuses of tasks not read: ${[...expectedStatus.keys()].join(", ")}`);

    for (const [i, a] of allViews.entries()) {
      const who = lower(tracked[i]!);
      const expected = expectedLock.get(who) ?? 0n;
      if (a.lockedStake !== expected) {
        // Only a slash may leave a duty under-locked (it takes stake, and the locks shrink to what is left).
        assert.ok(a.lockedStake < expected && underLocked.has(who), `${where}: ${who} locked ${a.lockedStake}, duties hold ${expected}`);
        if (!underLockedSeen.has(who)) count("duties left under-locked by a slash");
        underLockedSeen.add(who);
      } else if (expected === 0n) {
        underLocked.delete(who);
        underLockedSeen.delete(who);
      }
      assert.equal(a.activeClaims, claimed.get(who) ?? 0n, `${where}: ${who} active claims`);
      assert.equal(a.poolIndex === 0n, !pool.includes(who), `${where}: pool membership of ${who}`);
      assert.equal(a.registeredAt !== 0n, workers.has(who), `${where}: registration of ${who}`);
    }

    if (level >= CHECK.live) assert.deepEqual(g.pool.map(lower), pool, `${where}: verifier pool order`);
    if (level < CHECK.deep) return;
    // IOUs: the shadow's, never owed both ways, and each account's net position is the worker pay it earned less
    // the pay it owed.
    const n = owedAccounts.length;
    for (let i = 0; i < n; i++) {
      let net = 0n;
      for (let j = 0; j < n; j++) {
        const ij = owedFlat[i * n + j]!;
        const ji = owedFlat[j * n + i]!;
        assert.equal(ij, owedOf(owedAccounts[i]!, owedAccounts[j]!), `${where}: IOU ${owedAccounts[i]} -> ${owedAccounts[j]}`);
        assert.ok(ij === 0n || ji === 0n, `${where}: IOU both ways between ${owedAccounts[i]} and ${owedAccounts[j]}`);
        net += ji - ij;
      }
      assert.equal(net, netIou.get(lower(owedAccounts[i]!)) ?? 0n, `${where}: net IOU of ${owedAccounts[i]}`);
    }
    for (const [key, v] of owedModel) {
      const [d, c] = key.split("|") as [string, string];
      if (v > 0n) assert.ok(iouAccounts.has(d) && iouAccounts.has(c), `${where}: IOU outside the accounts read`);
    }
  }

  // ---------------------------------------------------------------- actions

  const w = { gas: GAS };
  const byStatus = (...st: number[]) => tasks.filter((t) => st.includes(statusOf(t)));
  const randomActor = () => rnd.pick(actors)!;
  const personAt = (a: string): Person => people.get(lower(a)) ?? randomActor();
  const randomTask = () => rnd.pick(tasks);
  const registeredActors = () => actors.filter((a) => workers.has(a.address));
  const rightCid = (t: TaskModel): Hex => (t.badInput ? rejectedCid.get(t.typeId)! : toHex(`out:${t.id}`));
  const lieCid = (t: TaskModel): Hex => (t.lieIsReject ? rejectedCid.get(t.typeId)! : toHex(`lie:${t.id}`));
  /**
   * The result an actor reports. On a tainted task the whole round (worker and verifiers) reports the same wrong
   * result, as a colluding ring would; auditors are drawn later and are not in it. Shady actors report the common
   * wrong result 30% of the time; anyone errs 8% of the time, half the time with the common wrong result.
   */
  const output = (t: TaskModel, who: Person, audit: boolean): Hex => {
    if (!audit && (t.tainted || (who.profile.shady && rnd.chance(0.3)))) return lieCid(t);
    if (rnd.chance(0.92)) return rightCid(t);
    return rnd.chance(0.5) ? lieCid(t) : toHex(`lie:${t.id}:${who.i}:${rnd.int(1e6)}`);
  };
  /** Mostly a task on which the action can succeed now, sometimes any task in the status (which may revert). */
  const choose = (plausible: TaskModel[], any: TaskModel[]) => rnd.pick(rnd.chance(0.85) && plausible.length ? plausible : any);
  const nextTs = () => (clock.now <= clock.last ? clock.last + 1 : clock.now);
  const drawPending = (r: RoundView) => r.commitDeadline === 0 && r.anchorBlock !== 0;
  /** Tasks waiting for a draw (verifiers or auditors). */
  const waitingDraw = () =>
    tasks.filter((t) => {
      const st = statusOf(t);
      if (st === S.Committed || st === S.Revealing) return drawPending(t.view!.round);
      if (st === S.Auditing) return drawPending(t.view!.audit);
      return false;
    });
  /** Worker pay still pending in an audit window (Accepted or Auditing tasks of `who`). */
  const pendingPay = (who: string) => byStatus(S.Accepted, S.Auditing).filter((t) => lower(t.view!.worker) === lower(who)).reduce((sum, t) => sum + t.bounty, 0n);

  /** The task actions the run and the drain share, each with its prediction. */
  const taskPredictions = {
    expire: expectExpire,
    settle: expectSettle,
    decideAudit: (t: TaskModel, c: Ctx) => expectDecideAudit(t, c),
    finalize: expectFinalize,
    finalizeAudit: expectFinalizeAudit,
    drawVerifiers: expectDrawVerifiers,
    drawAuditors: expectDrawAuditors,
    replaceSilentVerifiers: expectReplace,
  } as const;
  const taskAction = (kind: keyof typeof taskPredictions, t: TaskModel, caller: Person): Action => ({
    kind,
    send: () => caller.c.market.write[kind]([t.id], w),
    predict: (c) => taskPredictions[kind](t, c),
  });

  type PostArgs = { typeId: number; mode: VerificationMode; bounty: bigint; deadline: number; claimWindow: number; inputBytes: number; preferred: string; zkInput: bigint };
  function postAction(who: Person, p: PostArgs, kind = "post"): Action {
    return {
      kind,
      send: () =>
        who.c.market.write.post(
          [
            {
              typeId: p.typeId,
              mode: p.mode,
              bounty: Number(p.bounty),
              deadline: p.deadline,
              claimWindow: p.claimWindow,
              inputBytes: p.inputBytes,
              preferredWorker: getAddress(p.preferred),
              zkInputCommitment: p.zkInput,
              inputCid: toHex(`bafy-in-${seed}-${rnd.int(1e9)}`),
              spec: toHex('{"w":64}'),
            },
          ],
          w,
        ),
      predict: (c) => {
        if (paused.market) return revert("EnforcedPause");
        if ((policies[p.typeId]!.modes & (p.mode === VerificationMode.Zk ? 2 : 1)) === 0) return revert("ModeNotAllowed");
        if (p.bounty < params.minBounty) return revert("BountyTooSmall");
        if ((p.claimWindow === 0 ? params.claimWindow : p.claimWindow) < params.claimWindow) return revert("ClaimWindowTooShort");
        if (p.deadline <= c.ts) return revert("DeadlineTooSoon");
        if ((p.mode === VerificationMode.Zk) !== (p.zkInput !== 0n)) return revert("ZkCommitmentMismatch");
        const amount = escrowFor(p.bounty, p.mode, params);
        if (spendable(who.address) < amount) {
          if (who.sybil && acc(who.address).genesis === 0n) count("sybil post refused past the genesis cap");
          return revert("InsufficientCredit");
        }
        return ok({
          check: (events) => {
            assert.equal(argBig(one(events, "Escrowed", c.where), "amount"), amount, `${c.where}: escrowFor`);
            // The requester stays within its credit line.
            assert.ok(spendable(who.address) >= 0n, `${c.where}: post left the requester below its credit limit`);
          },
        });
      },
    };
  }

  /** The largest bounty whose escrow fits in `credit`. */
  const bountyFor = (credit: bigint, mode: VerificationMode) => {
    let lo = 0n;
    let hi = credit;
    while (lo < hi) {
      const mid = (lo + hi + 1n) / 2n;
      if (escrowFor(mid, mode, params) <= credit) lo = mid;
      else hi = mid - 1n;
    }
    return lo;
  };

  function transferAction(who: Person, to: string, amount: bigint, kind = "transfer"): Action {
    return {
      kind,
      send: () => who.c.ledger.write.transfer([getAddress(to), amount], w),
      predict: () => {
        if (paused.ledger) return revert("EnforcedPause");
        if (amount === 0n) return revert("ZeroAmount");
        // (3) only a positive balance moves: never genesis credit, never pay still in an escrow.
        if (acc(who.address).balance < amount) {
          if (pendingPay(who.address) > 0n && kind === "pendingTransfer") count("pending pay transfer refused");
          return revert("InsufficientTransferable");
        }
        return ok();
      },
    };
  }

  function registryAction(who: Person, kind: "stake" | "requestUnstake" | "unstake" | "joinVerifierPool" | "leaveVerifierPool" | "register", amount = 0n): Action {
    const send = () => {
      switch (kind) {
        case "stake":
          return who.c.registry.write.stake([amount], w);
        case "unstake":
          return who.c.registry.write.unstake([amount], w);
        case "register":
          return who.c.registry.write.register([1000, who.profile.caps], w);
        default:
          return who.c.registry.write[kind](w);
      }
    };
    return {
      kind,
      send,
      predict: (c) => {
        const me = who.address;
        const registered = workers.has(me);
        const view = accountViews.get(me);
        const a = acc(me);
        switch (kind) {
          case "register":
            if (paused.registry) return revert("EnforcedPause");
            return registered ? revert("AlreadyRegistered") : ok();
          case "stake":
            if (paused.registry) return revert("EnforcedPause");
            if (!registered) return revert("NotRegistered");
            if (amount === 0n) return revert("ZeroAmount");
            return a.balance + a.genesis < amount ? revert("InsufficientCredit") : ok();
          case "requestUnstake":
            return registered ? ok() : revert("NotRegistered");
          case "unstake": {
            if (!registered) return revert("NotRegistered");
            if (!view || view.unstakeRequestedAt === 0n) return revert("UnstakeNotRequested");
            let availableAt = Number(view.unstakeRequestedAt) + params.unstakeCooldown;
            if (view.lastAcceptedAt !== 0n) availableAt = Math.max(availableAt, Number(view.lastAcceptedAt) + params.auditWindow);
            if (c.ts < availableAt) return revert("UnstakeCooldown");
            if (a.locked !== 0n) return revert("StakeStillLocked");
            if (amount === 0n) return revert("ZeroAmount");
            return freeStake(me) < amount ? revert("InsufficientFreeStake") : ok();
          }
          case "joinVerifierPool":
            if (paused.registry) return revert("EnforcedPause");
            if (!registered) return revert("NotRegistered");
            if (pool.includes(me)) return revert("AlreadyInPool");
            if ((bannedUntil.get(me) ?? 0) > c.ts) return revert("Banned");
            return a.stake < params.minVerifierStake ? revert("StakeBelowVerifierMinimum") : ok();
          case "leaveVerifierPool":
            return pool.includes(me) ? ok() : revert("NotInPool");
        }
      },
    };
  }

  /** A join or leave of `who`, counted as pool churn while `t`'s draw is pending. */
  function poolMove(who: Person, t?: TaskModel): Action {
    const a = registryAction(who, pool.includes(who.address) ? "leaveVerifierPool" : "joinVerifierPool");
    return { ...a, kind: t ? `steer:${a.kind}` : a.kind };
  }

  function updateAction(who: Person, caps: bigint, kind = "updateCapabilities"): Action {
    return {
      kind,
      send: () => who.c.registry.write.update([1000, caps], w),
      predict: () => (workers.has(who.address) ? ok() : revert("NotRegistered")),
    };
  }

  const generators: { kind: string; weight: number; make: () => Action | undefined }[] = [
    {
      kind: "post",
      weight: 8,
      make: () => {
        const who = rnd.chance(0.95) ? rnd.pick(registeredActors())! : randomActor();
        const zk = rnd.chance(0.3);
        const typeId = zk ? (rnd.chance(0.95) ? zkType : rnd.pick(replicatedTypes)!) : rnd.chance(0.04) ? zkType : rnd.chance(0.35) ? heavyType : rnd.pick(replicatedTypes)!;
        const mode = zk ? VerificationMode.Zk : VerificationMode.Replicated;
        // A fifth of the posts spend all the requester can, its credit line included: the escrow then holds
        // transferable credit, and so does the pay out of it.
        const all = spendable(who.address) > 0n ? bountyFor(spendable(who.address), mode) : 0n;
        const bounty = rnd.chance(0.03)
          ? BigInt(rnd.int(Number(params.minBounty)))
          : rnd.chance(0.2) && all >= params.minBounty
            ? min(all, 2n ** 40n - 1n)
            : BigInt(rnd.between(Number(params.minBounty), 2_500));
        const horizon = rnd.pick([2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 4 * HOUR, DAY, 2 * DAY])!;
        const deadline = rnd.chance(0.03) ? clock.now - rnd.int(100) : clock.now + horizon + rnd.int(300);
        const preferred = rnd.chance(0.15) ? randomActor().address : ZERO_ADDRESS;
        const zkInput = zk !== rnd.chance(0.03) ? BigInt(rnd.word()) | 1n : 0n;
        const claimWindow = rnd.chance(0.8) ? 0 : rnd.chance(0.9) ? params.claimWindow + rnd.int(3_000) : rnd.int(params.claimWindow);
        // Inputs of every size: the work value (the credit-line ceiling) follows the type's cost model.
        const inputBytes = rnd.chance(0.5) ? rnd.int(1 << 20) : rnd.chance(0.8) ? rnd.int(64 << 20) : rnd.int(2 ** 32);
        return postAction(who, { typeId, mode, bounty, deadline, claimWindow, inputBytes, preferred, zkInput });
      },
    },
    {
      // Sybils (issue 9, finding 3): fresh accounts register; past the genesis cap they get nothing.
      kind: "sybilRegister",
      weight: 2,
      make: () => {
        const who = sybils.find((p) => !workers.has(p.address));
        return who && registryAction(who, "register");
      },
    },
    {
      // Each posts one task whose escrow is its whole credit, for trivial work, with the attacker as preferred worker.
      kind: "sybilPost",
      weight: 2,
      make: () => {
        const posted = new Set(tasks.map((t) => t.requester));
        const registeredSybils = sybils.filter((p) => workers.has(p.address));
        const who = rnd.pick(registeredSybils.filter((p) => !posted.has(p.address))) ?? (rnd.chance(0.2) ? rnd.pick(registeredSybils) : undefined);
        if (!who) return undefined;
        const zk = rnd.chance(0.25);
        const mode = zk ? VerificationMode.Zk : VerificationMode.Replicated;
        const credit = spendable(who.address);
        const bounty = credit > 0n ? bountyFor(credit, mode) : bountyFor(params.genesisGrant, mode);
        const typeId = zk ? zkType : rnd.pick(replicatedTypes.filter((x) => x !== rareType))!;
        return postAction(who, { typeId, mode, bounty, deadline: clock.now + DAY, claimWindow: 0, inputBytes: rnd.int(64 << 10), preferred: attacker.address, zkInput: zk ? BigInt(rnd.word()) | 1n : 0n }, "sybilPost");
      },
    },
    {
      kind: "cancel",
      weight: 2,
      make: () => {
        const t = rnd.chance(0.85) ? rnd.pick(byStatus(S.Open)) : randomTask();
        if (!t) return undefined;
        const who = rnd.chance(0.85) ? personAt(t.requester) : randomActor();
        return {
          kind: "cancel",
          send: () => who.c.market.write.cancel([t.id], w),
          predict: () => {
            if (who.address !== t.requester) return revert("NotRequester");
            if (t.view!.status !== S.Open) return revert("WrongStatus");
            // A revealed result is paid for: no cancel once any result is public.
            if (t.view!.revealed) {
              count("cancel refused after a reveal");
              return revert("AlreadyRevealed");
            }
            return ok({ status: [[t.id, S.Cancelled]] });
          },
        };
      },
    },
    {
      kind: "expire",
      weight: 3,
      make: () => {
        const due = tasks.filter((t) => [S.Open, S.Claimed].includes(statusOf(t) as 1) && t.deadline < clock.now);
        const t = rnd.chance(0.8) ? rnd.pick(due) : randomTask();
        return t && taskAction("expire", t, randomActor());
      },
    },
    {
      kind: "claim",
      weight: 12,
      make: () => {
        const stale = byStatus(S.Claimed).filter((t) => Number(t.view!.claimDeadline) < clock.now);
        const queue = [...byStatus(S.Open), ...stale];
        const t = rnd.chance(0.95) ? choose(queue.filter((x) => x.deadline >= clock.now), queue) : randomTask();
        if (!t) return undefined;
        let who = rnd.chance(0.3) ? rnd.pick(actors.filter((a) => a.profile.shady))! : randomActor();
        if (!isZero(t.preferred) && clock.now < t.preferredUntil && rnd.chance(0.7)) who = personAt(t.preferred);
        else if (who.address === t.requester && rnd.chance(0.8)) who = randomActor();
        return { kind: "claim", send: () => who.c.market.write.claim([t.id], w), predict: (c) => expectClaim(t, who.address, c) };
      },
    },
    {
      kind: "release",
      weight: 2,
      make: () => {
        const t = rnd.pick(byStatus(S.Claimed));
        if (!t) return undefined;
        const who = rnd.chance(0.9) ? personAt(t.view!.worker) : randomActor();
        return {
          kind: "release",
          send: () => who.c.market.write.release([t.id], w),
          predict: () => (t.view!.status !== S.Claimed ? revert("WrongStatus") : who.address !== lower(t.view!.worker) ? revert("NotClaimer") : ok({ status: [[t.id, S.Open]] })),
        };
      },
    },
    {
      kind: "expireClaim",
      weight: 3,
      make: () => {
        const claimed = byStatus(S.Claimed);
        const t = rnd.pick(rnd.chance(0.8) ? claimed.filter((x) => Number(x.view!.claimDeadline) < clock.now) : claimed);
        if (!t) return undefined;
        return {
          kind: "expireClaim",
          send: () => randomActor().c.market.write.expireClaim([t.id], w),
          predict: (c) => (t.view!.status !== S.Claimed ? revert("WrongStatus") : !staleClaim(t, c.ts) ? revert("ClaimNotExpired") : ok({ status: [[t.id, S.Open]] })),
        };
      },
    },
    {
      kind: "commit",
      weight: 20,
      make: () => {
        const any = byStatus(S.Claimed, S.Committed, S.Revealing, S.Auditing).filter((x) => statusOf(x) !== S.Claimed || x.mode === VerificationMode.Replicated || rnd.chance(0.05));
        const open = (x: TaskModel) => {
          const v = x.view!;
          if (v.status === S.Claimed) return Number(v.claimDeadline) >= clock.now;
          const r = v.status === S.Auditing ? v.audit : v.round;
          return r.commitDeadline !== 0 && clock.now <= r.commitDeadline && r.members.some((m) => m.status === MEMBER.Drawn && x.stance.get(`${v.status === S.Auditing}|${lower(m.account)}`) !== "absent");
        };
        const plausible = any.filter(open);
        // Half the time the most urgent one, as a diligent client would.
        const by = (x: TaskModel) => (statusOf(x) === S.Claimed ? Number(x.view!.claimDeadline) : statusOf(x) === S.Auditing ? x.view!.audit.commitDeadline : x.view!.round.commitDeadline);
        const urgent = [...plausible].sort((a, b) => by(a) - by(b))[0];
        const t = urgent && rnd.chance(0.5) ? urgent : choose(plausible, any);
        if (!t) return undefined;
        const v = t.view!;
        const audit = v.status === S.Auditing;
        const phase = audit ? "audit" : "round";
        let who: Person;
        let others: string[] = [];
        if (v.status === S.Claimed) {
          who = personAt(v.worker);
        } else {
          const r = audit ? v.audit : v.round;
          const drawn = [0, 1, 2].filter((m) => r.members[m]!.status === MEMBER.Drawn && (t.stance.get(`${audit}|${memberAt(r, m)}`) !== "absent" || rnd.chance(0.05)));
          who = personAt(memberAt(r, rnd.pick(drawn) ?? 1));
          others = [0, 1, 2].map((m) => memberAt(r, m)).filter((m) => m !== who.address);
        }
        if (rnd.chance(0.05)) who = randomActor();
        const cid = output(t, who, audit);
        const salt = rnd.word();
        let secret = { cid, salt, commitment: computeCommitment(t.id, getAddress(who.address), cidDigest(cid), salt) };
        const copied = others.map((o) => secrets.get(secretKey(t.id, phase, o))).filter((x) => x !== undefined);
        if (copied.length && rnd.chance(0.05)) {
          // Copying another member's commitment: it cannot be opened under the copier's address.
          secret = rnd.pick(copied)!;
        } else if (rnd.chance(0.02)) {
          secret = { ...secret, commitment: `0x${"00".repeat(32)}` };
        }
        return {
          kind: "commit",
          send: async () => {
            const hash = await who.c.market.write.commit([t.id, secret.commitment], w);
            secrets.set(secretKey(t.id, phase, who.address), secret);
            return hash;
          },
          predict: (c) => expectCommit(t, who.address, secret.commitment, c),
        };
      },
    },
    {
      kind: "reveal",
      weight: 26,
      make: () => {
        const any = byStatus(S.Committed, S.Revealing, S.Auditing);
        const roundOf = (x: TaskModel) => (statusOf(x) === S.Auditing ? x.view!.audit : x.view!.round);
        const revealOpen = (x: TaskModel) => {
          const r = roundOf(x);
          return (r.commits === 3 || (r.commitDeadline !== 0 && clock.now > r.commitDeadline)) && clock.now <= r.revealDeadline;
        };
        const willReveal = (x: TaskModel, i: number) => {
          const r = roundOf(x);
          return r.members[i]!.status === MEMBER.Committed && x.stance.get(`${statusOf(x) === S.Auditing}|${memberAt(r, i)}`) !== "silent";
        };
        const plausible = any.filter((x) => revealOpen(x) && [0, 1, 2].some((i) => willReveal(x, i)));
        const urgent = [...plausible].sort((a, b) => roundOf(a).revealDeadline - roundOf(b).revealDeadline)[0];
        const t = urgent && rnd.chance(0.5) ? urgent : choose(plausible, any);
        if (!t) return undefined;
        const r = roundOf(t);
        const phase = statusOf(t) === S.Auditing ? "audit" : "round";
        const ready = [0, 1, 2].filter((i) => willReveal(t, i) || (r.members[i]!.status === MEMBER.Committed && rnd.chance(0.03)));
        const who = rnd.chance(0.95) && ready.length ? personAt(memberAt(r, rnd.pick(ready)!)) : randomActor();
        const secret = secrets.get(secretKey(t.id, phase, who.address)) ?? { cid: toHex("never-committed"), salt: rnd.word() };
        const salt = rnd.chance(0.08) ? rnd.word() : secret.salt;
        return { kind: "reveal", send: () => who.c.market.write.reveal([t.id, secret.cid, salt], w), predict: (c) => expectReveal(t, who.address, secret.cid, salt, c) };
      },
    },
    {
      kind: "settle",
      weight: 8,
      make: () => {
        const any = byStatus(S.Committed, S.Revealing);
        const t = rnd.chance(0.95) ? choose(any.filter((x) => !settleGate(x, nextTs(), currentBlock + 1)), any) : randomTask();
        return t && taskAction("settle", t, randomActor());
      },
    },
    {
      // The worker's commit (and a replacement) only anchors the draw: every round needs this call afterwards.
      // Sometimes it comes late, even past the anchor's 256 blocks.
      kind: "drawVerifiers",
      weight: 8,
      make: () => {
        const any = byStatus(S.Committed, S.Revealing);
        const waiting = any.filter((x) => drawPending(x.view!.round) && x.view!.round.anchorBlock <= currentBlock);
        if (!waiting.length && rnd.chance(0.8)) return undefined;
        const t = choose(waiting, any);
        return t && taskAction("drawVerifiers", t, randomActor());
      },
    },
    {
      kind: "replaceSilentVerifiers",
      weight: 3,
      make: () => {
        const any = byStatus(S.Committed, S.Revealing);
        const due = any.filter((x) => x.view!.round.commitDeadline !== 0 && clock.now > x.view!.round.commitDeadline && x.view!.round.commits < 3);
        const t = choose(due, any);
        return t && taskAction("replaceSilentVerifiers", t, randomActor());
      },
    },
    {
      // An audit (random at settle, or forced) only anchors the draw: every audit needs this call afterwards.
      kind: "drawAuditors",
      weight: 6,
      make: () => {
        const any = byStatus(S.Auditing);
        const waiting = any.filter((x) => drawPending(x.view!.audit) && x.view!.audit.anchorBlock <= currentBlock);
        if (!waiting.length && rnd.chance(0.8)) return undefined;
        const t = choose(waiting, any);
        return t && taskAction("drawAuditors", t, randomActor());
      },
    },
    {
      // Issue 9, finding 1: joins and leaves once an anchor is fixed, before its draw. The draw must not change.
      kind: "steerPool",
      weight: 4,
      make: () => {
        const t = rnd.pick(waitingDraw());
        const who = rnd.pick(registeredActors().filter((a) => a.profile.stake > 0n));
        return who && poolMove(who, t);
      },
    },
    {
      kind: "updateCapabilities",
      weight: 1,
      make: () => {
        const who = rnd.pick(registeredActors());
        if (!who) return undefined;
        const types = [...replicatedTypes, zkType];
        const caps = rnd.chance(0.5) ? who.profile.caps : (workers.get(who.address)!.caps ^ (1n << BigInt(rnd.pick(types)!)));
        return updateAction(who, caps);
      },
    },
    {
      // Eligibility toggled once the seed is public (a design decision, not a finding: the registry reads it at the
      // draw): an account in the anchor's pool that could not serve (no capability, stake locked by a claim) makes
      // itself eligible, by adding the capability or releasing its claim; or an eligible one drops the capability.
      kind: "steerEligibility",
      weight: 3,
      make: () => {
        const t = rnd.pick(waitingDraw());
        if (!t) return undefined;
        const inPool = registeredActors().filter((a) => pool.includes(a.address) && a.address !== t.requester && a.address !== lower(t.view!.worker));
        const incapable = inPool.filter((a) => !canWork(a.address, t.typeId, clock.now));
        const who = rnd.pick(incapable);
        if (who && rnd.chance(0.7)) return updateAction(who, workers.get(who.address)!.caps | (1n << BigInt(t.typeId)), "steer:updateCapabilities");
        const capable = rnd.pick(inPool.filter((a) => canWork(a.address, t.typeId, clock.now)));
        if (capable && rnd.chance(0.3)) return updateAction(capable, workers.get(capable.address)!.caps & ~(1n << BigInt(t.typeId)), "steer:dropCapability");
        const holding = byStatus(S.Claimed).filter((x) => inPool.some((a) => a.address === lower(x.view!.worker)));
        const held = rnd.pick(holding);
        if (!held) return undefined;
        const worker = personAt(held.view!.worker);
        return {
          kind: "steer:release",
          send: () => worker.c.market.write.release([held.id], w),
          predict: () => (held.view!.status !== S.Claimed ? revert("WrongStatus") : ok({ status: [[held.id, S.Open]] })),
        };
      },
    },
    {
      kind: "forceAudit",
      weight: 4,
      make: () => {
        const any = byStatus(S.Accepted);
        const t = rnd.chance(0.95) ? choose(any.filter((x) => clock.now <= closesAt(x.view!.round, clock.now)), any) : randomTask();
        if (!t) return undefined;
        const who = rnd.chance(0.9) ? personAt(t.requester) : randomActor();
        return { kind: "forceAudit", send: () => who.c.market.write.forceAudit([t.id], w), predict: (c) => expectForceAudit(t, who.address, c) };
      },
    },
    {
      // Settle only anchors the random audit: anyone decides it from a later block, often soon, sometimes late.
      kind: "decideAudit",
      weight: 7,
      make: () => {
        const any = byStatus(S.Accepted);
        const due = any.filter((x) => x.view!.round.auditPending && x.view!.round.anchorBlock <= currentBlock);
        if (!due.length && rnd.chance(0.8)) return undefined;
        const t = rnd.chance(0.95) ? choose(due, any) : randomTask();
        if (!t) return undefined;
        const caller = randomActor();
        return { kind: "decideAudit", send: () => caller.c.market.write.decideAudit([t.id], w), predict: (c) => expectDecideAudit(t, c) };
      },
    },
    {
      // The worker decides through a contract that reverts when audited, hoping a later block re-rolls it.
      kind: "dodgeAudit",
      weight: 3,
      make: () => {
        const t = rnd.pick(byStatus(S.Accepted).filter((x) => x.view!.round.auditPending));
        if (!t) return undefined;
        const worker = personAt(t.view!.worker);
        return {
          kind: "dodgeAudit",
          send: async () => (await dodgerAs(worker)).write.decideUnaudited!([s.market.address, t.id], w),
          predict: (c) => expectDecideAudit(t, c, true),
        };
      },
    },
    {
      kind: "finalizeAudit",
      weight: 6,
      make: () => {
        const any = byStatus(S.Auditing);
        const t = rnd.chance(0.95) ? choose(any.filter((x) => !auditGate(x, nextTs(), currentBlock + 1)), any) : randomTask();
        return t && taskAction("finalizeAudit", t, randomActor());
      },
    },
    {
      kind: "finalize",
      weight: 4,
      make: () => {
        const any = byStatus(S.Accepted);
        const due = any.filter((x) => clock.now > closesAt(x.view!.round, clock.now) && (!x.view!.round.auditPending || rnd.chance(0.1)));
        if (!due.length && rnd.chance(0.8)) return undefined;
        const t = rnd.chance(0.95) ? choose(due, any) : randomTask();
        return t && taskAction("finalize", t, randomActor());
      },
    },
    {
      kind: "submitProof",
      weight: 6,
      make: () => {
        // A claimed zk task proved by its claimer, or (a third of the time) an open one proved without a claim.
        const open = rnd.chance(0.33);
        const zk = byStatus(open ? S.Open : S.Claimed).filter((x) => x.mode === VerificationMode.Zk);
        const t = rnd.chance(0.95) ? choose(open ? zk.filter((x) => x.deadline >= clock.now) : zk.filter((x) => Number(x.view!.claimDeadline) >= clock.now), zk) : rnd.pick(byStatus(S.Claimed));
        if (!t) return undefined;
        const who = !open && rnd.chance(0.92) ? personAt(t.view!.worker) : randomActor();
        const outputCommitment = rnd.chance(0.03) ? 0n : BigInt(rnd.word()) | 1n;
        let proofFor = { id: t.id, worker: who.address, input: t.zkInput, output: outputCommitment };
        const lie = rnd.int(10);
        if (lie === 0) proofFor = { ...proofFor, id: rnd.pick(tasks)!.id }; // a proof for another task
        if (lie === 1) proofFor = { ...proofFor, output: outputCommitment + 1n }; // wrong public signals
        if (lie === 2) proofFor = { ...proofFor, input: t.zkInput + 1n };
        const valid = lower(proofFor.id) === lower(t.id) && proofFor.output === outputCommitment && proofFor.input === t.zkInput;
        const proof = encodeAbiParameters(
          [{ type: "bytes32" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }],
          [proofFor.id, getAddress(proofFor.worker), proofFor.input, proofFor.output],
        );
        // A valid proof under a wrong output CID (issue 9, finding 2) 15% of the time, or by a shady worker.
        const cid = rnd.chance(who.profile.shady ? 0.4 : 0.15) ? lieCid(t) : rightCid(t);
        return {
          kind: "submitProof",
          send: () => who.c.market.write.submitProof([t.id, outputCommitment, proof, cid], w),
          predict: (c) => expectSubmitProof(t, who.address, outputCommitment, valid, cid, c),
        };
      },
    },
    {
      kind: "transfer",
      weight: 3,
      make: () => {
        const who = randomActor();
        const balance = acc(who.address).balance;
        const amount = balance > 0n && rnd.chance(0.8) ? 1n + BigInt(rnd.int(Number(balance))) : BigInt(rnd.int(500));
        const to = rnd.chance(0.1) ? OUTSIDER : rnd.chance(0.2) ? rnd.pick(sybils)!.address : randomActor().address;
        return transferAction(who, to, amount);
      },
    },
    {
      // Issue 9, finding 2: a worker tries to move pay that an audit may still reverse.
      kind: "pendingTransfer",
      weight: 2,
      make: () => {
        const waiting = byStatus(S.Accepted, S.Auditing);
        const t = rnd.pick(waiting);
        if (!t) return undefined;
        const who = personAt(t.view!.worker);
        const balance = acc(who.address).balance;
        const amount = (balance > 0n ? balance : 0n) + BigInt(rnd.between(1, Number(pendingPay(who.address))));
        return transferAction(who, rnd.chance(0.5) ? OUTSIDER : randomActor().address, amount, "pendingTransfer");
      },
    },
    {
      kind: "stake",
      weight: 2,
      make: () => registryAction(randomActor(), "stake", BigInt(rnd.between(0, 3_000))),
    },
    {
      kind: "requestUnstake",
      weight: 1,
      make: () => registryAction(randomActor(), "requestUnstake"),
    },
    {
      kind: "unstake",
      weight: 2,
      make: () => {
        const requested = actors.filter((a) => (accountViews.get(a.address)?.unstakeRequestedAt ?? 0n) !== 0n);
        const who = (rnd.chance(0.7) ? rnd.pick(requested) : undefined) ?? randomActor();
        const stake = acc(who.address).stake;
        const amount = stake > 0n && rnd.chance(0.8) ? 1n + BigInt(rnd.int(Number(stake))) : BigInt(rnd.int(1_000));
        return registryAction(who, "unstake", amount);
      },
    },
    {
      kind: "joinVerifierPool",
      weight: 2,
      make: () => {
        const out = registeredActors().filter((a) => !pool.includes(a.address));
        return registryAction((rnd.chance(0.85) ? rnd.pick(out) : undefined) ?? randomActor(), "joinVerifierPool");
      },
    },
    {
      kind: "leaveVerifierPool",
      weight: 1,
      make: () => (rnd.chance(0.5) ? undefined : registryAction(randomActor(), "leaveVerifierPool")),
    },
    {
      // Governance pauses one contract, or lifts a pause; what is not paused must go on working meanwhile.
      kind: "pause",
      weight: 1,
      make: () => pauseAction(rnd.chance(0.1)),
    },
    {
      kind: "register",
      weight: 1,
      make: () => registryAction(randomActor(), "register"),
    },
    {
      kind: "clearCycle",
      weight: 3,
      make: () => {
        const path = findCycle() ?? (rnd.chance(0.3) ? [randomActor().address, randomActor().address, randomActor().address] : undefined);
        if (!path) return undefined;
        return {
          kind: "clearCycle",
          send: () => randomActor().c.ledger.write.clearCycle([path.map((p) => getAddress(p))], w),
          predict: () => {
            if (paused.ledger) return revert("EnforcedPause");
            if (path.length < 2 || path.length > 16) return revert("InvalidCycle");
            if (path.some((p, i) => owedOf(p, path[(i + 1) % path.length]!) === 0n)) return revert("NoDebtOnEdge");
            return ok();
          },
        };
      },
    },
  ];
  const totalWeight = generators.reduce((sum, g) => sum + g.weight, 0);

  /** A directed cycle of IOUs among the tracked accounts (the shadow's, which equals the chain's), or undefined. */
  function findCycle(): string[] | undefined {
    const nodes = [...new Set([...owedModel.entries()].filter(([, v]) => v > 0n).flatMap(([k]) => k.split("|")))];
    if (nodes.length < 2) return undefined;
    const start = rnd.int(nodes.length);
    for (let k = 0; k < nodes.length; k++) {
      const root = nodes[(start + k) % nodes.length]!;
      const path = [root];
      const seen = new Set([root]);
      const dfs = (node: string): string[] | undefined => {
        for (const next of nodes) {
          if (owedOf(node, next) === 0n) continue;
          if (next === root && path.length >= 2) return [...path];
          if (seen.has(next) || path.length >= 8) continue;
          seen.add(next);
          path.push(next);
          const found = dfs(next);
          if (found) return found;
          path.pop();
        }
        return undefined;
      };
      const cycle = dfs(root);
      if (cycle) return cycle;
    }
    return undefined;
  }

  function pickAction(): Action {
    for (;;) {
      const roll = rnd.next();
      if (roll < 0.025) return timeJump();
      // Past the blockhash horizon: every pending anchor lapses.
      if (roll < 0.031) return mine(rnd.between(HORIZON + 1, HORIZON + 64));
      if (roll < 0.038) return mine(rnd.between(2, 40));
      // A pause lasts some twenty steps.
      const pausedNow = Object.values(paused).some(Boolean);
      if (pausedNow && rnd.chance(0.05)) return pauseAction(true);
      let r = rnd.int(totalWeight);
      const g = generators.find((x) => (r -= x.weight) < 0)!;
      const action = g.make();
      if (action) return action;
    }
  }

  function pauseAction(unpause: boolean, only?: keyof typeof paused): Action {
    const pausedNow = (Object.keys(paused) as (keyof typeof paused)[]).filter((k) => paused[k]);
    // The market is paused most often: its pause extends audit windows.
    const target = only ?? (unpause ? rnd.pick(pausedNow) : undefined) ?? (rnd.chance(0.5) ? "market" : rnd.pick(["market", "ledger", "registry"] as const)!);
    const call = () => {
      if (target === "market") return unpause ? s.market.write.unpause(w) : s.market.write.pause(w);
      if (target === "ledger") return unpause ? s.ledger.write.unpause(w) : s.ledger.write.pause(w);
      return unpause ? s.registry.write.unpause(w) : s.registry.write.pause(w);
    };
    return {
      kind: unpause ? "unpause" : "pause",
      send: async () => {
        const hash = await call();
        const ts = clock.last;
        if (target === "market" && unpause) pausedBefore += ts - pausedAt;
        if (target === "market" && !unpause) pausedAt = ts;
        paused[target] = !unpause;
        return hash;
      },
      predict: () => (unpause ? (paused[target] ? ok() : revert("ExpectedPause")) : paused[target] ? revert("EnforcedPause") : ok()),
    };
  }

  function timeJump(): Action {
    const roll = rnd.next();
    const jump = roll < 0.55 ? rnd.between(10, MINUTE) : roll < 0.8 ? rnd.between(MINUTE, 5 * MINUTE) : roll < 0.9 ? rnd.between(10 * MINUTE, HOUR) : rnd.between(DAY, 2 * DAY);
    return {
      kind: "time",
      send: async () => {
        clock.now += jump;
        return undefined;
      },
    };
  }

  /** Mines `n` empty blocks, one second apart, from the fuzz's clock. */
  function mine(n: number): Action {
    return {
      kind: n > HORIZON ? "mine past the horizon" : "mine",
      send: async () => {
        const first = nextTs();
        await rawRequest({ method: "evm_setNextBlockTimestamp", params: [toHex(first)] });
        await rawRequest({ method: "hardhat_mine", params: [toHex(n), toHex(1)] });
        clock.last = first + n - 1;
        clock.now = clock.last + 1;
        return undefined;
      },
    };
  }

  /** The custom error of a reverted transaction, decoded against every ABI of the protocol. */
  function revertName(error: unknown): string | undefined {
    if (!(error instanceof BaseError)) return undefined;
    const revert_ = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert_ instanceof ContractFunctionRevertedError && revert_.data?.errorName) return revert_.data.errorName;
    // Errors of the ledger or registry bubble up through the market, whose ABI does not declare them; and the node
    // sometimes reports a mined revert as an RPC error whose details carry the raw return data.
    const raw = revert_ instanceof ContractFunctionRevertedError ? revert_.raw : undefined;
    const data = raw ?? (/return data: (0x[0-9a-fA-F]*)/.exec(error.details ?? error.message)?.[1] as Hex | undefined);
    if (!data || data === "0x") return undefined;
    try {
      return decodeErrorResult({ abi, data }).errorName;
    } catch {
      return `undecoded ${data.slice(0, 10)}`;
    }
  }

  /** Entry points a pause stops, by contract; no other action may revert EnforcedPause. */
  // submitProof: only a proof without a claim, which takes the task as a claim does (its prediction says which).
  const pausable = new Set(["post", "sybilPost", "claim", "submitProof", "forceAudit", "transfer", "pendingTransfer", "clearCycle", "register", "sybilRegister", "stake", "joinVerifierPool", "steer:joinVerifierPool", "pause"]);

  /** Sends one action, checks it against its prediction; returns the touched tasks (empty if it reverted). */
  async function execute(action: Action, where: string): Promise<Touched> {
    const stat = stats.get(action.kind) ?? { tried: 0, ok: 0, reverts: new Map<string, number>() };
    stats.set(action.kind, stat);
    stat.tried += 1;
    const c: Ctx = { ts: nextTs(), block: currentBlock + 1, where };
    const exp = action.predict ? await action.predict(c) : undefined;
    let hash: Hex | undefined;
    try {
      hash = await action.send();
    } catch (error) {
      const name = revertName(error);
      if (!name || !allowedErrors.has(name)) assert.fail(`${where}: ${action.kind} failed with an undeclared error: ${name ?? String(error)}`);
      if (name === "EnforcedPause") assert.ok(pausable.has(action.kind), `${where}: a pause stopped ${action.kind}`);
      if (exp) assert.equal(name, exp.revert ?? "(success)", `${where}: ${action.kind} reverted ${name}`);
      stat.reverts.set(name, (stat.reverts.get(name) ?? 0) + 1);
      currentBlock = await blockNumber();
      return nothing();
    }
    if (hash === undefined) {
      stat.ok += 1;
      currentBlock = await blockNumber();
      return nothing();
    }
    const receipt = await s.publicClient.getTransactionReceipt({ hash });
    assert.equal(receipt.status, "success", `${where}: ${action.kind} receipt`);
    currentBlock = Number(receipt.blockNumber);
    assert.equal(currentBlock, c.block, `${where}: block of the transaction`);
    if (exp?.revert) assert.fail(`${where}: ${action.kind} succeeded, but the rules say it reverts ${exp.revert}`);
    stat.ok += 1;
    const events = parseEventLogs({ abi, logs: receipt.logs as Log[] }) as unknown as Ev[];
    return applyEvents(events, c, exp);
  }

  // ---------------------------------------------------------------- setup of the actors

  currentBlock = await blockNumber();
  for (const a of actors) {
    if (a.profile.unregistered) continue;
    await execute(registryAction(a, "register"), "setup");
    if (a.profile.stake > 0n) await execute(registryAction(a, "stake", a.profile.stake), "setup");
    if (a.profile.pool) await execute(registryAction(a, "joinVerifierPool"), "setup");
  }
  assert.ok(actors.every((a) => a.profile.unregistered || workers.has(a.address)), "setup registered every actor");
  await checkInvariants("setup", nothing(), CHECK.deep);

  // ---------------------------------------------------------------- the run

  for (let step = 1; step <= steps; step++) {
    clock.now += rnd.between(1, 2);
    const action = pickAction();
    const where = `seed ${seed} step ${step} (${action.kind})`;
    const touched = await execute(action, where);
    await checkInvariants(where, touched, step % DEEP_CHECK_EVERY === 0 ? CHECK.deep : step % LIVE_CHECK_EVERY === 0 ? CHECK.live : CHECK.step);
  }

  // ---------------------------------------------------------------- liveness: everything can be closed

  const drainStats = { rounds: 0, actions: 0 };
  for (const target of ["market", "ledger", "registry"] as const) {
    if (!paused[target]) continue;
    clock.now += rnd.int(HOUR);
    await execute(pauseAction(true, target), `seed ${seed} drain (unpause ${target})`);
  }
  for (let round = 0; round < 16 && tasks.some((t) => !isTerminal(statusOf(t))); round++) {
    drainStats.rounds += 1;
    if (round % 4 === 3) await execute(mine(HORIZON + 1), `seed ${seed} drain ${round} (mine)`);
    clock.now += 3 * DAY + rnd.int(HOUR);
    for (const t of tasks) {
      const status = statusOf(t);
      const v = t.view!;
      const kind =
        status === S.Open || status === S.Claimed
          ? "expire"
          : status === S.Committed || status === S.Revealing
            ? drawPending(v.round) && !anchorLapsed(v.round.anchorBlock, currentBlock + 1) && !v.round.poolShort
              ? "drawVerifiers"
              : "settle"
            : status === S.Accepted
              ? v.round.auditPending
                ? "decideAudit"
                : "finalize"
              : status === S.Auditing
                ? "finalizeAudit"
                : undefined;
      if (!kind) continue;
      const where = `seed ${seed} drain ${round} (${kind} ${t.id})`;
      drainStats.actions += 1;
      await checkInvariants(where, await execute(taskAction(kind, t, randomActor()), where));
    }
  }
  await checkInvariants(`seed ${seed} after the drain`, nothing(), CHECK.deep);
  const open = tasks.filter((t) => !isTerminal(statusOf(t)));
  assert.deepEqual(
    open.map((t) => `${t.id}: ${taskStatusName(statusOf(t))}`),
    [],
    `seed ${seed}: (6) tasks that could not be closed`,
  );
  for (const [id, e] of escrows) assert.equal(e.amount, 0n, `seed ${seed}: (6) escrow left in ${id} after every task closed`);
  for (const [who, v] of accountViews) {
    assert.equal(v.lockedStake, 0n, `seed ${seed}: (6) ${who} still has locked stake with no duty`);
    assert.equal(v.activeClaims, 0n, `seed ${seed}: (6) ${who} still has active claims`);
  }

  return { stats, outcomes, tasks: tasks.length, drainStats, clockSpan: clock.now - START, blocks: currentBlock };
}

function printReport(seed: number, steps: number, ms: number, r: Awaited<ReturnType<typeof runFuzz>>) {
  const rows = [...r.stats.entries()].sort((a, b) => b[1].ok - a[1].ok);
  const lines = [
    `fuzz seed ${seed}: ${steps} steps, ${r.tasks} tasks, ${(r.clockSpan / DAY).toFixed(1)} chain days, ${r.blocks} blocks, ${(ms / 1000).toFixed(1)} s; drain: ${r.drainStats.rounds} rounds, ${r.drainStats.actions} actions`,
    `  ${"action".padEnd(26)} ${"tried".padStart(6)} ${"ok".padStart(6)}  top reverts`,
  ];
  for (const [kind, st] of rows) {
    const reverts = [...st.reverts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, n]) => `${name} ${n}`)
      .join(", ");
    lines.push(`  ${kind.padEnd(26)} ${String(st.tried).padStart(6)} ${String(st.ok).padStart(6)}  ${reverts}`);
  }
  lines.push(`  outcomes: ${[...r.outcomes.entries()].map(([k, n]) => `${k} ${n}`).join(", ")}`);
  console.log(lines.join("\n"));
}

describe("protocol invariants under random action sequences", () => {
  const total = new Map<string, number>();
  let completed = 0;
  // Each run has its own chain, clock and seed, so two run side by side (the EVM works on another thread while
  // this one plans the next step): measured on 2 cores, 4 x 1,000 steps took 24 s instead of 35 s.
  describe("runs", { concurrency: Number(process.env.FUZZ_CONCURRENCY ?? 2) }, () => {
  for (let run = 0; run < RUNS; run++) {
    const seed = (BASE_SEED + run) >>> 0;
    it(`testFuzz_protocol_keepsInvariants: seed ${seed}, ${STEPS} steps`, async () => {
      const started = Date.now();
      const result = await runFuzz(seed, STEPS);
      completed += 1;
      printReport(seed, STEPS, Date.now() - started, result);
      for (const [k, n] of result.outcomes) total.set(k, (total.get(k) ?? 0) + n);
      if (STEPS >= 500) {
        // Each run must reach the deep states, not only reverts; the rarer ones are required of the runs together.
        for (const outcome of RUN_OUTCOMES) assert.ok((result.outcomes.get(outcome) ?? 0) > 0, `seed ${seed}: no ${outcome} in ${STEPS} steps`);
      }
    });
  }
  });

  it("the runs together reached every key outcome, fraud and input rejection included", { skip: RUNS * STEPS < 4_000 }, (t) => {
    if (completed < RUNS) return t.skip(`${RUNS - completed} of the runs failed`);
    for (const outcome of TOGETHER_OUTCOMES) assert.ok((total.get(outcome) ?? 0) > 0, `no ${outcome} in ${RUNS} runs`);
  });
});

describe("randomness of the audit draw", () => {
  // Found while tuning the fuzz: the audit draw at acceptance used to read prevrandao and the previous blockhash
  // in the settle transaction itself, so a contract that settled and reverted when an audit was drawn let a cheating
  // worker retry every block. It then read the hash of the last reveal's block, which the last revealer could see
  // before choosing to reveal (re-rolling it) or stay silent, cutting the audit odds from p to p^2 (found by the
  // fuzz). Settle now only anchors the decision to its own block, and decideAudit draws it from that block's hash in
  // a later transaction: a wrapper that reverts when audited sees the same outcome on every retry.
  it("testDecideAudit_randomAuditCannotBeDodgedByReverting", async () => {
    const connection = await network.create<"l1">({ chainType: "l1" });
    const s = await setupProtocol(connection, { auditRateBps: 9_000 });
    const [, requester, worker, ...rest] = s.wallets;
    const pool = rest.slice(0, 5);
    assert.ok(requester && worker && pool.length === 5);
    await s.registerWorker(requester, 0n, false);
    const w = await s.registerWorker(worker, 5_000n, false);
    for (const m of pool) await s.registerWorker(m, 5_000n, true);
    const id = await s.post(requester, { bounty: 1_000n });
    await s.wait(await w.market.write.claim([id]));
    const out = await s.commitAs(worker, id, "lie");
    await s.drawVerifiers(id);
    const verifiers = (await s.market.read.roundOf([id])).members.slice(1).map((m) => s.walletOf(m.account));
    const results = [];
    for (const v of verifiers) results.push(await s.commitAs(v, id, "lie"));
    await s.revealAs(worker, id, out);
    for (const [i, v] of verifiers.entries()) await s.revealAs(v, id, results[i]!);
    await s.wait(await s.market.write.settle([id]));
    assert.equal((await s.market.read.taskOf([id])).status, TaskStatus.Accepted, "settle shows no audit outcome");

    const dodger = await s.viem.deployContract("AuditDodger");
    let reverted = 0;
    for (; reverted < 100; reverted++) {
      try {
        await s.wait(await dodger.write.decideUnaudited!([s.market.address, id], { gas: GAS }));
        break;
      } catch {
        await connection.networkHelpers.mine();
      }
    }
    // One task in ten is legitimately decided unaudited at a 90% rate, on the first try; the wrapper must not get
    // there after a revert (it would have re-rolled the decision), nor by waiting out the hash (that audits).
    const decidedUnaudited = (await s.market.read.taskOf([id])).status === TaskStatus.Accepted && !(await s.market.read.roundOf([id])).auditPending;
    assert.ok(
      !decidedUnaudited || reverted === 0,
      `at a 90% audit rate the wrapper got the task decided unaudited after ${reverted} reverted tries`,
    );
    if (reverted > 0) {
      assert.equal(reverted, 100, "once audited, every retry reverts");
      await s.wait(await s.market.write.decideAudit([id]));
      assert.equal((await s.market.read.taskOf([id])).status, TaskStatus.Auditing);
    }
  });
});

describe("regressions found by the fuzz", () => {
  // Seed 505 (FUZZ_SEED=500 FUZZ_RUNS=6), invariant (h): a worker unstaked while an audit of its accepted work was
  // still open. The stake was held only until the audit window closed, but a forced audit may run past it and
  // finalizeAudit may come any time later: a worker that saw the auditors' reveals go against it could take its
  // stake out first, and the fraud slash then landed only as debt.
  it("testUnstake_revertsWhileAnAuditOfTheWorkersWorkIsOpen", async () => {
    const connection = await network.create<"l1">({ chainType: "l1" });
    const { networkHelpers } = connection;
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [, requester, worker, ...rest] = s.wallets;
    const pool = rest.slice(0, 5);
    assert.ok(requester && worker && pool.length === 5);
    const req = await s.registerWorker(requester, 0n, false);
    const w = await s.registerWorker(worker, 5_000n, false);
    const members = new Map<string, Awaited<ReturnType<typeof s.as>>>();
    for (const m of pool) members.set(lower(m.account.address), await s.registerWorker(m, 5_000n, true));
    const member = (a: Address) => members.get(lower(a))!;
    // The worker asks to unstake at once; the cooldown (1 day) runs while it works.
    await s.wait(await w.registry.write.requestUnstake());

    const id = await s.post(requester, { bounty: 1_000n });
    await s.wait(await w.market.write.claim([id]));
    const out = s.result(id, worker.account.address, "wrong");
    await s.wait(await w.market.write.commit([id, out.commitment]));
    await s.drawVerifiers(id);
    const verifiers = (await s.market.read.roundOf([id])).members.slice(1).map((m) => m.account);
    const vr = verifiers.map((v) => s.result(id, v, "wrong"));
    for (const [i, v] of verifiers.entries()) await s.wait(await member(v).market.write.commit([id, vr[i]!.commitment]));
    await s.wait(await w.market.write.reveal([id, out.cid, out.salt]));
    for (const [i, v] of verifiers.entries()) await s.wait(await member(v).market.write.reveal([id, vr[i]!.cid, vr[i]!.salt]));
    await s.wait(await s.market.write.settle([id]));
    assert.equal((await s.market.read.taskOf([id])).status, TaskStatus.Accepted);

    // The requester forces an audit just before the audit window closes; the auditors expose the wrong result.
    const acceptedAt = Number((await s.market.read.roundOf([id])).acceptedAt);
    await networkHelpers.time.increaseTo(acceptedAt + defaultParams.auditWindow - 60);
    await s.wait(await req.market.write.forceAudit([id]));
    await s.drawAuditors(id);
    const auditors = (await s.market.read.auditOf([id])).members.map((m) => m.account);
    const ar = auditors.map((a) => s.result(id, a, "right"));
    for (const [i, a] of auditors.entries()) await s.wait(await member(a).market.write.commit([id, ar[i]!.commitment]));
    for (const [i, a] of auditors.entries()) await s.wait(await member(a).market.write.reveal([id, ar[i]!.cid, ar[i]!.salt]));
    assert.equal((await s.market.read.taskOf([id])).status, TaskStatus.Auditing);

    // Window and cooldown are over, the audit is not finalized: the stake must stay.
    await networkHelpers.time.increaseTo(acceptedAt + defaultParams.auditWindow + 3_600);
    const stake = (await s.ledger.read.accountOf([worker.account.address])).stake;
    assert.equal(stake, 5_000n);
    await s.viem.assertions.revertWithCustomErrorWithArgs(
      w.registry.write.unstake([stake]),
      s.registry,
      "StakeStillLocked",
      [getAddress(worker.account.address), 100n],
    );

    // So the fraud slash (10 x 1000) takes the whole stake first, and only the rest becomes debt.
    await s.wait(await s.market.write.finalizeAudit([id]));
    assert.equal((await s.market.read.taskOf([id])).status, TaskStatus.Fraudulent);
    const after = await s.ledger.read.accountOf([worker.account.address]);
    assert.equal(after.stake, 0n);
    assert.equal(after.balance, 1_000n - 1_000n - (10_000n - 5_000n));
  });
  // F1 (fixed). Seed 20261122, step 718: a reveal left a task Committed. TaskMarket's lifecycle and the issue 9 notes
  // say any replicated reveal makes the task Revealing; ReplicationRound.reveal only moved it there on the task's
  // first reveal ever (`if (!audit && !t.revealed)`), so on a task reopened after a round whose results were
  // revealed, the next round's reveals left it Committed, and settle then took it Committed -> Accepted/Auditing, an
  // edge the status graph does not have. (More cases in task-market.replicated.test.ts, "a reopened task's next
  // round".)
  it("testReveal_inARoundAfterARejectedOne_makesTheTaskRevealing", async () => {
    const connection = await network.create<"l1">({ chainType: "l1" });
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [, requester, first, second, ...rest] = s.wallets;
    await s.registerWorker(requester!, 0n, false);
    const w1 = await s.registerWorker(first!, 5_000n, false);
    const w2 = await s.registerWorker(second!, 5_000n, false);
    for (const m of rest.slice(0, 4)) await s.registerWorker(m, 5_000n, true);
    const id = await s.post(requester!, { bounty: 1_000n, deadline: Number((await s.publicClient.getBlock()).timestamp) + 86_400 });
    // Round 1: both verifiers agree against the worker; the task is reopened (its first reveal made it Revealing).
    await s.wait(await w1.market.write.claim([id]));
    const out1 = await s.commitAs(first!, id, "wrong");
    await s.drawVerifiers(id);
    const v1 = (await s.market.read.roundOf([id])).members.slice(1).map((m) => s.walletOf(m.account));
    const r1 = [];
    for (const v of v1) r1.push(await s.commitAs(v, id, "right"));
    await s.revealAs(first!, id, out1);
    assert.equal((await s.market.read.taskOf([id])).status, TaskStatus.Revealing);
    for (const [i, v] of v1.entries()) await s.revealAs(v, id, r1[i]!);
    await s.wait(await s.market.write.settle([id]));
    assert.equal((await s.market.read.taskOf([id])).status, TaskStatus.Open);
    // Round 2: a reveal must make the task Revealing again.
    await s.wait(await w2.market.write.claim([id]));
    const out2 = await s.commitAs(second!, id, "right");
    await s.drawVerifiers(id);
    const v2 = (await s.market.read.roundOf([id])).members.slice(1).map((m) => s.walletOf(m.account));
    for (const v of v2) await s.commitAs(v, id, "right");
    await s.revealAs(second!, id, out2);
    assert.equal(taskStatusName((await s.market.read.taskOf([id])).status), "Revealing", "a reveal in the second round");
  });

});

/**
 * Eligibility changed after the seed is public (the fuzz's former finding F2, now a design decision). WorkerRegistry
 * fixes the pool's membership, order and length as of the anchor block, but reads each candidate's eligibility
 * (capability, stake, free stake, still in the pool) at the draw. Its argument: changing eligibility once the seed
 * is public can only give an account set the seats it would have had being eligible all along. Turning an account
 * on gains nothing it would not have had; turning one off only passes its seat to the next eligible member. The
 * property checked here, for each anchor: the seats the attacker's pool accounts get, for every choice of toggles
 * it can make after seeing the seed (all 2^K, each tried from an evm snapshot of the anchored round), never exceed
 * the seats they get when all of them are eligible from before the anchor. Every draw is also checked against the
 * draw computed here from the anchor's hash, the anchor's pool and the eligibility at the draw.
 */
describe("eligibility changed after the seed is public gains the attacker no seat", () => {
  const TARGET_BOUNTY = 2_000n; // a verifier locks 200 of it
  const BLOCKER_BOUNTY = 8_010n; // its claim locks 801 of an attacker's 1,000 stake: 199 free, too little to verify
  const ATTACKER_STAKE = 1_000n; // the verifier minimum
  const ANCHORS = 8;
  const K = 3;

  /** How the attacker toggles an account: its capability of the type, its free stake (a claim), or leaving the pool. */
  type Move = "capability" | "freeStake" | "leave";

  async function togglesNeverBeatAllEligible(move: Move) {
    const connection = await network.create<"l1">({ chainType: "l1", override: { initialDate: INITIAL_DATE } });
    driveClock(connection.provider as unknown as Provider);
    const { networkHelpers } = connection;
    const s = await setupProtocol(connection, { auditRateBps: 0 });
    const [, r0, r1, b0, b1, b2, workerW, ...rest] = s.wallets;
    const requesters = [r0!, r1!];
    const blockerRequesters = [b0!, b1!, b2!];
    const honest = rest.slice(0, 4);
    const attackers = rest.slice(4, 4 + K);
    assert.equal(attackers.length, K, "not enough hardhat accounts");
    for (const r of [...requesters, ...blockerRequesters]) await s.registerWorker(r, 0n, false);
    const worker = await s.registerWorker(workerW!, 5_000n, false);
    const typeId = 0;
    const withType = ALL_TYPES;
    const withoutType = withType & ~(1n << BigInt(typeId));
    // The pool, in slot order: honest and attacker members alternate.
    const a = await Promise.all(attackers.map((w_) => s.as(w_)));
    for (let i = 0; i < honest.length; i++) {
      await s.registerWorker(honest[i]!, 3_000n, true);
      if (i < K) {
        await s.wait(await a[i]!.registry.write.register([1000, withType]));
        await s.wait(await a[i]!.registry.write.stake([ATTACKER_STAKE]));
        await s.wait(await a[i]!.registry.write.joinVerifierPool());
      }
    }
    const mine = new Set(attackers.map((w_) => lower(w_.account.address)));
    const far = START + 30 * DAY;
    const blockers: Hex[] = [];
    if (move === "freeStake") for (const r of blockerRequesters) blockers.push(await s.post(r, { bounty: BLOCKER_BOUNTY, deadline: far }));
    const state = attackers.map(() => true); // each attacker account's eligibility as the chain has it now
    /** Makes attacker account `j` eligible (or not) for the target type, by the test's move. */
    async function setEligible(j: number, on: boolean) {
      if (state[j] === on) return;
      if (move === "capability") await s.wait(await a[j]!.registry.write.update([1000, on ? withType : withoutType]));
      else if (move === "freeStake") await s.wait(await (on ? a[j]!.market.write.release([blockers[j]!]) : a[j]!.market.write.claim([blockers[j]!])));
      else if (!on) await s.wait(await a[j]!.registry.write.leaveVerifierPool());
      else throw new Error("a member that left cannot come back into the anchor's pool");
      state[j] = on;
    }

    let exercised = 0;
    let seatedLateAccount = 0;
    let fewerThanBaseline = 0;
    for (let n = 0; n < ANCHORS; n++) {
      // Before the anchor: some attacker accounts eligible, some not (leaving the pool is the one move that only
      // turns an account off, so for it all start eligible).
      for (let j = 0; j < K; j++) await setEligible(j, move === "leave" || ((n + j) & 1) === 0);
      const before = [...state];
      const id = await s.post(requesters[n % 2]!, { bounty: TARGET_BOUNTY, deadline: far });
      await s.wait(await worker.market.write.claim([id]));
      await s.commitAs(workerW!, id, "out");
      // The anchor's hash is public now: the attacker computes the draw for every choice of toggles.
      const anchor = BigInt((await s.market.read.roundOf([id])).anchorBlock);
      const hash = (await s.publicClient.getBlock({ blockNumber: anchor })).hash!;
      const seedWord = BigInt(keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }], [hash, id, toHex("verifiers", { size: 32 })])));
      const size = Number(await s.registry.read.poolSizeAt([anchor]));
      const slots: string[] = [];
      for (let k = 0; k < size; k++) slots.push(lower(await s.registry.read.poolMemberAt([BigInt(k), anchor])));
      /** The two seats the draw gives, scanning the anchor's pool from seed % size, with `eligible` attacker accounts. */
      const predict = (eligible: boolean[]) => {
        const seats: string[] = [];
        for (let k = 0; k < size && seats.length < 2; k++) {
          const m = slots[(Number(seedWord % BigInt(size)) + k) % size]!;
          const j = attackers.findIndex((w_) => lower(w_.account.address) === m);
          if (j < 0 || eligible[j]) seats.push(m);
        }
        return seats;
      };
      const attackerSeats = (seats: string[]) => seats.filter((m) => mine.has(m)).length;
      const baseline = attackerSeats(predict(attackers.map(() => true)));
      if (baseline > 0) exercised += 1;
      const anchored = await networkHelpers.takeSnapshot();
      for (let choice = 0; choice < 1 << K; choice++) {
        const eligible = attackers.map((_, j) => ((choice >> j) & 1) === 1);
        if (move === "leave" && eligible.some((on, j) => on && !before[j])) continue;
        for (let j = 0; j < K; j++) await setEligible(j, eligible[j]!);
        await s.drawVerifiers(id);
        const round = await s.market.read.roundOf([id]);
        const seated = [1, 2].map((i) => lower(round.members[i]!.account));
        const where = `${move}, anchor ${n} (block ${anchor}), eligible at the draw ${eligible.map(Number).join("")}, before the anchor ${before.map(Number).join("")}`;
        assert.deepEqual(seated, predict(eligible), `${where}: the draw reads the anchor's pool and the eligibility at the draw`);
        const got = attackerSeats(seated);
        assert.ok(got <= baseline, `${where}: the attacker got ${got} seats, ${baseline} with all its accounts eligible from before the anchor`);
        if (got < baseline) fewerThanBaseline += 1;
        if (seated.some((m) => attackers.some((w_, j) => lower(w_.account.address) === m && !before[j]))) seatedLateAccount += 1;
        await anchored.restore();
        state.splice(0, K, ...before);
      }
    }
    assert.ok(exercised > 0, "no anchor gave the attacker a seat: the test shows nothing");
    assert.ok(fewerThanBaseline > 0, "no toggle ever cost the attacker a seat: the test shows nothing");
    // Eligibility is read at the draw: an account turned on after the seed is seated, within its baseline.
    if (move !== "leave") assert.ok(seatedLateAccount > 0, "no account turned on after the seed was ever seated: the test shows nothing");
  }

  it("testDrawVerifiers_capabilityToggledAfterTheSeedNeverBeatsAllEligible", () => togglesNeverBeatAllEligible("capability"));
  it("testDrawVerifiers_freeStakeToggledAfterTheSeedNeverBeatsAllEligible", () => togglesNeverBeatAllEligible("freeStake"));
  it("testDrawVerifiers_leavingThePoolAfterTheSeedNeverBeatsAllEligible", () => togglesNeverBeatAllEligible("leave"));
});

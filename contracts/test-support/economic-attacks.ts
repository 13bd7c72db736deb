/**
 * The economic attacks of issue 9, each played against the deployed protocol on Hardhat's chain and measured by
 * what the attacker ends with. contracts/test/attacks.economic.test.ts asserts that each now fails or costs more
 * than it yields; bench/attacks.ts runs the same functions and writes the table in BENCHMARKS.md.
 *
 * Amounts are mCC. "Transferable" is the sum of the positive balances of the attacker's accounts: credit it can move
 * off the system. Genesis credit and pay that is not final are never transferable.
 */
import assert from "node:assert/strict";
import { type Address, type Hex, encodeAbiParameters, keccak256, toHex } from "viem";
import { type ProtocolParams, VerificationMode, bpsShare, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { type Connection, setupProtocol } from "./fixture.ts";
import { mulberry32 } from "./random.ts";

type Setup = Awaited<ReturnType<typeof setupProtocol>>;
type Wallet = Setup["wallets"][number];

const BOUNTY = 1_000n;
const HORIZON = 256;

/** The proof RuleBasedProofVerifier (contracts/test/mocks) accepts: keccak256(abi.encode(taskId, worker, input, output)). */
export function ruleProof(taskId: Hex, worker: Address, input: bigint, output: bigint): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }], [taskId, worker, input, output]),
  );
}

/** Sum of the positive balances of `accounts`: the credit they can transfer. */
async function transferable(s: Setup, accounts: Address[]): Promise<bigint> {
  let sum = 0n;
  for (const a of accounts) {
    const b = BigInt((await s.account(a)).balance);
    if (b > 0n) sum += b;
  }
  return sum;
}

/** Everything the accounts hold, transferable or not (balance + genesis + stake). */
async function holdings(s: Setup, accounts: Address[]): Promise<bigint> {
  let sum = 0n;
  for (const a of accounts) {
    const acc = await s.account(a);
    sum += BigInt(acc.balance) + acc.genesis + acc.stake;
  }
  return sum;
}

/** Plays a replicated round to its reveals: each drawn member commits and reveals what `outputOf` says. */
async function playRound(s: Setup, taskId: Hex, worker: Wallet, workerOutput: string, outputOf: (a: Address) => string | undefined) {
  const res = await s.commitAs(worker, taskId, workerOutput);
  await s.drawVerifiers(taskId);
  const round = await s.market.read.roundOf([taskId]);
  const verifiers = round.members.slice(1).map((m) => s.walletOf(m.account));
  const vres = [];
  for (const v of verifiers) {
    const out = outputOf(v.account.address);
    vres.push(out === undefined ? undefined : await s.commitAs(v, taskId, out));
  }
  await s.revealAs(worker, taskId, res);
  for (const [i, v] of verifiers.entries()) if (vres[i]) await s.revealAs(v, taskId, vres[i]!);
  return { verifiers };
}

// ==================================================================== 1. draw steering

export type SteeringResult = {
  trials: number;
  /** Trials in which the attacker made a move (left the pool with some of its accounts) to steer the draw. */
  moves: number;
  /** Trials in which the attacker's steering move changed who was drawn. */
  steered: number;
  /** Trials in which the attacker got at least one of its accounts drawn (as it would have without steering). */
  ownDrawn: number;
  /** The same fraction the fixed pool gives an attacker that holds this share of it. */
  attackerShare: number;
};

/**
 * A worker with `attackers` accounts in a pool of `honest` others, once the anchor's hash is public, tries every
 * pool size it can reach by taking its own accounts out at the tail (what won 20 of 20 trials before the fix) and
 * keeps the one whose draw, read the old way (`seed % current size`, current order), seats one of its accounts.
 * The draw is then made; it is compared with the draw made without any move (the chain is rolled back between).
 */
export async function drawSteering(connection: Connection, { trials = 8, honest = 20, attackers = 6, seed = 9 } = {}): Promise<SteeringResult> {
  const s = await setupProtocol(connection, { auditRateBps: 0 });
  const rnd = mulberry32(seed);
  const requesterW = s.wallets[1]!;
  const workerW = s.wallets[2]!;
  await s.registerWorker(requesterW, 0n, false);
  const worker = await s.registerWorker(workerW, 5_000n, false);
  const honestW = s.wallets.slice(3, 3 + Math.min(honest, 17));
  for (let i = honestW.length; i < honest; i++) honestW.push(await s.extraWallet(i));
  const attackerW: Wallet[] = [];
  for (let i = 0; i < attackers; i++) attackerW.push(await s.extraWallet(1000 + i));
  // Shuffled joins, so the attacker's accounts sit anywhere in the pool.
  const joiners = [...honestW, ...attackerW].sort(() => rnd() - 0.5);
  for (const w of joiners) await s.registerWorker(w, 3_000n);
  const mine = new Set(attackerW.map((w) => w.account.address.toLowerCase()));
  let moves = 0;
  let steered = 0;
  let ownDrawn = 0;
  let requester = requesterW;
  // Block hashes follow the wall clock, so a run of anchors may all seat the attacker without a move: then the trials
  // go on (up to four times as many) until one anchor calls for a move, or the result would show nothing.
  let trial = 0;
  for (; trial < trials || (moves === 0 && trial < 4 * trials); trial++) {
    // A fresh requester every few trials: each holds only its 10 CC of genesis credit.
    if (trial % 8 === 7) {
      requester = await s.extraWallet(3000 + trial);
      await s.registerWorker(requester, 0n, false);
    }
    const taskId = await s.post(requester, { bounty: BOUNTY });
    await s.wait(await worker.market.write.claim([taskId]));
    await s.commitAs(workerW, taskId, "garbage");
    const anchor = (await s.market.read.roundOf([taskId])).anchorBlock;
    const hash = (await s.publicClient.getBlock({ blockNumber: BigInt(anchor) })).hash!;
    const seedWord = BigInt(
      keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }], [hash, taskId, toHex("verifiers", { size: 32 })])),
    );
    const size = Number(await s.registry.read.poolSize());
    const pool: string[] = [];
    for (let i = 0; i < size; i++) pool.push((await s.registry.read.poolMember([BigInt(i)])).toLowerCase());
    // The old rule: the first two members from `seed % size` (all are eligible here).
    const oldDraw = (members: string[]) => {
      const start = Number(seedWord % BigInt(members.length));
      return [members[start]!, members[(start + 1) % members.length]!];
    };
    // Take k attacker accounts off the tail (leaving swaps the last member into the leaver's slot).
    const afterLeaving = (k: number) => {
      const m = [...pool];
      const leavers: string[] = [];
      for (let j = 0; j < k; j++) {
        const idx = m.findLastIndex((a) => mine.has(a) && !leavers.includes(a));
        if (idx < 0) return undefined;
        leavers.push(m[idx]!);
        const last = m.pop()!;
        if (idx < m.length) m[idx] = last;
      }
      return { members: m, leavers };
    };
    let best: string[] = [];
    for (let k = 0; k <= attackers; k++) {
      const option = afterLeaving(k);
      if (option && oldDraw(option.members).some((a) => mine.has(a))) {
        best = option.leavers;
        break;
      }
    }
    const snapshot = await connection.networkHelpers.takeSnapshot();
    await s.drawVerifiers(taskId);
    const honestDraw = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => m.account.toLowerCase());
    await snapshot.restore();
    if (best.length > 0) moves += 1;
    for (const a of best) await s.wait(await (await s.as(s.walletOf(a as Address))).registry.write.leaveVerifierPool());
    await s.drawVerifiers(taskId);
    const steeredDraw = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => m.account.toLowerCase());
    if (steeredDraw.join() !== honestDraw.join()) steered += 1;
    if (steeredDraw.some((a) => mine.has(a))) ownDrawn += 1;
    // Back in the pool for the next trial (effective from the next block); the round is left as it is.
    for (const a of best) await s.wait(await (await s.as(s.walletOf(a as Address))).registry.write.joinVerifierPool());
  }
  return { trials: trial, moves, steered, ownDrawn, attackerShare: attackers / (attackers + honest) };
}

export type HorizonResult = { rerollRefused: boolean; workerSlashed: bigint; reason: number };

/** A worker that dislikes its draw waits out the 256-block horizon hoping for a new anchor. */
export async function waitOutHorizon(connection: Connection): Promise<HorizonResult> {
  const s = await setupProtocol(connection, { auditRateBps: 0 });
  const [requesterW, workerW, v1, v2] = [s.wallets[1]!, s.wallets[2]!, s.wallets[3]!, s.wallets[4]!];
  await s.registerWorker(requesterW, 0n, false);
  const worker = await s.registerWorker(workerW, 5_000n, false);
  await s.registerWorker(v1);
  await s.registerWorker(v2);
  const taskId = await s.post(requesterW, { bounty: BOUNTY });
  await s.wait(await worker.market.write.claim([taskId]));
  await s.commitAs(workerW, taskId, "garbage");
  await connection.networkHelpers.mine(HORIZON + 1);
  let rerollRefused = false;
  try {
    await s.drawVerifiers(taskId);
  } catch (error) {
    rerollRefused = String(error).includes("AnchorLapsed");
  }
  const before = await s.account(workerW.account.address);
  const receipt = await s.wait(await s.market.write.settle([taskId]));
  const after = await s.account(workerW.account.address);
  const rejected = receipt.logs.length > 0 ? (await s.market.getEvents.TaskRejected({}, { fromBlock: receipt.blockNumber }))[0] : undefined;
  await s.conserved([taskId]);
  return { rerollRefused, workerSlashed: before.stake - after.stake, reason: Number(rejected?.args.reason ?? -1) };
}

// ==================================================================== 2. a proven fraud paying twice

export type DoublePayResult = { genesisSpent: bigint; transferableGained: bigint; transferDuringAudit: "reverted" | "went through"; requesterRefund: bigint; status: number };

/**
 * zk task, valid proof under a deliberately wrong output CID; the worker tries to move its pay away, and the
 * colluding requester forces an audit. Before the fix 10.09 CC of genesis became 18 CC of transferable credit.
 */
export async function doublePay(connection: Connection): Promise<DoublePayResult> {
  const s = await setupProtocol(connection, { auditRateBps: 0 });
  const [requesterW, workerW, sinkW] = [s.wallets[1]!, s.wallets[2]!, s.wallets[16]!];
  const requester = await s.registerWorker(requesterW, 0n, false);
  const worker = await s.registerWorker(workerW, 2_000n, false);
  for (const a of s.wallets.slice(3, 8)) await s.registerWorker(a);
  const verifier = await s.viem.deployContract("RuleBasedProofVerifier");
  const zkType = await s.addType({ name: "zk-attack", modes: 2, zkVerifier: verifier.address });
  const attackers = [requesterW, workerW, sinkW].map((w) => w.account.address);
  const startHeld = await holdings(s, attackers);
  const startTransferable = await transferable(s, attackers);
  const taskId = await s.post(requesterW, { typeId: zkType, mode: VerificationMode.Zk, bounty: BOUNTY, zkInputCommitment: 7n });
  await s.wait(await worker.market.write.claim([taskId]));
  const proof = ruleProof(taskId, workerW.account.address, 7n, 99n);
  await s.wait(await worker.market.write.submitProof([taskId, 99n, proof, toHex("bafy-wrong-output")]));
  let transferDuringAudit: DoublePayResult["transferDuringAudit"] = "went through";
  try {
    await s.wait(await worker.ledger.write.transfer([sinkW.account.address, BOUNTY]));
  } catch {
    transferDuringAudit = "reverted";
  }
  await s.wait(await requester.market.write.forceAudit([taskId]));
  await s.drawAuditors(taskId);
  const audit = await s.market.read.auditOf([taskId]);
  const auditors = audit.members.map((m) => s.walletOf(m.account));
  const res = [];
  for (const a of auditors) res.push(await s.commitAs(a, taskId, "true-output"));
  for (const [i, a] of auditors.entries()) await s.revealAs(a, taskId, res[i]!);
  const before = await s.account(requesterW.account.address);
  await s.wait(await s.market.write.finalizeAudit([taskId]));
  const after = await s.account(requesterW.account.address);
  await s.conserved([taskId]);
  await s.genesisKept([taskId]);
  return {
    genesisSpent: startHeld - (await holdings(s, attackers)),
    transferableGained: (await transferable(s, attackers)) - startTransferable,
    transferDuringAudit,
    requesterRefund: BigInt(after.balance) + after.genesis - (BigInt(before.balance) + before.genesis),
    status: (await s.market.read.taskOf([taskId])).status,
  };
}

// ==================================================================== 3. genesis laundering

export type LaunderingResult = { sybils: number; genesisSpent: bigint; transferableGained: bigint; spendOnlyReceived: bigint; secondHopTransferable: bigint };

/**
 * Fresh accounts each post one task whose escrow is their whole genesis grant, for trivial work by the attacker's
 * worker (preferred worker), honestly verified. The worker then spends what it got on a task for a second attacker
 * account. Before the fix the yield was 97.1% transferable.
 */
export async function genesisLaundering(connection: Connection, { sybils = 6 } = {}): Promise<LaunderingResult> {
  const s = await setupProtocol(connection, { auditRateBps: 0 });
  const workerW = s.wallets[2]!;
  const secondW = s.wallets[15]!;
  const worker = await s.registerWorker(workerW, 9_000n, false);
  const second = await s.registerWorker(secondW, 2_000n, false);
  for (const v of s.wallets.slice(3, 7)) await s.registerWorker(v);
  const sybilW: Wallet[] = [];
  for (let i = 0; i < sybils; i++) {
    const w = await s.extraWallet(2000 + i);
    await s.registerWorker(w, 0n, false);
    sybilW.push(w);
  }
  const attackers = [workerW, secondW, ...sybilW].map((w) => w.account.address);
  const startTransferable = await transferable(s, attackers);
  const startGenesis = (await s.account(workerW.account.address)).genesis;
  const held = await holdings(s, sybilW.map((w) => w.account.address));
  // The largest bounty whose escrow the whole grant covers.
  let bounty = (defaultParams.genesisGrant * 10_000n) / 10_600n;
  while (escrowFor(bounty, VerificationMode.Replicated) > defaultParams.genesisGrant) bounty -= 1n;
  const taskIds: Hex[] = [];
  for (const sybil of sybilW) {
    const taskId = await s.post(sybil, { bounty, preferredWorker: workerW.account.address });
    await s.wait(await worker.market.write.claim([taskId]));
    await playRound(s, taskId, workerW, "trivial", () => "trivial");
    await s.wait(await s.market.write.settle([taskId]));
    taskIds.push(taskId);
  }
  await connection.networkHelpers.time.increase(defaultParams.auditWindow + 1);
  for (const id of taskIds) await s.wait(await s.market.write.finalize([id]));
  const spendOnlyReceived = (await s.account(workerW.account.address)).genesis - startGenesis;
  // Second hop: the worker spends what it received on a task done by another attacker account.
  const hop = await s.post(workerW, { bounty: 5_000n, preferredWorker: secondW.account.address });
  await s.wait(await second.market.write.claim([hop]));
  await playRound(s, hop, secondW, "trivial", () => "trivial");
  await s.wait(await s.market.write.settle([hop]));
  await connection.networkHelpers.time.increase(defaultParams.auditWindow + 1);
  await s.wait(await s.market.write.finalize([hop]));
  await s.conserved([...taskIds, hop]);
  await s.genesisKept([...taskIds, hop]);
  return {
    sybils,
    genesisSpent: held - (await holdings(s, sybilW.map((w) => w.account.address))),
    transferableGained: (await transferable(s, attackers)) - startTransferable,
    spendOnlyReceived,
    secondHopTransferable: BigInt((await s.account(secondW.account.address)).balance),
  };
}

// ==================================================================== 4. manufactured credit lines

export type CreditLineResult = {
  paidForTrivialWork: bigint;
  creditLimitAfterTrivialWork: bigint;
  overdraftRefused: boolean;
  workValuePerHeavyTask: bigint;
  creditLimitAfterHeavyWork: bigint;
};

/**
 * An account is paid large bounties for self-dealt trivial work, to raise its credit limit and then spend the line
 * on the attacker's tasks and abandon the account in debt. Before the fix each such account netted the attacker
 * +91 CC. Now work credit grows by the task's work value (the type's cost model for the declared input), not by the
 * bounty, and only once the task is final; for contrast, a type whose cost model values each task at 1 CC raises
 * the limit by half of that.
 */
export async function creditLines(connection: Connection): Promise<CreditLineResult> {
  const s = await setupProtocol(connection, { auditRateBps: 0 });
  const funders = [s.wallets[1]!, s.wallets[7]!];
  const heavyFunderW = s.wallets[8]!;
  await s.registerWorker(heavyFunderW, 0n, false);
  for (const f of funders) await s.registerWorker(f, 0n, false);
  for (const v of s.wallets.slice(3, 7)) await s.registerWorker(v);
  const lineW = s.wallets[12]!;
  const line = await s.registerWorker(lineW, 2_000n, false);
  const heavyType = await s.addType({ name: "heavy", modes: 1, workMsBase: 3_600_000 }); // 1 CC of work per task
  const bounty = 9_000n;
  const trivial: Hex[] = [];
  for (const f of funders) {
    const taskId = await s.post(f, { bounty, preferredWorker: lineW.account.address, inputBytes: 1_000 });
    await s.wait(await line.market.write.claim([taskId]));
    await playRound(s, taskId, lineW, "trivial", () => "trivial");
    await s.wait(await s.market.write.settle([taskId]));
    trivial.push(taskId);
  }
  await connection.networkHelpers.time.increase(defaultParams.auditWindow + 1);
  for (const id of trivial) await s.wait(await s.market.write.finalize([id]));
  const creditLimitAfterTrivialWork = await s.ledger.read.creditLimit([lineW.account.address]);
  // Spend past what it holds, as the line would allow: refused.
  const acc = await s.account(lineW.account.address);
  const heldNow = BigInt(acc.balance) + acc.genesis;
  let overdraftRefused = false;
  try {
    await s.post(lineW, { bounty: (heldNow * 10_000n) / 10_600n + 100n });
  } catch (error) {
    overdraftRefused = String(error).includes("InsufficientCredit");
  }
  // Real work, as the cost model values it: a heavy task.
  const heavy = await s.post(heavyFunderW, { typeId: heavyType, bounty: 1_000n, preferredWorker: lineW.account.address });
  await s.wait(await line.market.write.claim([heavy]));
  await playRound(s, heavy, lineW, "heavy-output", () => "heavy-output");
  await s.wait(await s.market.write.settle([heavy]));
  await connection.networkHelpers.time.increase(defaultParams.auditWindow + 1);
  await s.wait(await s.market.write.finalize([heavy]));
  await s.conserved([...trivial, heavy]);
  await s.genesisKept([...trivial, heavy]);
  return {
    paidForTrivialWork: bounty * BigInt(funders.length),
    creditLimitAfterTrivialWork,
    overdraftRefused,
    workValuePerHeavyTask: BigInt((await s.market.read.taskOf([heavy])).workValue),
    creditLimitAfterHeavyWork: await s.ledger.read.creditLimit([lineW.account.address]),
  };
}

// ==================================================================== 6. honest dissent

export type DissentResult = { dissenterStakeLost: bigint; dissenterGained: bigint; auditorGained: bigint; vouchingVerifierLost: bigint };

/**
 * A worker and a colluding verifier accept garbage; the other verifier dissents with the true result and used to be
 * slashed for it, forever. The requester forces an audit, which proves the fraud.
 */
export async function honestDissent(connection: Connection): Promise<DissentResult> {
  const s = await setupProtocol(connection, { auditRateBps: 0 });
  const [requesterW, workerW] = [s.wallets[1]!, s.wallets[2]!];
  const requester = await s.registerWorker(requesterW, 0n, false);
  const worker = await s.registerWorker(workerW, 5_000n, false);
  // Two verifiers in the pool at first: the accomplice and the honest one.
  const [accompliceW, honestW] = [s.wallets[3]!, s.wallets[4]!];
  await s.registerWorker(accompliceW);
  await s.registerWorker(honestW);
  const taskId = await s.post(requesterW, { bounty: BOUNTY });
  await s.wait(await worker.market.write.claim([taskId]));
  await playRound(s, taskId, workerW, "garbage", (a) => (a.toLowerCase() === accompliceW.account.address.toLowerCase() ? "garbage" : "true"));
  await s.wait(await s.market.write.settle([taskId]));
  assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Accepted);
  // Auditors join now (their joins take effect from the next block, before the audit's anchor).
  const auditorsW = s.wallets.slice(5, 8);
  for (const a of auditorsW) await s.registerWorker(a);
  const start = await Promise.all([honestW, accompliceW, ...auditorsW].map((w) => s.account(w.account.address)));
  await s.wait(await requester.market.write.forceAudit([taskId]));
  await s.drawAuditors(taskId);
  const audit = await s.market.read.auditOf([taskId]);
  const drawn = audit.members.map((m) => s.walletOf(m.account));
  const res = [];
  for (const a of drawn) res.push(await s.commitAs(a, taskId, "true"));
  for (const [i, a] of drawn.entries()) await s.revealAs(a, taskId, res[i]!);
  await s.wait(await s.market.write.finalizeAudit([taskId]));
  assert.equal((await s.market.read.taskOf([taskId])).status, TaskStatus.Fraudulent);
  const end = await Promise.all([honestW, accompliceW, ...auditorsW].map((w) => s.account(w.account.address)));
  const total = (a: { balance: bigint; genesis: bigint; stake: bigint }) => BigInt(a.balance) + a.genesis + a.stake;
  await s.conserved([taskId]);
  await s.genesisKept([taskId]);
  const auditorIndex = auditorsW.findIndex((w) => w.account.address === drawn[0]!.account.address);
  return {
    dissenterStakeLost: start[0]!.stake - end[0]!.stake,
    dissenterGained: total(end[0]!) - total(start[0]!),
    auditorGained: total(end[2 + auditorIndex]!) - total(start[2 + auditorIndex]!),
    vouchingVerifierLost: total(start[1]!) - total(end[1]!),
  };
}

// ==================================================================== 7. free work through silent verifiers

export type SilentResult = {
  cancelRefused: boolean;
  silentSlashed: bigint;
  status: number;
  workerPaid: bigint;
  requesterPaid: bigint;
  expiredRevealedBountyKept: bigint;
};

/**
 * The requester's two accounts are the only verifiers in the pool: both commit and never reveal, hoping the round
 * ends in no consensus so the requester can read the worker's output and cancel for a full refund. Before the fix
 * that cost it 2 x 10% of the bounty for a full result.
 */
export async function silentVerifiers(connection: Connection): Promise<SilentResult> {
  const s = await setupProtocol(connection, { auditRateBps: 0 });
  const [requesterW, workerW, silentA, silentB] = [s.wallets[1]!, s.wallets[2]!, s.wallets[3]!, s.wallets[4]!];
  const requester = await s.registerWorker(requesterW, 0n, false);
  const worker = await s.registerWorker(workerW, 5_000n, false);
  await s.registerWorker(silentA);
  await s.registerWorker(silentB);
  const startRequester = await s.account(requesterW.account.address);
  const taskId = await s.post(requesterW, { bounty: BOUNTY });
  await s.wait(await worker.market.write.claim([taskId]));
  const workerRes = await s.commitAs(workerW, taskId, "true");
  await s.drawVerifiers(taskId);
  // The silent pair commits garbage and never reveals; the worker reveals its result, which is now public.
  const round = await s.market.read.roundOf([taskId]);
  for (const m of round.members.slice(1)) await s.commitAs(s.walletOf(m.account), taskId, "garbage");
  await s.revealAs(workerW, taskId, workerRes);
  const revealWindowEnd = Number((await s.market.read.roundOf([taskId])).revealDeadline);
  await connection.networkHelpers.time.increaseTo(revealWindowEnd + 1);
  const silentBefore = (await s.account(silentA.account.address)).stake + (await s.account(silentB.account.address)).stake;
  let cancelRefused = false;
  try {
    await s.wait(await requester.market.write.cancel([taskId]));
  } catch {
    cancelRefused = true;
  }
  // Honest verifiers join; settle replaces the silent pair and the round goes on.
  for (const v of s.wallets.slice(5, 7)) await s.registerWorker(v);
  await s.wait(await s.market.write.settle([taskId]));
  const silentAfter = (await s.account(silentA.account.address)).stake + (await s.account(silentB.account.address)).stake;
  await s.drawVerifiers(taskId);
  const fresh = (await s.market.read.roundOf([taskId])).members.slice(1).map((m) => s.walletOf(m.account));
  const res = [];
  for (const v of fresh) res.push(await s.commitAs(v, taskId, "true"));
  for (const [i, v] of fresh.entries()) await s.revealAs(v, taskId, res[i]!);
  await s.wait(await s.market.write.settle([taskId]));
  const workerBefore = await s.account(workerW.account.address);
  await connection.networkHelpers.time.increase(defaultParams.auditWindow + 1);
  await s.wait(await s.market.write.finalize([taskId]));
  const workerAfter = await s.account(workerW.account.address);
  const endRequester = await s.account(requesterW.account.address);
  const total = (a: { balance: bigint; genesis: bigint; stake: bigint }) => BigInt(a.balance) + a.genesis + a.stake;
  const requesterPaid = total(startRequester) - total(endRequester);

  // The other way to see a result for free: a silent worker while honest verifiers reveal. The task goes back to
  // the queue but cannot be cancelled, and expiring it keeps the bounty.
  const second = await s.post(requesterW, { bounty: BOUNTY, deadline: (await connection.networkHelpers.time.latest()) + 1800 });
  await s.wait(await worker.market.write.claim([second]));
  await s.commitAs(workerW, second, "garbage");
  await s.drawVerifiers(second);
  const vs = (await s.market.read.roundOf([second])).members.slice(1).map((m) => s.walletOf(m.account));
  const vr = [];
  for (const v of vs) vr.push(await s.commitAs(v, second, "true"));
  for (const [i, v] of vs.entries()) await s.revealAs(v, second, vr[i]!);
  await connection.networkHelpers.time.increaseTo(Number((await s.market.read.roundOf([second])).revealDeadline) + 1);
  await s.wait(await s.market.write.settle([second]));
  let secondCancelRefused = false;
  try {
    await s.wait(await requester.market.write.cancel([second]));
  } catch (error) {
    secondCancelRefused = String(error).includes("AlreadyRevealed");
  }
  assert.ok(secondCancelRefused, "a task whose result was revealed cannot be cancelled");
  await connection.networkHelpers.time.increase(3600);
  const treasuryBefore = await s.ledger.read.treasury();
  await s.wait(await s.market.write.expire([second]));
  const expiredRevealedBountyKept = (await s.ledger.read.treasury()) - treasuryBefore;
  await s.conserved([taskId, second]);
  await s.genesisKept([taskId, second]);
  return {
    cancelRefused,
    silentSlashed: silentBefore - silentAfter,
    status: (await s.market.read.taskOf([taskId])).status,
    workerPaid: total(workerAfter) - total(workerBefore),
    requesterPaid,
    expiredRevealedBountyKept,
  };
}

export const PARAMS: ProtocolParams = defaultParams;
export const shares = { fee: bpsShare(BOUNTY, defaultParams.verifierFeeBps), lock: bpsShare(BOUNTY, defaultParams.rejectSlashBps), bounty: BOUNTY };

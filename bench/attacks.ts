/**
 * What each economic attack of issue 9 yields the attacker, before the fix and now. The "now" column is measured
 * in this run by playing the attack (contracts/test-support/economic-attacks.ts, the same code the attack tests
 * assert on); the "before" column is what the independent review measured against the contracts before the fix
 * (issue 9), quoted.
 * Run: npm run bench:attacks   (writes the "attacks" section of BENCHMARKS.md)
 */
import { network } from "hardhat";
import { bpsShare, defaultParams, formatCredits } from "../lib/protocol/params.ts";
import { taskStatusName } from "../lib/protocol/status.ts";
import {
  creditLines,
  doublePay,
  drawSteering,
  genesisLaundering,
  honestDissent,
  silentVerifiers,
  waitOutHorizon,
} from "../contracts/test-support/economic-attacks.ts";
import { machineLine, writeBenchSection } from "./write-section.ts";

const TRIALS = Number(process.env.BENCH_TRIALS ?? 20);
const fresh = () => network.create({ chainType: "l1" });
const cc = (mcc: bigint) => formatCredits(mcc);
const BOUNTY = 1_000n;

const steering = await drawSteering(await fresh(), { trials: TRIALS, honest: 20, attackers: 6 });
const horizon = await waitOutHorizon(await fresh());
const double = await doublePay(await fresh());
const launder = await genesisLaundering(await fresh(), { sybils: 8 });
const lines = await creditLines(await fresh());
const dissent = await honestDissent(await fresh());
const silent = await silentVerifiers(await fresh());

const rows: [string, string, string][] = [
  [
    "1. Steer the verifier draw by resizing the pool after the seed is public (20 honest + 6 attacker accounts)",
    "worker seated its own verifier in 20 of 20 trials; requester got both verifiers in 20 of 20",
    `${steering.moves} of ${steering.trials} trials the attacker made its best move; it changed the draw in ${steering.steered}. ` +
      `Its accounts were drawn in ${steering.ownDrawn} of ${steering.trials}, by the luck of a fixed pool where it holds ${(steering.attackerShare * 100).toFixed(0)}%`,
  ],
  [
    "1b. Wait out the 256-block horizon for a fresh anchor",
    "a fresh roll for free",
    `no re-roll (drawVerifiers reverts AnchorLapsed: ${horizon.rerollRefused}); the round lapses against the worker: slashed ${cc(horizon.workerSlashed)} (10% of the bounty)`,
  ],
  [
    "2. A proven fraud pays twice (zk task, valid proof under a wrong output CID, pay moved away, colluding requester disputes)",
    "10.09 CC of genesis became 18 CC transferable; the worker account was abandoned at -98 CC",
    `pay not transferable before final (transfer ${double.transferDuringAudit}); transferable gained ${cc(double.transferableGained)}; ` +
      `the attackers lost ${cc(double.genesisSpent)}; task ${taskStatusName(double.status)}`,
  ],
  [
    `3. Launder genesis: fresh accounts post their whole grant as a bounty for trivial work by the attacker (${launder.sybils} accounts played)`,
    "97.1% of the genesis spent came back transferable (9,641 CC from 993 accounts)",
    `${cc(launder.transferableGained)} transferable from ${cc(launder.genesisSpent)} of genesis spent (0%); the worker received ${cc(launder.spendOnlyReceived)} spend-only; ` +
      `after a second task, ${cc(launder.secondHopTransferable)} transferable`,
  ],
  [
    "4. Manufacture a credit line with self-dealt trivial work, spend it, abandon the account",
    "+91 CC per account (200 CC paid gave a 100 CC line)",
    `${cc(lines.paidForTrivialWork)} paid for trivial work gave a line of ${cc(lines.creditLimitAfterTrivialWork)}; overdraft refused: ${lines.overdraftRefused}. ` +
      `Worst case per account: half of its final verified work value (a task the cost model values at ${cc(lines.workValuePerHeavyTask)} raises it by ${cc(lines.creditLimitAfterHeavyWork)}), at most ${cc(defaultParams.creditLimitCap)}`,
  ],
  [
    "5. Deploy development zk keys (public toxic waste) to a public chain and forge proofs",
    "a forged proof of an arbitrary output was accepted and paid",
    "deploy refused on any chain but 31337 without CC_ALLOW_DEVELOPMENT_ZK_KEYS=yes-anyone-can-forge-proofs; adapters report developmentKeys() = true and the app warns",
  ],
  [
    "6. Honest verifier dissents from an accepted fraud",
    `slashed ${cc(bpsShare(BOUNTY, defaultParams.rejectSlashBps))} and never made whole`,
    `stake lost ${cc(dissent.dissenterStakeLost)}; gained ${cc(dissent.dissenterGained)} (fee and reward share); each auditor gained ${cc(dissent.auditorGained)}; the vouching verifier lost ${cc(dissent.vouchingVerifierLost)}`,
  ],
  [
    "7. Requester's verifiers commit and stay silent, requester cancels with the output in hand",
    "a full result for 2 x 10% of the bounty",
    `cancel refused: ${silent.cancelRefused}; silent pair slashed ${cc(silent.silentSlashed)}; round went on to ${taskStatusName(silent.status)}; ` +
      `worker paid ${cc(silent.workerPaid)}; requester paid ${cc(silent.requesterPaid)}; a revealed task left to expire keeps its bounty (${cc(silent.expiredRevealedBountyKept)})`,
  ],
  [
    "8. Smaller holes",
    "clean-audit auditors paid 20 of 60 owed; claims expire at no cost; a pause ran out the forced-audit window",
    `auditors paid from the reserve escrowed at post (${cc(3n * bpsShare(BOUNTY, defaultParams.verifierFeeBps))} per ${cc(BOUNTY)} task); an expired claim costs ${cc(bpsShare(BOUNTY, defaultParams.expirySlashBps))}; audit windows extended by pauses (tests: attacks.economic.test.ts)`,
  ],
];

const markdown = `## Economic attacks (issue 9): the attacker's yield before and after

Machine: ${machineLine()}
Command: \`npm run bench:attacks\` (Hardhat EDR in-process chain; BENCH_TRIALS=${TRIALS} draw-steering trials). Bounty 1 CC where
a task is played. "Before" is what the independent review measured against the contracts before the fix (issue 9);
"now" is measured in this run by contracts/test-support/economic-attacks.ts, the code the attack tests assert on.

| attack | before | now |
|---|---|---|
${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}
`;
writeBenchSection("attacks", markdown);
console.log(markdown);

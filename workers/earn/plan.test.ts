import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import type { Address, Hex } from "viem";
import { TaskStatus } from "../../lib/protocol/status.ts";
import type { TaskView } from "../../lib/client/tasks.ts";
import { BACKUP_BLOCKS, BLOCKHASH_HORIZON, MAX_SHORT_POOL_WAIT, type Observed, type PlanInput, anchorLapsed, drawDue, dueSteps, roundOver, secretKey, shortDrawsOf } from "./plan.ts";
import type { RoundView, TaskState } from "./ports.ts";

const ME = "0x00000000000000000000000000000000000000aa" as Address;
const REQ = "0x00000000000000000000000000000000000000bb" as Address;
const OTHER = "0x00000000000000000000000000000000000000cc" as Address;
const V2 = "0x00000000000000000000000000000000000000dd" as Address;
const ZERO = "0x0000000000000000000000000000000000000000" as Address;
const ID = `0x${"11".repeat(32)}` as Hex;
const D = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const M = { None: 0, Drawn: 1, Committed: 2, Revealed: 3 };

function task(status: number, over: Partial<TaskView> = {}): TaskView {
  return {
    id: ID,
    requester: REQ,
    typeId: 0,
    mode: 0,
    bounty: 1000n,
    deadline: 10_000,
    claimWindow: 600,
    inputBytes: 10,
    workValue: 0n,
    preferredWorker: undefined,
    inputCid: "0x01",
    spec: "0x7b7d",
    status: status as TaskView["status"],
    worker: undefined,
    claimDeadline: undefined,
    postedBlock: 1n,
    acceptedDigest: undefined,
    outputCid: undefined,
    zkInputCommitment: undefined,
    outputCommitment: undefined,
    revealed: {},
    inputRejected: false,
    excluded: [],
    acceptedBlock: undefined,
    workerPay: undefined,
    events: [],
    ...over,
  };
}
const state = (status: number, over: Partial<TaskState> = {}): TaskState => ({
  requester: REQ,
  deadline: 10_000,
  status,
  revealed: false,
  worker: ZERO,
  claimDeadline: 0,
  bounty: 1000n,
  workValue: 0,
  ...over,
});
function round(over: Omit<Partial<RoundView>, "members"> & { members?: [Address, number][]; digests?: Hex[] } = {}): RoundView {
  const { members, digests, ...rest } = over;
  return {
    commitDeadline: 1_000,
    revealDeadline: 1_300,
    acceptedAt: 0,
    commits: 1,
    reveals: 0,
    replacements: 0,
    forced: false,
    anchorBlock: 10,
    pauseMark: 0,
    inputRejected: false,
    poolShort: false,
    auditPending: false,
    members: (members ?? [[ME, M.Committed], [OTHER, M.Drawn], [V2, M.Drawn]]).map(([account, status]) => ({ account, status })),
    sealOrDigest: digests ?? [D(1), D(0), D(0)],
    ...rest,
  };
}
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  me: ME,
  roles: new Set(["worker", "verifier", "auditor"]),
  now: 500,
  block: 20n,
  params: { auditWindow: 86_400 },
  secrets: new Set(),
  ...over,
});
const kinds = (o: Observed[], p: PlanInput) => dueSteps(o, p).map((s) => s.kind);

describe("plan: what the earn engine does next", () => {
  it("a claim this account holds is worked until its claim deadline", () => {
    const o = { task: task(TaskStatus.Claimed, { worker: ME }), state: state(TaskStatus.Claimed, { worker: ME, claimDeadline: 600 }) };
    assert.deepEqual(kinds([o], input()), ["work"]);
    assert.deepEqual(kinds([o], input({ now: 601 })), [], "an expired claim is left to be taken over");
  });

  it("the worker draws its verifiers once the anchor is mined, and never after the anchor lapsed", () => {
    const r = round({ commitDeadline: 0, revealDeadline: 0, anchorBlock: 19 });
    const o = { task: task(TaskStatus.Committed, { worker: ME }), state: state(TaskStatus.Committed, { worker: ME }), round: r };
    assert.deepEqual(kinds([o], input({ block: 18n })), [], "a head read before the anchor");
    assert.deepEqual(kinds([o], input({ block: 19n })), ["drawVerifiers"], "a draw sent now lands in a later block");
    assert.deepEqual(kinds([o], input({ block: 19n + 256n })), ["settle"], "a lapsed draw is settled, never re-rolled");
  });

  it("a pool member calls a draw that waited for its worker and requester only after BACKUP_BLOCKS", () => {
    const r = round({ commitDeadline: 0, revealDeadline: 0, anchorBlock: 10, members: [[OTHER, M.Committed], [ZERO, 0], [ZERO, 0]] });
    const o = { task: task(TaskStatus.Committed, { worker: OTHER }), state: state(TaskStatus.Committed, { worker: OTHER }), round: r };
    assert.deepEqual(kinds([o], input({ block: 10n + BACKUP_BLOCKS })), []);
    assert.deepEqual(kinds([o], input({ block: 11n + BACKUP_BLOCKS })), ["drawVerifiers"]);
    assert.deepEqual(kinds([o], input({ block: 11n + BACKUP_BLOCKS, roles: new Set(["worker"]) })), [], "a worker-only engine is no pool member");
  });

  it("a drawn verifier computes while the commit window is open, and reveals once reveals open, if it holds the salt", () => {
    const drawn = round({ members: [[OTHER, M.Committed], [ME, M.Drawn], [V2, M.Drawn]] });
    const o = { task: task(TaskStatus.Committed, { worker: OTHER }), state: state(TaskStatus.Committed, { worker: OTHER }), round: drawn };
    assert.deepEqual(kinds([o], input({ now: 999 })), ["verify"]);
    assert.deepEqual(kinds([o], input({ now: 1001 })), [], "the commit window closed");
    const committed = { ...o, round: round({ commits: 3, members: [[OTHER, M.Committed], [ME, M.Committed], [V2, M.Committed]] }) };
    assert.deepEqual(kinds([committed], input()), [], "no salt, no reveal");
    assert.deepEqual(kinds([committed], input({ secrets: new Set([secretKey("round", ID)]) })), ["reveal"]);
    assert.deepEqual(kinds([committed], input({ now: 1301, secrets: new Set([secretKey("round", ID)]) })), ["settle"], "the reveal window closed");
  });

  it("reveals wait for every commit, or for the commit window to close", () => {
    const r = round({ commits: 2, members: [[ME, M.Committed], [OTHER, M.Committed], [V2, M.Drawn]] });
    const o = { task: task(TaskStatus.Committed, { worker: ME }), state: state(TaskStatus.Committed, { worker: ME }), round: r };
    const secrets = new Set([secretKey("round", ID)]);
    assert.deepEqual(kinds([o], input({ secrets })), []);
    assert.deepEqual(kinds([o], input({ secrets, now: 1001 })), ["reveal", "replaceSilentVerifiers"]);
  });

  it("a silent verifier is replaced only while the round is undecided and replacements remain", () => {
    const base = { task: task(TaskStatus.Revealing, { worker: ME }), state: state(TaskStatus.Revealing, { worker: ME }) };
    const undecided = round({ commits: 2, members: [[ME, M.Revealed], [OTHER, M.Revealed], [V2, M.Drawn]], digests: [D(1), D(2), D(0)] });
    assert.ok(kinds([{ ...base, round: undecided }], input({ now: 1001 })).includes("replaceSilentVerifiers"));
    const decided = round({ commits: 2, members: [[ME, M.Revealed], [OTHER, M.Revealed], [V2, M.Drawn]], digests: [D(1), D(1), D(0)] });
    assert.ok(!kinds([{ ...base, round: decided }], input({ now: 1001 })).includes("replaceSilentVerifiers"));
    const spent = { ...undecided, replacements: 2 };
    assert.ok(!kinds([{ ...base, round: spent }], input({ now: 1001 })).includes("replaceSilentVerifiers"));
  });

  it("a round is over when all revealed or the reveal window closed; a pending draw only when lapsed or short past the deadline", () => {
    assert.equal(roundOver(round({ commits: 3, reveals: 3, anchorBlock: 20 }), 10_000, 500, 21n), true);
    assert.equal(roundOver(round({ commits: 3, reveals: 2 }), 10_000, 500, 21n), false);
    assert.equal(roundOver(round({ commits: 3, reveals: 2 }), 10_000, 1_301, 21n), true);
    assert.equal(roundOver(round({ commitDeadline: 0, poolShort: true }), 10_000, 10_001, 20n), true, "a short pool ends at the deadline");
    assert.equal(roundOver(round({ commitDeadline: 0, poolShort: false }), 10_000, 10_001, 20n), false, "a draw simply due does not end the round");
  });

  it("an accepted task is finalized by those with a stake in it once its window closed", () => {
    const o = { task: task(TaskStatus.Accepted, { worker: ME }), state: state(TaskStatus.Accepted, { worker: ME }), round: round(), auditWindowClosesAt: 2_000 };
    assert.deepEqual(kinds([o], input({ now: 2_000 })), []);
    assert.deepEqual(kinds([o], input({ now: 2_001 })), ["finalize"]);
    const stranger = { ...o, task: task(TaskStatus.Accepted, { worker: OTHER }), state: state(TaskStatus.Accepted, { worker: OTHER }), round: round({ members: [[OTHER, M.Revealed], [V2, M.Revealed], [REQ, M.Revealed]] }) };
    assert.deepEqual(kinds([stranger], input({ now: 2_001 })), [], "no stake, no call");
  });

  it("an accepted task's audit is decided from a later block before it can be finalized", () => {
    const pending = round({ auditPending: true, anchorBlock: 20 });
    const o = { task: task(TaskStatus.Accepted, { worker: ME }), state: state(TaskStatus.Accepted, { worker: ME }), round: pending, auditWindowClosesAt: 100 };
    assert.deepEqual(kinds([o], input({ block: 19n })), []);
    assert.deepEqual(kinds([o], input({ block: 20n })), ["decideAudit"], "no finalize while the audit is undecided; it lands in a later block");
    const stranger = { ...o, task: task(TaskStatus.Accepted, { worker: OTHER }), state: state(TaskStatus.Accepted, { worker: OTHER }), round: { ...pending, members: [] } };
    assert.deepEqual(kinds([stranger], input({ block: 21n })), []);
    assert.deepEqual(kinds([stranger], input({ block: 21n + BACKUP_BLOCKS })), ["decideAudit"], "a pool member backs the decision up");
  });

  it("an auditor audits, reveals, and finalizes the audit when it is over; the requester draws its auditors", () => {
    const audit = round({ commitDeadline: 0, revealDeadline: 0, anchorBlock: 15, members: [[ZERO, 0], [ZERO, 0], [ZERO, 0]] });
    const asRequester = { task: task(TaskStatus.Auditing, { requester: ME, worker: OTHER }), state: state(TaskStatus.Auditing, { requester: ME, worker: OTHER }), round: round(), audit, auditLapsesAt: 90_000 };
    assert.deepEqual(kinds([asRequester], input()), ["drawAuditors"]);
    const drawn = round({ members: [[ME, M.Drawn], [OTHER, M.Drawn], [V2, M.Drawn]] });
    const asAuditor = { task: task(TaskStatus.Auditing, { worker: OTHER }), state: state(TaskStatus.Auditing, { worker: OTHER }), audit: drawn, auditLapsesAt: 90_000 };
    assert.deepEqual(kinds([asAuditor], input()), ["audit"]);
    const over = { ...asAuditor, audit: round({ commits: 3, reveals: 3, anchorBlock: 15, members: [[ME, M.Revealed], [OTHER, M.Revealed], [V2, M.Revealed]] }) };
    assert.deepEqual(kinds([over], input()), ["finalizeAudit"]);
  });

  it("duties come first: a reveal before new work, new work before finalizing", () => {
    const reveal = { task: task(TaskStatus.Committed, { worker: ME, id: D(9) }), state: state(TaskStatus.Committed, { worker: ME }), round: round({ commits: 3 }) };
    const work = { task: task(TaskStatus.Claimed, { worker: ME, id: D(8) }), state: state(TaskStatus.Claimed, { worker: ME, claimDeadline: 600 }) };
    const fin = { task: task(TaskStatus.Accepted, { worker: ME, id: D(7) }), state: state(TaskStatus.Accepted, { worker: ME }), round: round(), auditWindowClosesAt: 100 };
    assert.deepEqual(kinds([fin, work, reveal], input({ secrets: new Set([secretKey("round", D(9))]) })), ["reveal", "work", "finalize"]);
  });

  it("the requester expires its own open task past the deadline", () => {
    const o = { task: task(TaskStatus.Open, { requester: ME }), state: state(TaskStatus.Open, { requester: ME }) };
    assert.deepEqual(kinds([o], input({ now: 10_001 })), ["expire"]);
    assert.deepEqual(kinds([{ ...o, task: task(TaskStatus.Open) }], input({ now: 10_001 })), []);
  });
});

const bare = (r: Partial<RoundView>): RoundView => ({
  commitDeadline: 0,
  revealDeadline: 0,
  acceptedAt: 0,
  commits: 0,
  reveals: 0,
  replacements: 0,
  forced: false,
  anchorBlock: 0,
  pauseMark: 0,
  inputRejected: false,
  poolShort: false,
  auditPending: false,
  members: [],
  sealOrDigest: [],
  ...r,
});

// A transaction sent at head H lands in H + 1 at the earliest: on a chain that mines only when a transaction
// arrives (anvil in npm run dev), waiting for the head to pass the anchor would wait forever.
test("a draw is due as soon as its anchor is the head: the draw lands in a later block", () => {
  assert.equal(drawDue(bare({ anchorBlock: 10 }), 10n), true);
  assert.equal(drawDue(bare({ anchorBlock: 10 }), 9n), false, "a head older than the anchor (a stale read): not yet");
  assert.equal(drawDue(bare({ anchorBlock: 10, commitDeadline: 100 }), 10n), false, "already drawn");
  assert.equal(drawDue(bare({}), 10n), false, "nothing anchored");
});

test("a short pool is drawn again after blocks someone else mined, each try waiting twice as long, up to a cap", () => {
  const short = bare({ anchorBlock: 10, poolShort: true });
  assert.equal(drawDue(short, 11n, 1), false);
  assert.equal(drawDue(short, 12n, 1), true, "the first retry waits 2 blocks");
  assert.equal(drawDue(short, 13n, 2), false);
  assert.equal(drawDue(short, 14n, 2), true, "the second 4");
  assert.equal(drawDue(short, 10n + MAX_SHORT_POOL_WAIT - 1n, 30), false);
  assert.equal(drawDue(short, 10n + MAX_SHORT_POOL_WAIT, 30), true, "never longer than the cap");
  assert.ok(MAX_SHORT_POOL_WAIT < BLOCKHASH_HORIZON, "a waiting draw's anchor never lapses");
  assert.equal(drawDue(bare({ anchorBlock: 10 }), 10n, 0), true, "a first draw does not wait");
});

test("short draws are counted from the anchors since the round, its replacement draw or its audit began", () => {
  const ev = (...names: string[]) => ({ events: names.map((eventName) => ({ eventName, args: {} })) }) as unknown as Parameters<typeof shortDrawsOf>[0];
  assert.equal(shortDrawsOf(ev("TaskPosted", "TaskClaimed", "ResultCommitted", "RandomnessAnchored")), 0);
  assert.equal(shortDrawsOf(ev("ResultCommitted", "RandomnessAnchored", "VerifierDrawn", "RandomnessAnchored", "RandomnessAnchored")), 2);
  assert.equal(shortDrawsOf(ev("RandomnessAnchored", "RandomnessAnchored", "CommitWindowOpened", "RandomnessAnchored")), 0, "a replacement draw starts afresh");
  assert.equal(shortDrawsOf(ev("RandomnessAnchored", "AuditDecided", "AuditStarted", "RandomnessAnchored", "RandomnessAnchored")), 1);
});

test("a short audit pool's auditor draw backs off: the worker does not call drawAuditors in every block", () => {
  const anchors = (n: number) => Array.from({ length: n }, () => ({ eventName: "RandomnessAnchored", args: {} }));
  const audit = bare({ anchorBlock: 100, poolShort: true, members: [{ account: V2, status: M.Drawn }] });
  const o = (shorts: number) => ({
    task: { ...task(TaskStatus.Auditing, { worker: ME }), events: [{ eventName: "AuditStarted", args: {} }, ...anchors(shorts + 1)] },
    state: state(TaskStatus.Auditing, { worker: ME }),
    round: round(),
    audit,
    auditLapsesAt: 90_000,
  }) as Observed;
  const calls = (shorts: number) => [...Array(64).keys()].filter((i) => kinds([o(shorts)], input({ block: 100n + BigInt(i) })).includes("drawAuditors"));
  assert.equal(calls(1)[0], 2);
  assert.equal(calls(3)[0], 8);
  assert.equal(calls(9).length, 0, "nothing for 64 blocks after the ninth short draw");
});

test("an anchor lapses when the block a transaction lands in is past the blockhash horizon", () => {
  assert.equal(anchorLapsed(bare({ anchorBlock: 10 }), 265n), false);
  assert.equal(anchorLapsed(bare({ anchorBlock: 10 }), 266n), true, "lands in 267 > 10 + 256");
  assert.equal(drawDue(bare({ anchorBlock: 10 }), 265n), true, "lands in 266: the last block that reads the hash");
  assert.equal(drawDue(bare({ anchorBlock: 10 }), 266n), false);
});

test("a round whose last reveal is the head can be settled: the settle lands in the next block", () => {
  const r = bare({ anchorBlock: 20, commitDeadline: 100, revealDeadline: 200, commits: 3, reveals: 3 });
  assert.equal(roundOver(r, 1_000, 150, 20n), true);
  assert.equal(roundOver({ ...r, reveals: 2 }, 1_000, 150, 20n), false, "a reveal is missing and its window is open");
  assert.equal(roundOver({ ...r, reveals: 2 }, 1_000, 201, 20n), true, "the reveal window closed");
});

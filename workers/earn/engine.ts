/**
 * The earn engine (DESIGN §6): one framework-free loop that plays every role (worker, verifier, auditor) in both
 * modes, in a browser tab and in `npm run worker` alike. It observes the chain (events, then fresh views of the tasks
 * it is involved in), asks plan.ts what is due, and acts: claims what pays (policy.ts), computes in its runner
 * slots, keeps each salt in its durable store before the commitment goes out, reveals, and calls every
 * permissionless step it has a stake in. A restarted engine observes again and finishes what its account holds.
 *
 * The shape is TanStack Query's observer: `subscribe(listener)` returns its unsubscribe and `getSnapshot()` the
 * current report (what `useSyncExternalStore` wants); the engine is created idle and started explicitly, and
 * `dispose()` can be undone by `start()` (React's StrictMode mounts twice).
 */
import { CID } from "multiformats/cid";
import { type Address, type Hex, bytesToHex, hexToBytes, toHex } from "viem";
import { foldTasks, type TaskView } from "../../lib/client/tasks.ts";
import { cidDigest, computeCommitment } from "../../lib/protocol/hashes.ts";
import { type ProtocolParams, bpsShare } from "../../lib/protocol/params.ts";
import { TaskStatus } from "../../lib/protocol/status.ts";
import { REFERENCE_SECONDS, STANDARD_ROUNDS } from "../../wasm-tasks/benchmark/reference.ts";
import type { TaskType } from "../../wasm-tasks/task-type.ts";
import { decodeOutput } from "../../wasm-tasks/zk-common/container.ts";
import { CannotCompute, computeResult } from "./compute.ts";
import { type Observed, type Step, dueSteps, involved, secretKey } from "./plan.ts";
import { type WorkerState, pickFrom, whyNotTake } from "./policy.ts";
import type { ChainTaskType, EnginePorts, RegisteredWorker, Role } from "./ports.ts";

export type JobStage =
  | "claiming"
  | "fetching"
  | "computing"
  | "proving"
  | "publishing"
  | "committing"
  | "submitting"
  | "waiting" // committed, waiting for the reveal phase or the round's end
  | "revealing"
  | "accepted" // pay pending until the task is final
  | "paid"
  | "rejected"
  | "released"
  | "failed";

export type JobView = {
  key: string;
  taskId: Hex;
  role: Role;
  typeName: string;
  mode: number;
  bounty: bigint;
  stage: JobStage;
  progress?: { ratio: number; phase: string };
  detail?: string;
  startedAt: number;
  endedAt?: number;
  /** Credit this account received for the task (pay, fees, rewards), once final. */
  earned?: bigint;
};

export type EngineStatus = "idle" | "starting" | "benchmarking" | "registering" | "running" | "stopping" | "stopped" | "error";

export type EngineSnapshot = {
  status: EngineStatus;
  account: Address;
  roles: readonly Role[];
  slots: number;
  /** Benchmark rate x 1000 (reference time / own time), as registered. */
  rateMilli?: number;
  benchmark?: { ratio: number };
  jobs: readonly JobView[];
  /** Credit received for final work, and pay for accepted work that is not final yet. */
  earned: bigint;
  pending: bigint;
  /** Why the engine takes no new task right now, when it takes none. */
  waitingFor?: string;
  /** Types this engine will not run, and why (once each). */
  skippedTypes: readonly string[];
  error?: string;
  log: readonly string[];
};

export type EngineOptions = {
  roles: readonly Role[];
  slots?: number;
  /** Types this runtime can run at all (e.g. Node without a browser-only type); default: every local type. */
  runnable?: (typeName: string) => boolean;
  /** Stake to keep, staked from the account's own credit when short (headless workers); undefined: never stake. */
  autoStake?: bigint;
  /** Called for each log line (Node prints them). */
  onLog?: (line: string) => void;
  /** How often to observe without new events (windows pass without events). */
  tickMs?: number;
};

const MAX_LOG = 200;
const MAX_JOBS = 100;
/** Among the best few tasks a random one is claimed, so that workers do not all race for the top one. */
const CLAIM_AMONG = 3;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

type Secret = { cid: Hex; salt: Hex };

export class EarnEngine {
  private snapshot: EngineSnapshot;
  private listeners = new Set<() => void>();
  private running = false;
  private stopping = false;
  private controller = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private releaseLock: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking = false;
  private tickAgain = false;
  /** Serial send queue: one transaction of this account at a time (nonces, forwarder nonces). */
  private sendChain: Promise<unknown> = Promise.resolve();
  private inFlight = new Set<string>();
  private backoff = new Map<string, { until: number; failures: number }>();
  private jobs = new Map<string, JobView>();
  private views = new Map<string, { mark: string; observed: Observed }>();
  private types: ChainTaskType[] = [];
  private params: ProtocolParams | undefined;
  private worker: RegisteredWorker | undefined;
  private runnableTypes = new Set<number>();
  private skipped = new Map<string, string>();
  /** The local task-type registry (wasm-tasks/index.ts), loaded when the engine starts: it carries the codecs. */
  private local: Readonly<Record<string, TaskType<unknown>>> = {};
  private log: string[] = [];

  constructor(
    private readonly ports: EnginePorts,
    private readonly options: EngineOptions,
  ) {
    this.snapshot = {
      status: "idle",
      account: ports.send.account,
      roles: options.roles,
      slots: options.slots ?? ports.runners.slots,
      jobs: [],
      earned: 0n,
      pending: 0n,
      skippedTypes: [],
      log: [],
    };
    if (options.slots) ports.runners.setSlots(options.slots);
  }

  // ---------------------------------------------------------------- observer API

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): EngineSnapshot => this.snapshot;

  private publish(change: Partial<EngineSnapshot> = {}) {
    const jobs = [...this.jobs.values()].sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_JOBS);
    this.snapshot = { ...this.snapshot, ...change, jobs, log: [...this.log], skippedTypes: [...this.skipped.values()] };
    for (const l of this.listeners) l();
  }

  private say(line: string) {
    this.log = [...this.log.slice(-(MAX_LOG - 1)), line];
    this.options.onLog?.(line);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts earning: one place per account (the lock), the benchmark and registration if needed, then the loop. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.controller = new AbortController();
    this.publish({ status: "starting", error: undefined });
    try {
      if (this.ports.lock) {
        this.releaseLock = await this.ports.lock.acquire(this.ports.send.account);
        if (!this.releaseLock) {
          this.running = false;
          return this.publish({ status: "stopped", error: "Another tab or process is already earning for this account. One account works from one place at a time." });
        }
      }
      await this.prepare();
      this.unsubscribe = this.ports.chain.subscribe(() => this.schedule(0));
      this.publish({ status: "running" });
      this.say(`earning as ${this.ports.send.account} (${this.options.roles.join(", ")}; ${this.ports.runners.slots} slot${this.ports.runners.slots === 1 ? "" : "s"})`);
      this.schedule(0);
    } catch (error) {
      this.running = false;
      this.releaseLock?.();
      this.releaseLock = undefined;
      this.say(`could not start: ${message(error)}`);
      this.publish({ status: "error", error: message(error) });
    }
  }

  /**
   * Stops taking new work. What the account holds is finished (computed, committed, revealed, settled) or handed
   * back; `stopped` resolves once nothing is left that needs this engine, or when `force` is set.
   */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.publish({ status: "stopping" });
    this.say("stopping: no new claims; finishing what this account holds");
    if (options.force) this.controller.abort();
    else await this.leavePool();
    for (;;) {
      await this.tick();
      if (options.force || !(await this.holdsWork())) break;
      await this.ports.clock.sleep(this.options.tickMs ?? 3_000, this.controller.signal).catch(() => undefined);
      if (this.controller.signal.aborted) break;
    }
    this.halt("stopped");
  }

  /**
   * A stopped engine answers no draw, and a drawn member that never commits holds the round up for a whole commit
   * window before it is replaced: so a stop leaves the verifier pool first (duties already drawn are still done),
   * and the next start joins it again. A failure here only costs that delay, so it is logged, not thrown.
   */
  private async leavePool() {
    try {
      const me = this.ports.send.account;
      if ((await this.ports.chain.worker(me)).poolIndex === 0) return;
      await this.send("WorkerRegistry", "leaveVerifierPool", [], "leave pool");
      this.say("left the verifier pool: no new draws while stopped");
    } catch (error) {
      this.say(`could not leave the verifier pool: ${message(error)}`);
    }
  }

  /** Ends at once: running jobs are cancelled and hand their claims back. The engine can be started again. */
  dispose(): void {
    if (!this.running) return;
    this.controller.abort();
    this.halt("stopped");
  }

  private halt(status: EngineStatus) {
    this.running = false;
    this.stopping = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.releaseLock?.();
    this.releaseLock = undefined;
    this.publish({ status });
  }

  setSlots(n: number): void {
    const slots = Math.max(1, Math.floor(n));
    this.ports.runners.setSlots(slots);
    this.publish({ slots });
    this.schedule(0);
  }

  /** Runs the benchmark again and registers the new rate. */
  async rerunBenchmark(): Promise<void> {
    const rateMilli = await this.benchmark();
    await this.ports.store.put(`benchmark:${this.ports.send.account.toLowerCase()}`, { rateMilli });
    await this.send("WorkerRegistry", "update", [rateMilli, this.capabilities()], "benchmark");
    this.worker = await this.ports.chain.worker(this.ports.send.account);
    this.publish({ rateMilli: this.worker.rateMilli, status: this.running ? "running" : "stopped" });
  }

  // ---------------------------------------------------------------- preparing

  private async prepare() {
    const me = this.ports.send.account;
    this.local = await this.ports.taskTypes();
    this.params = await this.ports.chain.params();
    this.types = await this.ports.chain.taskTypes();
    await this.checkCode();
    this.worker = await this.ports.chain.worker(me);
    const capabilities = this.capabilities();
    // The rate is measured here once per account and place (an account registered from the Account page has the
    // reference rate until then).
    const benchKey = `benchmark:${me.toLowerCase()}`;
    const measured = await this.ports.store.get<{ rateMilli: number }>(benchKey);
    if (this.worker.registeredAt === 0) {
      const rateMilli = await this.benchmark();
      await this.ports.store.put(benchKey, { rateMilli });
      this.publish({ status: "registering" });
      await this.send("WorkerRegistry", "register", [rateMilli, capabilities], "register");
      this.say(`registered with rate ${(rateMilli / 1000).toFixed(3)} for ${[...this.runnableTypes].map((id) => this.typeName(id)).join(", ")}`);
      this.worker = await this.ports.chain.worker(me);
    } else if (!measured || BigInt(this.worker.capabilities) !== capabilities) {
      const rateMilli = measured?.rateMilli ?? (await this.benchmark());
      await this.ports.store.put(benchKey, { rateMilli });
      await this.send("WorkerRegistry", "update", [rateMilli, capabilities], `update: rate ${(rateMilli / 1000).toFixed(3)}`);
      this.worker = await this.ports.chain.worker(me);
    }
    this.publish({ rateMilli: this.worker.rateMilli });
    await this.ensureStake();
  }

  /** Which registered types this engine runs: active, known here, runnable here, and its code is the approved code. */
  private async checkCode() {
    this.runnableTypes.clear();
    // A type refused in an earlier run is checked again: its files may have been fixed since.
    this.verified.clear();
    for (const t of this.types) {
      const local = this.local[t.name];
      const skip = (why: string) => this.skipType(t.name, why);
      if (!t.active) continue;
      if (!local) {
        skip("no code for it here");
        continue;
      }
      if (this.options.runnable && !this.options.runnable(t.name)) {
        skip("this runtime cannot run it");
        continue;
      }
      const unavailable = local.unavailable?.();
      if (unavailable) {
        skip(unavailable);
        continue;
      }
      if (this.ports.code) {
        const localCid = await this.ports.code.codeCid(t.name).catch(() => undefined);
        if (!t.codeCid || localCid !== t.codeCid) {
          skip(`the local code (${localCid ?? "unknown"}) is not the approved code (${t.codeCid || "none registered"})`);
          continue;
        }
      }
      this.skipped.delete(t.name);
      this.runnableTypes.add(t.id);
    }
  }

  private skipType(name: string, why: string) {
    if (!this.skipped.has(name)) this.say(`skipping ${name}: ${why}`);
    this.skipped.set(name, `${name}: ${why}`);
  }

  /**
   * Stops taking a type for the rest of this run: no claims, and the registry no longer lists it among this account's
   * capabilities, so no draw picks the account to verify or audit what it cannot run with the approved code.
   */
  private async refuseType(typeName: string, why: string) {
    const t = this.types.find((x) => x.name === typeName);
    if (!t || !this.runnableTypes.delete(t.id)) return;
    this.skipType(typeName, why);
    this.publish();
    const w = this.worker;
    if (!w || w.registeredAt === 0 || (BigInt(w.capabilities) & (1n << BigInt(t.id))) === 0n) return;
    try {
      await this.send("WorkerRegistry", "update", [w.rateMilli, this.capabilities()], `update: no longer takes ${typeName}`);
      this.worker = await this.ports.chain.worker(this.ports.send.account);
    } catch (error) {
      this.say(`could not drop ${typeName} from the registered capabilities: ${message(error)}`);
    }
  }

  private capabilities(): bigint {
    let bits = 0n;
    for (const id of this.runnableTypes) bits |= 1n << BigInt(id);
    return bits;
  }

  private typeName(typeId: number): string {
    return this.types.find((t) => t.id === typeId)?.name ?? `type #${typeId}`;
  }

  /** The reference workload, in a runner: rate = reference time / own time (DESIGN §5). */
  private async benchmark(): Promise<number> {
    this.publish({ status: "benchmarking", benchmark: { ratio: 0 } });
    this.say("running the benchmark to measure this machine's rate");
    const started = this.ports.clock.now();
    await this.ports.runners.run("benchmark", new Uint8Array(0), { rounds: STANDARD_ROUNDS }, {
      signal: this.controller.signal,
      onProgress: (p) => this.publish({ benchmark: { ratio: p.ratio } }),
    });
    const seconds = (this.ports.clock.now() - started) / 1000;
    const rateMilli = Math.max(1, Math.round((REFERENCE_SECONDS / Math.max(seconds, 0.001)) * 1000));
    this.say(`benchmark: ${seconds.toFixed(2)} s, rate ${(rateMilli / 1000).toFixed(3)}`);
    this.publish({ benchmark: { ratio: 1 } });
    return rateMilli;
  }

  private async ensureStake() {
    const me = this.ports.send.account;
    const p = this.params!;
    let account = await this.ports.chain.account(me);
    if (this.options.autoStake !== undefined && account.stake < this.options.autoStake) {
      const held = BigInt(account.balance) + account.genesis;
      const amount = this.options.autoStake - account.stake;
      if (held >= amount) {
        await this.send("WorkerRegistry", "stake", [amount], "stake");
        this.say(`staked ${amount} mCC`);
        account = await this.ports.chain.account(me);
      }
    }
    const wantsPool = this.options.roles.includes("verifier") || this.options.roles.includes("auditor");
    this.worker = await this.ports.chain.worker(me);
    if (wantsPool && this.worker.poolIndex === 0) {
      if (account.stake >= p.minVerifierStake) {
        await this.send("WorkerRegistry", "joinVerifierPool", [], "join pool");
        this.say("joined the verifier pool");
      } else {
        this.say(`not in the verifier pool: it needs ${p.minVerifierStake} mCC staked (${account.stake} staked)`);
      }
    }
  }

  // ---------------------------------------------------------------- the loop

  private schedule(ms: number) {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  /** One observation and the actions it calls for. Never overlaps itself. */
  async tick(): Promise<void> {
    if (!this.running) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.tickAgain = false;
        await this.observeAndAct();
      } while (this.tickAgain && this.running);
    } catch (error) {
      this.say(`observing the chain failed (retrying): ${message(error)}`);
    } finally {
      this.ticking = false;
      this.schedule(this.options.tickMs ?? 3_000);
    }
  }

  private async observeAndAct() {
    const me = this.ports.send.account;
    const chain = this.ports.chain;
    const events = chain.events();
    const tasks = foldTasks(events.filter((e) => e.contract === "TaskMarket"));
    const head = await chain.head();
    const now = Math.max(head.timestamp, Math.floor(this.ports.clock.now() / 1000));
    const roles = new Set(this.options.roles);
    const observed: Observed[] = [];
    for (const t of tasks.values()) {
      if (!involved(t, me, roles)) continue;
      observed.push(await this.observe(t));
    }
    const secrets = new Set(await this.ports.store.keys(this.storePrefix()));
    const steps = dueSteps(observed, {
      me,
      roles,
      now,
      block: head.number,
      params: this.params!,
      secrets: new Set([...secrets].map((k) => k.slice(this.storePrefix().length))),
    });
    this.followOutcomes(tasks, events);
    for (const step of steps) this.act(step, tasks.get(step.taskId.toLowerCase() as Hex)!);
    if (!this.stopping && roles.has("worker")) this.claimMore(tasks, now);
    this.publish();
  }

  /** Fresh views of a task, read again only when its events change. */
  private async observe(t: TaskView): Promise<Observed> {
    const last = t.events[t.events.length - 1];
    const mark = last ? `${last.blockNumber}:${last.logIndex}` : "0";
    const cached = this.views.get(t.id);
    if (cached && cached.mark === mark) return { ...cached.observed, task: t };
    const chain = this.ports.chain;
    const o: Observed = { task: t };
    o.state = await chain.task(t.id);
    const s = o.state.status;
    if (s >= TaskStatus.Committed && s <= TaskStatus.Auditing) o.round = await chain.round(t.id);
    if (s === TaskStatus.Accepted) o.auditWindowClosesAt = await chain.auditWindowClosesAt(t.id);
    if (s === TaskStatus.Auditing) {
      o.audit = await chain.audit(t.id);
      o.auditLapsesAt = o.audit.acceptedAt + (this.params?.auditWindow ?? 0);
    }
    this.views.set(t.id, { mark, observed: o });
    return o;
  }

  private storePrefix() {
    return `secret:${this.ports.send.account.toLowerCase()}:`;
  }

  private act(step: Step, task: TaskView) {
    const key = `${step.kind}:${step.taskId}`;
    if (this.inFlight.has(key)) return;
    const wait = this.backoff.get(key);
    if (wait && wait.until > this.ports.clock.now()) return;
    switch (step.kind) {
      // Work this account already holds, and duties it was drawn for, start at once: the runner pool queues them
      // if every slot is busy. Only new claims wait for a free slot (claimMore).
      case "work":
        return void this.runJob(key, task, "worker", () => this.workJob(task, true));
      case "verify":
        return void this.runJob(key, task, "verifier", () => this.dutyJob(task, "verifier"));
      case "audit":
        return void this.runJob(key, task, "auditor", () => this.dutyJob(task, "auditor"));
      case "reveal":
        return void this.quick(key, task, step, async () => {
          const round = step.round ?? "round";
          const secret = await this.ports.store.get<Secret>(this.storePrefix() + secretKey(round, task.id));
          if (!secret) throw new Error("the salt of this commitment is not in the store");
          if (this.ports.cheats?.silent?.(task.id, step.role ?? "worker")) return;
          this.stage(task, step.role!, "revealing");
          await this.send("TaskMarket", "reveal", [task.id, secret.cid, secret.salt], `reveal ${task.id.slice(0, 10)}`);
          await this.ports.store.delete(this.storePrefix() + secretKey(round, task.id));
          this.stage(task, step.role!, "waiting");
        });
      default:
        // A permissionless step this account has a stake in.
        return void this.quick(key, task, step, async () => {
          await this.send("TaskMarket", step.kind, [task.id], `${step.kind} ${task.id.slice(0, 10)}`);
        });
    }
  }

  private busyJobs() {
    return [...this.inFlight].filter((k) => k.startsWith("work:") || k.startsWith("verify:") || k.startsWith("audit:")).length;
  }

  private freeSlot() {
    return this.busyJobs() < this.ports.runners.slots;
  }

  /** A quick step (one transaction) with back-off on failure. */
  private async quick(key: string, task: TaskView, step: Step, run: () => Promise<void>) {
    this.inFlight.add(key);
    try {
      await run();
      this.backoff.delete(key);
    } catch (error) {
      const failures = (this.backoff.get(key)?.failures ?? 0) + 1;
      const delay = Math.min(60_000, 2_000 * 2 ** (failures - 1));
      this.backoff.set(key, { until: this.ports.clock.now() + delay, failures });
      this.say(`${step.kind} ${task.id.slice(0, 10)} failed (retry in ${Math.round(delay / 1000)} s): ${message(error)}`);
    } finally {
      this.inFlight.delete(key);
      this.ports.chain.refresh();
      this.schedule(500);
    }
  }

  /** A long job (compute, then commit or prove) in a runner slot. */
  private async runJob(key: string, task: TaskView, role: Role, run: () => Promise<void>) {
    this.inFlight.add(key);
    this.upsertJob(task, role, { stage: role === "worker" && task.status === TaskStatus.Open ? "claiming" : "fetching" });
    try {
      await run();
      this.backoff.delete(key);
    } catch (error) {
      const failures = (this.backoff.get(key)?.failures ?? 0) + 1;
      const delay = Math.min(120_000, 5_000 * 2 ** (failures - 1));
      this.backoff.set(key, { until: this.ports.clock.now() + delay, failures });
      this.stage(task, role, "failed", message(error));
      this.say(`${role} ${task.id.slice(0, 10)} failed: ${message(error)}`);
    } finally {
      this.inFlight.delete(key);
      this.ports.chain.refresh();
      this.schedule(500);
    }
  }

  // ---------------------------------------------------------------- jobs

  private async workJob(task: TaskView, claimed: boolean) {
    const typeName = this.typeName(task.typeId);
    if (!claimed) {
      // Checked before the claim: a task this runtime would refuse to run is never held meanwhile.
      try {
        await this.ensureVerified(typeName);
      } catch (error) {
        if (!(error instanceof CannotCompute)) throw error;
        // Refused (the log says why): nothing was claimed, so there is no job to show.
        this.jobs.delete(`worker:${task.id}`);
        return this.publish();
      }
      // A zk task needs no claim: the proof takes the open task itself (TaskMarket.submitProof), one transaction
      // less. Two engines may then prove the same task and only the first proof counts; the planner's random pick
      // among the best open tasks (CLAIM_AMONG) keeps that rare, and a replicated task is still claimed first.
      if (task.mode !== 1) {
        this.stage(task, "worker", "claiming");
        await this.send("TaskMarket", "claim", [task.id], `claim ${task.id.slice(0, 10)} (${typeName}, ${task.bounty} mCC)`);
      }
    }
    if (task.mode === 1 && !claimed) {
      try {
        await this.proveJob(task, typeName);
      } catch (error) {
        // Nothing is held, so there is nothing to hand back: the job just ends.
        if (!(error instanceof CannotCompute)) throw error;
        this.endJob(task, "worker", "released", error.message);
      }
      return;
    }
    try {
      if (task.mode === 1) await this.proveJob(task, typeName);
      else await this.commitResult(task, "worker", "round", typeName);
    } catch (error) {
      if (!(error instanceof CannotCompute)) throw error;
      // DESIGN §3.2: a worker that cannot fetch or run the input hands the claim back without penalty.
      this.stage(task, "worker", "released", error.message);
      await this.send("TaskMarket", "release", [task.id], `release ${task.id.slice(0, 10)}: ${error.message}`);
      this.endJob(task, "worker", "released", error.message);
    }
  }

  private async dutyJob(task: TaskView, role: "verifier" | "auditor") {
    const typeName = this.typeName(task.typeId);
    await this.commitResult(task, role, role === "auditor" ? "audit" : "round", typeName);
  }

  /**
   * The files a type loads are the approved ones: checked once per run, before the type's first run here (and before
   * the claim, for a new task). A type that fails is refused until the engine starts again (refuseType), and every
   * job of it fails fast meanwhile.
   */
  private verified = new Map<string, Promise<void>>();
  private async ensureVerified(typeName: string) {
    const verify = this.ports.code?.verify;
    if (!verify) return;
    let check = this.verified.get(typeName);
    if (!check) {
      check = verify.call(this.ports.code, typeName).then(
        () => this.say(`${typeName}: the files this runtime loads are the approved code`),
        async (error: unknown) => {
          const why = `the code served to this runtime is not the approved code (${message(error)}); start again to check again`;
          await this.refuseType(typeName, why);
          throw new CannotCompute(`${typeName}: ${why}`);
        },
      );
      this.verified.set(typeName, check);
    }
    await check;
  }

  /** Compute (or reuse what the store already holds), keep the salt, then commit. */
  private async commitResult(task: TaskView, role: Role, round: "round" | "audit", typeName: string) {
    const me = this.ports.send.account;
    const storeKey = this.storePrefix() + secretKey(round, task.id);
    let secret = await this.ports.store.get<Secret>(storeKey);
    if (!secret) {
      await this.ensureVerified(typeName);
      const zkPayload = task.mode === 1 ? this.ports.zkPayload : undefined;
      if (task.mode === 1 && !zkPayload) throw new CannotCompute(`this runtime cannot recompute ${typeName}'s output`);
      const spec = specOf(task);
      const result = await computeResult(
        { typeName, inputCid: cidOf(task.inputCid), inputBytes: task.inputBytes, spec },
        this.ports.ipfs,
        this.ports.runners,
        {
          signal: this.controller.signal,
          onStage: (stage, progress) => this.stage(task, role, stage, undefined, progress),
          tamper: this.ports.cheats?.output ? (honest) => this.ports.cheats!.output!(task.id, role, honest) : undefined,
          run: zkPayload ? (input) => zkPayload(typeName, input, spec) : undefined,
        },
      );
      if (result.inputRejected) this.say(`${task.id.slice(0, 10)}: input rejected (${result.reason})`);
      secret = { cid: bytesToHex(result.cidBytes), salt: toHex(this.ports.random.bytes(32)) };
      // The salt is durable before the commitment goes out: a reload can always reveal what it committed.
      await this.ports.store.put(storeKey, secret);
    }
    this.stage(task, role, "committing");
    await this.send("TaskMarket", "commit", [task.id, computeCommitment(task.id, me, cidDigest(secret.cid), secret.salt)], `commit ${task.id.slice(0, 10)} as ${role}`);
    this.stage(task, role, "waiting");
  }

  private async proveJob(task: TaskView, typeName: string) {
    const spec = { ...(specOf(task) as Record<string, unknown>), binding: { taskId: task.id, worker: this.ports.send.account } };
    this.stage(task, "worker", "fetching");
    let input: Uint8Array;
    try {
      input = await this.ports.ipfs.fetch(cidOf(task.inputCid), this.controller.signal);
    } catch (error) {
      throw new CannotCompute(`cannot fetch the input: ${message(error)}`);
    }
    await this.ensureVerified(typeName);
    this.stage(task, "worker", "proving", undefined, { ratio: 0, phase: "start" });
    let container: Uint8Array;
    try {
      container = (await this.ports.runners.run(typeName, input, spec, { signal: this.controller.signal, onProgress: (p) => this.stage(task, "worker", "proving", undefined, p) })).output;
    } catch (error) {
      throw new CannotCompute(`${typeName} could not be proved here: ${message(error)}`);
    }
    const { payload, publicSignals, proof } = decodeOutput(container);
    this.stage(task, "worker", "publishing");
    const published = await this.ports.ipfs.publish(payload);
    this.stage(task, "worker", "submitting");
    await this.send(
      "TaskMarket",
      "submitProof",
      [task.id, publicSignals[1]!, bytesToHex(proof), bytesToHex(published.cidBytes)],
      `submitProof ${task.id.slice(0, 10)}`,
    );
    this.stage(task, "worker", "accepted", published.cid);
  }

  // ---------------------------------------------------------------- claiming

  private claimMore(tasks: ReadonlyMap<Hex, TaskView>, now: number) {
    if (!this.worker || !this.params) return;
    const me = this.ports.send.account;
    // A claim past its deadline is as good as open: `claim` expires it (the lapsed worker's stake pays) and takes it.
    const lapsed = (t: TaskView) => t.status === TaskStatus.Claimed && t.claimDeadline !== undefined && now > t.claimDeadline && !same(t.worker, me);
    const open = [...tasks.values()].filter((t) => t.status === TaskStatus.Open || lapsed(t));
    const held = [...tasks.values()].filter((t) => t.status === TaskStatus.Claimed && same(t.worker, me)).length;
    const state: WorkerState = {
      address: me,
      capabilities: this.capabilities() & BigInt(this.worker.capabilities),
      freeStake: 0n,
      claimStakeBps: this.params.claimStakeBps,
      rateMilli: this.worker.rateMilli,
      referenceCostMcc: (t) => {
        const local = this.local[this.typeName(t.typeId)];
        if (!local) return undefined;
        if (t.mode === 1 && !local.postSpecSchema) return undefined;
        return local.estimateCost({ bytes: (t as TaskView).inputBytes ?? local.maxInputBytes }, (specOf(t as TaskView) ?? {}) as never).mcc;
      },
    };
    const skip = new Set([...this.inFlight].map((k) => k.split(":")[1]!.toLowerCase()));
    for (const [key, b] of this.backoff) if (b.until > this.ports.clock.now()) skip.add(key.split(":")[1]!.toLowerCase());
    void this.ports.chain.account(me).then((account) => {
      let free = account.stake - account.lockedStake;
      let active = held;
      while (this.running && !this.stopping && this.freeSlot() && active < this.params!.maxActiveClaims) {
        const candidates = open.filter((t) => !skip.has(t.id.toLowerCase()) && whyNotTake(t, { ...state, freeStake: free }, now) === undefined);
        const next = pickFrom(candidates, CLAIM_AMONG, this.ports.random.below);
        if (!next) {
          const reasons = open.map((t) => whyNotTake(t, { ...state, freeStake: free }, now)).filter(Boolean);
          const waitingFor = open.length === 0 ? "no open task in the queue" : reasons.length ? `${open.length} open, none for this account: ${[...new Set(reasons)].join("; ")}` : undefined;
          if (waitingFor !== this.snapshot.waitingFor) this.publish({ waitingFor });
          return;
        }
        skip.add(next.id.toLowerCase());
        free -= bpsShare(next.bounty, this.params!.claimStakeBps);
        active += 1;
        void this.runJob(`work:${next.id}`, next, "worker", () => this.workJob(next, false));
      }
    });
  }

  // ---------------------------------------------------------------- reporting

  private upsertJob(task: TaskView, role: Role, change: Partial<JobView>) {
    const key = `${role}:${task.id}`;
    const old = this.jobs.get(key);
    const job: JobView = {
      key,
      taskId: task.id,
      role,
      typeName: this.typeName(task.typeId),
      mode: task.mode,
      bounty: task.bounty,
      stage: "fetching",
      startedAt: this.ports.clock.now(),
      ...old,
      ...change,
    };
    if (old?.endedAt && change.stage && !["paid", "rejected", "released", "failed"].includes(change.stage)) delete job.endedAt;
    this.jobs.set(key, job);
    this.publish();
  }

  private stage(task: TaskView, role: Role, stage: JobStage, detail?: string, progress?: { ratio: number; phase: string }) {
    this.upsertJob(task, role, { stage, detail, progress });
  }

  private endJob(task: TaskView, role: Role, stage: JobStage, detail?: string, earned?: bigint) {
    this.upsertJob(task, role, { stage, detail, endedAt: this.ports.clock.now(), ...(earned !== undefined ? { earned } : {}) });
  }

  /** Outcomes come from events: acceptance, rejection, finalization and what this account was paid. */
  private followOutcomes(tasks: ReadonlyMap<Hex, TaskView>, events: ReturnType<EnginePorts["chain"]["events"]>) {
    const me = this.ports.send.account;
    const paid = new Map<string, bigint>();
    let earned = 0n;
    for (const e of events) {
      if (e.contract !== "CreditLedger") continue;
      const to = (e.eventName === "EscrowPaid" || e.eventName === "SlashRewarded" ? e.args.to : undefined) as string | undefined;
      if (!to || !same(to, me)) continue;
      const amount = BigInt(e.args.amount as bigint);
      earned += amount;
      const id = String(e.args.taskId ?? "").toLowerCase();
      if (id) paid.set(id, (paid.get(id) ?? 0n) + amount);
    }
    // Every task this account took part in has a job row, also after a reload (history comes from the chain).
    let pending = 0n;
    for (const t of tasks.values()) {
      const roles: Role[] = [];
      // A worker took the task by a claim, or (zk) by a proof made without one.
      if (t.events.some((e) => (e.eventName === "TaskClaimed" || e.eventName === "TaskProved") && same(e.args.worker as string, me))) roles.push("worker");
      if (t.events.some((e) => e.eventName === "VerifierDrawn" && same(e.args.verifier as string, me))) roles.push("verifier");
      if (t.events.some((e) => e.eventName === "AuditorDrawn" && same(e.args.auditor as string, me))) roles.push("auditor");
      // Rows for work in progress are made by the steps as they act; here only what is settled: the history, and
      // accepted work whose pay is pending.
      const terminal = t.status === TaskStatus.Final || t.status === TaskStatus.InputRejected || t.status === TaskStatus.Fraudulent;
      const pendingHere = (t.status === TaskStatus.Accepted || t.status === TaskStatus.Auditing) && same(t.worker, me);
      for (const role of roles) {
        if (this.jobs.has(`${role}:${t.id}`) || !(terminal || (pendingHere && role === "worker"))) continue;
        const now = this.ports.clock.now();
        const stage: JobStage = terminal ? "waiting" : "accepted";
        this.jobs.set(`${role}:${t.id}`, { key: `${role}:${t.id}`, taskId: t.id, role, typeName: this.typeName(t.typeId), mode: t.mode, bounty: t.bounty, stage, startedAt: now, endedAt: now });
      }
      if ((t.status === TaskStatus.Accepted || t.status === TaskStatus.Auditing) && same(t.worker, me)) {
        pending += t.inputRejected ? bpsShare(t.bounty, this.params?.inputRejectedPayBps ?? 0) : t.bounty;
      }
    }
    for (const job of this.jobs.values()) {
      const t = tasks.get(job.taskId.toLowerCase() as Hex);
      if (!t) continue;
      const got = paid.get(t.id.toLowerCase());
      if ((t.status === TaskStatus.Final || t.status === TaskStatus.InputRejected || t.status === TaskStatus.Fraudulent) && job.stage !== "paid") {
        const earnedHere = got ?? 0n;
        if (job.stage !== "rejected" && job.stage !== "failed") this.endJob(t, job.role, earnedHere > 0n ? "paid" : "rejected", t.status === TaskStatus.Fraudulent ? "fraud proven" : undefined, earnedHere);
      } else if ((t.status === TaskStatus.Accepted || t.status === TaskStatus.Auditing) && job.role === "worker" && same(t.worker, me)) {
        if (job.stage === "waiting" || job.stage === "revealing") this.stage(t, job.role, "accepted");
      } else if (t.status === TaskStatus.Open && job.role === "worker" && (job.stage === "waiting" || job.stage === "revealing")) {
        this.endJob(t, job.role, "rejected", "the round rejected this result or found no agreement; the task is back in the queue");
      }
    }
    this.snapshot = { ...this.snapshot, earned, pending };
  }

  /** Whether this account still holds anything the engine must see through (claims, commitments to reveal, rounds). */
  private async holdsWork(): Promise<boolean> {
    if (this.inFlight.size > 0) return true;
    const me = this.ports.send.account;
    const tasks = foldTasks(this.ports.chain.events().filter((e) => e.contract === "TaskMarket"));
    // A salt matters while its round can still be revealed; one whose round ended is dropped.
    for (const key of await this.ports.store.keys(this.storePrefix())) {
      const [round, id] = key.slice(this.storePrefix().length).split(":") as ["round" | "audit", string];
      const t = tasks.get(id as Hex);
      const open = t && (round === "audit" ? t.status === TaskStatus.Auditing : t.status === TaskStatus.Claimed || t.status === TaskStatus.Committed || t.status === TaskStatus.Revealing);
      if (open) return true;
      await this.ports.store.delete(key);
    }
    return [...tasks.values()].some((t) => t.status === TaskStatus.Claimed && same(t.worker, me));
  }

  // ---------------------------------------------------------------- sending

  private send(contract: "TaskMarket" | "WorkerRegistry" | "CreditLedger", functionName: string, args: readonly unknown[], what: string): Promise<Hex> {
    const run = async () => {
      const hash = await this.ports.send.send(contract, functionName, args);
      this.say(what);
      this.ports.chain.refresh();
      return hash;
    };
    const next = this.sendChain.then(run, run);
    this.sendChain = next.catch(() => undefined);
    return next;
  }
}

/** The input CID is posted in its binary form; IPFS clients take the string. */
const cidOf = (bytes: Hex): string => CID.decode(hexToBytes(bytes)).toString();

function specOf(t: TaskView): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(hexToBytes(t.spec)));
  } catch {
    // A spec that is not JSON is itself bad input: the type's schema refuses it, a deterministic rejection.
    return { invalid: t.spec };
  }
}

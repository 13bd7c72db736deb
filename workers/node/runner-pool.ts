/**
 * The runner port of `npm run worker` (workers/earn/ports.ts RunnerPort): a pool of worker_threads, one task at a
 * time in each, `slots` of them at once; more runs wait in a queue. Each thread runs workers/execute.ts, the code
 * a tab's Web Worker runs, so Node's output bytes are the tab's (video-transcode starts its own ffmpeg thread
 * inside, as in wasm-tasks/video-transcode/engine-node.ts; ml-inference keeps its model loaded in the thread).
 *
 * Cancellation and timeouts are asked of the thread first (the task types check their signal between steps); a
 * run that has not stopped `graceMs` after its deadline or its cancel is ended by terminating its thread, and a
 * fresh thread takes the next run.
 */
import { Worker } from "node:worker_threads";
import { TaskError } from "../../wasm-tasks/errors.ts";
import type { RunOptions, RunnerPort } from "../earn/ports.ts";
import type { FromThread, ToThread } from "./runner-thread.ts";

export type RunnerPoolOptions = {
  slots: number;
  /** How long a run may overstay its deadline or a cancel before its thread is terminated. */
  graceMs?: number;
  /** Limit of a run that passes no timeoutMs (the hard kill needs some bound). */
  defaultTimeoutMs?: number;
};

type Result = { output: Uint8Array; cid: string };

type Job = {
  id: number;
  typeName: string;
  input: Uint8Array;
  spec: unknown;
  options: RunOptions;
  timeoutMs: number;
  resolve: (r: Result) => void;
  reject: (e: Error) => void;
  thread?: Thread;
  timers: ReturnType<typeof setTimeout>[];
  onAbort?: () => void;
};

type Thread = { worker: Worker; job?: Job; dead: boolean };

const ENTRY = new URL("./runner-thread.ts", import.meta.url).href;
const BOOT = new URL("./runner-boot.mjs", import.meta.url);

export class ThreadRunnerPool implements RunnerPort {
  private threads: Thread[] = [];
  private queue: Job[] = [];
  private nextId = 0;
  private disposed = false;
  private _slots: number;
  private readonly graceMs: number;
  private readonly defaultTimeoutMs: number;

  constructor(options: RunnerPoolOptions) {
    this._slots = Math.max(1, Math.floor(options.slots));
    this.graceMs = options.graceMs ?? 2_000;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 600_000;
  }

  get slots(): number {
    return this._slots;
  }

  /** Threads alive now (busy or idle). */
  get threadCount(): number {
    return this.threads.length;
  }

  /** Runs waiting for a free slot. */
  get queued(): number {
    return this.queue.length;
  }

  setSlots(n: number): void {
    this._slots = Math.max(1, Math.floor(n));
    // Idle threads beyond the new size end now; busy ones end when their run does (see finish()).
    for (const t of this.threads.filter((t) => !t.job).slice(0, Math.max(0, this.threads.length - this._slots))) this.retire(t);
    this.pump();
  }

  run(typeName: string, input: Uint8Array, spec: unknown, options: RunOptions = {}): Promise<Result> {
    if (this.disposed) return Promise.reject(new Error("the runner pool was disposed"));
    if (options.signal?.aborted) return Promise.reject(new TaskError("cancelled", "the task was cancelled"));
    return new Promise<Result>((resolve, reject) => {
      const job: Job = { id: ++this.nextId, typeName, input, spec, options, timeoutMs: options.timeoutMs ?? this.defaultTimeoutMs, resolve, reject, timers: [] };
      job.onAbort = () => this.cancel(job);
      options.signal?.addEventListener("abort", job.onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Ends every thread now; queued and running runs reject. */
  dispose(): void {
    this.disposed = true;
    for (const job of this.queue.splice(0)) this.settle(job, new Error("the runner pool was disposed"));
    for (const t of [...this.threads]) {
      if (t.job) this.settle(t.job, new Error("the runner pool was disposed"));
      this.retire(t);
    }
  }

  private pump() {
    while (this.queue.length > 0) {
      let thread = this.threads.find((t) => !t.job && !t.dead);
      if (!thread) {
        if (this.threads.length >= this._slots) return;
        thread = this.spawn();
      }
      this.start(thread, this.queue.shift()!);
    }
  }

  private spawn(): Thread {
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY }, name: "task-runner" });
    const thread: Thread = { worker, dead: false };
    worker.on("message", (m: FromThread) => this.onMessage(thread, m));
    worker.on("error", (error) => this.onDeath(thread, new Error(`the task thread failed: ${error.message}`)));
    worker.on("exit", (code) => this.onDeath(thread, new Error(`the task thread exited (code ${code})`)));
    this.threads.push(thread);
    return thread;
  }

  private start(thread: Thread, job: Job) {
    thread.job = job;
    job.thread = thread;
    const message: ToThread = { kind: "run", id: job.id, typeName: job.typeName, input: job.input, spec: job.spec, timeoutMs: job.timeoutMs };
    thread.worker.postMessage(message);
    job.timers.push(
      setTimeout(() => this.kill(job, new TaskError("timed-out", `${job.typeName} did not finish in ${job.timeoutMs} ms`)), job.timeoutMs + this.graceMs),
    );
  }

  private cancel(job: Job) {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      return this.settle(job, new TaskError("cancelled", "the task was cancelled"));
    }
    if (!job.thread) return;
    job.thread.worker.postMessage({ kind: "cancel", id: job.id } satisfies ToThread);
    job.timers.push(setTimeout(() => this.kill(job, new TaskError("cancelled", "the task was cancelled (its thread was terminated)")), this.graceMs));
  }

  /** The run did not stop when asked: its thread goes, a fresh one takes the next run. */
  private kill(job: Job, error: Error) {
    const thread = job.thread;
    this.settle(job, error);
    if (thread) this.retire(thread);
    this.pump();
  }

  private onMessage(thread: Thread, m: FromThread) {
    const job = thread.job;
    if (m.kind === "ready" || !job || m.id !== job.id) return;
    if (m.kind === "progress") {
      try {
        job.options.onProgress?.({ ratio: m.ratio, phase: m.phase });
      } catch {
        // a listener's failure is not the task's
      }
      return;
    }
    const outcome = m.outcome;
    if (outcome.ok) this.settle(job, undefined, { output: outcome.output, cid: outcome.cid });
    else if (outcome.code === "internal") this.settle(job, new Error(`${job.typeName} failed: ${outcome.message}`));
    else this.settle(job, new TaskError(outcome.code, outcome.message));
    this.finish(thread);
  }

  private onDeath(thread: Thread, error: Error) {
    if (thread.dead) return;
    thread.dead = true;
    this.threads = this.threads.filter((t) => t !== thread);
    if (thread.job) this.settle(thread.job, error);
    thread.job = undefined;
    if (!this.disposed) this.pump();
  }

  /** A run ended in `thread`: it takes the next one, or ends if the pool shrank. */
  private finish(thread: Thread) {
    thread.job = undefined;
    if (this.threads.length > this._slots) this.retire(thread);
    this.pump();
  }

  private retire(thread: Thread) {
    thread.dead = true;
    this.threads = this.threads.filter((t) => t !== thread);
    if (thread.job) thread.job.thread = undefined;
    thread.job = undefined;
    void thread.worker.terminate();
  }

  private settle(job: Job, error: Error | undefined, result?: Result) {
    for (const timer of job.timers) clearTimeout(timer);
    job.timers = [];
    if (job.onAbort) job.options.signal?.removeEventListener("abort", job.onAbort);
    job.onAbort = undefined;
    const settled = job.resolve;
    job.resolve = () => {};
    const rejected = job.reject;
    job.reject = () => {};
    if (error) rejected(error);
    else settled(result!);
  }
}

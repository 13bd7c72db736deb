/**
 * Page side of the task runtime: owns a Web Worker (task-worker.ts), runs tasks in it with
 * progress and cancellation, and enforces the timeout from outside. The worker's own
 * timeout is cooperative (checked between row batches, rounds, ...); if the worker does not
 * answer within `graceMs` after the deadline or after a cancel, it is terminated and a fresh
 * one is started for the next run.
 */
import * as Comlink from "comlink";
import { TaskError } from "../wasm-tasks/errors.ts";
import type { ProgressEvent } from "../wasm-tasks/task-type.ts";
import type { TaskWorkerApi, WorkerConfig } from "./task-worker.ts";

export type TaskResult = { output: Uint8Array; cid: string };

export type RunTaskOptions = {
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Whole-run limit; the task type's own default applies inside the worker when absent. */
  timeoutMs?: number;
};

export type TaskRunnerOptions = WorkerConfig & {
  /**
   * The bundled task-worker.ts: its URL (an ES module worker), or a factory for bundlers that only see
   * `new Worker(new URL("...", import.meta.url))` written out at the call site (Next's Turbopack).
   */
  workerUrl: string | URL | (() => Worker);
  /** How long a worker may overstay a deadline or a cancel before it is terminated. */
  graceMs?: number;
  /** Limit when a run passes no timeoutMs: the hard kill needs some bound. */
  defaultTimeoutMs?: number;
};

export class TaskRunner {
  private worker: Worker | undefined;
  private remote: Comlink.Remote<TaskWorkerApi> | undefined;
  private failWorker: ((error: Error) => void) | undefined;
  private nextRun = 0;
  private readonly graceMs: number;
  private readonly defaultTimeoutMs: number;


  constructor(private readonly options: TaskRunnerOptions) {
    this.graceMs = options.graceMs ?? 2_000;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 300_000;
  }

  private start(): Comlink.Remote<TaskWorkerApi> {
    if (this.remote) return this.remote;
    const source = this.options.workerUrl;
    const worker = typeof source === "function" ? source() : new Worker(source, { type: "module", name: "task-worker" });
    // A worker that fails to load or throws outside a run fails the run in progress.
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.failWorker?.(new Error(`task worker failed: ${event.message || "could not load"}`));
    });
    this.worker = worker;
    this.remote = Comlink.wrap<TaskWorkerApi>(worker);
    if (this.options.assetBaseUrl) void this.remote.configure({ assetBaseUrl: this.options.assetBaseUrl });
    return this.remote;
  }

  /** Stops the worker now; the next run starts a new one. */
  terminate(): void {
    this.worker?.terminate();
    this.remote?.[Comlink.releaseProxy]();
    this.worker = undefined;
    this.remote = undefined;
  }

  async run(typeName: string, input: Uint8Array, spec: unknown, options: RunTaskOptions = {}): Promise<TaskResult> {
    if (options.signal?.aborted) throw new TaskError("cancelled", "the task was cancelled");
    const remote = this.start();
    const runId = `run-${++this.nextRun}`;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const timers: ReturnType<typeof setTimeout>[] = [];
    let onAbort: (() => void) | undefined;

    const killed = new Promise<never>((_, reject) => {
      const kill = (error: TaskError | Error) => {
        this.terminate();
        reject(error);
      };
      this.failWorker = kill;
      timers.push(setTimeout(() => kill(new TaskError("timed-out", `${typeName} did not finish in ${timeoutMs} ms`)), timeoutMs + this.graceMs));
      onAbort = () => {
        void remote.cancel(runId);
        timers.push(setTimeout(() => kill(new TaskError("cancelled", "the task was cancelled (worker terminated)")), this.graceMs));
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });

    try {
      const progress = options.onProgress ? Comlink.proxy(options.onProgress) : undefined;
      const outcome = await Promise.race([remote.run(runId, typeName, input, spec, progress, timeoutMs), killed]);
      if (!outcome.ok) {
        if (outcome.code === "internal") throw new Error(`${typeName} failed: ${outcome.message}`);
        throw new TaskError(outcome.code, outcome.message);
      }
      return { output: outcome.output, cid: outcome.cid };
    } finally {
      for (const timer of timers) clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener("abort", onAbort);
      this.failWorker = undefined;
    }
  }
}

/** One-shot helper: a fresh worker for one task, terminated afterwards. */
export async function runTask(
  runnerOptions: TaskRunnerOptions,
  typeName: string,
  input: Uint8Array,
  spec: unknown,
  options: RunTaskOptions = {},
): Promise<TaskResult> {
  const runner = new TaskRunner(runnerOptions);
  try {
    return await runner.run(typeName, input, spec, options);
  } finally {
    runner.terminate();
  }
}

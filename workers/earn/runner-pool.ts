/**
 * A pool of task runners (the RunnerPort of ports.ts): `slots` runs at once, the rest wait their turn in order.
 * What a runner is comes from the factory: a Web Worker (workers/run-task.ts TaskRunner) in a tab, a worker_thread
 * in Node. A runner whose run was cancelled or timed out is terminated by its own class and starts afresh.
 */
import type { RunOptions, RunnerPort } from "./ports.ts";

export type Runner = {
  run(typeName: string, input: Uint8Array, spec: unknown, options?: RunOptions): Promise<{ output: Uint8Array; cid: string }>;
  terminate(): void;
};

export class RunnerPool implements RunnerPort {
  private idle: Runner[] = [];
  private all = new Set<Runner>();
  private busy = 0;
  private waiting: (() => void)[] = [];
  private size: number;

  constructor(
    private readonly create: () => Runner,
    slots = 1,
  ) {
    this.size = Math.max(1, slots);
  }

  get slots(): number {
    return this.size;
  }

  setSlots(n: number): void {
    this.size = Math.max(1, Math.floor(n));
    // Runners beyond the new size go when they are next idle; freed slots let waiting runs in.
    while (this.idle.length > 0 && this.all.size > this.size) {
      const r = this.idle.pop()!;
      this.all.delete(r);
      r.terminate();
    }
    this.admit();
  }

  async run(typeName: string, input: Uint8Array, spec: unknown, options: RunOptions = {}) {
    await this.turn(options.signal);
    const runner = this.idle.pop() ?? this.add();
    try {
      return await runner.run(typeName, input, spec, options);
    } finally {
      this.busy -= 1;
      if (this.all.size > this.size) {
        this.all.delete(runner);
        runner.terminate();
      } else {
        this.idle.push(runner);
      }
      this.admit();
    }
  }

  dispose(): void {
    for (const r of this.all) r.terminate();
    this.all.clear();
    this.idle = [];
  }

  private add(): Runner {
    const r = this.create();
    this.all.add(r);
    return r;
  }

  private turn(signal?: AbortSignal): Promise<void> {
    if (this.busy < this.size) {
      this.busy += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener("abort", abort);
        this.busy += 1;
        resolve();
      };
      const abort = () => {
        this.waiting = this.waiting.filter((w) => w !== go);
        reject(new Error("the run was cancelled before it started"));
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.waiting.push(go);
    });
  }

  private admit() {
    while (this.busy < this.size && this.waiting.length > 0) this.waiting.shift()!();
  }
}

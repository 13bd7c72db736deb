/**
 * One core kept loaded between runs. Loading @ffmpeg/core-mt starts its 32 pthreads: 4.7 s and 9.3 CPU-seconds in
 * Node on the development machine (bench:video), more than a short clip's whole transcode, so a fresh core per run
 * (video-transcode's way) would cost a volunteer more CPU than the threads save.
 *
 * What a run leaves behind is its files in JOB_DIR, removed before the core is kept; ffmpeg.wasm's exec resets its own
 * arguments and return code (ffmpeg-ops.mjs). The golden tests run vectors on one kept core and on fresh cores and get
 * the same bytes, with a refused input in between. A run cancelled, past its deadline or failed for another reason
 * than the input ends its core instead.
 */
import type { EngineFactory, FfmpegEngine } from "../video-transcode/engine.ts";
import { JOB_DIR } from "../video-transcode/spec.ts";

/**
 * Runs one core serves before it is replaced: emscripten's heap grows to the largest task's and never shrinks, so a
 * core that once ran a 4K clip would hold that memory for good.
 */
export const MAX_RUNS_PER_CORE = 20;

export class WarmEngine {
  private idle: FfmpegEngine | undefined;
  private readonly runs = new WeakMap<FfmpegEngine, number>();

  constructor(private readonly load: () => Promise<EngineFactory>) {}

  /** The kept core, or a new one (a second run at the same time loads its own). */
  async acquire(loadSignal: AbortSignal): Promise<FfmpegEngine> {
    const kept = this.idle;
    this.idle = undefined;
    if (kept) {
      kept.keepAlive?.(true);
      return kept;
    }
    const engine = await (await this.load())(loadSignal);
    this.runs.set(engine, 0);
    return engine;
  }

  /** Keeps the core for the next run when the run was clean, there is no kept core yet, and its runs are not used up. */
  async release(engine: FfmpegEngine, clean: boolean): Promise<void> {
    const runs = (this.runs.get(engine) ?? MAX_RUNS_PER_CORE) + 1;
    this.runs.set(engine, runs);
    if (!clean || runs >= MAX_RUNS_PER_CORE || this.idle) return engine.terminate();
    try {
      for (const name of await engine.listDir(JOB_DIR)) await engine.deleteFile(`${JOB_DIR}/${name}`);
      const left = await engine.listDir(JOB_DIR);
      if (left.length > 0) throw new Error(`files left in ${JOB_DIR}: ${left.join(", ")}`);
    } catch {
      return engine.terminate();
    }
    if (this.idle) return engine.terminate();
    engine.keepAlive?.(false);
    this.idle = engine;
  }

  /** Ends the kept core (tests; a runtime that is going away). */
  dispose(): void {
    this.idle?.terminate();
    this.idle = undefined;
  }
}

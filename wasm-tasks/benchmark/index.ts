/**
 * `benchmark`: the reference workload (DESIGN §5). Counting the primes up to the millionth
 * prime, `rounds` times. It is also an ordinary deterministic task (empty input, canonical
 * JSON output), so a worker's claimed rate could itself be verified by replication.
 */
import { z } from "zod";
import { TaskError, throwIfAborted } from "../errors.ts";
import type { CostEstimate, RunOptions, TaskType } from "../task-type.ts";
import { toCostEstimate, toWorkModel } from "../calibration.ts";
import { MILLIONTH_PRIME, sieve } from "./sieve.ts";
import { DEV_SECONDS, REFERENCE_SECONDS, STANDARD_ROUNDS } from "./reference.ts";

export const MAX_ROUNDS = 1000;
export const DEFAULT_TIMEOUT_MS = 120_000;

export const benchmarkSpec = z.strictObject({
  rounds: z.int().min(1).max(MAX_ROUNDS).default(STANDARD_ROUNDS),
});
export type BenchmarkSpec = z.output<typeof benchmarkSpec>;

/** Let a cancel message in at least this often. */
const YIELD_EVERY_MS = 100;

async function run(input: Uint8Array, rawSpec: BenchmarkSpec, options: RunOptions = {}): Promise<Uint8Array> {
  const parsed = benchmarkSpec.safeParse(rawSpec);
  if (!parsed.success) throw new TaskError("invalid-spec", z.prettifyError(parsed.error));
  const { rounds } = parsed.data;
  if (input.length > 0) throw new TaskError("too-large", "the benchmark takes no input");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastYield = Date.now();
  let first: ReturnType<typeof sieve> | undefined;
  for (let round = 0; round < rounds; round++) {
    throwIfAborted(options.signal);
    if (Date.now() > deadline) throw new TaskError("timed-out", `benchmark exceeded ${timeoutMs} ms`);
    const result = sieve(MILLIONTH_PRIME);
    // Every round must agree: a machine that miscounts is not one whose speed means anything.
    if (first && (result.count !== first.count || result.sum !== first.sum || result.hash !== first.hash)) {
      throw new Error(`round ${round} disagrees with round 0: the machine computes inconsistently`);
    }
    first ??= result;
    options.onProgress?.({ phase: "sieve", ratio: (round + 1) / rounds });
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = Date.now();
    }
  }
  throwIfAborted(options.signal);
  // Keys in a fixed order and integers only, so the bytes are canonical.
  const json = `{"type":"benchmark","limit":${MILLIONTH_PRIME},"rounds":${rounds},"count":${first!.count},"sum":${first!.sum},"fnv1a":${first!.hash}}`;
  return new TextEncoder().encode(json);
}

function estimateCost(_info: unknown, spec: BenchmarkSpec): CostEstimate {
  return toCostEstimate((DEV_SECONDS / STANDARD_ROUNDS) * spec.rounds);
}

export const benchmark: TaskType<BenchmarkSpec> = {
  name: "benchmark",
  specSchema: benchmarkSpec,
  maxInputBytes: 0,
  run,
  estimateCost,
  // One round is the least a benchmark task can ask for; it takes no input.
  workModel: toWorkModel(DEV_SECONDS / STANDARD_ROUNDS, 0),
};

export type RateMeasurement = { seconds: number; referenceSeconds: number; rate: number };

/**
 * Runs the standard benchmark and returns rate = reference time / my time (> 1: faster than
 * the i5-9400). Timed with performance.now() around the whole run, in the thread it runs in.
 */
export async function measureRate(options: RunOptions = {}): Promise<RateMeasurement> {
  const started = performance.now();
  await run(new Uint8Array(), { rounds: STANDARD_ROUNDS }, options);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, referenceSeconds: REFERENCE_SECONDS, rate: REFERENCE_SECONDS / seconds };
}

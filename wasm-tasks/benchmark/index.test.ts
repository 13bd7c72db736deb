import { test } from "node:test";
import assert from "node:assert/strict";
import { isTaskError, type TaskErrorCode } from "../errors.ts";
import { outputCidString } from "../digest.ts";
import { getTaskType } from "../index.ts";
import { benchmark, measureRate, type BenchmarkSpec } from "./index.ts";
import { goldenBenchmark } from "./golden.ts";
import { sieve } from "./sieve.ts";
import { REFERENCE_SECONDS } from "./reference.ts";

async function rejectsWith(promise: Promise<unknown>, code: TaskErrorCode): Promise<void> {
  await assert.rejects(promise, (error) => isTaskError(error, code) || assert.fail(`expected ${code}, got ${String(error)}`));
}

test("sieve counts known prime totals", () => {
  // pi(100) = 25 with sum 1060; pi(10^6) = 78,498 with sum 37,550,402,023.
  assert.deepEqual([sieve(100).count, sieve(100).sum], [25, 1060]);
  assert.deepEqual([sieve(1_000_000).count, sieve(1_000_000).sum], [78_498, 37_550_402_023]);
  assert.equal(sieve(2).count, 1);
  assert.equal(sieve(1).count, 0);
});

test("golden: 2 rounds to the millionth prime give the canonical JSON and CID, twice", async () => {
  const first = await getTaskType("benchmark").run(new Uint8Array(), goldenBenchmark.spec);
  const second = await benchmark.run(new Uint8Array(), goldenBenchmark.spec);
  assert.deepEqual(second, first);
  // 1,000,000 primes up to 15,485,863; their sum is a known constant.
  assert.equal(new TextDecoder().decode(first), goldenBenchmark.json);
  assert.equal(await outputCidString(first), goldenBenchmark.cid);
});

test("bad specs and any input are refused", async () => {
  await rejectsWith(benchmark.run(new Uint8Array(), { rounds: 0 }), "invalid-spec");
  await rejectsWith(benchmark.run(new Uint8Array(), { rounds: 1, turbo: true } as unknown as BenchmarkSpec), "invalid-spec");
  await rejectsWith(benchmark.run(new Uint8Array(1), { rounds: 1 }), "too-large");
});

test("cancellation between rounds gives cancelled", async () => {
  const controller = new AbortController();
  let rounds = 0;
  await rejectsWith(
    benchmark.run(new Uint8Array(), { rounds: 500 }, { signal: controller.signal, onProgress: () => ++rounds === 2 && controller.abort() }),
    "cancelled",
  );
  assert.equal(rounds, 2);
});

test("timeout gives timed-out", async () => {
  await rejectsWith(benchmark.run(new Uint8Array(), { rounds: 500 }, { timeoutMs: 150 }), "timed-out");
});

test("measureRate reports reference time / own time", async () => {
  const result = await measureRate();
  assert.equal(result.referenceSeconds, REFERENCE_SECONDS);
  assert.ok(result.seconds > 0.5 && result.seconds < 60, `standard run took ${result.seconds} s`);
  assert.ok(Math.abs(result.rate - REFERENCE_SECONDS / result.seconds) < 1e-9);
});

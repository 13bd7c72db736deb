import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TaskError } from "../../wasm-tasks/errors.ts";
import { goldenVectors as imageVectors } from "../../wasm-tasks/image-resize/golden.ts";
import { goldenVectors as mlVectors } from "../../wasm-tasks/ml-inference/golden.ts";
import { goldenVectors as videoVectors } from "../../wasm-tasks/video-transcode/golden.ts";
import type { ProgressEvent } from "../../wasm-tasks/task-type.ts";
import { decodeOutput } from "../../wasm-tasks/zk-common/proof.ts";
import { ThreadRunnerPool } from "./runner-pool.ts";

const fixture = (type: string, name: string) => new Uint8Array(readFileSync(new URL(`../../wasm-tasks/${type}/fixtures/${name}`, import.meta.url)));
const isCode = (code: string) => (e: unknown) => e instanceof TaskError && e.code === code;

test("every replicated type runs in a worker thread with the golden output and its progress", { timeout: 180_000 }, async () => {
  const pool = new ThreadRunnerPool({ slots: 1 });
  try {
    const cases = [
      { type: "image-resize", v: imageVectors[0]! },
      { type: "video-transcode", v: videoVectors[0]! },
      { type: "ml-inference", v: mlVectors[0]! },
    ];
    for (const { type, v } of cases) {
      const progress: ProgressEvent[] = [];
      const r = await pool.run(type, fixture(type, v.fixture), v.spec, { onProgress: (p) => progress.push(p) });
      assert.equal(r.cid, v.cid, `${type}: the bytes a tab produces`);
      assert.ok(progress.length > 0 && progress.at(-1)!.ratio === 1, `${type}: progress up to 1 (${JSON.stringify(progress.at(-1))})`);
    }
    // One thread served them all: ml-inference keeps its model loaded there for the next run.
    assert.equal(pool.threadCount, 1);
  } finally {
    pool.dispose();
  }
});

test("a zk type proves in a thread: snarkjs gets its own nested worker threads there", { timeout: 180_000 }, async () => {
  const pool = new ThreadRunnerPool({ slots: 1 });
  try {
    const input = new Uint8Array(64 * 64).map((_, i) => i % 251);
    const binding = { taskId: `0x${"11".repeat(32)}`, worker: `0x${"22".repeat(20)}` };
    const r = await pool.run("zk-downscale", input, { width: 64, height: 64, binding });
    const out = decodeOutput(r.output);
    assert.equal(out.circuit, "zk-downscale");
    assert.equal(out.payload.length, 32 * 32, "the 32x32 downscaled tile");
    assert.ok(out.publicSignals.length > 0 && out.proof.length > 0, "a proof with its public signals");
  } finally {
    pool.dispose();
  }
});

test("runs queue when every slot is busy, and a queued run can be cancelled", async () => {
  const pool = new ThreadRunnerPool({ slots: 1 });
  try {
    const first = pool.run("benchmark", new Uint8Array(), { rounds: 3 });
    const queued = new AbortController();
    const second = pool.run("benchmark", new Uint8Array(), { rounds: 1 }, { signal: queued.signal });
    const third = pool.run("benchmark", new Uint8Array(), { rounds: 1 });
    assert.equal(pool.threadCount, 1);
    assert.equal(pool.queued, 2);
    queued.abort();
    await assert.rejects(second, isCode("cancelled"));
    assert.equal(pool.queued, 1);
    const [a, c] = await Promise.all([first, third]);
    assert.ok(a.cid && c.cid);
    // More slots: runs go side by side.
    pool.setSlots(2);
    const both = [pool.run("benchmark", new Uint8Array(), { rounds: 1 }), pool.run("benchmark", new Uint8Array(), { rounds: 1 })];
    assert.equal(pool.queued, 0);
    assert.equal(pool.threadCount, 2);
    await Promise.all(both);
    pool.setSlots(1);
    assert.equal(pool.threadCount, 1);
  } finally {
    pool.dispose();
  }
});

test("a running task is cancelled, a slow one times out, and a thread that will not stop is replaced", async () => {
  const pool = new ThreadRunnerPool({ slots: 1, graceMs: 1_000 });
  try {
    const controller = new AbortController();
    const started = Date.now();
    const running = pool.run("benchmark", new Uint8Array(), { rounds: 1000 }, { signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(running, isCode("cancelled"));
    assert.ok(Date.now() - started < 10_000, "cancelled at the next check, not at the end");

    await assert.rejects(pool.run("benchmark", new Uint8Array(), { rounds: 1000 }, { timeoutMs: 300 }), isCode("timed-out"));

    // No grace: the thread is terminated at once; the next run gets a fresh thread.
    const impatient = new ThreadRunnerPool({ slots: 1, graceMs: 0 });
    try {
      const c = new AbortController();
      const run = impatient.run("benchmark", new Uint8Array(), { rounds: 1000 }, { signal: c.signal, onProgress: () => c.abort() });
      await assert.rejects(run, isCode("cancelled"));
      const next = await impatient.run("benchmark", new Uint8Array(), { rounds: 1 });
      assert.ok(next.cid);
    } finally {
      impatient.dispose();
    }
  } finally {
    pool.dispose();
  }
});

test("a task's own errors keep their code across the thread boundary", async () => {
  const pool = new ThreadRunnerPool({ slots: 1 });
  try {
    await assert.rejects(pool.run("image-resize", new Uint8Array([1, 2, 3]), imageVectors[0]!.spec), (e) => e instanceof TaskError && e.code !== "cancelled");
    await assert.rejects(pool.run("no-such-type", new Uint8Array(), {}), isCode("invalid-spec"));
    pool.dispose();
    await assert.rejects(pool.run("benchmark", new Uint8Array(), { rounds: 1 }), /disposed/);
  } finally {
    pool.dispose();
  }
});

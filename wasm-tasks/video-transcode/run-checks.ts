/** Checks both video-transcode versions' tests make of a run: its progress and its cancel (not part of any type's code). */
import assert from "node:assert/strict";
import { isTaskError } from "../errors.ts";
import type { ProgressEvent, TaskType } from "../task-type.ts";

export const rejectsWith = async (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(isTaskError(error), `expected a TaskError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });

/** Progress comes from ffmpeg's own events, never goes back, and ends at 1. */
export async function expectFfmpegProgress<Spec>(type: TaskType<Spec>, input: Uint8Array, spec: Spec): Promise<void> {
  const events: ProgressEvent[] = [];
  await type.run(input, spec, { onProgress: (e) => events.push(e) });
  assert.ok(events.filter((e) => e.phase === "encode" && e.ratio > 0.1).length >= 1, `expected ffmpeg progress events, got ${JSON.stringify(events)}`);
  assert.ok(events.every((e, i) => i === 0 || e.ratio >= events[i - 1]!.ratio), `progress never goes back: ${JSON.stringify(events)}`);
  assert.deepEqual(events.at(-1), { ratio: 1, phase: "done" });
}

/** A cancel 200 ms into the encode ends the run with `cancelled` within 2 s, without waiting for ffmpeg. */
export async function expectPromptCancel<Spec>(type: TaskType<Spec>, input: Uint8Array, slowSpec: Spec): Promise<void> {
  const controller = new AbortController();
  let abortedAt = 0;
  const running = type.run(input, slowSpec, {
    signal: controller.signal,
    onProgress: (e) => {
      if (e.phase === "encode" && !abortedAt) {
        abortedAt = Date.now();
        setTimeout(() => controller.abort(), 200);
      }
    },
  });
  await rejectsWith(running, "cancelled");
  assert.ok(abortedAt > 0, "the run reached the encode phase");
  assert.ok(Date.now() - abortedAt < 2_000, "cancellation did not wait for ffmpeg to finish");
}

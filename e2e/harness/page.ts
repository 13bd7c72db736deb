/**
 * Harness page: exposes `window.harness` for Playwright tests to run any registered task type
 * in the real Web Worker runtime (workers/run-task.ts), exactly as the earn tab does.
 */
import { TaskRunner } from "../../workers/run-task.ts";
import { TaskError } from "../../wasm-tasks/errors.ts";
import type { ProgressEvent } from "../../wasm-tasks/task-type.ts";

export type HarnessRun = {
  typeName: string;
  /** Fetch the input from this URL (e.g. /fixtures/image-resize/x.png) ... */
  inputUrl?: string;
  /** ... or take these bytes (base64); neither means empty input. */
  inputBase64?: string;
  spec: unknown;
  timeoutMs?: number;
  /** Cancel (AbortSignal) when the first progress event of this phase arrives. */
  cancelAtPhase?: string;
  /** Cancel this many ms after the start. */
  cancelAfterMs?: number;
  /** Run in a second runner (kept across calls) with this grace before a hard terminate. */
  graceMs?: number;
  /** Also return the output bytes (base64), e.g. for a zk proof the test verifies in Node. */
  returnOutput?: boolean;
};

export type HarnessResult = {
  cid?: string;
  size?: number;
  error?: { code: string; message: string };
  progress: ProgressEvent[];
  ms: number;
  outputBase64?: string;
};

const workerUrl = new URL("/build/task-worker.js", location.href);
const runner = new TaskRunner({ workerUrl, graceMs: 3_000 });

const runners = new Map<number, TaskRunner>();
function runnerWithGrace(graceMs: number | undefined): TaskRunner {
  if (graceMs === undefined) return runner;
  let found = runners.get(graceMs);
  if (!found) runners.set(graceMs, (found = new TaskRunner({ workerUrl, graceMs })));
  return found;
}

async function run(request: HarnessRun): Promise<HarnessResult> {
  const progress: ProgressEvent[] = [];
  const controller = new AbortController();
  let input = new Uint8Array();
  if (request.inputUrl) {
    const response = await fetch(request.inputUrl);
    if (!response.ok) throw new Error(`${request.inputUrl}: HTTP ${response.status}`);
    input = new Uint8Array(await response.arrayBuffer());
  } else if (request.inputBase64) {
    input = Uint8Array.from(atob(request.inputBase64), (c) => c.charCodeAt(0));
  }
  if (request.cancelAfterMs !== undefined) setTimeout(() => controller.abort(), request.cancelAfterMs);
  const started = performance.now();
  try {
    const result = await runnerWithGrace(request.graceMs).run(request.typeName, input, request.spec, {
      signal: controller.signal,
      timeoutMs: request.timeoutMs,
      onProgress: (event) => {
        progress.push(event);
        if (request.cancelAtPhase && event.phase === request.cancelAtPhase) controller.abort();
      },
    });
    const ms = performance.now() - started;
    const outputBase64 = request.returnOutput ? btoa(Array.from(result.output, (b) => String.fromCharCode(b)).join("")) : undefined;
    return { cid: result.cid, size: result.output.length, progress, ms, outputBase64 };
  } catch (error) {
    const code = error instanceof TaskError ? error.code : "internal";
    return { error: { code, message: error instanceof Error ? error.message : String(error) }, progress, ms: performance.now() - started };
  }
}

declare global {
  interface Window {
    harness: { run: typeof run; terminate: () => void };
  }
}

window.harness = { run, terminate: () => runner.terminate() };
document.getElementById("status")!.textContent = "ready";

/**
 * Web Worker entry: exposes every registered task type through comlink. One worker runs
 * tasks one after another; the page cancels a run by id, and terminates the worker when a
 * run overstays its timeout (a codec stuck inside wasm cannot be interrupted any other way).
 */
import * as Comlink from "comlink";
import { executeTask, type TaskOutcome } from "./execute.ts";
import type { ProgressEvent } from "../wasm-tasks/task-type.ts";
import { setCodecBaseUrl } from "../wasm-tasks/image-resize/codecs.ts";
import { setVipsBaseUrl } from "../wasm-tasks/image-resize-2/vips.ts";

const running = new Map<string, AbortController>();
/** Longest wait for the page to acknowledge the last progress event (a busy page is no reason to hang). */
const PROGRESS_FLUSH_MS = 1_000;

export type WorkerConfig = { assetBaseUrl?: string };

const api = {
  configure(config: WorkerConfig): void {
    if (config.assetBaseUrl) {
      setCodecBaseUrl(config.assetBaseUrl);
      setVipsBaseUrl(config.assetBaseUrl);
    }
  },

  async run(
    runId: string,
    typeName: string,
    input: Uint8Array,
    spec: unknown,
    onProgress?: (event: ProgressEvent) => void,
    timeoutMs?: number,
  ): Promise<TaskOutcome> {
    const controller = new AbortController();
    running.set(runId, controller);
    // Progress goes over the proxy's own MessagePort, the result over the worker's: nothing
    // orders the two. Waiting for the last progress call to be acknowledged before answering
    // means the page has seen every event (the final ratio 1 included) when the result arrives.
    let lastProgress: Promise<unknown> = Promise.resolve();
    try {
      const outcome = await executeTask(typeName, input, spec, {
        signal: controller.signal,
        timeoutMs,
        // Not awaited per event: waiting on the page for each one would slow the task down.
        onProgress: onProgress ? (event) => void (lastProgress = Promise.resolve(onProgress(event)).catch(() => {})) : undefined,
      });
      await Promise.race([lastProgress, new Promise((resolve) => setTimeout(resolve, PROGRESS_FLUSH_MS))]);
      return outcome.ok ? Comlink.transfer(outcome, [outcome.output.buffer]) : outcome;
    } finally {
      running.delete(runId);
      // Each run gets its own progress proxy (a MessagePort); close it so ports do not pile up.
      (onProgress as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
    }
  },

  cancel(runId: string): void {
    running.get(runId)?.abort();
  },
};

export type TaskWorkerApi = typeof api;

Comlink.expose(api);

/**
 * Web Worker entry: exposes every registered task type through comlink. One worker runs
 * tasks one after another; the page cancels a run by id, and terminates the worker when a
 * run overstays its timeout (a codec stuck inside wasm cannot be interrupted any other way).
 */
import * as Comlink from "comlink";
import { executeTask, type TaskOutcome } from "./execute.ts";
import type { ProgressEvent } from "../wasm-tasks/task-type.ts";
import { setCodecBaseUrl } from "../wasm-tasks/image-resize/codecs.ts";

const running = new Map<string, AbortController>();

export type WorkerConfig = { assetBaseUrl?: string };

const api = {
  configure(config: WorkerConfig): void {
    if (config.assetBaseUrl) setCodecBaseUrl(config.assetBaseUrl);
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
    try {
      const outcome = await executeTask(typeName, input, spec, {
        signal: controller.signal,
        timeoutMs,
        // Fire and forget: awaiting the page on every event would slow the task down.
        onProgress: onProgress ? (event) => void onProgress(event) : undefined,
      });
      return outcome.ok ? Comlink.transfer(outcome, [outcome.output.buffer]) : outcome;
    } finally {
      running.delete(runId);
    }
  },

  cancel(runId: string): void {
    running.get(runId)?.abort();
  },
};

export type TaskWorkerApi = typeof api;

Comlink.expose(api);

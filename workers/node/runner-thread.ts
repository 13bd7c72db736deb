/**
 * One thread of the Node runner pool: runs tasks one after another with workers/execute.ts (the code a tab's Web
 * Worker runs, so the bytes out are the same), reports progress, and stops a run when the pool cancels it. A run
 * that does not stop is ended from outside by terminating this thread.
 */
import { parentPort } from "node:worker_threads";
import { executeTask } from "../execute.ts";

export type ToThread =
  | { kind: "run"; id: number; typeName: string; input: Uint8Array; spec: unknown; timeoutMs?: number }
  | { kind: "cancel"; id: number };

export type FromThread =
  | { kind: "ready" }
  | { kind: "progress"; id: number; ratio: number; phase: string }
  | { kind: "result"; id: number; outcome: Awaited<ReturnType<typeof executeTask>> };

const port = parentPort;
if (!port) throw new Error("runner-thread.ts runs in a worker thread of the runner pool");
const running = new Map<number, AbortController>();
const post = (message: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on("message", (message: ToThread) => {
  if (message.kind === "cancel") return void running.get(message.id)?.abort();
  const { id, typeName, input, spec, timeoutMs } = message;
  const controller = new AbortController();
  running.set(id, controller);
  void executeTask(typeName, input, spec, {
    signal: controller.signal,
    timeoutMs,
    onProgress: (p) => post({ kind: "progress", id, ratio: p.ratio, phase: p.phase }),
  }).then((outcome) => {
    running.delete(id);
    if (!outcome.ok) return post({ kind: "result", id, outcome });
    // A copy of its own: the output may be a view into a bigger buffer (or wasm memory) that cannot be moved.
    const output = outcome.output.slice();
    post({ kind: "result", id, outcome: { ...outcome, output } }, [output.buffer]);
  });
});
post({ kind: "ready" });

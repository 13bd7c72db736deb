// worker_threads entry of the runner pool (runner-pool.ts). `npm run worker` runs under the tsx CLI, whose
// TypeScript hooks do not reach worker threads; registering them here lets the thread load runner-thread.ts (and,
// through it, the very wasm-tasks/ modules a tab's Web Worker runs). Harmless where the hooks are already on.
import { createRequire } from "node:module";
import threads from "node:worker_threads";
import { register } from "tsx/esm/api";

// snarkjs proves on ffjavascript's thread pool, whose `web-worker` package decides once, when loaded, whether it
// is the Worker class (main thread) or the inside of one of its own workers (any other thread: then it rewires
// the globals and loads the module named in workerData). In this thread it must be the Worker class: load it
// first while it sees itself on a main thread, so that the zk types get nested worker threads as in a main process.
const isMainThread = Object.getOwnPropertyDescriptor(threads, "isMainThread");
Object.defineProperty(threads, "isMainThread", { ...isMainThread, value: true });
try {
  createRequire(import.meta.url)("web-worker");
} finally {
  Object.defineProperty(threads, "isMainThread", isMainThread);
}

register();
await import(threads.workerData.entry);

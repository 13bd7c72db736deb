/**
 * Node engine: @ffmpeg/ffmpeg needs a browser Worker, but @ffmpeg/core itself runs in Node
 * once it is handed the wasm bytes, so Node runs the very same core (same bytes out) in a
 * worker_threads Worker.
 */
import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { EngineLog, EngineProgress, FfmpegEngine } from "./engine.ts";

type Reply = { kind: "ready" } | { kind: "log"; log: EngineLog } | { kind: "progress"; progress: EngineProgress } | { kind: "result"; id: number; result?: unknown; error?: string };

export async function createNodeEngine(loadSignal: AbortSignal): Promise<FfmpegEngine> {
  const require = createRequire(import.meta.url);
  // The UMD entry sits beside the ESM one; the worker imports the ESM build.
  const coreDir = require.resolve("@ffmpeg/core").replace(/\/umd\/ffmpeg-core\.js$/, "/esm/");
  const coreUrl = pathToFileURL(`${coreDir}ffmpeg-core.js`).href;
  const wasmUrl = pathToFileURL(`${coreDir}ffmpeg-core.wasm`).href;
  const worker = new Worker(new URL("./node-worker.mjs", import.meta.url), { workerData: { coreUrl, wasmUrl } });

  const logListeners: ((log: EngineLog) => void)[] = [];
  const progressListeners: ((progress: EngineProgress) => void)[] = [];
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;

  const fail = (error: Error) => {
    dead ??= error;
    for (const { reject } of pending.values()) reject(dead);
    pending.clear();
  };

  const ready = new Promise<void>((resolve, reject) => {
    worker.on("message", (reply: Reply) => {
      if (reply.kind === "ready") resolve();
      else if (reply.kind === "log") logListeners.forEach((l) => l(reply.log));
      else if (reply.kind === "progress") progressListeners.forEach((l) => l(reply.progress));
      else {
        const call = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.error !== undefined) call?.reject(new Error(reply.error));
        else call?.resolve(reply.result);
      }
    });
    worker.on("error", (error) => {
      fail(error);
      reject(error);
    });
    worker.on("exit", (code) => {
      const error = new Error(`ffmpeg worker exited (${code})`);
      fail(error);
      reject(error);
    });
  });

  const call = <T>(op: string, payload: unknown, transfer: ArrayBuffer[] = []): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, op, payload }, transfer);
    });
  };

  const engine: FfmpegEngine = {
    writeFile: (path, data) => call("writeFile", { path, data }),
    readFile: async (path) => new Uint8Array(await call<Uint8Array>("readFile", { path })),
    exec: (args) => call("exec", { args }),
    ffprobe: (args) => call("ffprobe", { args }),
    onLog: (l) => void logListeners.push(l),
    onProgress: (l) => void progressListeners.push(l),
    terminate: () => {
      fail(new Error("ffmpeg worker terminated"));
      void worker.terminate();
    },
  };
  const onAbort = () => engine.terminate();
  loadSignal.addEventListener("abort", onAbort, { once: true });
  try {
    await ready;
  } finally {
    loadSignal.removeEventListener("abort", onAbort);
  }
  return engine;
}

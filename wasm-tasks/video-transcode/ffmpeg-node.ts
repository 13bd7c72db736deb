/**
 * An ffmpeg core in Node: @ffmpeg/ffmpeg needs a browser Worker, but an @ffmpeg/core build itself runs in Node once it
 * is handed its wasm bytes, so Node runs the very same core (same bytes out) in a worker_threads Worker. The script
 * that loads the core is the caller's (video-transcode/node-worker.mjs, video-transcode-2/node-worker.mjs); both
 * answer the calls of ffmpeg-ops.mjs.
 */
import { Worker } from "node:worker_threads";
import type { EngineLog, EngineProgress, FfmpegEngine } from "./engine.ts";

type Reply = { kind: "ready" } | { kind: "log"; log: EngineLog } | { kind: "progress"; progress: EngineProgress } | { kind: "result"; id: number; result?: unknown; error?: string };

/** Starts `script` (a module that loads a core and serves ffmpeg-ops.mjs) with `workerData`; resolves once it is ready. */
export async function startNodeEngine(script: URL, workerData: Record<string, string>, loadSignal: AbortSignal): Promise<FfmpegEngine> {
  const worker = new Worker(script, { workerData });

  const logListeners = new Set<(log: EngineLog) => void>();
  const progressListeners = new Set<(progress: EngineProgress) => void>();
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

  const subscribe = <T>(set: Set<T>, listener: T) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  const engine: FfmpegEngine = {
    writeFile: (path, data) => call("writeFile", { path, data }),
    readFile: async (path) => new Uint8Array(await call<Uint8Array>("readFile", { path })),
    deleteFile: (path) => call("deleteFile", { path }),
    listDir: (path) => call("listDir", { path }),
    exec: (args) => call("exec", { args }),
    ffprobe: (args) => call("ffprobe", { args }),
    onLog: (l) => subscribe(logListeners, l),
    onProgress: (l) => subscribe(progressListeners, l),
    keepAlive: (on) => (on ? worker.ref() : worker.unref()),
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

// worker_threads side of engine-node.ts: loads @ffmpeg/core-mt (emscripten pthreads, built for browsers) and serves
// it (../video-transcode/ffmpeg-ops.mjs). Its pthreads are threads of this thread, started through a browser-like
// `Worker` over worker_threads (pthread-worker.mjs): terminating this thread ends them all.
import { Worker as NodeWorker, workerData } from "node:worker_threads";
import { readFile } from "node:fs/promises";
import { serveCore } from "../video-transcode/ffmpeg-ops.mjs";

const PTHREAD = new URL("./pthread-worker.mjs", import.meta.url);

/** What emscripten's pthread pool uses of a browser Worker. */
class Worker {
  constructor(url) {
    this.listeners = { message: [], error: [] };
    this.thread = new NodeWorker(PTHREAD, { workerData: { url: String(url) } });
    this.thread.on("message", (data) => {
      const event = { data };
      this.onmessage?.(event);
      for (const listener of this.listeners.message) listener(event);
    });
    this.thread.on("error", (error) => {
      this.onerror?.(error);
      for (const listener of this.listeners.error) listener(error);
    });
  }
  postMessage(message, transfer) {
    this.thread.postMessage(message, transfer);
  }
  addEventListener(type, listener) {
    (this.listeners[type] ??= []).push(listener);
  }
  removeEventListener(type, listener) {
    this.listeners[type] = (this.listeners[type] ?? []).filter((l) => l !== listener);
  }
  terminate() {
    return this.thread.terminate();
  }
}

globalThis.Worker = Worker;
globalThis.self = globalThis;
globalThis.location = { href: workerData.coreUrl };
const { default: createFFmpegCore } = await import(workerData.coreUrl);
// The core finds its wasm and its pthread script in the fragment of mainScriptUrlOrBlob (its own locateFile), as
// @ffmpeg/ffmpeg's worker.js hands them to it in a browser.
const assets = btoa(JSON.stringify({ wasmURL: workerData.wasmUrl, workerURL: workerData.workerUrl }));
const wasmBinary = await readFile(new URL(workerData.wasmUrl));
serveCore(await createFFmpegCore({ wasmBinary, mainScriptUrlOrBlob: `${workerData.coreUrl}#${assets}` }));

// @ffmpeg/core-mt (emscripten pthreads, built for browsers) in Node: a browser-like `Worker` over worker_threads,
// enough for emscripten's pthread pool. Used by bench/video-transcode.ts to measure the multi-thread core in Node;
// no task type runs it yet.
import { Worker as NodeWorker } from "node:worker_threads";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const boot = new URL("./pthread-boot.mjs", import.meta.url);

class Worker {
  constructor(url) {
    this.listeners = { message: [], error: [] };
    this.thread = new NodeWorker(boot, { workerData: { url: String(url) } });
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

/** A loaded core-mt instance (emscripten module: FS, exec, ret, reset), and how to end its pthreads. */
export async function loadCoreMt() {
  const require = createRequire(import.meta.url);
  const dir = pathToFileURL(require.resolve("@ffmpeg/core-mt").replace(/\/umd\/ffmpeg-core\.js$/, "/esm/"));
  globalThis.Worker ??= Worker;
  globalThis.self ??= globalThis;
  globalThis.location ??= { href: new URL("ffmpeg-core.js", dir).href };
  const coreUrl = new URL("ffmpeg-core.js", dir).href;
  const { default: createFFmpegCore } = await import(coreUrl);
  // The core finds its wasm and pthread script from the fragment of mainScriptUrlOrBlob (its own _locateFile).
  const assets = btoa(JSON.stringify({ wasmURL: new URL("ffmpeg-core.wasm", dir).href, workerURL: new URL("ffmpeg-core.worker.js", dir).href }));
  const core = await createFFmpegCore({ wasmBinary: await readFile(new URL("ffmpeg-core.wasm", dir)), mainScriptUrlOrBlob: `${coreUrl}#${assets}` });
  core.setLogger(() => {});
  return core;
}

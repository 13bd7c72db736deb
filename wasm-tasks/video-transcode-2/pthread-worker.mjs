// One pthread of @ffmpeg/core-mt in Node: a worker_threads thread dressed as the browser Worker emscripten's
// ffmpeg-core.worker.js expects (self, postMessage, onmessage; messages that arrive before it sets onmessage wait).
import { parentPort, workerData } from "node:worker_threads";

globalThis.self = globalThis;
globalThis.location = { href: workerData.url };
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
let handler;
const queued = [];
Object.defineProperty(globalThis, "onmessage", {
  get: () => handler,
  set: (fn) => {
    handler = fn;
    for (const data of queued.splice(0)) handler({ data });
  },
});
parentPort.on("message", (data) => (handler ? handler({ data }) : queued.push(data)));
await import(workerData.url);

// worker_threads side of the Node engine: loads @ffmpeg/core (an emscripten module built for
// web/worker only) from the package and answers calls from engine-node.ts.
import { parentPort, workerData } from "node:worker_threads";
import { readFile } from "node:fs/promises";

// The core reads self.location.href to find its directory; the wasm bytes are handed in, so
// the href is never fetched.
globalThis.self ??= { location: { href: workerData.coreUrl } };

const { default: createFFmpegCore } = await import(workerData.coreUrl);
const wasmBinary = await readFile(new URL(workerData.wasmUrl));
const core = await createFFmpegCore({ wasmBinary });
core.setLogger((log) => parentPort.postMessage({ kind: "log", log }));
core.setProgress((progress) => parentPort.postMessage({ kind: "progress", progress }));

const ops = {
  writeFile: ({ path, data }) => {
    const dir = path.slice(0, path.lastIndexOf("/"));
    if (dir && !core.FS.analyzePath(dir).exists) core.FS.mkdir(dir);
    core.FS.writeFile(path, data);
  },
  readFile: ({ path }) => core.FS.readFile(path),
  exec: ({ args }) => {
    core.exec(...args);
    const ret = core.ret;
    core.reset();
    return ret;
  },
  ffprobe: ({ args }) => {
    core.ffprobe(...args);
    const ret = core.ret;
    core.reset();
    return ret;
  },
};

parentPort.on("message", ({ id, op, payload }) => {
  try {
    const result = ops[op](payload);
    parentPort.postMessage({ kind: "result", id, result });
  } catch (error) {
    parentPort.postMessage({ kind: "result", id, error: String(error?.message ?? error) });
  }
});
parentPort.postMessage({ kind: "ready" });

// The worker_threads side of ffmpeg-node.ts: answers its calls on a loaded emscripten ffmpeg core (FS, exec, ffprobe,
// ret, reset), and says "ready".
import { parentPort } from "node:worker_threads";

export function serveCore(core) {
  core.setLogger((log) => parentPort.postMessage({ kind: "log", log }));
  core.setProgress((progress) => parentPort.postMessage({ kind: "progress", progress }));
  const run = (name, args) => {
    core[name](...args);
    const ret = core.ret;
    core.reset();
    return ret;
  };
  const ops = {
    writeFile: ({ path, data }) => {
      const dir = path.slice(0, path.lastIndexOf("/"));
      if (dir && !core.FS.analyzePath(dir).exists) core.FS.mkdir(dir);
      core.FS.writeFile(path, data);
    },
    readFile: ({ path }) => core.FS.readFile(path),
    deleteFile: ({ path }) => core.FS.unlink(path),
    listDir: ({ path }) => core.FS.readdir(path).filter((n) => n !== "." && n !== ".."),
    exec: ({ args }) => run("exec", args),
    ffprobe: ({ args }) => run("ffprobe", args),
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
}

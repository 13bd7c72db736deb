// worker_threads side of engine-node.ts: loads the single-thread @ffmpeg/core (an emscripten module built for
// web/worker only) from the package and serves it (ffmpeg-ops.mjs).
import { workerData } from "node:worker_threads";
import { readFile } from "node:fs/promises";
import { serveCore } from "./ffmpeg-ops.mjs";

// The core reads self.location.href to find its directory; the wasm bytes are handed in, so
// the href is never fetched.
globalThis.self ??= { location: { href: workerData.coreUrl } };

const { default: createFFmpegCore } = await import(workerData.coreUrl);
const wasmBinary = await readFile(new URL(workerData.wasmUrl));
serveCore(await createFFmpegCore({ wasmBinary }));

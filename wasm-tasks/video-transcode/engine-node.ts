/** Node engine of video-transcode: the single-thread @ffmpeg/core in a worker_threads Worker (ffmpeg-node.ts). */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { FfmpegEngine } from "./engine.ts";
import { startNodeEngine } from "./ffmpeg-node.ts";

export function createNodeEngine(loadSignal: AbortSignal): Promise<FfmpegEngine> {
  const require = createRequire(import.meta.url);
  // The UMD entry sits beside the ESM one; the worker imports the ESM build.
  const coreDir = require.resolve("@ffmpeg/core").replace(/\/umd\/ffmpeg-core\.js$/, "/esm/");
  const workerData = { coreUrl: pathToFileURL(`${coreDir}ffmpeg-core.js`).href, wasmUrl: pathToFileURL(`${coreDir}ffmpeg-core.wasm`).href };
  return startNodeEngine(new URL("./node-worker.mjs", import.meta.url), workerData, loadSignal);
}

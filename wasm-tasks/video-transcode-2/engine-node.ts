/** Node engine of video-transcode@2: @ffmpeg/core-mt in a worker_threads Worker (../video-transcode/ffmpeg-node.ts). */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { FfmpegEngine } from "../video-transcode/engine.ts";
import { startNodeEngine } from "../video-transcode/ffmpeg-node.ts";

export function createNodeEngine(loadSignal: AbortSignal): Promise<FfmpegEngine> {
  const require = createRequire(import.meta.url);
  const coreDir = require.resolve("@ffmpeg/core-mt").replace(/\/umd\/ffmpeg-core\.js$/, "/esm/");
  const file = (name: string) => pathToFileURL(`${coreDir}${name}`).href;
  const workerData = { coreUrl: file("ffmpeg-core.js"), wasmUrl: file("ffmpeg-core.wasm"), workerUrl: file("ffmpeg-core.worker.js") };
  return startNodeEngine(new URL("./node-worker.mjs", import.meta.url), workerData, loadSignal);
}

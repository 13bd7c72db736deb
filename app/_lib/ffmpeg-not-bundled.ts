/**
 * Stand-in for @ffmpeg/ffmpeg in the app's browser bundle (next.config.ts aliases it here). Turbopack cannot
 * bundle ffmpeg.wasm's `new Worker(new URL(classWorkerURL, import.meta.url))` (vercel/next.js#72397). The app
 * imports the task-type registry only for spec schemas and cost models; running video-transcode in an app tab
 * needs @ffmpeg/ffmpeg's worker served from public/ and loaded without bundling.
 */
export class FFmpeg {
  constructor() {
    throw new Error("video-transcode cannot run inside the Next.js app bundle yet (ffmpeg.wasm is not bundled)");
  }
}

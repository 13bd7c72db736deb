/**
 * Golden vectors of `video-transcode`: a committed clip (fixtures/), a spec and the output CID
 * every honest run must produce. Recorded from the first Node run and checked unchanged in
 * Chromium (e2e/tasks-video.spec.ts): agreement is what the tests prove, and any change to
 * the core build or the argument list shows up here as a new CID.
 */
import type { VideoTranscodeSpec } from "./spec.ts";

export type GoldenVector = { name: string; fixture: string; spec: VideoTranscodeSpec; cid: string };

export const goldenVectors: GoldenVector[] = [
  {
    name: "240p crf 28 veryfast, aac audio",
    fixture: "testsrc2-192x144-2s.mp4",
    spec: { codec: "h264", container: "mp4", resolution: "240p", fps: 15, preset: "veryfast", rate: { mode: "crf", crf: 28 }, audio: "aac" },
    cid: "bafkreigkszaleetdv22wf3rq72iexcpmuuuob3h5pgglhy266ghlg6zfha",
  },
  {
    name: "360p 300 kb/s ultrafast 24 fps, audio dropped",
    fixture: "testsrc2-192x144-2s.mp4",
    spec: { codec: "h264", container: "mp4", resolution: "360p", fps: 24, preset: "ultrafast", rate: { mode: "bitrate", kbps: 300 }, audio: "drop" },
    cid: "bafkreieobaurwtcalb4rcn3o2wrln26myfoisk3iarv4omxbxuexdrylse",
  },
];

/** A spec that keeps ffmpeg busy for a few seconds on the small clip: for cancellation tests. */
export const slowSpec: VideoTranscodeSpec = { ...goldenVectors[0]!.spec, resolution: "720p", preset: "medium", fps: 30 };

/**
 * Golden vectors of `video-transcode@2`: version 1's clip (../video-transcode/fixtures/), a spec with its thread count,
 * and the output CID every honest run must produce. Recorded from the first Node run and checked unchanged in
 * Chromium (e2e/tasks-video.spec.ts).
 */
import { goldenVectors as goldenVectors1, slowSpec as slowSpec1 } from "../video-transcode/golden.ts";
import type { VideoTranscode2Spec } from "./index.ts";

export type GoldenVector = { name: string; fixture: string; spec: VideoTranscode2Spec; cid: string };

const [first, second] = goldenVectors1;

export const goldenVectors: GoldenVector[] = [
  { name: `${first!.name}, 2 threads`, fixture: first!.fixture, spec: { ...first!.spec, threads: 2 }, cid: "bafkreihhpmmb5jscf3fqw3l2ubg6ttxj3unnyosnblx5fe4bzll2pqgujy" },
  // Version 1's second vector at constant quality: a bitrate is not repeatable with frame threads (index.ts `rate`).
  {
    name: "360p crf 30 ultrafast 24 fps, audio dropped, 2 threads",
    fixture: second!.fixture,
    spec: { ...second!.spec, rate: { mode: "crf", crf: 30 }, threads: 2 },
    cid: "bafkreicxs4ur63yaccfejecawuqknnw55tcuj35crnzps7wstep5vyhycy",
  },
];

/** A spec that keeps ffmpeg busy for a few seconds on the small clip: for cancellation tests. */
export const slowSpec: VideoTranscode2Spec = { ...slowSpec1, threads: 2 };

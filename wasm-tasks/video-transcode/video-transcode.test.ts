import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { outputCidString } from "../digest.ts";
import { createNodeEngine } from "./engine-node.ts";
import { LIMITS, videoTranscode, type VideoTranscodeSpec } from "./index.ts";
import { OUTPUT_PATH } from "./spec.ts";
import { goldenVectors, slowSpec } from "./golden.ts";
import { defaultFfmpegAssetUrls } from "./engine-browser.ts";
import { expectFfmpegProgress, expectPromptCancel, rejectsWith } from "./run-checks.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const clip = fixture("testsrc2-192x144-2s.mp4");

const GOLDEN = goldenVectors;

/** ffprobe through the same wasm core, to check what was actually written. */
async function probeOutput(bytes: Uint8Array) {
  const engine = await createNodeEngine(new AbortController().signal);
  try {
    await engine.writeFile(OUTPUT_PATH, bytes);
    await engine.ffprobe(["-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height,pix_fmt", "-of", "json", "-o", "/job/p.json", OUTPUT_PATH]);
    return JSON.parse(new TextDecoder().decode(await engine.readFile("/job/p.json"))) as { streams: Record<string, unknown>[] };
  } finally {
    engine.terminate();
  }
}

test("golden vectors: fixed clip + spec give the committed CIDs, twice", async () => {
  for (const { fixture: name, spec, cid } of GOLDEN) {
    const first = await videoTranscode.run(fixture(name), spec);
    const second = await videoTranscode.run(fixture(name), spec);
    assert.deepEqual(second, first, "two runs must give the same bytes");
    assert.equal(await outputCidString(first), cid);
  }
});

test("output is H.264 yuv420p at the preset height with the aspect kept, audio as asked, no x264 SEI", async () => {
  const [withAudio, videoOnly] = await Promise.all(GOLDEN.map(({ spec }) => videoTranscode.run(clip, spec)));
  const a = await probeOutput(withAudio!);
  assert.deepEqual(a.streams.map((s) => s.codec_type), ["video", "audio"]);
  assert.equal(a.streams[0]!.codec_name, "h264");
  assert.equal(a.streams[0]!.pix_fmt, "yuv420p");
  assert.equal(a.streams[0]!.width, 320);
  assert.equal(a.streams[0]!.height, 240);
  assert.equal(a.streams[1]!.codec_name, "aac");
  const b = await probeOutput(videoOnly!);
  assert.deepEqual(b.streams.map((s) => [s.codec_type, s.width, s.height]), [["video", 480, 360]]);
  // The input clip carries x264's version SEI ("x264 - core ..."); the output must carry no
  // version string at all (bitexact also keeps libavcodec's "Lavc59.x" out of the sample entry).
  const text = (u: Uint8Array) => new TextDecoder("latin1").decode(u);
  assert.match(text(clip), /x264 - core/);
  assert.doesNotMatch(text(withAudio!), /x264 - core|Lavc\d/);
  assert.doesNotMatch(text(videoOnly!), /x264 - core|Lavc\d/);
});

test("progress comes from ffmpeg and ends at 1", () => expectFfmpegProgress(videoTranscode, clip, GOLDEN[0]!.spec));

test("random bytes passed off as video: corrupt-input", async () => {
  let seed = 7;
  const random = Uint8Array.from({ length: 20_000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  await rejectsWith(videoTranscode.run(random, GOLDEN[0]!.spec), "corrupt-input");
});

test("truncated video: corrupt-input", async () => {
  await rejectsWith(videoTranscode.run(clip.subarray(0, 10_000), GOLDEN[0]!.spec), "corrupt-input");
});

test("a file with no video stream (WAV): unsupported-format", async () => {
  const samples = 8000;
  const wav = new Uint8Array(44 + samples * 2);
  const view = new DataView(wav.buffer);
  const ascii = (offset: number, s: string) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF"); view.setUint32(4, 36 + samples * 2, true); ascii(8, "WAVE");
  ascii(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, 8000, true); view.setUint32(28, 16000, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  ascii(36, "data"); view.setUint32(40, samples * 2, true);
  await rejectsWith(videoTranscode.run(wav, GOLDEN[0]!.spec), "unsupported-format");
});

test("a playlist pointing elsewhere (HLS) is refused before ffmpeg follows it: unsupported-format", async () => {
  const hls = new TextEncoder().encode("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nhttp://127.0.0.1:9/segment0.ts\n#EXT-X-ENDLIST\n");
  await rejectsWith(videoTranscode.run(hls, GOLDEN[0]!.spec), "unsupported-format");
});

test("browser asset URLs resolve under the served node_modules/", () => {
  assert.deepEqual(defaultFfmpegAssetUrls("http://127.0.0.1:4173/app"), {
    classURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/ffmpeg/dist/esm/classes.js",
    coreURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js",
    wasmURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm",
    classWorkerURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js",
  });
});

test("over-limit file and over-limit duration: too-large", async () => {
  await rejectsWith(videoTranscode.run(new Uint8Array(LIMITS.maxInputBytes + 1), GOLDEN[0]!.spec), "too-large");
  await rejectsWith(videoTranscode.run(fixture("long-301s-32x32.mp4"), GOLDEN[0]!.spec), "too-large");
});

test("spec with unknown fields or outside the allowed sets: invalid-spec", async () => {
  const base = GOLDEN[0]!.spec;
  const bad: unknown[] = [
    { ...base, extraArgs: ["-f", "concat"] },
    { ...base, rate: { mode: "crf", crf: 28, kbps: 500 } },
    { ...base, resolution: "0p" },
    { ...base, resolution: "50000p" },
    { ...base, fps: 60 },
    { ...base, preset: "placebo" },
    { ...base, codec: "hevc" },
  ];
  for (const spec of bad) {
    assert.equal(videoTranscode.specSchema.safeParse(spec).success, false, JSON.stringify(spec));
    await rejectsWith(videoTranscode.run(clip, spec as VideoTranscodeSpec), "invalid-spec");
  }
});

test("cancellation mid-encode: cancelled, promptly", () => expectPromptCancel(videoTranscode, clip, slowSpec));

test("a run over its time budget: timed-out", async () => {
  await rejectsWith(videoTranscode.run(clip, GOLDEN[0]!.spec, { timeoutMs: 300 }), "timed-out");
});

test("cost grows with duration, resolution and preset", () => {
  const spec = GOLDEN[0]!.spec;
  const c = (info: Parameters<typeof videoTranscode.estimateCost>[0], s: VideoTranscodeSpec = spec) => videoTranscode.estimateCost(info, s).referenceSeconds;
  const info = { bytes: 1e6, width: 1280, height: 720, durationSeconds: 60 };
  assert.ok(c({ ...info, durationSeconds: 120 }) > c(info));
  assert.ok(c(info, { ...spec, resolution: "720p" }) > c(info));
  assert.ok(c(info, { ...spec, preset: "medium" }) > c(info));
  assert.ok(Number.isInteger(videoTranscode.estimateCost(info, spec).mcc) && videoTranscode.estimateCost(info, spec).mcc >= 1);
});

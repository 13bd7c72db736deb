import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { expectFfmpegProgress, expectPromptCancel, rejectsWith } from "../video-transcode/run-checks.ts";
import { outputCidString } from "../digest.ts";
import { videoTranscode } from "../video-transcode/index.ts";
import { goldenVectors as goldenVectors1 } from "../video-transcode/golden.ts";
import { goldenVectors, slowSpec } from "./golden.ts";
import { mtAssetUrls } from "./engine-browser.ts";
import { MAX_RUNS_PER_CORE, WarmEngine } from "./warm.ts";
import { FIXED_SECONDS, MT_CPU_FACTOR, mtUnavailable, videoTranscode2, warmCore, type VideoTranscode2Spec } from "./index.ts";
import type { FfmpegEngine } from "../video-transcode/engine.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../video-transcode/fixtures/${name}`, import.meta.url)));
const clip = fixture("testsrc2-192x144-2s.mp4");

after(() => warmCore.dispose());

test("golden vectors give the committed CIDs on a fresh core and again on the kept one, in any order", async () => {
  warmCore.dispose();
  const cids: string[] = [];
  for (const { fixture: name, spec } of goldenVectors) cids.push(await outputCidString(await videoTranscode2.run(fixture(name), spec)));
  // The kept core runs them again, in the other order, with a failed run in between.
  await rejectsWith(videoTranscode2.run(clip.subarray(0, 10_000), goldenVectors[0]!.spec), "corrupt-input");
  for (const { fixture: name, spec } of [...goldenVectors].reverse()) cids.push(await outputCidString(await videoTranscode2.run(fixture(name), spec)));
  const expected = goldenVectors.map((v) => v.cid);
  assert.deepEqual(cids, [...expected, ...[...expected].reverse()]);
});

test("x264's frame threads are part of the bytes: version 1 (one thread) gives other ones for the same spec", async () => {
  const v1 = goldenVectors1[0]!;
  const v2 = goldenVectors.find((v) => JSON.stringify({ ...v.spec, threads: undefined }) === JSON.stringify({ ...v1.spec, threads: undefined }))!;
  assert.ok(v2, "a golden vector is version 1's first one with a thread count");
  assert.equal(await outputCidString(await videoTranscode.run(clip, v1.spec)), v1.cid);
  assert.notEqual(v2.cid, v1.cid);
});

test("a spec without a thread count, with another count, with a bitrate or with unknown fields: invalid-spec", async () => {
  const base = goldenVectors[0]!.spec;
  const { threads: _, ...noThreads } = base;
  const bad: unknown[] = [
    noThreads,
    { ...base, threads: 1 },
    { ...base, threads: 4 },
    { ...base, extraArgs: ["-threads", "1"] },
    // A bitrate is version 1's only: x264's VBV is not repeatable with frame threads.
    { ...base, rate: { mode: "bitrate", kbps: 400 } },
  ];
  for (const spec of bad) {
    assert.equal(videoTranscode2.specSchema.safeParse(spec).success, false, JSON.stringify(spec));
    await rejectsWith(videoTranscode2.run(clip, spec as VideoTranscode2Spec), "invalid-spec");
  }
});

test("cancellation mid-encode: cancelled, promptly; the core is ended and the next run loads a new one", async () => {
  await expectPromptCancel(videoTranscode2, clip, slowSpec);
  const vector = goldenVectors[0]!;
  assert.equal(await outputCidString(await videoTranscode2.run(fixture(vector.fixture), vector.spec)), vector.cid);
});

test("progress comes from ffmpeg and ends at 1, on a kept core too", () => expectFfmpegProgress(videoTranscode2, clip, goldenVectors[0]!.spec));

/** An engine that records what the warm holder does with it. */
function fakeEngine(files: string[] = []) {
  const log: string[] = [];
  const engine = {
    listDir: async () => [...files],
    deleteFile: async (path: string) => {
      log.push(`delete ${path}`);
      files.splice(files.indexOf(path.split("/").at(-1)!), 1);
    },
    keepAlive: (on: boolean) => log.push(`keepAlive ${on}`),
    terminate: () => log.push("terminate"),
  } as unknown as FfmpegEngine;
  return { engine, log };
}

test("the warm holder keeps one clean core, empties its job folder, ends the rest, and replaces a core after its runs", async () => {
  const made: ReturnType<typeof fakeEngine>[] = [];
  const warm = new WarmEngine(async () => async () => {
    made.push(fakeEngine(["input", "output.mp4"]));
    return made.at(-1)!.engine;
  });
  const signal = new AbortController().signal;
  const a = await warm.acquire(signal);
  const b = await warm.acquire(signal); // at the same time: a core of its own
  assert.equal(made.length, 2);
  await warm.release(a, true);
  assert.deepEqual(made[0]!.log, ["delete /job/input", "delete /job/output.mp4", "keepAlive false"]);
  await warm.release(b, true); // one kept core is enough
  assert.deepEqual(made[1]!.log, ["terminate"]);
  assert.equal(await warm.acquire(signal), a);
  await warm.release(a, false); // a run that did not end cleanly ends its core
  assert.ok(made[0]!.log.includes("terminate"));
  let core = await warm.acquire(signal);
  assert.equal(made.length, 3);
  for (let run = 1; run < MAX_RUNS_PER_CORE; run++) {
    await warm.release(core, true);
    core = await warm.acquire(signal);
  }
  assert.equal(made.length, 3, "one core serves its runs");
  await warm.release(core, true);
  assert.equal(made[2]!.log.at(-1), "terminate");
  await warm.acquire(signal);
  assert.equal(made.length, 4);
});

test("a browser page without cross-origin isolation cannot run it; Node and isolated pages can", () => {
  assert.match(mtUnavailable({ node: false, isolated: false })!, /cross-origin isolated/);
  assert.equal(mtUnavailable({ node: false, isolated: true }), undefined);
  assert.equal(mtUnavailable({ node: true, isolated: false }), undefined);
  assert.equal(videoTranscode2.unavailable!(), undefined);
});

test("browser asset URLs resolve under the served node_modules/", () => {
  assert.deepEqual(mtAssetUrls("http://127.0.0.1:4173/app"), {
    classURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/ffmpeg/dist/esm/classes.js",
    classWorkerURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js",
    coreURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.js",
    wasmURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.wasm",
    workerURL: "http://127.0.0.1:4173/app/node_modules/@ffmpeg/core-mt/dist/esm/ffmpeg-core.worker.js",
  });
});

test("cost: the kept core's load is not charged per task; the work is version 1's times the measured CPU factor", () => {
  const spec = goldenVectors[0]!.spec;
  const { threads: _, ...v1Spec } = spec;
  const info = { bytes: 1e6, width: 1280, height: 720, durationSeconds: 60 };
  const v1Work = videoTranscode.estimateCost(info, v1Spec).referenceSeconds - 0.5;
  const v2Work = videoTranscode2.estimateCost(info, spec).referenceSeconds - FIXED_SECONDS;
  assert.ok(Math.abs(v2Work / v1Work - MT_CPU_FACTOR[2]) < 1e-9, `${v2Work} / ${v1Work}`);
  const tiny = { bytes: 1e3, width: 16, height: 16, durationSeconds: 0.1 };
  assert.ok(videoTranscode2.estimateCost(tiny, spec).referenceSeconds < videoTranscode.estimateCost(tiny, goldenVectors1[0]!.spec).referenceSeconds);
});

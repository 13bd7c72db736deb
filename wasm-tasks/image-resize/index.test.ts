import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isTaskError, type TaskErrorCode } from "../errors.ts";
import { outputCidString } from "../digest.ts";
import { getTaskType } from "../index.ts";
import { goldenVectors } from "./golden.ts";
import { geometry, imageResize, MAX_INPUT_BYTES, type ImageResizeSpec } from "./index.ts";
import { decodePng, encodePng } from "./codecs.ts";
import { computeTaps } from "./resample.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const png = fixture("alpha-200x150.png");
const jpeg = fixture("photo-320x240.jpg");
const small: ImageResizeSpec = { width: 64, height: 64, fit: "fill", format: "png" };

async function rejectsWith(promise: Promise<unknown>, code: TaskErrorCode): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(isTaskError(error), `expected a TaskError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

test("the registry serves image-resize", () => {
  assert.equal(getTaskType("image-resize"), imageResize);
});

for (const vector of goldenVectors) {
  test(`golden: ${vector.name}`, async () => {
    const first = await imageResize.run(fixture(vector.fixture), vector.spec);
    const second = await imageResize.run(fixture(vector.fixture), vector.spec);
    assert.deepEqual(second, first, "two runs gave different bytes");
    assert.equal(await outputCidString(first), vector.cid);
  });
}

test("output has the geometry the spec asks for", async () => {
  // contain: 200x150 into 64x64 keeps 4:3 -> 64x48
  const contained = await decodePng(await imageResize.run(png, { width: 64, height: 64, fit: "contain", format: "png" }));
  assert.deepEqual([contained.width, contained.height], [64, 48]);
  const covered = await decodePng(await imageResize.run(jpeg, { width: 50, height: 70, fit: "cover", format: "png" }));
  assert.deepEqual([covered.width, covered.height], [50, 70]);
  assert.deepEqual(geometry(320, 240, { width: 50, height: 70, fit: "cover" }).region, { x: 74, y: 0, width: 171, height: 240 });
});

test("a flat colour stays exactly flat through down- and upscaling", async () => {
  const data = new Uint8Array(37 * 23 * 4);
  for (let i = 0; i < data.length; i += 4) data.set([200, 100, 7, 255], i);
  const input = await encodePng({ width: 37, height: 23, data });
  for (const [width, height] of [[5, 3], [101, 77]] as const) {
    const out = await decodePng(await imageResize.run(input, { width, height, fit: "fill", format: "png" }));
    for (let i = 0; i < out.data.length; i += 4) assert.deepEqual([...out.data.subarray(i, i + 4)], [200, 100, 7, 255]);
  }
});

test("filter taps are integers summing to exactly 1.0 (2^14)", () => {
  for (const [size, out] of [[320, 100], [100, 700], [7, 3]] as const) {
    const taps = computeTaps(size, 0, size, out);
    for (let i = 0; i < out; i++) {
      let sum = 0;
      for (let k = 0; k < taps.count[i]!; k++) sum += taps.weights[i * taps.stride + k]!;
      assert.equal(sum, 1 << 14);
    }
  }
});

test("truncated PNG gives corrupt-input", async () => {
  await rejectsWith(imageResize.run(png.subarray(0, Math.floor(png.length / 2)), small), "corrupt-input");
  await rejectsWith(imageResize.run(png.subarray(0, 20), small), "corrupt-input");
});

test("truncated JPEG gives corrupt-input, not a grey-filled picture", async () => {
  await rejectsWith(imageResize.run(jpeg.subarray(0, Math.floor(jpeg.length * 0.7)), small), "corrupt-input");
});

test("bytes that are no image give unsupported-format", async () => {
  await rejectsWith(imageResize.run(new TextEncoder().encode("GIF89a not really"), small), "unsupported-format");
  await rejectsWith(imageResize.run(new Uint8Array(), small), "unsupported-format");
});

test("0x0 and 50,000 px targets are refused as invalid-spec", async () => {
  await rejectsWith(imageResize.run(png, { ...small, width: 0, height: 0 }), "invalid-spec");
  await rejectsWith(imageResize.run(png, { ...small, width: 50_000, height: 100 }), "invalid-spec");
  await rejectsWith(imageResize.run(png, { ...small, width: 8192, height: 8192 }), "invalid-spec"); // 67 MP > limit
});

test("unknown spec fields and quality on PNG are refused", async () => {
  await rejectsWith(imageResize.run(png, { ...small, sharpen: true } as unknown as ImageResizeSpec), "invalid-spec");
  await rejectsWith(imageResize.run(png, { ...small, quality: 80 } as unknown as ImageResizeSpec), "invalid-spec");
  await rejectsWith(imageResize.run(png, { ...small, format: "gif" } as unknown as ImageResizeSpec), "invalid-spec");
});

test("over-limit file gives too-large", async () => {
  const big = new Uint8Array(MAX_INPUT_BYTES + 1);
  big.set(png.subarray(0, 64));
  await rejectsWith(imageResize.run(big, small), "too-large");
});

test("a header claiming 60,000 x 60,000 pixels is refused before decoding", async () => {
  const bomb = png.slice(0, 64);
  new DataView(bomb.buffer).setUint32(16, 60_000);
  new DataView(bomb.buffer).setUint32(20, 60_000);
  await rejectsWith(imageResize.run(bomb, small), "too-large");
});

test("cancellation mid-resize gives cancelled and stops", async () => {
  const controller = new AbortController();
  const phases: string[] = [];
  await rejectsWith(
    imageResize.run(jpeg, { width: 1500, height: 1500, fit: "fill", format: "png" }, {
      signal: controller.signal,
      onProgress: (event) => {
        phases.push(event.phase);
        if (event.phase === "resize" && event.ratio > 0.3) controller.abort();
      },
    }),
    "cancelled",
  );
  assert.ok(phases.includes("decode") && phases.includes("resize"));
  assert.ok(!phases.includes("encode"), "ran on into encoding after the cancel");
});

test("a run over its timeout gives timed-out", async () => {
  await rejectsWith(imageResize.run(jpeg, { width: 2000, height: 2000, fit: "fill", format: "png" }, { timeoutMs: 1 }), "timed-out");
});

test("progress covers decode, resize and encode and ends at 1", async () => {
  const events: { phase: string; ratio: number }[] = [];
  await imageResize.run(jpeg, { width: 100, height: 100, fit: "cover", format: "jpeg", quality: 80 }, { onProgress: (e) => events.push(e) });
  assert.deepEqual([...new Set(events.map((e) => e.phase))], ["decode", "resize", "encode"]);
  assert.equal(events.at(-1)!.ratio, 1);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.ratio >= events[i - 1]!.ratio);
});

test("cost grows with pixels and is at least 1 mCC", () => {
  const smallCost = imageResize.estimateCost({ bytes: 20_000, width: 320, height: 240 }, small);
  const bigCost = imageResize.estimateCost({ bytes: 5_000_000, width: 6000, height: 4000 }, { width: 3000, height: 2000, fit: "fill", format: "webp", quality: 80 });
  assert.ok(smallCost.mcc >= 1);
  assert.ok(bigCost.referenceSeconds > 10 * smallCost.referenceSeconds);
  assert.equal(bigCost.mcc, Math.ceil(bigCost.referenceSeconds / 3.6));
});

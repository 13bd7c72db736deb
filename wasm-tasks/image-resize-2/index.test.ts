import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isTaskError, type TaskErrorCode } from "../errors.ts";
import { outputCidString } from "../digest.ts";
import { getTaskType } from "../index.ts";
import { imageResize } from "../image-resize/index.ts";
import { goldenVectors as version1Vectors } from "../image-resize/golden.ts";
import { MAX_INPUT_BYTES, type ImageResizeSpec } from "../image-resize/common.ts";
import { goldenVectors } from "./golden.ts";
import { imageResize2, loadShrink } from "./index.ts";
import { loadVips, vipsUnavailable } from "./vips.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../image-resize/fixtures/${name}`, import.meta.url)));
const png = fixture("alpha-200x150.png");
const jpeg = fixture("photo-320x240.jpg");
const small: ImageResizeSpec = { width: 64, height: 64, fit: "fill", format: "png" };

async function rejectsWith(promise: Promise<unknown>, code: TaskErrorCode): Promise<string> {
  let message = "";
  await assert.rejects(promise, (error) => {
    assert.ok(isTaskError(error), `expected a TaskError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    message = error.message;
    return true;
  });
  return message;
}

/** Width and height of a PNG, from its IHDR. */
const pngSize = (bytes: Uint8Array) => [new DataView(bytes.buffer, bytes.byteOffset).getUint32(16), new DataView(bytes.buffer, bytes.byteOffset).getUint32(20)];

test("the registry serves image-resize@2 beside version 1", () => {
  assert.equal(getTaskType("image-resize@2"), imageResize2);
  assert.equal(getTaskType("image-resize"), imageResize);
});

for (const vector of goldenVectors) {
  test(`golden: ${vector.name}`, async () => {
    const first = await imageResize2.run(fixture(vector.fixture), vector.spec);
    const second = await imageResize2.run(fixture(vector.fixture), vector.spec);
    assert.deepEqual(second, first, "two runs gave different bytes");
    assert.equal(await outputCidString(first), vector.cid);
  });
}

test("its bytes are not version 1's: the two must never verify each other", async () => {
  for (const old of version1Vectors) {
    const vector = goldenVectors.find((v) => v.fixture === old.fixture && JSON.stringify(v.spec) === JSON.stringify(old.spec));
    assert.ok(vector, old.name);
    assert.notEqual(vector.cid, old.cid, old.name);
  }
});

test("the output does not depend on libvips's thread count (pinned to 1 all the same)", async () => {
  const vips = await loadVips();
  const vector = goldenVectors.find((v) => v.spec.width === 700)!;
  try {
    for (const threads of [2, 4]) {
      vips.concurrency(threads);
      assert.equal(await outputCidString(await imageResize2.run(fixture(vector.fixture), vector.spec)), vector.cid, `${threads} threads`);
    }
  } finally {
    vips.concurrency(1);
  }
  assert.equal(vips.concurrency(), 1);
});

test("shrink on load: the largest of 8, 4, 2 that keeps the output's pixels, for JPEG and WebP only", () => {
  const region = { width: 3000, height: 2000 };
  assert.equal(loadShrink("jpeg", region, 800, 533), 2); // 3.75x
  assert.equal(loadShrink("jpeg", region, 256, 256), 4); // 7.8x on the short side
  assert.equal(loadShrink("webp", region, 300, 200), 8);
  assert.equal(loadShrink("jpeg", region, 2000, 2000), 1);
  assert.equal(loadShrink("png", region, 300, 200), 1);
});

test("output has the geometry the spec asks for, shrunk on load or not", async () => {
  assert.deepEqual(pngSize(await imageResize2.run(png, { width: 64, height: 64, fit: "contain", format: "png" })), [64, 48]);
  assert.deepEqual(pngSize(await imageResize2.run(jpeg, { width: 50, height: 70, fit: "cover", format: "png" })), [50, 70]);
  assert.deepEqual(pngSize(await imageResize2.run(jpeg, { width: 33, height: 17, fit: "fill", format: "png" })), [33, 17]); // 1/8 decode
  assert.deepEqual(pngSize(await imageResize2.run(jpeg, { width: 39, height: 39, fit: "contain", format: "png" })), [39, 29]);
});

test("a flat colour stays flat through down- and upscaling", async () => {
  // Built by version 1's encoder: a PNG of one colour.
  const { encodePng, decodePng } = await import("../image-resize/codecs.ts");
  const data = new Uint8Array(37 * 23 * 4);
  for (let i = 0; i < data.length; i += 4) data.set([200, 100, 7, 255], i);
  const input = await encodePng({ width: 37, height: 23, data });
  for (const [width, height] of [[5, 3], [101, 77]] as const) {
    const out = await decodePng(await imageResize2.run(input, { width, height, fit: "fill", format: "png" }));
    assert.deepEqual([out.width, out.height], [width, height]);
    for (let i = 0; i < out.data.length; i += 4) assert.deepEqual([...out.data.subarray(i, i + 3)], [200, 100, 7]);
  }
});

test("truncated files give corrupt-input with libvips's reason, and the instance stays usable", async () => {
  const message = await rejectsWith(imageResize2.run(jpeg.subarray(0, Math.floor(jpeg.length * 0.7)), small), "corrupt-input");
  assert.match(message, /^jpeg could not be decoded: .*premature end/i);
  assert.doesNotMatch(message, /unable to call|vips::Error/);
  await rejectsWith(imageResize2.run(png.subarray(0, Math.floor(png.length / 2)), small), "corrupt-input");
  await rejectsWith(imageResize2.run(png.subarray(0, 20), small), "corrupt-input");
  await rejectsWith(imageResize2.checkInput!(jpeg.subarray(0, Math.floor(jpeg.length * 0.7))), "corrupt-input");
  assert.equal(await outputCidString(await imageResize2.run(fixture(goldenVectors[0]!.fixture), goldenVectors[0]!.spec)), goldenVectors[0]!.cid);
});

test("bytes that are no image give unsupported-format; empty input too, as in version 1", async () => {
  await rejectsWith(imageResize2.run(new TextEncoder().encode("GIF89a not really"), small), "unsupported-format");
  await rejectsWith(imageResize2.run(new Uint8Array(), small), "unsupported-format");
  await rejectsWith(imageResize2.checkInput!(new Uint8Array()), "corrupt-input");
});

test("bad specs are invalid-spec, oversized inputs too-large, before libvips sees them", async () => {
  await rejectsWith(imageResize2.run(png, { ...small, width: 0, height: 0 }), "invalid-spec");
  await rejectsWith(imageResize2.run(png, { ...small, width: 8192, height: 8192 }), "invalid-spec");
  await rejectsWith(imageResize2.run(png, { ...small, sharpen: true } as unknown as ImageResizeSpec), "invalid-spec");
  const big = new Uint8Array(MAX_INPUT_BYTES + 1);
  big.set(png.subarray(0, 64));
  await rejectsWith(imageResize2.run(big, small), "too-large");
  const bomb = png.slice(0, 64);
  new DataView(bomb.buffer).setUint32(16, 60_000);
  new DataView(bomb.buffer).setUint32(20, 60_000);
  await rejectsWith(imageResize2.run(bomb, small), "too-large");
});

test("cancellation during libvips's evaluation gives cancelled and stops it", async () => {
  const controller = new AbortController();
  const ratios: number[] = [];
  await rejectsWith(
    imageResize2.run(jpeg, { width: 4000, height: 4000, fit: "fill", format: "png" }, {
      signal: controller.signal,
      onProgress: (event) => {
        ratios.push(event.ratio);
        if (event.phase === "resize" && event.ratio > 0.2) controller.abort();
      },
    }),
    "cancelled",
  );
  assert.ok(ratios.at(-1)! < 0.5, `ran on to ${ratios.at(-1)}`);
});

test("a run over its timeout gives timed-out", async () => {
  await rejectsWith(imageResize2.run(jpeg, { width: 3000, height: 3000, fit: "fill", format: "png" }, { timeoutMs: 1 }), "timed-out");
});

test("progress rises, covers decode, resize and encode, and ends at 1", async () => {
  const events: { phase: string; ratio: number }[] = [];
  await imageResize2.run(jpeg, { width: 1200, height: 900, fit: "cover", format: "jpeg", quality: 80 }, { onProgress: (e) => events.push(e) });
  assert.deepEqual([...new Set(events.map((e) => e.phase))], ["decode", "resize", "encode"]);
  assert.equal(events.at(-1)!.ratio, 1);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.ratio > events[i - 1]!.ratio);
});

test("cost grows with pixels, is at least 1 mCC, and the on-chain lower bound stays below it", () => {
  const smallCost = imageResize2.estimateCost({ bytes: 20_000, width: 320, height: 240 }, small);
  const bigCost = imageResize2.estimateCost({ bytes: 5_000_000, width: 6000, height: 4000 }, { width: 3000, height: 2000, fit: "fill", format: "webp", quality: 80 });
  assert.ok(smallCost.mcc >= 1);
  assert.ok(bigCost.referenceSeconds > 10 * smallCost.referenceSeconds);
  const floorMs = imageResize2.workModel.msBase + imageResize2.workModel.msPerMiB * (5_000_000 / 2 ** 20);
  assert.ok(floorMs / 1000 < bigCost.referenceSeconds);
});

test("it runs in Node and in a cross-origin-isolated page only; elsewhere it says why, so an engine never takes it", () => {
  assert.equal(imageResize2.unavailable?.(), undefined, "Node");
  assert.equal(vipsUnavailable({ node: false, isolated: true }), undefined);
  assert.match(vipsUnavailable({ node: false, isolated: false }) ?? "", /not cross-origin isolated.*SharedArrayBuffer/);
  assert.equal(imageResize.unavailable, undefined, "version 1 runs anywhere");
});

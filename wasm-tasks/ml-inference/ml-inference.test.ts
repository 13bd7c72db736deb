import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isTaskError } from "../errors.ts";
import { outputCidString } from "../digest.ts";
import { LIMITS, canonicalOutput, mlInference, type MlInferenceSpec } from "./index.ts";
import { baseSpec, goldenVectors } from "./golden.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const png = fixture("testsrc2-128x96.png");
const jpeg = fixture("mandelbrot-160x120.jpg");
const spec = baseSpec;

const rejectsWith = async (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(isTaskError(error), `expected a TaskError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });

/** A PNG whose IHDR claims the given size, with a valid signature and nothing after the header. */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
}

test("golden vectors: fixed image + spec give the committed CIDs, twice", async () => {
  for (const { fixture: image, spec, cid } of goldenVectors) {
    const first = await mlInference.run(fixture(image), spec);
    const second = await mlInference.run(fixture(image), spec);
    assert.deepEqual(second, first, "two runs must give the same bytes");
    assert.equal(await outputCidString(first), cid, new TextDecoder().decode(first));
  }
});

test("output is canonical JSON: fixed key order, no whitespace, top-k sorted, fixed decimals", async () => {
  const text = new TextDecoder().decode(await mlInference.run(png, spec));
  assert.doesNotMatch(text, /\s/);
  const parsed = JSON.parse(text) as { model: string; backend: string; simd: boolean; top: { id: number; label: string; p: string }[] };
  assert.deepEqual(Object.keys(parsed), ["model", "backend", "simd", "top"]);
  assert.equal(parsed.top.length, 3);
  for (const entry of parsed.top) {
    assert.deepEqual(Object.keys(entry), ["id", "label", "p"]);
    assert.match(entry.p, /^\d\.\d{4}$/);
  }
  const ps = parsed.top.map((e) => Number(e.p));
  assert.deepEqual([...ps].sort((a, b) => b - a), ps);
  // Re-serialising the parsed object gives the very same bytes: one way to write it.
  assert.equal(JSON.stringify(parsed), text);
  // Ties are broken by class id, and quantisation is by toFixed.
  assert.equal(
    new TextDecoder().decode(canonicalOutput([0.25, 0.5, 0.25, 0, 0], { ...spec, topK: 3, decimals: 2 })),
    '{"model":"nsfwjs-mobilenet_v2","backend":"wasm","simd":true,"top":[{"id":1,"label":"Hentai","p":"0.50"},{"id":0,"label":"Drawing","p":"0.25"},{"id":2,"label":"Neutral","p":"0.25"}]}',
  );
});

test("different images give different classifications", async () => {
  const a = await mlInference.run(png, { ...spec, decimals: 6 });
  const b = await mlInference.run(jpeg, { ...spec, decimals: 6 });
  assert.notDeepEqual(a, b);
});

test("truncated PNG and random bytes: corrupt-input / unsupported-format", async () => {
  await rejectsWith(mlInference.run(png.subarray(0, png.length - 200), spec), "corrupt-input");
  await rejectsWith(mlInference.run(jpeg.subarray(0, 2000), spec), "corrupt-input");
  let seed = 11;
  const random = Uint8Array.from({ length: 5000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  await rejectsWith(mlInference.run(random, spec), "unsupported-format");
});

test("0x0 image: corrupt-input; 50,000 px image: too-large (refused before decoding)", async () => {
  await rejectsWith(mlInference.run(pngHeaderOnly(0, 0), spec), "corrupt-input");
  await rejectsWith(mlInference.run(pngHeaderOnly(50_000, 100), spec), "too-large");
  await rejectsWith(mlInference.run(pngHeaderOnly(50_000, 50_000), spec), "too-large");
});

test("over-limit file: too-large", async () => {
  const big = new Uint8Array(LIMITS.maxInputBytes + 1);
  big.set(png);
  await rejectsWith(mlInference.run(big, spec), "too-large");
});

test("spec with unknown fields or unpinned backend/SIMD: invalid-spec", async () => {
  const bad: unknown[] = [
    { ...spec, extra: 1 },
    { ...spec, backend: "cpu" },
    { ...spec, simd: false },
    { ...spec, topK: 0 },
    { ...spec, topK: 6 },
    { ...spec, decimals: 12 },
    { ...spec, model: "mobilenet" },
  ];
  for (const s of bad) {
    assert.equal(mlInference.specSchema.safeParse(s).success, false, JSON.stringify(s));
    await rejectsWith(mlInference.run(png, s as MlInferenceSpec), "invalid-spec");
  }
});

test("cancellation mid-run: cancelled", async () => {
  for (const phase of ["decode", "resize", "infer"]) {
    const controller = new AbortController();
    const seen: string[] = [];
    await rejectsWith(
      mlInference.run(jpeg, spec, {
        signal: controller.signal,
        onProgress: (e) => {
          seen.push(e.phase);
          if (e.phase === phase) controller.abort();
        },
      }),
      "cancelled",
    );
    assert.ok(seen.includes(phase) && !seen.includes("done"), `${phase}: ${seen.join(",")}`);
  }
});

test("a run over its time budget: timed-out", async () => {
  await rejectsWith(mlInference.run(jpeg, spec, { timeoutMs: 1 }), "timed-out");
});

test("cost grows with pixels and is at least 1 mCC", () => {
  const small = mlInference.estimateCost({ bytes: 1e4, width: 100, height: 100 }, spec);
  const large = mlInference.estimateCost({ bytes: 1e6, width: 4000, height: 3000 }, spec);
  assert.ok(large.referenceSeconds > small.referenceSeconds);
  assert.ok(small.mcc >= 1 && Number.isInteger(large.mcc));
});

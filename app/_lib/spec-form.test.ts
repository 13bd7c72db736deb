import { test } from "node:test";
import assert from "node:assert/strict";
import { imageResizeSpec } from "../../wasm-tasks/image-resize/index.ts";
import { videoTranscodeSpecSchema } from "../../wasm-tasks/video-transcode/spec.ts";
import { mlInferenceSpecSchema } from "../../wasm-tasks/ml-inference/index.ts";
import { buildSpec, canonicalJson, checkSpec, fieldLabel, formModel, valuesFrom } from "./spec-form.ts";

test("image-resize: a union on format with a quality field only for jpeg/webp", () => {
  const node = formModel(imageResizeSpec);
  assert.equal(node.kind, "union");
  if (node.kind !== "union") return;
  assert.equal(node.discriminator, "format");
  assert.deepEqual(node.variants.map((v) => v.value), ["png", "jpeg", "webp"]);
  const values = valuesFrom(node, { width: 640, height: 480, fit: "contain", format: "jpeg" });
  assert.deepEqual(values, { format: "jpeg", width: "640", height: "480", fit: "contain", quality: "85" });
  const ok = checkSpec(imageResizeSpec, node, values);
  assert.ok(ok.ok);
  if (ok.ok) assert.deepEqual(ok.spec, { width: 640, height: 480, fit: "contain", format: "jpeg", quality: 85 });
  // switching to png drops quality
  assert.deepEqual(buildSpec(node, { ...values, format: "png" }), { width: 640, height: 480, fit: "contain", format: "png" });
});

test("inline errors are keyed by field path and in plain words", () => {
  const node = formModel(imageResizeSpec);
  const bad = checkSpec(imageResizeSpec, node, { format: "jpeg", width: "0", height: "abc", fit: "fill", quality: "101" });
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.errors, { width: "must be at least 1", height: "enter a whole number", quality: "must be at most 100" });
  const missing = checkSpec(imageResizeSpec, node, { format: "png", width: "", height: "10", fit: "fill" });
  assert.deepEqual(missing.errors, { width: "enter a whole number" });
});

test("video-transcode: nested rate union and numeric enum (fps)", () => {
  const node = formModel(videoTranscodeSpecSchema);
  const values = valuesFrom(node, { resolution: "360p", fps: 25, preset: "veryfast", rate: { mode: "crf", crf: 28 }, audio: "drop" });
  assert.equal(values["rate.mode"], "crf");
  assert.equal(values["rate.crf"], "28");
  const ok = checkSpec(videoTranscodeSpecSchema, node, values);
  assert.ok(ok.ok, JSON.stringify(ok.errors));
  if (ok.ok) assert.equal(ok.spec.fps, 25);
  const bitrate = checkSpec(videoTranscodeSpecSchema, node, { ...values, "rate.mode": "bitrate", "rate.kbps": "50" });
  assert.deepEqual(bitrate.errors, { "rate.kbps": "must be at least 100" });
});

test("ml-inference: constants are fixed, only topK and decimals are fields", () => {
  const node = formModel(mlInferenceSpecSchema);
  const values = valuesFrom(node, { topK: 3, decimals: 4 });
  assert.deepEqual(values, { topK: "3", decimals: "4" });
  const ok = checkSpec(mlInferenceSpecSchema, node, values);
  assert.ok(ok.ok);
  if (ok.ok) assert.equal(canonicalJson(ok.spec), '{"backend":"wasm","decimals":4,"model":"nsfwjs-mobilenet_v2","simd":true,"topK":3}');
});

test("labels", () => {
  assert.equal(fieldLabel("topK"), "Top k");
  assert.equal(fieldLabel("width"), "Width");
});

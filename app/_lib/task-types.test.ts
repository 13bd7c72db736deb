import { test } from "node:test";
import assert from "node:assert/strict";
import { mediaKind, offerOrder, typeFamily } from "./task-types.ts";
import { explainInputError } from "./input-check.ts";
import { TaskError } from "../../wasm-tasks/errors.ts";

test("a versioned type is of its family: same words, same previews", () => {
  assert.equal(typeFamily("image-resize@2"), "image-resize");
  assert.equal(typeFamily("image-resize"), "image-resize");
  assert.equal(typeFamily("zk-downscale"), "zk-downscale");
  assert.equal(mediaKind("image-resize@2"), "image");
  assert.equal(mediaKind("image-resize@12"), "image");
  assert.equal(mediaKind("video-transcode@3"), "video");
  assert.equal(mediaKind("something-else@2"), "bytes");
  const error = new TaskError("unsupported-format", "input is not a PNG, JPEG or WebP file");
  assert.equal(explainInputError("image-resize@2", error, 10, "a.gif"), "“a.gif” is not a PNG, JPEG or WebP image, which is what image-resize@2 takes.");
});

test("the post form offers families in registration order, the newest version of each first", () => {
  const types = [
    { id: 0, name: "image-resize" },
    { id: 1, name: "video-transcode" },
    { id: 4, name: "zk-downscale" },
    { id: 6, name: "image-resize@2" },
    { id: 7, name: "video-transcode@2" },
  ];
  assert.deepEqual(offerOrder(types).map((t) => t.name), ["image-resize@2", "image-resize", "video-transcode@2", "video-transcode", "zk-downscale"]);
  assert.deepEqual(offerOrder([]), []);
});

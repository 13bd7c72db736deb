import assert from "node:assert/strict";
import { test } from "node:test";
import { rgbaToGray } from "./gray-tile.ts";

test("rgbaToGray: Rec. 601 integer luma, transparent pixels count as white", () => {
  const rgba = new Uint8Array([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 0, 0, 0, 0, 128]);
  assert.deepEqual([...rgbaToGray(rgba)], [255, 0, 76, 149, 28, 255, 127]);
});

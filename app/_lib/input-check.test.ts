/**
 * The post form's input check with the real task types (their sniffers and wasm decoders, in Node) on the
 * committed fixtures and on the inputs the issue found accepted: a corrupt JPEG, a text file named .png, an empty
 * file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { taskTypes } from "../../wasm-tasks/index.ts";
import { checkInputFile, sizeWords } from "./input-check.ts";

const fixture = (path: string) => new Uint8Array(readFileSync(new URL(`../../wasm-tasks/${path}`, import.meta.url)));
const JPEG = fixture("image-resize/fixtures/photo-320x240.jpg");
const PNG = fixture("image-resize/fixtures/alpha-200x150.png");
const WEBP = fixture("image-resize/fixtures/photo-320x240.webp");
const MP4 = fixture("video-transcode/fixtures/testsrc2-192x144-2s.mp4");
const TEXT = new TextEncoder().encode("Hello, this is a plain text file, not a picture.\n");
const EMPTY = new Uint8Array(0);
const check = (type: string, bytes: Uint8Array, name: string) => checkInputFile(type, taskTypes[type]!, bytes, name);
const refused = async (type: string, bytes: Uint8Array, name: string): Promise<string> => {
  const r = await check(type, bytes, name);
  assert.equal(r.ok, false, `${type} accepted ${name}`);
  return r.ok ? "" : r.reason;
};

for (const type of ["image-resize", "ml-inference"]) {
  test(`${type}: real PNG, JPEG and WebP files pass with their sizes`, async () => {
    assert.deepEqual(await check(type, JPEG, "photo.jpg"), { ok: true, info: { bytes: JPEG.length, width: 320, height: 240 } });
    assert.deepEqual(await check(type, PNG, "alpha.png"), { ok: true, info: { bytes: PNG.length, width: 200, height: 150 } });
    assert.deepEqual(await check(type, WEBP, "photo.webp"), { ok: true, info: { bytes: WEBP.length, width: 320, height: 240 } });
  });

  test(`${type}: a JPEG cut short is refused as damaged, by the decoder`, async () => {
    const reason = await refused(type, JPEG.subarray(0, Math.floor(JPEG.length / 2)), "photo.jpg");
    assert.match(reason, /^“photo\.jpg” is a damaged JPEG image: it cannot be decoded \(mozjpeg: Premature end of JPEG file\)\. A worker would reject it; choose one that opens in an image viewer\.$/);
  });

  test(`${type}: a text file named .png is refused for what it is`, async () => {
    assert.equal(
      await refused(type, TEXT, "notes.png"),
      `“notes.png” is named like a PNG file, but its content is not one: it is not a PNG, JPEG or WebP image. ${type} takes a PNG, JPEG or WebP image.`,
    );
  });

  test(`${type}: an empty file is refused as empty`, async () => {
    assert.equal(await refused(type, EMPTY, "empty.jpg"), `“empty.jpg” is empty (0 bytes). ${type} takes a PNG, JPEG or WebP image.`);
  });
}

test("image-resize: a PNG whose header claims more pixels than the limit is refused before decoding", async () => {
  const huge = PNG.slice();
  new DataView(huge.buffer).setUint32(16, 60_000); // IHDR width
  new DataView(huge.buffer).setUint32(20, 60_000); // IHDR height
  assert.match(await refused("image-resize", huge, "huge.png"), /^“huge\.png” is too large for image-resize: 60000x60000 is over the 40000000 pixel limit\.$/);
});

test("video-transcode: an MP4 passes; a text file named .mp4, an image and an empty file are refused", async () => {
  assert.deepEqual(await check("video-transcode", MP4, "clip.mp4"), { ok: true, info: { bytes: MP4.length } });
  const videoWords = "a video file (MP4/MOV, Matroska/WebM, AVI, MPEG-TS, FLV or MPEG-PS)";
  assert.equal(await refused("video-transcode", TEXT, "clip.mp4"), `“clip.mp4” is named like an MP4 file, but its content is not one: it is not ${videoWords}. video-transcode takes ${videoWords}.`);
  assert.equal(await refused("video-transcode", JPEG, "photo.jpg"), `“photo.jpg” is named like a JPEG file, but its content is not one: it is not ${videoWords}. video-transcode takes ${videoWords}.`);
  assert.equal(await refused("video-transcode", EMPTY, "clip.mp4"), `“clip.mp4” is empty (0 bytes). video-transcode takes ${videoWords}.`);
});

test("every task type a requester can post checks its input (zk types by their exact size rule)", () => {
  for (const [name, type] of Object.entries(taskTypes)) {
    if (type.maxInputBytes === 0) continue; // the benchmark is not posted
    assert.ok(type.checkInput || type.inputError, `${name} has no input check`);
  }
});

test("sizes in words: bytes below a KB, then KB and MB with one decimal", () => {
  assert.equal(sizeWords(0), "0 bytes");
  assert.equal(sizeWords(1), "1 byte");
  assert.equal(sizeWords(35), "35 bytes");
  assert.equal(sizeWords(1536), "1.5 KB");
  assert.equal(sizeWords(32 * 1024 * 1024), "32.0 MB");
});

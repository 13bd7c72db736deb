import { test } from "node:test";
import assert from "node:assert/strict";
import { CID } from "multiformats/cid";
import { stringToHex, toHex } from "viem";
import { cidString, extensionOf, parseLabels, sniffMime, specText } from "./results.ts";

test("binary CIDs from chain become strings; junk does not", () => {
  const cid = CID.parse("bafkreidvqonczbem7okohcgnvaqacqhbnybsftnksffphgjy6vpr6vbrtu");
  assert.equal(cidString(toHex(cid.bytes)), cid.toString());
  assert.equal(cidString("0x1234"), undefined);
  assert.equal(cidString("0x"), undefined);
});

test("spec JSON is pretty-printed", () => {
  assert.equal(specText(stringToHex('{"a":1}')), '{\n  "a": 1\n}');
  assert.equal(specText(stringToHex("not json")), "not json");
});

test("ml-inference labels are parsed and clamped; other JSON is not labels", () => {
  const bytes = new TextEncoder().encode('{"model":"m","backend":"wasm","simd":true,"top":[{"id":2,"label":"Neutral","p":"0.9100"},{"id":0,"label":"Drawing","p":"0.0800"}]}');
  assert.deepEqual(parseLabels(bytes), [
    { label: "Neutral", p: 0.91 },
    { label: "Drawing", p: 0.08 },
  ]);
  assert.equal(parseLabels(new TextEncoder().encode('{"x":1}')), undefined);
  assert.equal(parseLabels(new Uint8Array([1, 2, 3])), undefined);
});

test("MIME sniffing of results", () => {
  assert.equal(sniffMime(new Uint8Array([0x89, 0x50, 0x4e, 0x47])), "image/png");
  assert.equal(sniffMime(new Uint8Array([0xff, 0xd8, 0xff])), "image/jpeg");
  assert.equal(sniffMime(new Uint8Array([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70])), "video/mp4");
  assert.equal(extensionOf("image/jpeg"), "jpg");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { CID } from "multiformats/cid";
import { stringToHex, toHex } from "viem";
import { agreeingReplicas, agreementWords, cidString, extensionOf, parseLabels, sniffMime, specText } from "./results.ts";

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

test("the result card counts the replicas that agreed in the accepted round, not in an earlier one or an audit", () => {
  const good = "0xAA";
  const reveal = (digest: string) => ({ eventName: "ResultRevealed", args: { digest } });
  const three = [reveal(good), reveal("0xaa"), reveal(good), { eventName: "TaskAccepted", args: {} }, reveal(good), reveal(good)];
  assert.equal(agreeingReplicas(three, "0xaa"), 3);
  assert.match(agreementWords(agreeingReplicas(three, "0xaa")), /^All three replicas agreed/);
  // A first round rejected (verifiers outvoted the worker), then a second round two of three agreed on.
  const again = [reveal("0xbb"), reveal(good), reveal(good), { eventName: "TaskRejected", args: {} }, reveal(good), reveal("0xcc"), reveal(good), { eventName: "TaskAccepted", args: {} }];
  assert.equal(agreeingReplicas(again, good), 2);
  assert.match(agreementWords(2), /^Two of three replicas agreed/);
  assert.equal(agreeingReplicas(three, undefined), 0);
});

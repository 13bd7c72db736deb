import { test } from "node:test";
import assert from "node:assert/strict";
import { hashedName, parseHashedName } from "./manifest.ts";

const sha = "035fda53caae5a5a8ca111c75e793c519e68e3bf5a56f82f6926dc20a0b90905";

test("a content-addressed name carries 16 hex digits of the hash before the extension, and parses back", () => {
  assert.equal(hashedName("zk-downscale.zkey", sha), "zk-downscale.035fda53caae5a5a.zkey");
  assert.equal(hashedName("zk-downscale.vkey.json", sha), "zk-downscale.vkey.035fda53caae5a5a.json");
  for (const file of ["zk-downscale.zkey", "zk-downscale.vkey.json", "poseidon-constants.json", "zk-matmul.wasm"]) {
    assert.deepEqual(parseHashedName(hashedName(file, sha)), { file, hash: sha.slice(0, 16), gzip: false });
    assert.deepEqual(parseHashedName(`${hashedName(file, sha)}.gz`), { file, hash: sha.slice(0, 16), gzip: true });
  }
  assert.equal(parseHashedName("zk-downscale.zkey"), undefined);
  assert.equal(parseHashedName("manifest.json"), undefined);
  assert.equal(parseHashedName("zk-downscale.zkey.gz"), undefined);
});

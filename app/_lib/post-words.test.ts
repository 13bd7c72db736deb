import { test } from "node:test";
import assert from "node:assert/strict";
import { VerificationMode, defaultParams, escrowFor } from "../../lib/protocol/params.ts";
import { bountyHint, escrowWords } from "./post-words.ts";

test("the bounty hint says why there is no estimate: no file, a file on its way, a refused file, a bad spec", () => {
  assert.equal(bountyHint({ upload: "none", specOk: true }), "choose a file for an estimate");
  assert.equal(bountyHint({ upload: "busy", specOk: true }), "estimate once the file is uploaded");
  assert.equal(bountyHint({ upload: "refused", specOk: true }), "choose a file this type can take for an estimate");
  // The case: a file is chosen and uploaded, the spec is invalid.
  assert.equal(bountyHint({ upload: "done", specOk: false }), "fix the output spec for an estimate");
  assert.equal(bountyHint({ upload: "done", specOk: true, inputError: "exactly 4096 bytes" }), "this file cannot be the input, so there is no estimate");
  assert.equal(bountyHint({ upload: "done", specOk: true, suggested: 1_250n }), "suggested 1.25 CC");
});

test("no escrow is announced for a bounty below the minimum (0.01 CC)", () => {
  assert.equal(escrowWords(10n, VerificationMode.Replicated, defaultParams), undefined);
  assert.equal(escrowWords(defaultParams.minBounty - 1n, VerificationMode.Zk, defaultParams), undefined);
});

test("the escrow is the contract's sum, its parts named with their amounts", () => {
  const r = escrowWords(1_250n, VerificationMode.Replicated, defaultParams)!;
  assert.equal(r.total, escrowFor(1_250n, VerificationMode.Replicated, defaultParams));
  assert.equal(r.total, 1_322n);
  assert.equal(r.parts, "bounty 1.25 CC + 2 verifier fees of 0.012 CC + platform fee 0.012 CC + 0.036 CC held for an audit (back when the task is final, if unused)");
  const zk = escrowWords(1_000n, VerificationMode.Zk, defaultParams)!;
  assert.deepEqual(zk, { total: 1_040n, parts: "bounty 1 CC + platform fee 0.01 CC + 0.03 CC held for an audit (back when the task is final, if unused)" });
  const min = escrowWords(defaultParams.minBounty, VerificationMode.Replicated, defaultParams)!;
  assert.deepEqual(min, { total: 106n, parts: "bounty 0.1 CC + 2 verifier fees of 0.001 CC + platform fee 0.001 CC + 0.003 CC held for an audit (back when the task is final, if unused)" });
});

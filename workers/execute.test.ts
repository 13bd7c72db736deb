import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { executeTask } from "./execute.ts";
import { goldenVectors } from "../wasm-tasks/image-resize/golden.ts";

// The Node path a verifier uses: same registry, same digest as the Web Worker.
test("executeTask runs a registered type and returns its Kubo CID", async () => {
  const vector = goldenVectors[0]!;
  const input = new Uint8Array(readFileSync(new URL(`../wasm-tasks/image-resize/fixtures/${vector.fixture}`, import.meta.url)));
  const outcome = await executeTask("image-resize", input, vector.spec);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.equal(outcome.cid, vector.cid);
});

test("executeTask reports errors as data with their code", async () => {
  assert.deepEqual(await executeTask("no-such-type", new Uint8Array(), {}), { ok: false, code: "invalid-spec", message: 'unknown task type "no-such-type"' });
  const tooBig = await executeTask("benchmark", new Uint8Array(3), { rounds: 1 });
  assert.equal(tooBig.ok ? "ok" : tooBig.code, "too-large");
  const cancelled = await executeTask("benchmark", new Uint8Array(), { rounds: 1 }, { signal: AbortSignal.abort() });
  assert.equal(cancelled.ok ? "ok" : cancelled.code, "cancelled");
});

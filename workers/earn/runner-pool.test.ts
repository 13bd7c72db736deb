import assert from "node:assert/strict";
import { test } from "node:test";
import { type Runner, RunnerPool } from "./runner-pool.ts";

/** A runner whose runs end when the test says so. */
function fakeRunners() {
  const made: { ended: boolean }[] = [];
  const pending: ((v: { output: Uint8Array; cid: string }) => void)[] = [];
  let running = 0;
  let peak = 0;
  const create = (): Runner => {
    const me = { ended: false };
    made.push(me);
    return {
      run: () =>
        new Promise((resolve) => {
          running += 1;
          peak = Math.max(peak, running);
          pending.push((v) => {
            running -= 1;
            resolve(v);
          });
        }),
      terminate: () => void (me.ended = true),
    };
  };
  const finishOne = async () => {
    pending.shift()!({ output: new Uint8Array(), cid: "x" });
    await new Promise((r) => setTimeout(r, 0));
  };
  return { create, made, finishOne, peak: () => peak, pending: () => pending.length };
}

test("a pool runs at most `slots` at once and lets the others in, in order, as runs end", async () => {
  const f = fakeRunners();
  const pool = new RunnerPool(f.create, 2);
  const order: number[] = [];
  const runs = [0, 1, 2, 3].map((i) => pool.run("t", new Uint8Array(), {}).then(() => order.push(i)));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(f.pending(), 2);
  for (let i = 0; i < 4; i++) await f.finishOne();
  await Promise.all(runs);
  assert.equal(f.peak(), 2);
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.equal(f.made.length, 2, "runners are reused");
});

test("shrinking the pool ends surplus runners once idle; a waiting run can be cancelled", async () => {
  const f = fakeRunners();
  const pool = new RunnerPool(f.create, 2);
  const a = pool.run("t", new Uint8Array(), {});
  const b = pool.run("t", new Uint8Array(), {});
  const controller = new AbortController();
  const c = pool.run("t", new Uint8Array(), {}, { signal: controller.signal });
  controller.abort();
  await assert.rejects(c, /cancelled before it started/);
  pool.setSlots(1);
  await f.finishOne();
  await f.finishOne();
  await Promise.all([a, b]);
  assert.equal(f.made.filter((m) => m.ended).length, 1, "one runner ended with the smaller pool");
  pool.dispose();
  assert.ok(f.made.every((m) => m.ended));
});

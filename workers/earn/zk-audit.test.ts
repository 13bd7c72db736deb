import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Hex, bytesToHex } from "viem";
import { cidDigest, computeCommitment } from "../../lib/protocol/hashes.ts";
import { downscale } from "../../wasm-tasks/zk-downscale/index.ts";
import { zkKits } from "../../wasm-tasks/index.ts";
import { type AuditSecret, type ZkAuditDeps, runZkAudit } from "./zk-audit.ts";

const TASK = `0x${"a1".repeat(32)}` as Hex;
const AUDITOR = "0x00000000000000000000000000000000000000a7" as Hex;
const tile = new Uint8Array(4096).map((_, i) => (i * 11) & 0xff);

function deps(over: Partial<ZkAuditDeps> = {}) {
  const calls: string[] = [];
  const store = new Map<string, AuditSecret>();
  let committed: Hex | undefined;
  let revealed: { cid: Hex; salt: Hex } | undefined;
  const d: ZkAuditDeps = {
    auditor: AUDITOR,
    fetchInput: async () => tile,
    computePayload: async (name, input, spec) => zkKits[name]!.computePayload(input, spec),
    publish: async (bytes) => (calls.push("publish"), { cid: "bafy", cidBytes: bytes.subarray(0, 4) }),
    saveSecret: async (id, s) => void (calls.push("save"), store.set(id, s)),
    loadSecret: async (id) => store.get(id),
    dropSecret: async (id) => void store.delete(id),
    commit: async (_id, c) => void (calls.push("commit"), (committed = c)),
    revealsOpen: async () => void calls.push("wait"),
    reveal: async (_id, cid, salt) => void (calls.push("reveal"), (revealed = { cid, salt })),
    randomBytes: (n) => new Uint8Array(n).fill(9),
    ...over,
  };
  return { d, calls, store, committed: () => committed, revealed: () => revealed };
}

describe("runZkAudit", () => {
  it("recomputes the payload, keeps the salt before committing, and reveals what it committed to", async () => {
    const r = deps();
    const spec = { width: 64, height: 64 };
    assert.equal(await runZkAudit({ id: TASK, typeName: "zk-downscale", inputCid: "bafy-in", spec, committed: false }, r.d, () => {}), "revealed");
    assert.deepEqual(r.calls, ["publish", "save", "commit", "wait", "reveal"]);
    const { cid, salt } = r.revealed()!;
    assert.equal(cid, bytesToHex(downscale(tile, 64, 64).subarray(0, 4)), "the CID of the recomputed payload");
    assert.equal(r.committed(), computeCommitment(TASK, AUDITOR, cidDigest(cid), salt));
    assert.equal(r.store.size, 0, "the secret is dropped after the reveal");
  });

  it("a reloaded tab reveals from the kept salt, and fails plainly without it", async () => {
    const r = deps();
    const secret = { cid: "0x01020304" as Hex, salt: `0x${"55".repeat(32)}` as Hex };
    r.store.set(TASK, secret);
    assert.equal(await runZkAudit({ id: TASK, typeName: "zk-downscale", inputCid: "x", spec: {}, committed: true }, r.d, () => {}), "revealed");
    assert.deepEqual(r.revealed(), secret);
    assert.deepEqual(r.calls, ["wait", "reveal"]);

    const lost = deps();
    const updates: string[] = [];
    assert.equal(await runZkAudit({ id: TASK, typeName: "zk-downscale", inputCid: "x", spec: {}, committed: true }, lost.d, (u) => updates.push(u.detail ?? u.phase)), "failed");
    assert.match(updates.at(-1)!, /lost the salt/);
  });

  it("an input of the wrong size fails before anything is published or committed", async () => {
    const r = deps({ fetchInput: async () => new Uint8Array(10) });
    assert.equal(await runZkAudit({ id: TASK, typeName: "zk-downscale", inputCid: "x", spec: { width: 64, height: 64 }, committed: false }, r.d, () => {}), "failed");
    assert.deepEqual(r.calls, []);
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileStore } from "./file-store.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("what is put is on disk when put resolves, and a new store on the file reads it back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cc-store-"));
  try {
    const path = join(dir, "nested", "state.json");
    const store = new FileStore(path);
    await store.put("secret:0xabc:round:0x01", { cid: "0x0155", salt: "0x99" });
    await store.put("secret:0xabc:audit:0x02", { cid: "0x0156", salt: "0x98", big: 12345678901234567890n });
    await store.put("other", 1);
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8"))["secret:0xabc:round:0x01"], { cid: "0x0155", salt: "0x99" });
    assert.equal(statSync(path).mode & 0o777, 0o600, "salts are for this user only");
    await store.delete("other");
    await store.delete("never-there");

    const again = new FileStore(path);
    assert.deepEqual((await again.keys("secret:0xabc:")).sort(), ["secret:0xabc:audit:0x02", "secret:0xabc:round:0x01"]);
    assert.deepEqual(await again.get("secret:0xabc:audit:0x02"), { cid: "0x0156", salt: "0x98", big: 12345678901234567890n });
    assert.equal(await again.get("other"), undefined);
    assert.deepEqual(readdirSync(join(dir, "nested")), ["state.json"], "no temp file left behind");

    writeFileSync(path, "[1, 2]");
    assert.throws(() => new FileStore(path), /not a store file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a process killed in the middle of writing leaves a whole file", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "cc-store-"));
  try {
    const path = join(dir, "state.json");
    const child = join(dir, "writer.mts");
    writeFileSync(
      child,
      `import { FileStore } from ${JSON.stringify(new URL("./file-store.ts", import.meta.url).href)};
const store = new FileStore(${JSON.stringify(path)});
// Big values make each write take a while, so that the kill lands inside one.
const pad = "x".repeat(200_000);
for (let i = 0; ; i++) {
  await store.put("n" + i, { i, pad });
  if (i === 3) process.stdout.write("writing\\n");
}
`,
    );
    const proc = spawn(join(root, "node_modules/.bin/node"), ["--import", "tsx", child], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => proc.stdout!.once("data", () => resolve()));
    await new Promise((r) => setTimeout(r, 300));
    proc.kill("SIGKILL");
    await new Promise((r) => proc.once("exit", r));
    const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, { i: number }>;
    const n = Object.keys(data).length;
    assert.ok(n >= 4, `at least the first writes are there (${n})`);
    for (let i = 0; i < n; i++) assert.equal(data[`n${i}`]?.i, i, "every version on disk is a whole one, in order");
    // Its temp file may be left (killed mid-write); the store ignores it.
    assert.equal((await new FileStore(path).keys("n")).length, n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

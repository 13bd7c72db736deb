import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileLock } from "./file-lock.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const account = "0x00000000000000000000000000000000000000Aa" as const;

/** A second process that takes the lock and holds it until killed. */
async function holder(dir: string): Promise<ChildProcess> {
  const script = join(dir, "holder.mts");
  writeFileSync(
    script,
    `import { FileLock } from ${JSON.stringify(new URL("./file-lock.ts", import.meta.url).href)};
process.on("SIGTERM", () => process.exit(0));
const release = await new FileLock(${JSON.stringify(dir)}, 31337).acquire(${JSON.stringify(account)});
process.stdout.write(release ? "held\\n" : "refused\\n");
setInterval(() => {}, 1000);
`,
  );
  const proc = spawn(join(root, "node_modules/.bin/node"), ["--import", "tsx", script], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const said = await new Promise<string>((resolve) => proc.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  assert.equal(said, "held");
  return proc;
}

test("a second process for the same account is refused; the lock of a dead one is taken over", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "cc-lock-"));
  const lock = new FileLock(dir, 31337);
  let proc: ChildProcess | undefined;
  try {
    proc = await holder(dir);
    assert.equal(await lock.acquire(account), undefined, "held by a live process");
    assert.equal(lock.heldBy?.pid, proc.pid);
    // Another account, or the same account on another chain, is another lock.
    const other = await lock.acquire("0x00000000000000000000000000000000000000bb");
    assert.ok(other);
    other();
    const elsewhere = await new FileLock(dir, 1).acquire(account);
    assert.ok(elsewhere);
    elsewhere();

    // kill -9: no exit handler runs, the file stays behind with a dead pid.
    proc.kill("SIGKILL");
    await new Promise((r) => proc!.once("exit", r));
    assert.ok(existsSync(lock.pathFor(account)), "the dead process's lock is still there");
    const release = await lock.acquire(account);
    assert.ok(release, "a stale lock is taken over");
    assert.equal(await lock.acquire(account), undefined, "and now this process holds it");
    release();
    assert.ok(!existsSync(lock.pathFor(account)), "released: the file is gone");
    const again = await lock.acquire(account);
    assert.ok(again);
    again();
  } finally {
    proc?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a process that exits releases its lock", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "cc-lock-"));
  try {
    const proc = await holder(dir);
    const lock = new FileLock(dir, 31337);
    assert.ok(existsSync(lock.pathFor(account)));
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
    assert.ok(!existsSync(lock.pathFor(account)), "removed on exit");
    process.on("SIGTERM", () => process.exit(0));
const release = await new FileLock(dir, 31337).acquire(account);
    assert.ok(release);
    release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

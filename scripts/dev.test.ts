/**
 * `npm run dev` (scripts/dev.ts) as a user meets it: a taken port is named with the variable that moves it and
 * nothing starts; SIGINT or SIGTERM sent to the `npm run dev` process itself (not its process group, as a service
 * manager or `kill` in another terminal sends it) stops the whole stack. Real npm, real anvil; each run has its own
 * ports and a temp data dir.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const listen = (port = 0) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
const portOf = (s: Server) => (s.address() as { port: number }).port;
/** Three ports nothing listens on. */
async function freePorts(): Promise<[number, number, number]> {
  const servers = await Promise.all([listen(), listen(), listen()]);
  const ports = servers.map(portOf) as [number, number, number];
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

type Run = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** `npm run dev` in its own process group (like a terminal job), with the given ports. */
function npmRunDev([rpc, ipfs, app]: [number, number, number]): Run {
  const dataDir = mkdtempSync(join(tmpdir(), "cc-dev-test-"));
  dirs.push(dataDir);
  const child = spawn("npm", ["run", "--silent", "dev"], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CC_DATA_DIR: dataDir, CC_RPC_PORT: String(rpc), CC_IPFS_PORT: String(ipfs), CC_APP_PORT: String(app), CC_NEXT_DIST_DIR: ".next-dev-test", NEXT_TELEMETRY_DISABLED: "1" },
  });
  let text = "";
  child.stdout!.on("data", (c: Buffer) => (text += c));
  child.stderr!.on("data", (c: Buffer) => (text += c));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => text, exited };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(ms: number, what: string, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const [index, variable, what] of [[0, "CC_RPC_PORT", "the chain"], [1, "CC_IPFS_PORT", "the IPFS node"], [2, "CC_APP_PORT", "the app"]] as const) {
  test(`a taken ${variable} port is named with ${variable}, and nothing starts`, async () => {
    const ports = await freePorts();
    const squatter = await listen(ports[index]);
    try {
      const run = npmRunDev(ports);
      const code = await within(30_000, "npm run dev exits", run.exited);
      assert.notEqual(code, 0);
      const out = run.output();
      assert.match(out, new RegExp(`Port ${ports[index]} is already in use, so ${what}`));
      assert.match(out, new RegExp(`${variable}=<port>`));
      assert.doesNotMatch(out, /chain up|ready:|\[chain\]|\[ipfs\]|\[app\]/);
      await until(5_000, "nothing of the stack is left running", () => !groupAlive(run.child.pid!));
    } finally {
      squatter.close();
    }
  });
}

test("two parts on one port are refused by name", async () => {
  const [rpc, ipfs] = await freePorts();
  const run = npmRunDev([rpc, ipfs, rpc]);
  assert.notEqual(await within(30_000, "npm run dev exits", run.exited), 0);
  assert.match(run.output(), new RegExp(`CC_APP_PORT and CC_RPC_PORT are both ${rpc}`));
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} to the npm run dev process stops every part`, { timeout: 180_000 }, async () => {
    const run = npmRunDev(await freePorts());
    const pgid = run.child.pid!;
    try {
      await until(120_000, "the chain comes up", () => /^chain up at /m.test(run.output()));
      // The signal goes to npm alone, as `kill -INT <pid>` from another terminal or a service manager sends it.
      process.kill(pgid, signal);
      const code = await within(60_000, `npm run dev exits after ${signal}`, run.exited);
      await until(20_000, "every process of the stack has exited", () => !groupAlive(pgid));
      assert.match(run.output(), /stopping…/);
      assert.ok(code === 0 || code === null, `npm exited with ${code}\n${run.output().slice(-2000)}`);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
    }
  });
}

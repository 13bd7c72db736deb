/**
 * `npm run worker` as a server owner runs it, started from a test against a stack of e2e/stack/stack.ts: its own
 * key file (created by the process), its own process group (Ctrl-C reaches npm and the worker alike), the
 * stack's ports through the same CC_* variables `npm run dev` reads. Nothing here reaches into the process: the
 * test reads what it prints and what the chain says.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const root = fileURLToPath(new URL("../..", import.meta.url));

export type StackPorts = { rpcPort: number; ipfsPort: number; appPort: number; dataDir: string };

export class HeadlessWorker {
  private proc?: ChildProcess;
  private text = "";
  private exit?: Promise<number | string | null>;

  constructor(
    readonly name: string,
    private readonly stack: StackPorts,
    readonly keyFile: string,
    private readonly args: readonly string[] = [],
    /** Test-only cheats (workers/earn/cheats.ts): runs the cheating entry e2e/support/cheating-worker.ts instead. */
    private readonly cheats?: string,
  ) {}

  start(): void {
    this.text = "";
    const flags = ["--key-file", this.keyFile, "--cores", "1", "--tick-ms", "1000", ...this.args];
    const [command, args] = this.cheats
      ? [join(root, "node_modules/.bin/node"), ["--import", "tsx", "e2e/support/cheating-worker.ts", "--cheats", this.cheats, ...flags]]
      : ["npm", ["run", "--silent", "worker", "--", ...flags]];
    this.proc = spawn(command, args, {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CC_RPC_PORT: String(this.stack.rpcPort),
        CC_IPFS_PORT: String(this.stack.ipfsPort),
        CC_APP_PORT: String(this.stack.appPort),
        CC_DATA_DIR: this.stack.dataDir,
        CC_LOCK_DIR: join(this.keyFile, "..", "locks"),
        PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
      },
    });
    const take = (d: Buffer) => {
      this.text += d.toString();
      if (process.env.CC_E2E_WORKER_LOG) process.stderr.write(`[${this.name}] ${d.toString()}`);
    };
    this.proc.stdout!.on("data", take);
    this.proc.stderr!.on("data", take);
    this.exit = new Promise((r) => this.proc!.once("exit", (code, signal) => r(code ?? signal)));
  }

  /** Everything it printed so far. */
  get output(): string {
    return this.text;
  }

  /** The account of its key file (written by the process on its first start). */
  get address(): Address {
    return privateKeyToAccount(readFileSync(this.keyFile, "utf8").trim() as Hex).address;
  }

  /** Resolves once a printed line matches; throws with the output when the process exits or time runs out. */
  async waitFor(line: RegExp, timeoutMs = 120_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let exited: number | string | null | undefined;
    void this.exit?.then((c) => (exited = c ?? "exited"));
    for (;;) {
      const hit = this.text.split("\n").find((l) => line.test(l));
      if (hit) return hit;
      if (exited !== undefined) throw new Error(`${this.name} exited (${exited}) before printing ${line}:\n${this.text}`);
      if (Date.now() > until) throw new Error(`${this.name} did not print ${line} within ${timeoutMs} ms:\n${this.text}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * The server dies (SIGKILL to the group): nothing is finished or handed back, and the account stays in the
   * verifier pool, as after a power cut. A later start() picks up from the chain and the state file.
   */
  async crash(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    process.kill(-this.proc.pid!, "SIGKILL");
    await this.exit;
  }

  /** Ctrl-C, as in its terminal; waits for it to finish what it holds and exit (it leaves the verifier pool). */
  async stop(timeoutMs = 60_000): Promise<number | string | null> {
    if (!this.proc) return null;
    // npm ends by the signal (signalCode, no exitCode): either means the group is gone.
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.proc.exitCode ?? this.proc.signalCode;
    process.kill(-this.proc.pid!, "SIGINT");
    const timer = setTimeout(() => {
      try {
        process.kill(-this.proc!.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    try {
      return await this.exit!;
    } finally {
      clearTimeout(timer);
    }
  }
}

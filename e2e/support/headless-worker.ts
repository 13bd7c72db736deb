/**
 * `npm run worker` as a server owner runs it, started from a test against a stack of e2e/stack/stack.ts: its own
 * key file (created by the process), its own process group (Ctrl-C reaches npm, tsx and the worker alike), the
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
  ) {}

  start(): void {
    this.text = "";
    this.proc = spawn("npm", ["run", "--silent", "worker", "--", "--key-file", this.keyFile, "--cores", "1", "--tick-ms", "1000", ...this.args], {
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
   * Ctrl-C, as in its terminal; waits for it to finish what it holds and exit. Resolves to the exit code the worker
   * printed on its last line (npm, the process started here, reports a Ctrl-C'd script as killed by SIGINT whatever
   * the script's own code), or to npm's code or signal when the worker printed none.
   */
  async stop(timeoutMs = 60_000): Promise<number | string | null> {
    const printed = () => {
      const codes = [...this.text.matchAll(/\(exit code (\d+)\)\s*$/gm)];
      return codes.length > 0 ? Number(codes[codes.length - 1]![1]) : undefined;
    };
    if (!this.proc || this.proc.exitCode !== null) return printed() ?? this.proc?.exitCode ?? null;
    process.kill(-this.proc.pid!, "SIGINT");
    const timer = setTimeout(() => {
      try {
        process.kill(-this.proc!.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    try {
      const exit = await this.exit!;
      return printed() ?? exit;
    } finally {
      clearTimeout(timer);
    }
  }
}

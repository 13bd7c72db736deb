/**
 * The body of `npm run worker` (scripts/worker.ts), as a function, so that a second entry can run the very same
 * process with extra ports: e2e/support/cheating-worker.ts adds the test-only cheats. This module must never import
 * workers/earn/cheats.ts (scripts/worker-graph.test.ts checks scripts/worker.ts's import graph); whatever an entry
 * adds comes in through `extra`. Flags, defaults, output and exit codes are documented in scripts/worker.ts.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createPublicClient, defineChain, http, parseUnits } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { formatCredits } from "../../lib/protocol/params.ts";
import { EarnEngine, type EngineSnapshot, type JobView } from "../earn/engine.ts";
import type { EnginePorts, Role } from "../earn/ports.ts";
import { ConfigError, loadOrCreateKey, readDeployments } from "./config.ts";
import { defaultLockDir } from "./file-lock.ts";
import { ensureGas } from "./gas.ts";
import { createNodePorts } from "./node-ports.ts";

const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3, locked: 4, forced: 130 } as const;
const ROLES: readonly Role[] = ["worker", "verifier", "auditor"];
const root = fileURLToPath(new URL("../..", import.meta.url));
const env = (name: string) => process.env[name] || undefined;

const USAGE = `usage: npm run worker -- --key-file FILE [options]

  --key-file FILE     the account's private key; created (mode 0600) if missing
  --cores N           task slots (default: cores - 1, at least 1)
  --roles LIST        any of worker,verifier,auditor (default: all three)
  --rpc URL           chain RPC (default http://127.0.0.1:$CC_RPC_PORT or 8545)
  --ipfs URL          IPFS node: gateway and uploads (default http://127.0.0.1:$CC_IPFS_PORT or 5050)
  --deployments FILE  deployed contracts (default $CC_DATA_DIR/deployments.json or .data/deployments.json)
  --stake CC          stake to keep, staked from the account's credit (default 5)
  --faucet URL        gas faucet (default http://127.0.0.1:$CC_APP_PORT/api/faucet or port 3000)
  --relay URL         gas relay for an account without ETH (default: none, direct transactions)
  --state FILE        where salts and job state are kept (default: FILE.state.json beside the key file)
  --tick-ms MS        how often the engine looks at the chain without new events (default 3000)`;

function time(): string {
  return new Date().toISOString().slice(11, 19);
}
const print = (line: string) => process.stdout.write(`${time()} ${line}\n`);
const fail = (code: number, message: string): never => {
  process.stderr.write(`${time()} error: ${message}\n`);
  process.exit(code);
};

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      "key-file": { type: "string" },
      cores: { type: "string" },
      roles: { type: "string" },
      rpc: { type: "string" },
      ipfs: { type: "string" },
      deployments: { type: "string" },
      stake: { type: "string" },
      faucet: { type: "string" },
      relay: { type: "string" },
      state: { type: "string" },
      "tick-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

/** Ports an entry adds to the ones of createNodePorts (a test entry: its cheats). */
export type WorkerExtras = Pick<EnginePorts, "cheats">;

/**
 * Parses `argv` (the flags after `npm run worker --`), sets up and starts the engine, and returns once it runs; the
 * process then exits by itself, on a signal or a failure, with one of EXIT's codes, as a CLI does.
 */
export async function runWorker(argv: readonly string[], extra: WorkerExtras = {}): Promise<void> {
  let flags: ReturnType<typeof parse>;
  try {
    flags = parse([...argv]);
  } catch (error) {
    fail(EXIT.usage, `${(error as Error).message}\n${USAGE}`);
  }
  if (flags!.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(EXIT.ok);
  }
  const keyFile = flags!["key-file"] ? resolve(flags!["key-file"]) : fail(EXIT.usage, `--key-file is required\n${USAGE}`);
  const cores = flags!.cores !== undefined ? Number(flags!.cores) : Math.max(1, availableParallelism() - 1);
  if (!Number.isInteger(cores) || cores < 1) fail(EXIT.usage, `--cores must be a whole number of at least 1, got ${flags!.cores}`);
  const roles = (flags!.roles ?? ROLES.join(",")).split(",").map((r) => r.trim()).filter(Boolean) as Role[];
  const badRole = roles.find((r) => !ROLES.includes(r));
  if (badRole || roles.length === 0) fail(EXIT.usage, `--roles takes worker, verifier and auditor, comma-separated (got ${flags!.roles})`);
  let stakeMcc: bigint;
  try {
    stakeMcc = parseUnits(flags!.stake ?? "5", 3);
    if (stakeMcc < 0n) throw new Error("negative");
  } catch {
    fail(EXIT.usage, `--stake takes an amount in CC, e.g. 5 or 2.5 (got ${flags!.stake})`);
  }
  const tickMs = Number(flags!["tick-ms"] ?? 3_000);
  if (!Number.isFinite(tickMs) || tickMs < 100) fail(EXIT.usage, `--tick-ms must be at least 100`);
  const rpcUrl = flags!.rpc ?? `http://127.0.0.1:${env("CC_RPC_PORT") ?? 8545}`;
  const ipfsUrl = flags!.ipfs ?? `http://127.0.0.1:${env("CC_IPFS_PORT") ?? 5050}`;
  const deploymentsFile = resolve(flags!.deployments ?? `${env("CC_DATA_DIR") ?? `${root}.data`}/deployments.json`);
  const faucetUrl = flags!.faucet ?? `http://127.0.0.1:${env("CC_APP_PORT") ?? 3000}/api/faucet`;
  const stateFile = resolve(flags!.state ?? `${keyFile}.state.json`);

  // ---------------------------------------------------------------- setup

  let key: ReturnType<typeof loadOrCreateKey>;
  try {
    key = loadOrCreateKey(keyFile);
  } catch (error) {
    fail(EXIT.usage, (error as Error).message);
  }
  const address = privateKeyToAccount(key!.privateKey).address;
  print(key!.created ? `created a new key in ${keyFile}: account ${address}` : `account ${address} (${keyFile})`);
  if (key!.warning) print(`warning: ${key!.warning}`);

  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 1 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch {
    fail(EXIT.unavailable, `the chain does not answer at ${rpcUrl} (is \`npm run dev\` running? or pass --rpc URL)`);
  }
  const chain = defineChain({ id: chainId!, name: `chain ${chainId!}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  const client = createPublicClient({ chain, transport: http(rpcUrl, { retryCount: 2 }), pollingInterval: 500 });

  let deployment: ReturnType<typeof readDeployments>;
  try {
    deployment = readDeployments(deploymentsFile, chainId!);
  } catch (error) {
    fail(error instanceof ConfigError ? EXIT.unavailable : EXIT.failed, (error as Error).message);
  }
  const marketCode = await client.getCode({ address: deployment!.contracts.TaskMarket.address }).catch(() => undefined);
  if (!marketCode || marketCode === "0x") {
    fail(EXIT.unavailable, `there is no TaskMarket code at ${deployment!.contracts.TaskMarket.address} on chain ${chainId!}: ${deploymentsFile} is stale (was the chain reset?)`);
  }

  try {
    const gas = await ensureGas({ client, address, faucetUrl, log: print });
    if (gas.funded === "already") print(`gas: the account has ETH`);
  } catch (error) {
    fail(EXIT.unavailable, (error as Error).message);
  }

  const ports = {
    ...createNodePorts({
      client,
      chain,
      rpcUrl,
      deployment: deployment!,
      privateKey: key!.privateKey,
      ipfsUrl,
      stateFile,
      lockDir: defaultLockDir(),
      slots: cores,
      relayUrl: flags!.relay,
    }),
    ...extra,
  };
  try {
    await ports.chain.loaded();
  } catch (error) {
    fail(EXIT.unavailable, (error as Error).message);
  }
  const engine = new EarnEngine(ports, { roles, slots: cores, autoStake: stakeMcc!, onLog: print, tickMs });

  // One line per job step the engine does not log itself (its transactions it does): fetch, compute, publish, and
  // how each job ended, with what it earned.
  const LOGGED_BY_ENGINE = new Set(["claiming", "committing", "submitting", "revealing", "waiting"]);
  const seen = new Map<string, string>();
  const jobLine = (j: JobView) => {
    const what = `${j.taskId.slice(0, 10)} ${j.typeName} as ${j.role}: ${j.stage}`;
    if (j.stage === "paid") return `${what} ${formatCredits(j.earned ?? 0n)}`;
    return j.detail ? `${what} (${j.detail})` : what;
  };
  engine.subscribe(() => {
    const s: EngineSnapshot = engine.getSnapshot();
    for (const j of s.jobs) {
      if (seen.get(j.key) === j.stage) continue;
      seen.set(j.key, j.stage);
      if (!LOGGED_BY_ENGINE.has(j.stage)) print(jobLine(j));
    }
  });

  // ---------------------------------------------------------------- run

  let interrupts = 0;
  let firstInterruptAt = 0;
  let exitCode: number = EXIT.ok;
  /**
   * One Ctrl-C can arrive more than once: the terminal signals the whole process group, and npm also forwards it to
   * its script. Signals within this long of the first are that same Ctrl-C.
   */
  const SAME_CTRL_C_MS = 1_000;
  const finish = (code: number) => {
    ports.dispose();
    const s = engine.getSnapshot();
    print(`stopped: earned ${formatCredits(s.earned)} final, ${formatCredits(s.pending)} pending (exit code ${code})`);
    process.exit(code);
  };
  const onSignal = (signal: string) => {
    if (interrupts > 0 && Date.now() - firstInterruptAt < SAME_CTRL_C_MS) return;
    interrupts += 1;
    if (interrupts === 1) firstInterruptAt = Date.now();
    if (interrupts === 1) {
      print(`${signal}: stopping (Ctrl-C again to exit at once; salts are kept in ${stateFile})`);
      void engine.stop().then(() => finish(exitCode));
    } else {
      print(`${signal} again: exiting now; a restart finishes what this account holds`);
      engine.dispose();
      finish(EXIT.forced);
    }
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  print(`chain ${chainId!} at ${rpcUrl}, IPFS ${ipfsUrl}, ${cores} slot${cores === 1 ? "" : "s"}, roles ${roles.join(",")}, stake ${formatCredits(stakeMcc!)}`);
  await engine.start();
  const started = engine.getSnapshot();
  if (started.status !== "running" && interrupts === 0) {
    if (ports.lock.heldBy) fail(EXIT.locked, `another process (pid ${ports.lock.heldBy.pid}) is already working for ${address}; one account works from one place at a time`);
    exitCode = EXIT.failed;
    process.stderr.write(`${time()} error: ${started.error ?? `the engine did not start (${started.status})`}\n`);
    finish(exitCode);
  }
}

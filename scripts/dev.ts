/**
 * `npm run dev`: the whole local system on 127.0.0.1 —
 * the EVM chain (anvil, state kept in <data>/chain/state.json across restarts) with the protocol deployed on
 * first start, the Helia IPFS node (blocks in <data>/ipfs), and the Next.js app (`next dev`).
 * `npm start` (this script with --prod): the same chain and IPFS node, and the app built with `next build`
 * against them, then served by `next start`.
 *
 * Settings (environment; the same names are listed in .env.example and the README):
 *   CC_RPC_PORT (8545), CC_IPFS_PORT (5050), CC_APP_PORT (3000), CC_DATA_DIR (<repo>/.data),
 *   CC_NEXT_DIST_DIR (.next: Next's build folder; a second stack in the same checkout needs its own),
 *   CC_IPFS_CORS_ORIGINS (default: the app's origin on CC_APP_PORT).
 * It sets NEXT_PUBLIC_RPC_URL, NEXT_PUBLIC_IPFS_GATEWAY and NEXT_PUBLIC_CONTRACTS_JSON for the app from the
 * values above, so they win over .env files (Next gives the process environment precedence).
 *
 * Every port is checked before anything starts; "ready" is printed once the chain, the IPFS node and the app all
 * answer. SIGINT (Ctrl-C), SIGTERM and SIGHUP stop everything; anvil writes its state on exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyServedPackageFiles, writeTaskCodeManifests } from "../wasm-tasks/code-cid-node.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const prod = process.argv.includes("--prod");
const dataDir = process.env.CC_DATA_DIR ?? `${root}.data`;
const distDir = process.env.CC_NEXT_DIST_DIR ?? ".next";
const port = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) {
    console.error(`${name}=${JSON.stringify(raw)} is not a port number (1-65535).`);
    process.exit(1);
  }
  return n;
};
const rpcPort = port("CC_RPC_PORT", 8545);
const ipfsPort = port("CC_IPFS_PORT", 5050);
const appPort = port("CC_APP_PORT", 3000);
const rpcUrl = `http://127.0.0.1:${rpcPort}`;
const ipfsUrl = `http://127.0.0.1:${ipfsPort}`;
const appUrl = `http://127.0.0.1:${appPort}`;
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

// ---------- before anything starts: free ports, no second next dev in this build folder ----------

const parts = [
  { what: "the chain (anvil)", port: rpcPort, variable: "CC_RPC_PORT" },
  { what: "the IPFS node", port: ipfsPort, variable: "CC_IPFS_PORT" },
  { what: "the app", port: appPort, variable: "CC_APP_PORT" },
];

/** True when nothing listens on 127.0.0.1:port (binding it is the check anvil, the IPFS node and Next will make). */
function portFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(p, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const problems: string[] = [];
for (const [i, part] of parts.entries()) {
  const clash = parts.slice(0, i).find((other) => other.port === part.port);
  if (clash) {
    problems.push(`${part.variable} and ${clash.variable} are both ${part.port}: ${part.what} and ${clash.what} need ports of their own.`);
  } else if (!(await portFree(part.port))) {
    problems.push(`Port ${part.port} is already in use, so ${part.what} cannot start there. Stop what uses it, or choose another port with ${part.variable}=<port>.`);
  }
}

/** Next keeps a lock in <distDir>/dev/lock while a `next dev` serves from that folder. */
function nextDevHolding(): string | undefined {
  const lock = join(root, distDir, "dev", "lock");
  if (prod || !existsSync(lock)) return undefined;
  try {
    const info = JSON.parse(readFileSync(lock, "utf8")) as { pid?: number; appUrl?: string; port?: number };
    if (!info.pid) return undefined;
    process.kill(info.pid, 0); // throws when that process is gone (a stale lock)
    return `pid ${info.pid}${info.appUrl ? `, ${info.appUrl}` : info.port ? `, port ${info.port}` : ""}`;
  } catch {
    return undefined;
  }
}
const holder = nextDevHolding();
if (holder) {
  problems.push(`Another next dev already serves this checkout from ${distDir}/ (${holder}). Stop it, or give this stack its own build folder with CC_NEXT_DIST_DIR=.next-2.`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error("A second stack beside a running one needs its own CC_RPC_PORT, CC_IPFS_PORT, CC_APP_PORT, CC_DATA_DIR and CC_NEXT_DIST_DIR. Nothing was started.");
  process.exit(1);
}

// next.config.ts turns Turbopack's on-disk dev cache off (a cache restored after a restart reloaded every page in a
// loop); an earlier run may have left one behind, hundreds of MB that nothing reads any more.
const staleCache = join(root, distDir, "dev", "cache", "turbopack");
if (!prod && existsSync(staleCache)) {
  rmSync(staleCache, { recursive: true, force: true });
  console.log(`removed ${distDir}/dev/cache/turbopack (an earlier next dev's cache; this app does not keep one)`);
}

mkdirSync(`${dataDir}/chain`, { recursive: true });

// ---------- children ----------

const children: ChildProcess[] = [];
let stopping = false;

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  // node_modules/.bin first, as under `npm run`: its `node` is the Node 22 that hardhat and next need.
  const PATH = `${root}node_modules/.bin:${process.env.PATH ?? ""}`;
  const child = spawn(command, args, { cwd: root, env: { ...process.env, PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `[${name}] `;
  const forward = (stream: NodeJS.ReadableStream, sink: NodeJS.WriteStream) =>
    stream.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (line.trim()) sink.write(line.startsWith(prefix) ? `${line}\n` : `${prefix}${line}\n`);
      }
    });
  forward(child.stdout!, process.stdout);
  forward(child.stderr!, process.stderr);
  children.push(child);
  child.once("exit", () => children.splice(children.indexOf(child), 1));
  return child;
}

/** A part that must keep running: its exit stops the stack. */
function vital(name: string, child: ChildProcess): void {
  child.once("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? `code ${code}`}); stopping`);
      stopAll(1);
    }
  });
}

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  console.log("stopping…");
  for (const child of children) child.kill("SIGINT");
  // anvil dumps its state on SIGINT; give it time before giving up.
  const deadline = setTimeout(() => {
    for (const child of children) child.kill("SIGKILL");
    process.exit(code);
  }, 15_000);
  Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", r))))).then(() => {
    clearTimeout(deadline);
    process.exit(code);
  });
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stopAll(0));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; the stack stopping (a part exited) ends the wait. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!stopping) {
    try {
      if (await check()) return true;
    } catch {
      // not up yet
    }
    if (Date.now() > until) {
      console.error(`${what} did not answer within ${Math.round(timeoutMs / 1000)} s; stopping`);
      stopAll(1);
      return false;
    }
    await pause(250);
  }
  return false;
}

const chainAnswers = async () => {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(5_000),
  });
  return res.ok && typeof ((await res.json()) as { result?: unknown }).result === "string";
};
const ipfsAnswers = async () => (await fetch(`${ipfsUrl}/health`, { signal: AbortSignal.timeout(5_000) })).ok;
/** The app answers when its deployments route serves the contracts (in dev this also compiles the route once). */
const appAnswers = async () => {
  const res = await fetch(`${appUrl}/api/deployments`, { signal: AbortSignal.timeout(120_000) });
  return res.ok && ((await res.json()) as { ok?: boolean }).ok === true;
};

// ---------- chain, IPFS node, deploy ----------

vital("the chain", start("chain", bin("anvil"), [
  "--host", "127.0.0.1",
  "--port", String(rpcPort),
  "--chain-id", "31337",
  "--state", `${dataDir}/chain/state.json`,
  "--state-interval", "5",
  // A block every second besides one per transaction, as a real chain keeps producing them: steps that wait for a
  // later block (an anchor's hash) must not stall on an idle chain.
  "--block-time", "1",
  "--mixed-mining",
  "--silent",
]));
// Node itself (this process's Node 22) with tsx as a loader: no wrapper process between the signal and the node.
vital("the IPFS node", start("ipfs", process.execPath, ["--import", "tsx", "ipfs/server.ts"], {
  CC_DATA_DIR: dataDir,
  CC_IPFS_PORT: String(ipfsPort),
  CC_IPFS_CORS_ORIGINS: process.env.CC_IPFS_CORS_ORIGINS ?? `http://127.0.0.1:${appPort},http://localhost:${appPort}`,
}));

if (!(await waitFor(`the chain at ${rpcUrl}`, chainAnswers, 30_000))) await new Promise(() => {});
console.log(`chain up at ${rpcUrl} (state in ${dataDir}/chain/state.json)`);
const deploymentsFile = `${dataDir}/deployments.json`;
const deploy = start("deploy", bin("hardhat"), ["run", "--network", "localhost", "scripts/deploy-local.ts"], {
  RPC_URL: rpcUrl,
  CC_DEPLOYMENTS_FILE: deploymentsFile,
});
const deployCode: number = await new Promise((r) => deploy.once("exit", (c) => r(c ?? 1)));
if (stopping) await new Promise(() => {});
if (deployCode !== 0) {
  console.error("deploying the contracts failed; stopping");
  stopAll(1);
  await new Promise(() => {});
}

// ---------- the app ----------

// The manifests a tab checks its task code against (wasm-tasks/code-cid-browser.ts), from this checkout, and the
// package files they list (codecs, the ffmpeg core and worker, the tfjs wasm), served where the task code loads them.
const cids = await writeTaskCodeManifests();
const served = await copyServedPackageFiles();
console.log(`task code manifests in public/task-code/ (${Object.keys(cids).length} types; npm run code-cids lists them), ${served.length} package files in public/node_modules/`);

// The values the browser bundle needs. In dev they are read as the app compiles; for --prod they are inlined by
// `next build` below (NEXT_PUBLIC_* are baked into the build; see .env.example).
const appEnv = {
  NEXT_PUBLIC_RPC_URL: rpcUrl,
  NEXT_PUBLIC_IPFS_GATEWAY: ipfsUrl,
  NEXT_PUBLIC_CONTRACTS_JSON: deploymentsFile,
  CC_NEXT_DIST_DIR: distDir,
};
if (prod) {
  console.log(`building the app for production (next build into ${distDir}/, against ${rpcUrl} and ${ipfsUrl})…`);
  const build = start("build", bin("next"), ["build"], appEnv);
  const buildCode: number = await new Promise((r) => build.once("exit", (c) => r(c ?? 1)));
  if (stopping) await new Promise(() => {});
  if (buildCode !== 0) {
    console.error("next build failed; stopping");
    stopAll(1);
    await new Promise(() => {});
  }
}
vital("the app", start("app", bin("next"), [prod ? "start" : "dev", "--hostname", "127.0.0.1", "--port", String(appPort)], appEnv));

const up = await Promise.all([
  waitFor(`the IPFS node at ${ipfsUrl}`, ipfsAnswers, 60_000),
  waitFor(`the app at ${appUrl}`, appAnswers, 600_000),
  waitFor(`the chain at ${rpcUrl}`, chainAnswers, 30_000),
]);
if (up.every(Boolean)) {
  console.log(`ready: app ${appUrl}${prod ? " (production build)" : ""}, chain ${rpcUrl}, IPFS ${ipfsUrl}. Ctrl-C to stop.`);
}

/**
 * `npm run dev`: the whole local system on 127.0.0.1 —
 * the EVM chain (anvil, state kept in .data/chain/state.json across restarts) with the protocol deployed on
 * first start, the Helia IPFS node (blocks in .data/ipfs), and the Next.js app (after writing the task code
 * manifests it serves, public/task-code/).
 * Ctrl-C stops everything; anvil writes its state on exit and every few seconds while running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeTaskCodeManifests } from "../wasm-tasks/code-cid-node.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const dataDir = process.env.CC_DATA_DIR ?? `${root}.data`;
const rpcPort = Number(process.env.CC_RPC_PORT ?? 8545);
const rpcUrl = `http://127.0.0.1:${rpcPort}`;
const ipfsPort = Number(process.env.CC_IPFS_PORT ?? 5050);
const appPort = Number(process.env.CC_APP_PORT ?? 3000);
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
mkdirSync(`${dataDir}/chain`, { recursive: true });

const children: ChildProcess[] = [];
let stopping = false;

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
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
  return child;
}

async function waitForRpc(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the chain did not answer at ${url} within ${timeoutMs} ms`);
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
  }, 10_000);
  Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", r))))).then(() => {
    clearTimeout(deadline);
    process.exit(code);
  });
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

const anvil = start("chain", `${root}node_modules/.bin/anvil`, [
  "--host", "127.0.0.1",
  "--port", String(rpcPort),
  "--chain-id", "31337",
  "--state", `${dataDir}/chain/state.json`,
  "--state-interval", "5",
  "--silent",
]);
const ipfs = start("ipfs", bin("tsx"), ["ipfs/server.ts"], {
  CC_DATA_DIR: dataDir,
  CC_IPFS_PORT: String(ipfsPort),
  CC_IPFS_CORS_ORIGINS: process.env.CC_IPFS_CORS_ORIGINS ?? `http://127.0.0.1:${appPort},http://localhost:${appPort}`,
});
for (const [name, child] of [["chain", anvil], ["ipfs", ipfs]] as const) {
  child.once("exit", (code) => {
    if (!stopping) {
      console.error(`${name} exited (code ${code}); stopping`);
      stopAll(1);
    }
  });
}

await waitForRpc(rpcUrl, 30_000);
console.log(`chain up at ${rpcUrl} (state in ${dataDir}/chain/state.json)`);
const deploymentsFile = `${dataDir}/deployments.json`;
const deploy = start("deploy", bin("hardhat"), ["run", "--network", "localhost", "scripts/deploy-local.ts"], {
  RPC_URL: rpcUrl,
  CC_DEPLOYMENTS_FILE: deploymentsFile,
});
const deployCode: number = await new Promise((r) => deploy.once("exit", (c) => r(c ?? 1)));
children.splice(children.indexOf(deploy), 1);
if (deployCode !== 0) {
  console.error("deploying the contracts failed; stopping");
  stopAll(1);
} else {
  // The manifests a tab checks its task code against (wasm-tasks/code-cid-browser.ts), from this checkout.
  const cids = await writeTaskCodeManifests();
  console.log(`task code manifests in public/task-code/ (${Object.keys(cids).length} types; npm run code-cids lists them)`);
  const app = start("app", bin("next"), ["dev", "--hostname", "127.0.0.1", "--port", String(appPort)], {
    NEXT_PUBLIC_RPC_URL: rpcUrl,
    NEXT_PUBLIC_IPFS_GATEWAY: `http://127.0.0.1:${ipfsPort}`,
    NEXT_PUBLIC_CONTRACTS_JSON: deploymentsFile,
  });
  app.once("exit", (code) => {
    if (!stopping) {
      console.error(`the app exited (code ${code}); stopping`);
      stopAll(1);
    }
  });
  console.log(`ready: app http://127.0.0.1:${appPort}, chain ${rpcUrl}, IPFS http://127.0.0.1:${ipfsPort}. Ctrl-C to stop.`);
}

/**
 * The chain and IPFS parts of `npm run dev`, without the app, for tests that drive the system from Node: anvil on
 * its own port, the protocol deployed by scripts/deploy-local.ts (the very deploy step of `npm run dev`, writing
 * `<dataDir>/deployments.json` as dev.ts does), and the real Helia node (ipfs/server.ts) with blocks in the same
 * temp data dir. Everything is stopped and removed by stop().
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type IpfsServer, startIpfsServer } from "../../ipfs/server.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

export type LocalStack = {
  dataDir: string;
  rpcPort: number;
  ipfsPort: number;
  rpcUrl: string;
  ipfsUrl: string;
  deploymentsFile: string;
  /** The env `npm run dev` gives its parts: a process started with it joins this stack by default. */
  env: Record<string, string>;
  /** How long the anvil start and the deploy took. */
  startMs: number;
  stop(): Promise<void>;
};

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

async function waitForRpc(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`anvil exited (code ${child.exitCode})`);
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`anvil did not answer at ${url} within ${timeoutMs} ms`);
}

export async function startLocalStack(options: { rpcPort: number; ipfsPort: number }): Promise<LocalStack> {
  const { rpcPort, ipfsPort } = options;
  for (const port of [rpcPort, ipfsPort]) if (await portInUse(port)) throw new Error(`port ${port} is already in use`);
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), "cc-node-e2e-"));
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  const ipfsUrl = `http://127.0.0.1:${ipfsPort}`;
  const deploymentsFile = join(dataDir, "deployments.json");
  const anvil = spawn(join(root, "node_modules/.bin/anvil"), ["--host", "127.0.0.1", "--port", String(rpcPort), "--chain-id", "31337", "--block-time", "1", "--mixed-mining", "--silent"], { stdio: "ignore" });
  const killAnvil = () => anvil.kill("SIGKILL");
  process.once("exit", killAnvil);
  let ipfs: IpfsServer | undefined;
  const stop = async () => {
    await ipfs?.stop().catch(() => undefined);
    if (anvil.exitCode === null) {
      anvil.kill("SIGTERM");
      await new Promise((r) => anvil.once("exit", r));
    }
    process.off("exit", killAnvil);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForRpc(rpcUrl, 30_000, anvil);
    let output = "";
    const deploy = spawn(join(root, "node_modules/.bin/hardhat"), ["run", "--network", "localhost", "scripts/deploy-local.ts"], {
      cwd: root,
      env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`, RPC_URL: rpcUrl, CC_DEPLOYMENTS_FILE: deploymentsFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    deploy.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    deploy.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((r) => deploy.once("exit", r));
    if (code !== 0) throw new Error(`the deploy failed (code ${code}):\n${output.slice(-3000)}`);
    ipfs = await startIpfsServer({ dataDir, port: ipfsPort, log: () => {}, corsOrigins: "*" });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    dataDir,
    rpcPort,
    ipfsPort,
    rpcUrl,
    ipfsUrl,
    deploymentsFile,
    env: { CC_DATA_DIR: dataDir, CC_RPC_PORT: String(rpcPort), CC_IPFS_PORT: String(ipfsPort) },
    startMs: Date.now() - started,
    stop,
  };
}

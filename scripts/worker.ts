/**
 * `npm run worker`: the earn engine (workers/earn/engine.ts) headless, in Node — the same loop and the same
 * wasm-tasks/ code as an earn tab, with worker_threads, a key file, a JSON state file and direct transactions.
 *
 *   npm run worker -- --key-file FILE [--cores N] [--roles worker,verifier,auditor] [--rpc URL] [--ipfs URL]
 *                     [--deployments FILE] [--stake CC] [--faucet URL] [--relay URL] [--state FILE]
 *
 * Without flags it joins the local `npm run dev` stack (CC_RPC_PORT, CC_IPFS_PORT, CC_APP_PORT, CC_DATA_DIR as
 * there). A missing key file is created (mode 0600); the account gets gas from the app's faucet (on the local
 * chain, anvil_setBalance when the app is not up), runs the benchmark, registers with the measured rate, stakes and
 * earns. Ctrl-C stops claiming and finishes or hands back what the account holds (within the protocol's windows);
 * a second Ctrl-C exits at once: the salts are on disk and a restart picks up where this one left.
 *
 * Exit codes: 0 stopped cleanly; 1 failed while starting or running; 2 bad flags or key file; 3 the chain, the
 * deployments or gas are not available; 4 another process is already working for this account; 130 forced exit.
 * (npm itself reports a Ctrl-C'd script as ended by SIGINT, whatever the script's code: the last line says it.)
 *
 * The body is workers/node/cli.ts, shared with the test-only entry e2e/support/cheating-worker.ts; this entry passes
 * no extra ports, so what users run cannot reach workers/earn/cheats.ts (scripts/worker-graph.test.ts).
 */
import { runWorker } from "../workers/node/cli.ts";

await runWorker(process.argv.slice(2));

/**
 * Browser tests run in Debian's Chromium (`apt-get install -y chromium`), never a Playwright
 * download. The harness server (e2e/harness/server.ts) serves the bundled page and worker.
 */
import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./e2e/chromium.ts";

const port = Number(process.env.HARNESS_PORT ?? 4173);
// e2e/stack/ starts its own stack (scripts/dev.ts) on these ports; see e2e/stack/stack.ts.
const stackAppPort = Number(process.env.CC_E2E_APP_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  timeout: 120_000,
  // 2 cores: tasks are CPU-bound, parallel workers would only skew timing and timeouts.
  workers: 1,
  reporter: process.env.CI ? "list" : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  projects: [
    // The task types in the static harness page (webServer below).
    { name: "task-types", testIgnore: "stack/**" },
    // The real stack (chain, IPFS node, Next.js app), serially: prod starts its own (a production build); the others
    // share one app, each file on a fresh chain (e2e/stack/stack.ts, sharedStack).
    { name: "stack", testDir: "e2e/stack", timeout: 300_000, use: { baseURL: `http://127.0.0.1:${stackAppPort}` } },
  ],
  webServer: {
    command: `npx tsx e2e/harness/server.ts ${port}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: "pipe",
  },
});

/**
 * Shared by the bench scripts that time a task inside Chromium: starts the e2e harness server
 * and Debian's Chromium, and samples the resident memory of Chromium's whole process tree
 * (the task worker and ffmpeg's nested worker live in the renderer, so no in-page API sees
 * the wasm heaps; /proc does). Memory is PSS summed over the tree.
 *
 * Time and memory come from different runs. Reading smaps_rollup of every Chromium process each 50 ms costs
 * the kernel enough (wasm reserves gigabytes of address space per memory) to slow the task itself: zk-downscale
 * proved in 7.2-7.4 s in the harness while sampled and in 4.6-4.9 s unsampled, on this 2-core machine.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "@playwright/test";
import type { HarnessResult, HarnessRun } from "../e2e/harness/page.ts";

import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium.ts";

export { CHROMIUM_ARGS };

export type BrowserBench = {
  page: Page;
  /** A timed run. Also reports the CPU-seconds Chromium's process tree spent during it: on a shared, loaded machine that is steadier than wall time. */
  run(request: HarnessRun): Promise<HarnessResult & { cpuSeconds: number }>;
  /** A run for memory: the tree's PSS before it and its peak, sampled every 50 ms. Its time is not a figure (see above). */
  runForMemory(request: HarnessRun): Promise<HarnessResult & { peakRssBytes: number; baselineRssBytes: number }>;
  close(): Promise<void>;
};

/**
 * Proportional set size: shared pages (Chromium's binary, shared memory between its processes)
 * are divided among the processes sharing them, so a sum over the tree does not count them twice.
 */
function rssOf(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a process in seconds; includes its ended threads (e.g. finished workers). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime) in clock ticks; Linux reports USER_HZ = 100.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Sum of PSS over `root` and all its descendants. */
export function treeRss(root: number): number {
  return sumOverTree(root, rssOf);
}

export function treeCpuSeconds(root: number): number {
  return sumOverTree(root, cpuOf);
}

function sumOverTree(root: number, measure: (pid: number) => number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += measure(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Samples `measure()` every `everyMs` until stopped; returns the peak. */
export function peakSampler(measure: () => number, everyMs = 50): { stop(): number } {
  let peak = measure();
  const timer = setInterval(() => (peak = Math.max(peak, measure())), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, measure());
    },
  };
}

async function waitForServer(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`harness server did not start at ${url}`);
}

export async function startBrowserBench(port = 4180): Promise<BrowserBench> {
  // A server left on the port would serve an old bundle: refuse instead of timing stale code.
  if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) throw new Error(`port ${port} is already in use`);
  // Own process group, so stopping it also stops the node process npx starts.
  const server: ChildProcess = spawn("npx", ["tsx", "e2e/harness/server.ts", String(port)], { stdio: "ignore", detached: true });
  const stopServer = () => {
    try {
      process.kill(-server.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  };
  let browser: Browser | undefined;
  try {
    await waitForServer(`http://127.0.0.1:${port}/`, 60_000);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready", undefined, { timeout: 60_000 });
    const browserPid = (browser as unknown as { process?: () => ChildProcess }).process?.()?.pid;
    const rootPid = browserPid ?? findChromiumRoot();
    const b = browser;
    return {
      page,
      async run(request) {
        const cpuBefore = treeCpuSeconds(rootPid);
        const result = await page.evaluate((r) => window.harness.run(r), request);
        return { ...result, cpuSeconds: treeCpuSeconds(rootPid) - cpuBefore };
      },
      async runForMemory(request) {
        const baselineRssBytes = treeRss(rootPid);
        const sampler = peakSampler(() => treeRss(rootPid));
        try {
          const result = await page.evaluate((r) => window.harness.run(r), request);
          return { ...result, peakRssBytes: sampler.stop(), baselineRssBytes };
        } finally {
          sampler.stop();
        }
      },
      async close() {
        await b.close();
        stopServer();
      },
    };
  } catch (error) {
    await browser?.close();
    stopServer();
    throw error;
  }
}

/** Playwright does not expose the browser's pid for launch(); find the chromium started by us. */
function findChromiumRoot(): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (cmd.includes("chromium") && !cmd.includes("--type=") && isDescendant(ppid, process.pid)) return Number(entry);
    } catch {
      // gone
    }
  }
  throw new Error("could not find the Chromium process");
}

function isDescendant(pid: number, ancestor: number): boolean {
  for (let i = 0; i < 20 && pid > 1; i++) {
    if (pid === ancestor) return true;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      return false;
    }
  }
  return pid === ancestor;
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Fails early, with the apt command, when a system tool a bench needs is missing. */
export function requireTools(tools: { path: string; apt: string }[]): void {
  const missing = tools.filter((t) => spawnSync(t.path, ["--version"], { stdio: "ignore" }).error);
  if (missing.length) throw new Error(`missing ${missing.map((t) => t.path).join(", ")}: apt-get install -y ${[...new Set(missing.map((t) => t.apt))].join(" ")}`);
}

/**
 * What users run cannot reach the test-only cheat switch (workers/earn/cheats.ts, issue 10): scripts/worker.ts's
 * whole import graph, followed by esbuild as a bundler follows it, leaves cheats.ts out, while the test entry
 * e2e/support/cheating-worker.ts reaches it through the same walk (so this test can fail). The walk also enters the
 * files a module starts as threads (`new URL("./runner-thread.ts", import.meta.url)`): a cheat imported by a task
 * runner thread would run in the worker's process all the same.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const CHEATS = "workers/earn/cheats.ts";
/** A module file named relative to the one that names it, as `new URL(...)` does for a thread or worker entry. */
const URL_ENTRY = /new URL\(\s*["'`](\.{1,2}\/[^"'`]+\.(?:[cm]?[jt]s))["'`]\s*,\s*import\.meta\.url\s*\)/g;

/** Every file of ours that `entry` loads, statically, by a literal dynamic import, or as a thread entry. */
async function importGraph(entry: string): Promise<Set<string>> {
  const files = new Set<string>();
  const entries = new Set([resolve(root, entry)]);
  for (let done = 0; done < entries.size; ) {
    done = entries.size;
    const result = await build({
      entryPoints: [...entries],
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      outdir: "/nonexistent",
      platform: "node",
      format: "esm",
      target: "node22",
      // Packages cannot import our modules; only our own files are walked.
      packages: "external",
      logLevel: "silent",
    });
    for (const input of Object.keys(result.metafile.inputs)) {
      const file = resolve(root, input);
      files.add(relative(root, file));
      for (const m of readFileSync(file, "utf8").matchAll(URL_ENTRY)) {
        // A comment may quote a URL of a file that is not ours (a package's worker.js): only our files are entries.
        const named = resolve(dirname(file), m[1]!);
        if (existsSync(named)) entries.add(named);
      }
    }
  }
  return files;
}

test("npm run worker's import graph (with its thread entries) leaves out the cheat switch", { timeout: 60_000 }, async () => {
  const graph = await importGraph("scripts/worker.ts");
  // The walk is real: it reaches the engine, the shared CLI body and the task runner thread.
  for (const f of ["workers/node/cli.ts", "workers/earn/engine.ts", "workers/node/runner-thread.ts"]) assert.ok(graph.has(f), `${f} in the graph`);
  assert.ok(!graph.has(CHEATS), `${CHEATS} must not be reachable from scripts/worker.ts; workers/earn/ files in the graph: ${[...graph].filter((f) => f.includes("earn/")).join(", ")}`);
  assert.ok(![...graph].some((f) => f.startsWith("e2e/")), "nothing under e2e/ either");
});

test("the cheating test entry's graph, walked the same way, holds the cheat switch", { timeout: 60_000 }, async () => {
  const graph = await importGraph("e2e/support/cheating-worker.ts");
  assert.ok(graph.has(CHEATS));
  assert.ok(graph.has("workers/node/cli.ts"), "it runs the same CLI body as npm run worker");
});

/** The packages of the app's UI layer: the engine and its ports must run where none of them exists. */
const UI_PACKAGES = /^(react|react-dom|wagmi|next|@tanstack\/react-query|@wagmi\/.*)(\/|$)/;

test("no file under workers/ imports React, wagmi or Next (the engine runs in Node as it runs in a tab)", { timeout: 60_000 }, async () => {
  const { readdirSync } = await import("node:fs");
  const files = (readdirSync(resolve(root, "workers"), { recursive: true }) as string[]).filter((f) => /\.[cm]?[jt]sx?$/.test(f) && !f.endsWith(".test.ts")).map((f) => `workers/${f}`);
  assert.ok(files.includes("workers/earn/engine.ts") && files.includes("workers/node/node-ports.ts"), "the walk sees the engine and its Node ports");
  const offenders: string[] = [];
  for (const f of files) {
    const result = await build({ entryPoints: [resolve(root, f)], absWorkingDir: root, bundle: true, write: false, metafile: true, outdir: "/nonexistent", platform: "neutral", format: "esm", packages: "external", logLevel: "silent" });
    for (const output of Object.values(result.metafile.outputs)) {
      for (const imp of output.imports) if (imp.external && UI_PACKAGES.test(imp.path)) offenders.push(`${f} -> ${imp.path}`);
    }
  }
  assert.deepEqual(offenders, []);
  // The same check sees a UI import where there is one: the app's earn hook imports React.
  const hook = await build({ entryPoints: [resolve(root, "app/_components/useEarnEngine.ts")], absWorkingDir: root, bundle: true, write: false, metafile: true, outdir: "/nonexistent", platform: "neutral", format: "esm", packages: "external", logLevel: "silent" });
  assert.ok(Object.values(hook.metafile.outputs).some((o) => o.imports.some((i) => i.external && UI_PACKAGES.test(i.path))), "the check can fail");
});

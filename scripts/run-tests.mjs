#!/usr/bin/env node
// Runs every test suite of the project, streams its output, and ends with one plain
// "N passed, N failed" line for the whole run (CI reads that line).
import { spawn } from "node:child_process";

const suites = [
  { name: "contracts", command: "npx", args: ["hardhat", "test"] },
  // tsc over tsconfig.json (contracts, their tests, lib, scripts, workers, wasm-tasks, e2e, bench; the mocks' and
  // contracts' types come from the build). The app's tsconfig.app.json is checked by `next build` (the stack suite).
  { name: "types", command: "npm", args: ["run", "--silent", "typecheck"] },
  { name: "unit", command: "npm", args: ["run", "--silent", "test:unit"] },
  // The earn engine in Node against anvil + the deploy + Helia, and `npm run worker` as a process (e2e/node/).
  { name: "integration", command: "npm", args: ["run", "--silent", "test:integration"] },
  // The browser suite (npm run test:e2e) in its two Playwright projects: the task types in the harness page, and the
  // real stack.
  { name: "browser", command: "npm", args: ["run", "--silent", "test:e2e", "--", "--project=task-types"] },
  { name: "e2e", command: "npm", args: ["run", "--silent", "test:e2e", "--", "--project=stack"] },
];

// Each runner prints its totals in its own words; these patterns read them.
const counters = [
  { pass: /^\s*(\d+) passing\b/m, fail: /^\s*(\d+) failing\b/m }, // hardhat solidity tests / mocha-style
  { pass: /^# pass (\d+)$/m, fail: /^# fail (\d+)$/m }, // node:test (tap / spec summary)
  { pass: /^\s*ℹ pass (\d+)$/m, fail: /^\s*ℹ fail (\d+)$/m }, // node:test spec reporter
  { pass: /^\s*(\d+) passed\b/m, fail: /^\s*(\d+) failed\b/m }, // playwright
];

function sumAll(output, regex) {
  const global = new RegExp(regex.source, "gm");
  let total = 0;
  for (const match of output.matchAll(global)) total += Number(match[1]);
  return total;
}

/**
 * Runs one suite. `live` streams its output as it comes; otherwise it is kept and printed in one piece when the
 * suite ends, so that two suites running side by side never interleave their lines.
 */
async function runSuite({ name, command, args, always }, live) {
  const wanted = process.env.TEST_SUITES?.split(",");
  if (wanted && !always && !wanted.includes(name)) return null;
  const header = `\n=== ${name}: ${command} ${args.join(" ")}`;
  if (live) console.log(header);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let output = "";
    const tee = (stream, sink) =>
      stream.on("data", (chunk) => {
        output += chunk;
        if (live) sink.write(chunk);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on("close", (code) => {
      if (!live) console.log(`${header}\n${output}`);
      // Strip ANSI colour codes before counting.
      const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
      let passed = 0;
      let failed = 0;
      for (const { pass, fail } of counters) {
        passed += sumAll(plain, pass);
        failed += sumAll(plain, fail);
      }
      // A runner that crashed before counting anything still counts as one failure.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ name, passed, failed, code, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

// The contracts are compiled first (solc-js, about a minute on a fresh clone; the contracts suite, the deploy step
// of the integration and stack suites read the build), beside the unit suite, which needs no build. Then the
// contracts suite (about one core) runs beside the integration suite and the task types' browser tests, which wait on
// a chain or a page much of the time and share the other core. The stack's browser tests run alone after them
// (measured: beside the others they ran 2.5x slower and their timeouts got tight). TEST_SERIAL=1 runs everything one
// after another.
// TEST_SUITES never leaves the build out: every suite but unit reads it.
const build = { name: "build", command: "npx", args: ["hardhat", "build"], always: true };
const byName = (name) => suites.find((s) => s.name === name);
const finished = [];
const run = async (suite, live) => {
  const result = await runSuite(suite, live);
  if (result) finished.push(result);
  return result;
};
if (process.env.TEST_SERIAL) {
  await run(build, true);
  for (const suite of suites) await run(suite, true);
} else {
  console.log("\n=== side by side: build | unit, then contracts | integration | browser (each printed when it ends)");
  const built = run(build, false);
  const unit = run(byName("unit"), false);
  await Promise.all([
    // The type check (30-35 s alone, about 50 s here; one core) takes the core the contracts suite leaves.
    built.then(() => run(byName("contracts"), false)).then(() => run(byName("types"), false)),
    Promise.all([built, unit]).then(() => run(byName("integration"), false)),
    unit.then(() => run(byName("browser"), false)),
  ]);
  await run(byName("e2e"), true);
}
const results = [build, ...suites].map((s) => finished.find((r) => r.name === s.name)).filter(Boolean);
console.log("\n=== summary");
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed (exit ${r.code}, ${r.seconds} s)`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.every((r) => r.code === 0) ? 0 : 1);

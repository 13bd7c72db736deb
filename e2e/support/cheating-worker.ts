/**
 * Test-only: `npm run worker` with the cheat switch on (workers/earn/cheats.ts), for the tests that need a dishonest
 * party. It is the same process as scripts/worker.ts (workers/node/cli.ts runWorker), with one more flag:
 *
 *   node --import tsx e2e/support/cheating-worker.ts --cheats corrupt:worker --key-file FILE [npm run worker's other flags]
 *
 * `--cheats` takes cheats.ts's rule list (`corrupt`, `silent`, each optionally `:role`, comma-separated). This file
 * lives under e2e/ so that nothing users run can import it; scripts/worker-graph.test.ts checks that
 * scripts/worker.ts's import graph stays free of cheats.ts while this one's holds it.
 */
import { CHEAT_MARKER, cheatsFrom } from "../../workers/earn/cheats.ts";
import { runWorker } from "../../workers/node/cli.ts";

const argv = process.argv.slice(2);
const at = argv.indexOf("--cheats");
const spec = at >= 0 ? argv[at + 1] : undefined;
const cheats = cheatsFrom(spec);
if (!spec || !cheats) {
  process.stderr.write("usage: cheating-worker.ts --cheats RULES [npm run worker's flags]\n");
  process.exit(2);
}
argv.splice(at, 2);
// Said first, so that a log read later shows which account was the cheater.
process.stdout.write(`${CHEAT_MARKER}: cheats on (${spec})\n`);
await runWorker(argv, { cheats });

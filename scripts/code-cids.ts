/**
 * `npm run code-cids`: each task type's code CID as this checkout holds it (wasm-tasks/code-cid.ts), the value the
 * deploy step registers in TaskTypeRegistry.codeCid.
 *   npm run code-cids                      one "type  cid" line per type
 *   npm run code-cids -- --json            {"type": "cid", ...}
 *   npm run code-cids -- --manifest TYPE   the type's manifest (canonical JSON: its CID is the code CID)
 *   npm run code-cids -- --write [DIR]     write every manifest to DIR/<type>.json (default public/task-code/,
 *                                          served to tabs as /task-code/<type>.json) and copy the package files they
 *                                          list to public/node_modules/; run by `npm run dev` and app:build
 */
import { relative, resolve } from "node:path";
import { canonicalManifestBytes } from "../wasm-tasks/code-cid.ts";
import { MANIFEST_DIR, REPO_ROOT, allTaskCodeCids, copyServedPackageFiles, taskCodeManifest, writeTaskCodeManifests } from "../wasm-tasks/code-cid-node.ts";

const args = process.argv.slice(2);
const flag = (name: string) => args.indexOf(name);

if (flag("--manifest") >= 0) {
  const type = args[flag("--manifest") + 1];
  if (!type) throw new Error("--manifest needs a task type name");
  process.stdout.write(canonicalManifestBytes(await taskCodeManifest(type)));
  process.stdout.write("\n");
} else if (flag("--write") >= 0) {
  const next = args[flag("--write") + 1];
  const dir = next && !next.startsWith("--") ? resolve(next) : MANIFEST_DIR;
  const cids = await writeTaskCodeManifests(dir);
  const served = await copyServedPackageFiles();
  console.log(`wrote ${Object.keys(cids).length} task code manifests to ${relative(REPO_ROOT, dir) || "."}/ and ${served.length} package files to public/node_modules/`);
} else {
  const cids = await allTaskCodeCids();
  if (flag("--json") >= 0) console.log(JSON.stringify(cids, null, 2));
  else for (const [type, cid] of Object.entries(cids)) console.log(`${type.padEnd(16)} ${cid}`);
}

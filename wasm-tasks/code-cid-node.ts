/**
 * Node side of the code CID (wasm-tasks/code-cid.ts): each task type's manifest and code CID computed from the files
 * on disk, the CodePort a headless worker gives its engine, and the manifests the app serves to tabs.
 * Node only (fs, the TypeScript parser); never imported by the app's bundle.
 */
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { outputCidString } from "./digest.ts";
import {
  CODE_MANIFEST_FORMAT,
  COMMON_SOURCES,
  RUNTIME_ASSETS,
  TASK_CODE,
  type FileRole,
  type TaskCodeFile,
  type TaskCodeManifest,
  byCodeUnits,
  canonicalManifestBytes,
  codeCidOfManifest,
} from "./code-cid.ts";

/** The repository this module sits in. */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export type CodeOptions = { /** Repository root to read from (default: this checkout). */ root?: string };

type Found = { sources: string[]; packages: Set<string>; packageDirs: Set<string>; assets: Map<string, Exclude<FileRole, "source">> };

/** A module's runtime references: specifiers it imports, and `new URL("…", import.meta.url)` literals. */
function references(path: string, text: string): { imports: string[]; urls: string[] } {
  const kind = path.endsWith(".mjs") || path.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind);
  const imports: string[] = [];
  const urls: string[] = [];
  const literal = (node: ts.Node | undefined) => (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // `import type` is erased; `import { type X }` is not (verbatimModuleSyntax keeps the import).
      if (!node.importClause?.isTypeOnly) imports.push(literal(node.moduleSpecifier)!);
    } else if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier && !node.isTypeOnly) imports.push(literal(node.moduleSpecifier)!);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const specifier = literal(node.arguments[0]);
      if (specifier !== undefined) imports.push(specifier);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "URL") {
      const [first, second] = node.arguments ?? [];
      const specifier = literal(first);
      if (specifier !== undefined && second && second.getText(file) === "import.meta.url") urls.push(specifier);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { imports, urls };
}

const packageNameOf = (specifier: string): string => {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
};

/** Node's lookup of a package's folder from a repository-relative directory: node_modules/<name> here, then above. */
function packageDir(root: string, fromDir: string, name: string): string {
  for (let dir = fromDir; ; dir = posix.dirname(dir)) {
    const candidate = posix.join(dir === "." ? "" : dir, "node_modules", name);
    if (existsSync(join(root, candidate, "package.json"))) return candidate;
    if (dir === "." || dir === "") throw new Error(`package ${name} (needed from ${fromDir}/) is not installed`);
  }
}

/** `name@version` of the package in `dir` and of every package it depends on, as installed. */
async function addPackageClosure(root: string, dir: string, into: Set<string>, seen: Set<string>): Promise<void> {
  if (seen.has(dir)) return;
  seen.add(dir);
  const json = JSON.parse(await readFile(join(root, dir, "package.json"), "utf8")) as { name: string; version: string; dependencies?: Record<string, string> };
  into.add(`${json.name}@${json.version}`);
  // `dependencies` only: optional ones differ per platform, peers are installed by whoever depends on them.
  // Type declarations (@types/*) never run, so a bump of one is no new code.
  for (const dep of Object.keys(json.dependencies ?? {}).filter((d) => !d.startsWith("@types/")).sort(byCodeUnits)) {
    await addPackageClosure(root, packageDir(root, dir, dep), into, seen);
  }
}

async function walk(root: string, typeName: string): Promise<Found> {
  const code = Object.hasOwn(TASK_CODE, typeName) ? TASK_CODE[typeName] : undefined;
  if (!code) throw new Error(`no task code is defined for ${JSON.stringify(typeName)} (wasm-tasks/code-cid.ts TASK_CODE)`);
  const sources = new Set<string>();
  const assets = new Map<string, Exclude<FileRole, "source">>();
  const packageDirs = new Set<string>();
  const queue = [code.entry, ...COMMON_SOURCES];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (sources.has(path)) continue;
    if (!path.startsWith("wasm-tasks/")) throw new Error(`${path}: task code must live in wasm-tasks/`);
    sources.add(path);
    const listed = RUNTIME_ASSETS[path] ?? [];
    for (const asset of listed) assets.set(asset.path, asset.role);
    const text = await readFile(join(root, path), "utf8");
    const { imports, urls } = references(path, text);
    const dir = posix.dirname(path);
    for (const specifier of imports) {
      if (specifier.startsWith(".")) queue.push(posix.normalize(posix.join(dir, specifier)));
      else if (!isBuiltin(specifier)) packageDirs.add(packageDir(root, dir, packageNameOf(specifier)));
    }
    for (const specifier of urls) {
      const target = posix.normalize(posix.join(dir, specifier));
      if (target.startsWith("wasm-tasks/") && /\.(ts|mjs|js)$/.test(target)) queue.push(target);
      else if (!listed.some((a) => a.path === target)) {
        throw new Error(`${path} loads ${target} at run time, but RUNTIME_ASSETS["${path}"] (wasm-tasks/code-cid.ts) does not list it`);
      }
    }
  }
  for (const path of assets.keys()) {
    if (path.startsWith("node_modules/")) packageDirs.add(`node_modules/${packageNameOf(path.slice("node_modules/".length))}`);
  }
  const packages = new Set<string>();
  const seen = new Set<string>();
  for (const dir of [...packageDirs].sort(byCodeUnits)) await addPackageClosure(root, dir, packages, seen);
  return { sources: [...sources], packages, packageDirs: seen, assets };
}

/**
 * Every file the code CID of `typeName` is computed from: the manifest's files, and the package.json of each package
 * whose version it lists. Nothing else is read (the tests copy exactly these and get the same CID).
 */
export async function taskCodeInputs(typeName: string, options: CodeOptions = {}): Promise<string[]> {
  const { sources, assets, packageDirs } = await walk(options.root ?? REPO_ROOT, typeName);
  return [...sources, ...assets.keys(), ...[...packageDirs].map((d) => `${d}/package.json`)].sort(byCodeUnits);
}

/** The manifest of `typeName`'s code as this checkout holds it. */
export async function taskCodeManifest(typeName: string, options: CodeOptions = {}): Promise<TaskCodeManifest> {
  const root = options.root ?? REPO_ROOT;
  const { sources, packages, assets } = await walk(root, typeName);
  const entries: [string, FileRole][] = [...sources.map((p): [string, FileRole] => [p, "source"]), ...assets];
  const files: TaskCodeFile[] = [];
  for (const [path, role] of entries.sort(([a], [b]) => byCodeUnits(a, b))) {
    files.push({ path, role, cid: await outputCidString(new Uint8Array(await readFile(join(root, path)))) });
  }
  return { format: CODE_MANIFEST_FORMAT, type: typeName, files, packages: [...packages].sort(byCodeUnits) };
}

/** The code CID of `typeName` as this checkout holds it (what the deploy step registers). */
export async function taskCodeCid(typeName: string, options: CodeOptions = {}): Promise<string> {
  return codeCidOfManifest(await taskCodeManifest(typeName, options));
}

/** Every defined type's code CID, in TASK_CODE order. */
export async function allTaskCodeCids(options: CodeOptions = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(TASK_CODE)) out[name] = await taskCodeCid(name, options);
  return out;
}

/** The default folder the app serves manifests from: public/task-code/<type>.json, i.e. /task-code/<type>.json. */
export const MANIFEST_DIR = join(REPO_ROOT, "public/task-code");

/**
 * Writes every type's manifest, in canonical bytes, to `dir/<type>.json`, and returns the code CIDs. A type name is
 * the file name as it is (servers decode the tab's URL-encoded request, `image-resize%402.json`, to it), so it is held
 * to characters no file system or URL treats specially. Run at dev start and before `next build`.
 */
export async function writeTaskCodeManifests(dir: string = MANIFEST_DIR, options: CodeOptions = {}): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const out: Record<string, string> = {};
  for (const name of Object.keys(TASK_CODE)) {
    const manifest = await taskCodeManifest(name, options);
    // Written aside and renamed: a running app may be serving the old manifest while this one is written.
    if (!/^[a-z0-9][a-z0-9@.-]*$/.test(name)) throw new Error(`task type name ${JSON.stringify(name)} has characters a manifest file name cannot carry`);
    const file = join(dir, `${name}.json`);
    await writeFile(`${file}.${process.pid}.tmp`, canonicalManifestBytes(manifest));
    await rename(`${file}.${process.pid}.tmp`, file);
    out[name] = await codeCidOfManifest(manifest);
  }
  return out;
}

/** The app's static folder: public/x is served at /x. */
export const PUBLIC_DIR = join(REPO_ROOT, "public");

/**
 * Copies every package file a tab loads by URL (the `fetched` node_modules/ entries of every type's manifest) to
 * `publicDir/node_modules/<path>`, so the app serves it at /node_modules/<path>: where wasm-tasks loads it by default
 * and where the tab's code check (code-cid-browser.ts) fetches it, so one mapping (code-cid.ts servedPath) holds for
 * both. Hard links where the file system allows (the ffmpeg core is 32 MB), copies otherwise. The folder is made
 * afresh each time, so a reinstalled package is never served stale and a file no type lists any more is not served.
 * Generated and gitignored; run with the manifests, at dev start and before `next build`. Returns the paths copied.
 */
export async function copyServedPackageFiles(publicDir: string = PUBLIC_DIR, options: CodeOptions = {}): Promise<string[]> {
  const root = options.root ?? REPO_ROOT;
  const paths = new Set<string>();
  for (const name of Object.keys(TASK_CODE)) {
    for (const f of (await taskCodeManifest(name, options)).files) if (f.role === "fetched" && f.path.startsWith("node_modules/")) paths.add(f.path);
  }
  // In place, never emptied first: another stack of this checkout may be serving these files right now (a second
  // `npm run dev`, the test suites). A file is replaced by an atomic rename, and only files no manifest lists go.
  for (const path of paths) {
    const source = join(root, path);
    const target = join(publicDir, path);
    const [from, to] = await Promise.all([stat(source), stat(target).catch(() => undefined)]);
    if (to && to.ino === from.ino && to.dev === from.dev) continue;
    if (to && to.size === from.size && (await readFile(target)).equals(await readFile(source))) continue;
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    await link(source, temporary).catch(() => copyFile(source, temporary));
    await rename(temporary, target);
  }
  const served = join(publicDir, "node_modules");
  const present = ((await readdir(served, { recursive: true, withFileTypes: true }).catch(() => [])) as import("node:fs").Dirent[])
    .filter((d) => d.isFile())
    .map((d) => relative(publicDir, join(d.parentPath, d.name)).split(sep).join("/"));
  for (const stale of present) if (!paths.has(stale)) await rm(join(publicDir, stale), { force: true });
  return [...paths].sort(byCodeUnits);
}

/**
 * The CodePort (workers/earn/ports.ts) of a Node process: the code CID of the files this process runs, from disk.
 * A type without a definition here has none (undefined). Computed once per type per port; `npm run worker` runs the
 * files it hashed (an edit while it runs is only seen by a new process, which is what runs it).
 */
export function nodeCodePort(options: CodeOptions = {}): { codeCid(typeName: string): Promise<string | undefined> } {
  const cache = new Map<string, Promise<string | undefined>>();
  return {
    codeCid(typeName) {
      let found = cache.get(typeName);
      if (!found) {
        found = Object.hasOwn(TASK_CODE, typeName) ? taskCodeCid(typeName, options) : Promise.resolve(undefined);
        found.catch(() => cache.delete(typeName));
        cache.set(typeName, found);
      }
      return found;
    },
  };
}

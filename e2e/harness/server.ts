/**
 * Test harness server for the browser tests: bundles the page entry and the task worker with
 * esbuild at start, and serves on 127.0.0.1 (no framework, no network):
 *   /                      the harness page (index.html)
 *   /build/<name>.js       bundles (page.js, task-worker.js), kept in memory
 *   /node_modules/<path>   files from node_modules only (wasm codecs, ffmpeg core, models)
 *   /fixtures/<type>/<f>   wasm-tasks/<type>/fixtures/<f>: committed golden-vector inputs
 *   /<path>                anything else from public/
 * Usage: npx tsx e2e/harness/server.ts [port]   (PORT env also works; default 4173)
 * To bundle another entry, add it to `entries` below.
 */
import { createServer, type ServerResponse } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const port = Number(process.argv[2] ?? process.env.PORT ?? 4173);

const entries = {
  page: join(root, "e2e/harness/page.ts"),
  "task-worker": join(root, "workers/task-worker.ts"),
  "task-code": join(root, "e2e/harness/task-code.ts"),
  // bench:zk times the two Groth16 provers side by side in a worker of this page.
  "zk-provers": join(root, "bench/zk-provers-worker.ts"),
};

const context = await esbuild.context({
  entryPoints: entries,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  outdir: "/build",
  sourcemap: "inline",
  logLevel: "warning",
  // Node-only branches import these dynamically and never run in the browser.
  external: ["node:*"],
});
let bundles = new Map<string, Uint8Array>();
/**
 * Rebuilt (incrementally) whenever a page loads its entry, so a server that Playwright reuses
 * from an earlier run (reuseExistingServer) never serves stale code; the worker bundle then
 * comes from the same build as the page that starts it.
 */
async function rebuild(): Promise<void> {
  const result = await context.rebuild();
  bundles = new Map((result.outputFiles ?? []).map((file) => [file.path, file.contents]));
}
await rebuild();

/** Cross-origin isolation, as the app sends it (next.config.ts): libvips in a worker needs SharedArrayBuffer. */
const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".mp4": "video/mp4",
  ".bin": "application/octet-stream",
};

/** Resolves `relative` under `base`, refusing anything that escapes it (../, absolute paths). */
function inside(base: string, relative: string): string | undefined {
  const full = resolve(base, `.${sep}${relative}`);
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

async function sendFile(res: ServerResponse, file: string | undefined): Promise<void> {
  try {
    if (!file || !(await stat(file)).isFile()) throw new Error("not a file");
    const body = await readFile(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "content-length": body.length, "cache-control": "no-store", ...ISOLATION });
    res.end(body);
  } catch {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
}

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
  if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();
  if (path === "/" || path === "/index.html") return sendFile(res, join(root, "e2e/harness/index.html"));
  if (path.startsWith("/build/")) {
    if (path === "/build/page.js") {
      try {
        await rebuild();
      } catch (error) {
        return void res.writeHead(500, { "content-type": "text/plain" }).end(`build failed: ${String(error)}`);
      }
    }
    const body = bundles.get(path);
    if (!body) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": types[".js"]!, "cache-control": "no-store", ...ISOLATION });
    return void res.end(body);
  }
  if (path.startsWith("/node_modules/")) return sendFile(res, inside(join(root, "node_modules"), path.slice("/node_modules/".length)));
  const fixture = /^\/fixtures\/([a-z0-9-]+)\/([^/]+)$/.exec(path);
  if (fixture) return sendFile(res, inside(join(root, "wasm-tasks", fixture[1]!, "fixtures"), fixture[2]!));
  return sendFile(res, inside(join(root, "public"), path.slice(1)));
});

server.listen(port, "127.0.0.1", () => console.log(`harness on http://127.0.0.1:${port}/`));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void context.dispose();
    server.close(() => process.exit(0));
  });
}

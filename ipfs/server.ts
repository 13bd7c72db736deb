/**
 * The project's local IPFS node: Helia (ipfs/node.ts) with blocks on disk, behind a small HTTP
 * API on 127.0.0.1 — a trustless gateway, CAR upload with pinning, a pin list and a health check.
 *
 *   GET  /ipfs/<cid>?format=raw   one block            application/vnd.ipld.raw
 *   GET  /ipfs/<cid>?format=car   the whole DAG, DFS   application/vnd.ipld.car
 *        (the Accept header works too; ?format wins)
 *   GET  /ipfs/<cid>              the file's bytes     application/octet-stream (previews)
 *   POST /upload?root=<cid>       CAR body (or header X-Root-Cid) -> checked, stored, pinned
 *   GET  /pins                    pinned roots with sizes
 *   GET  /health                  liveness + limits
 * Errors are JSON {error, message} with a stable code (see lib/ipfs/errors.ts).
 *
 * Standalone: `npm run ipfs`. Environment:
 *   CC_DATA_DIR (default <repo>/.data, as `npm run dev`; the node uses <dir>/ipfs), CC_IPFS_PORT (5050),
 *   CC_IPFS_MAX_UPLOAD_BYTES (100 MiB), CC_IPFS_CORS_ORIGINS (comma list or *; default the app
 *   on http://127.0.0.1:3000 and http://localhost:3000), CC_IPFS_MAX_CONCURRENT_UPLOADS (4).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { CarWriter } from "@ipld/car/writer";
import { exporter } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import { limitBytes } from "../lib/ipfs/car.ts";
import { parseCid, walkDag } from "../lib/ipfs/dag.ts";
import { IpfsError } from "../lib/ipfs/errors.ts";
import { importCar, type PinMetadata } from "./import-car.ts";
import { openIpfsNode, type IpfsNode } from "./node.ts";

export const DEFAULT_IPFS_PORT = 5050;
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
export const DEFAULT_CORS_ORIGINS = ["http://127.0.0.1:3000", "http://localhost:3000"];
const CAR_TYPE = "application/vnd.ipld.car";
const RAW_TYPE = "application/vnd.ipld.raw";

export type IpfsServerOptions = {
  /** Data directory; the node keeps everything under <dataDir>/ipfs. Default env CC_DATA_DIR or <repo>/.data (as npm run dev). */
  dataDir?: string;
  /** Port on 127.0.0.1; 0 picks a free one. Default env CC_IPFS_PORT or 5050. */
  port?: number;
  host?: string;
  /** Origins allowed by CORS ("*" for any). Default env CC_IPFS_CORS_ORIGINS or the app's origins. */
  corsOrigins?: string[] | "*";
  /** Largest accepted upload body in bytes. Default env CC_IPFS_MAX_UPLOAD_BYTES or 100 MiB. */
  maxUploadBytes?: number;
  /** Uploads staged at once (each up to maxUploadBytes in memory); more get 503. Default 4. */
  maxConcurrentUploads?: number;
  log?: (line: string) => void;
};

export type IpfsServer = {
  url: string;
  port: number;
  dataDir: string;
  node: IpfsNode;
  stop(): Promise<void>;
};

function envNumber(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  return n;
}

function envOrigins(): string[] | "*" | undefined {
  const value = process.env.CC_IPFS_CORS_ORIGINS?.trim();
  if (!value) return undefined;
  if (value === "*") return "*";
  return value.split(",").map((o) => o.trim().replace(/\/+$/, "")).filter(Boolean);
}

type Json = Record<string, unknown>;

function sendJson(res: ServerResponse, status: number, body: Json, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store", ...extra });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: string, message: string, extra?: Record<string, string>): void {
  sendJson(res, status, { error, message }, extra);
}

function errorStatus(err: IpfsError): number {
  return err.status ?? 400;
}

/** format=raw|car from ?format (wins) or the Accept header; undefined means "the file's bytes". */
function requestedFormat(url: URL, accept: string | undefined): "raw" | "car" | "file" | { bad: string } {
  const format = url.searchParams.get("format");
  if (format !== null) {
    if (format === "raw" || format === "car") return format;
    return { bad: format };
  }
  for (const part of (accept ?? "").split(",")) {
    const type = part.split(";")[0]!.trim().toLowerCase();
    if (type === RAW_TYPE) return "raw";
    if (type === CAR_TYPE) return "car";
  }
  return "file";
}

const immutable = "public, max-age=29030400, immutable";

export async function startIpfsServer(options: IpfsServerOptions = {}): Promise<IpfsServer> {
  const dataDir = options.dataDir ?? process.env.CC_DATA_DIR ?? fileURLToPath(new URL("../.data", import.meta.url));
  const port = options.port ?? envNumber("CC_IPFS_PORT") ?? DEFAULT_IPFS_PORT;
  const host = options.host ?? "127.0.0.1";
  const maxUploadBytes = options.maxUploadBytes ?? envNumber("CC_IPFS_MAX_UPLOAD_BYTES") ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxConcurrentUploads = options.maxConcurrentUploads ?? envNumber("CC_IPFS_MAX_CONCURRENT_UPLOADS") ?? 4;
  const corsOrigins = options.corsOrigins ?? envOrigins() ?? DEFAULT_CORS_ORIGINS;
  const allowed = corsOrigins === "*" ? "*" : new Set(corsOrigins.map((o) => o.replace(/\/+$/, "")));
  const log = options.log ?? ((line: string) => console.log(`[ipfs] ${line}`));

  const node = await openIpfsNode(dataDir);

  // Pin bookkeeping in Helia is read-modify-write per block: one pin operation at a time.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  };
  let uploads = 0;
  const shutdown = new AbortController();

  function cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!origin) return;
    if (allowed === "*" || allowed.has(origin)) {
      res.setHeader("access-control-allow-origin", allowed === "*" ? "*" : origin);
      res.setHeader("vary", "Origin, Accept");
      res.setHeader("access-control-expose-headers", "content-length, content-type, etag, x-ipfs-roots");
    }
  }

  async function handleGateway(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rest = url.pathname.slice("/ipfs/".length);
    const [cidText, ...path] = rest.split("/");
    if (path.some((p) => p !== "")) return sendError(res, 400, "unsupported_path", "paths under a CID are not served here; ask for the CID itself");
    let cid: CID;
    try {
      cid = parseCid(decodeURIComponent(cidText ?? ""));
    } catch (err) {
      return sendError(res, 400, "bad_cid", (err as Error).message);
    }
    const format = requestedFormat(url, req.headers.accept);
    if (typeof format === "object") return sendError(res, 400, "bad_format", `format=${format.bad} is not served; use raw, car or none`);
    const head = req.method === "HEAD";

    if (format === "raw") {
      const block = await node.getBlock(cid);
      if (!block) return sendError(res, 404, "not_found", `block ${cid} is not stored on this node`);
      res.writeHead(200, {
        "content-type": RAW_TYPE,
        "content-length": block.byteLength,
        etag: `"${cid}.raw"`,
        "cache-control": immutable,
        "x-content-type-options": "nosniff",
        "x-ipfs-roots": cid.toString(),
      });
      return void res.end(head ? undefined : block);
    }

    // car and file both need the whole DAG here: walk it first (leaves: presence only).
    const order: CID[] = [];
    let walk: Awaited<ReturnType<typeof walkDag>>;
    try {
      walk = await walkDag(
        cid,
        async (c, isLeaf) => (isLeaf ? ((await node.hasBlock(c)) ? new Uint8Array() : undefined) : node.getBlock(c)),
        (c) => void order.push(c),
      );
    } catch (err) {
      if (err instanceof IpfsError && err.code === "incomplete_dag") {
        const rootMissing = !(await node.hasBlock(cid));
        return sendError(res, 404, rootMissing ? "not_found" : "incomplete_dag", rootMissing ? `${cid} is not stored on this node` : err.message);
      }
      if (err instanceof IpfsError) return sendError(res, 404, "not_found", `${cid} is not served here: ${err.message}`);
      throw err;
    }

    if (format === "car") {
      res.writeHead(200, {
        "content-type": `${CAR_TYPE}; version=1; order=dfs; dups=n`,
        etag: `"${cid}.car"`,
        "cache-control": immutable,
        "x-content-type-options": "nosniff",
        "x-ipfs-roots": cid.toString(),
      });
      if (head) return void res.end();
      const { writer, out } = CarWriter.create([cid]);
      const writing = (async () => {
        try {
          for (const c of order) {
            const bytes = await node.getBlock(c);
            if (!bytes) throw new Error(`block ${c} vanished while streaming`);
            await writer.put({ cid: c, bytes });
          }
        } finally {
          await writer.close();
        }
      })();
      await Promise.all([pipeline(Readable.from(out), res), writing]);
      return;
    }

    if (walk.unixfsType !== "file" && walk.unixfsType !== "raw") {
      return sendError(res, 400, "not_a_file", `${cid} is a UnixFS ${walk.unixfsType}; fetch it with ?format=car`);
    }
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": walk.fileSize ?? 0,
      etag: `"${cid}"`,
      "cache-control": immutable,
      "x-content-type-options": "nosniff",
      "x-ipfs-roots": cid.toString(),
    });
    if (head) return void res.end();
    const entry = await exporter(cid, {
      async *get(c: CID) {
        const bytes = await node.getBlock(c);
        if (!bytes) throw new Error(`block ${c} is missing`);
        yield bytes;
      },
    });
    if (entry.type !== "file" && entry.type !== "raw") throw new Error(`${cid} is not a file (${entry.type})`);
    await pipeline(Readable.from(entry.content()), res);
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const fromQuery = url.searchParams.get("root");
    const fromHeader = req.headers["x-root-cid"];
    const claimedText = fromQuery ?? (typeof fromHeader === "string" ? fromHeader : undefined);
    const refuse = (status: number, error: string, message: string) => {
      // The body was not (fully) read: answer, then close the connection instead of reading on.
      // Reading on would let a client stream without end; draining a little lets it see the answer.
      sendError(res, status, error, message, { connection: "close" });
      if (req.complete) return;
      res.once("finish", () => setTimeout(() => req.destroy(), 250).unref());
      req.resume();
    };
    if (!claimedText) return refuse(400, "missing_root", "say which root CID the CAR holds: POST /upload?root=<cid> (or header X-Root-Cid)");
    if (fromQuery && typeof fromHeader === "string" && fromHeader.trim() !== fromQuery.trim()) {
      return refuse(400, "root_conflict", `?root=${fromQuery} and X-Root-Cid: ${fromHeader} disagree`);
    }
    let claimed: CID;
    try {
      claimed = parseCid(claimedText);
    } catch (err) {
      return refuse(400, "bad_cid", `the claimed root: ${(err as Error).message}`);
    }
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type && type !== CAR_TYPE && type !== "application/octet-stream") {
      return refuse(415, "unsupported_media_type", `the body must be a CAR (${CAR_TYPE}), not ${type}`);
    }
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (declared > maxUploadBytes) {
      return refuse(413, "too_large", `the upload is ${declared} bytes; the limit is ${maxUploadBytes} bytes`);
    }
    if (uploads >= maxConcurrentUploads) {
      return refuse(503, "busy", `the node is already taking ${uploads} uploads; try again shortly`);
    }
    uploads++;
    const aborted = new AbortController();
    const onClose = () => {
      if (!req.complete) aborted.abort(new Error("the client went away"));
    };
    req.once("close", onClose);
    try {
      const signal = AbortSignal.any([aborted.signal, shutdown.signal]);
      const result = await importCar(node, limitBytes(req.iterator({ destroyOnReturn: false }), maxUploadBytes, "the upload"), claimed, { signal, exclusive });
      log(`${result.pinned ? "pinned" : "already pinned"} ${result.cid} (${result.size ?? "?"} bytes, ${result.blocks} blocks)`);
      sendJson(res, result.pinned ? 201 : 200, result);
    } catch (err) {
      if (err instanceof IpfsError) {
        log(`upload of ${claimed} refused: ${err.code}: ${err.message}`);
        if (!req.complete) return refuse(errorStatus(err), err.code, err.message);
        return sendError(res, errorStatus(err), err.code, err.message);
      }
      if (aborted.signal.aborted) return void res.destroy();
      throw err;
    } finally {
      uploads--;
      req.off("close", onClose);
    }
  }

  async function handlePins(res: ServerResponse): Promise<void> {
    const pins: Json[] = [];
    for await (const pin of node.helia.pins.ls()) {
      const meta = pin.metadata as Partial<PinMetadata>;
      pins.push({ cid: pin.cid.toString(), size: meta.size ?? null, dagSize: meta.dagSize ?? null, blocks: meta.blocks ?? null, type: meta.unixfsType ?? null, pinnedAt: meta.pinnedAt ?? null });
    }
    pins.sort((a, b) => String(b.pinnedAt).localeCompare(String(a.pinnedAt)));
    sendJson(res, 200, { pins });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      cors(req, res);
      if (req.method === "OPTIONS") {
        if (req.headers.origin && (allowed === "*" || allowed.has(req.headers.origin))) {
          res.setHeader("access-control-allow-methods", "GET, HEAD, POST, OPTIONS");
          res.setHeader("access-control-allow-headers", "content-type, accept, x-root-cid");
          res.setHeader("access-control-max-age", "600");
          if (req.headers["access-control-request-private-network"]) res.setHeader("access-control-allow-private-network", "true");
        }
        return void res.writeHead(204).end();
      }
      const isGet = req.method === "GET" || req.method === "HEAD";
      if (url.pathname.startsWith("/ipfs/")) {
        if (!isGet) return sendError(res, 405, "method_not_allowed", `${req.method} is not allowed on /ipfs/`, { allow: "GET, HEAD" });
        return await handleGateway(req, res, url);
      }
      if (url.pathname === "/upload") {
        if (req.method !== "POST") return sendError(res, 405, "method_not_allowed", "POST a CAR to /upload?root=<cid>", { allow: "POST" });
        return await handleUpload(req, res, url);
      }
      if (url.pathname === "/pins" && isGet) return await handlePins(res);
      if (url.pathname === "/health" && isGet) {
        return sendJson(res, 200, { ok: true, helia: node.helia.status, maxUploadBytes, maxConcurrentUploads, uploadsInProgress: uploads });
      }
      return sendError(res, 404, "no_route", `no route ${req.method} ${url.pathname}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE") return;
      log(`error on ${req.method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) sendError(res, 500, "internal", `the node failed: ${(err as Error).message}`);
      else res.destroy();
    }
  });

  try {
    await new Promise<void>((resolvePromise, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolvePromise();
      });
    });
  } catch (err) {
    await node.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      // In-flight requests get a moment; then connections are cut and uploads abort.
      const grace = setTimeout(() => {
        shutdown.abort(new Error("the node is shutting down"));
        server.closeAllConnections();
      }, 2_000);
      await closed;
      clearTimeout(grace);
      await chain; // a pin in progress completes before the stores close
      await node.close();
    })());

  return { url, port: address.port, dataDir, node, stop };
}

async function main(): Promise<void> {
  const started = performance.now();
  const server = await startIpfsServer();
  console.log(`[ipfs] Helia node on ${server.url} (data in ${server.node.dir}), ready in ${Math.round(performance.now() - started)} ms (${process.uptime().toFixed(1)} s since the process started)`);
  let firstSignalAt: number | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (firstSignalAt !== undefined) {
        // Ctrl-C reaches the whole process group and `npm run dev` passes it on too: the same stop, twice.
        if (Date.now() - firstSignalAt < 2_000) return;
        console.log("[ipfs] second signal: exiting now");
        process.exit(1);
      }
      firstSignalAt = Date.now();
      console.log(`[ipfs] ${signal}: stopping`);
      server.stop().then(
        () => {
          console.log("[ipfs] stopped cleanly");
          process.exit(0);
        },
        (err) => {
          console.error("[ipfs] stop failed:", err);
          process.exit(1);
        },
      );
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error("[ipfs] failed to start:", (err as Error).message);
    process.exit(1);
  });
}

/**
 * The IPFS client of the app, the verifiers and the headless workers (browser and Node alike):
 *  - addFile: CID computed locally with the project's one importer (wasm-tasks/digest.ts), so an
 *    input's CID follows the same rule as every task output's, plus a CAR of its blocks;
 *  - uploadCar: POSTs that CAR to a node (ipfs/server.ts or any service with the same route),
 *    which checks it and pins it;
 *  - fetchVerified: fetches a CID from any trustless gateway as a CAR and trusts nothing: every
 *    block is hashed against its CID, the DAG is walked from the requested root, and only then
 *    are the file's bytes assembled. A lying or broken gateway gives an IpfsError, never bytes.
 * No Node-only imports (no fs, no Buffer): this file is bundled for the browser as is.
 */
import { exporter } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import { outputCid } from "../../wasm-tasks/digest.ts";
import { buildCar, limitBytes, readCarVerified, streamChunks, type Block } from "./car.ts";
import { blockKey, parseCid, walkDag } from "./dag.ts";
import { IpfsError, UploadRejectedError } from "./errors.ts";

export const CAR_CONTENT_TYPE = "application/vnd.ipld.car";
export const RAW_CONTENT_TYPE = "application/vnd.ipld.raw";
/** Default cap on what fetchVerified will accept (file bytes), same as the node's upload limit. */
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 60_000;

export type AddedFile = { cid: CID; car: Uint8Array; size: number };

/**
 * Chunks `bytes` exactly as wasm-tasks/digest.ts does (256 KiB raw leaves, balanced 174-wide,
 * CIDv1) and returns the root CID and a CAR with every block, root first, depth-first.
 */
export async function addFile(bytes: Uint8Array): Promise<AddedFile> {
  const blocks = new Map<string, Block>();
  const store = {
    async put(cid: CID, value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<CID> {
      const parts: Uint8Array[] = [];
      if (value instanceof Uint8Array) parts.push(value);
      else for await (const part of value as AsyncIterable<Uint8Array>) parts.push(part);
      blocks.set(blockKey(cid), { cid, bytes: concat(parts) });
      return cid;
    },
  };
  const cid = await outputCid(bytes, store);
  const ordered: Block[] = [];
  await walkDag(cid, async (c) => blocks.get(blockKey(c))?.bytes, (c, b) => void ordered.push({ cid: c, bytes: b }));
  return { cid, car: buildCar(cid, ordered), size: bytes.byteLength };
}

export type UploadResult = {
  cid: string;
  /** File size in bytes (UnixFS), when the root is a file. */
  size?: number;
  /** Total bytes of the DAG's blocks. */
  dagSize: number;
  blocks: number;
  /** False when the node already had this root pinned. */
  pinned: boolean;
};

type RequestOptions = { signal?: AbortSignal; timeoutMs?: number };

function withTimeout(options: RequestOptions, defaultMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? defaultMs);
  return options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
}

function rethrowFetchError(err: unknown, signal: AbortSignal, what: string): never {
  if (err instanceof IpfsError) throw err;
  if (signal.aborted) {
    const reason = signal.reason as Error | undefined;
    if (reason?.name === "TimeoutError") throw new IpfsError("timeout", `${what} timed out`);
    throw new IpfsError("aborted", `${what} was cancelled`);
  }
  throw new IpfsError("network_error", `${what} failed: ${(err as Error)?.message ?? String(err)}`);
}

function endpoint(base: string, path: string): string {
  return base.replace(/\/+$/, "") + path;
}

/**
 * Uploads a CAR whose single root is `cid` to `/upload` on `nodeUrl` and resolves once the node
 * has checked and pinned it. A refusal throws UploadRejectedError with the node's code, message
 * and HTTP status (e.g. 413 "too_large", 422 "root_mismatch").
 */
export async function uploadCar(nodeUrl: string, cid: CID | string, car: Uint8Array, options: RequestOptions = {}): Promise<UploadResult> {
  const root = typeof cid === "string" ? parseCid(cid) : cid;
  const signal = withTimeout(options, DEFAULT_TIMEOUT_MS * 5);
  let response: Response;
  try {
    response = await fetch(endpoint(nodeUrl, `/upload?root=${encodeURIComponent(root.toString())}`), {
      method: "POST",
      headers: { "content-type": CAR_CONTENT_TYPE, accept: "application/json" },
      body: car as BodyInit,
      signal,
    });
  } catch (err) {
    rethrowFetchError(err, signal, `uploading ${root}`);
  }
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON: reported below from the status alone
  }
  if (!response.ok) {
    const code = typeof body.error === "string" ? body.error : "http_error";
    const message = typeof body.message === "string" ? body.message : `the node answered HTTP ${response.status} ${response.statusText}`;
    throw new UploadRejectedError(code, message, response.status);
  }
  return body as UploadResult;
}

export type FetchOptions = RequestOptions & {
  /** Largest file accepted, in bytes (default 100 MiB). The CAR may be slightly larger. */
  maxBytes?: number;
};

/** CAR overhead allowed above maxBytes: headers, CIDs and dag-pb nodes (~0.05% for big files). */
function carLimit(maxBytes: number): number {
  return maxBytes + 64 * 1024 + Math.ceil(maxBytes / 100);
}

/**
 * Fetches `cid` from a trustless gateway (`GET <gateway>/ipfs/<cid>?format=car`) and returns the
 * file's bytes after checking every block against its CID and that the DAG under `cid` is
 * complete. Throws IpfsError: "hash_mismatch", "incomplete_dag", "too_large", "not_found",
 * "not_a_file", "bad_car", "timeout", "aborted", "http_error", "network_error".
 */
export async function fetchVerified(gatewayUrl: string, cid: CID | string, options: FetchOptions = {}): Promise<Uint8Array> {
  const root = typeof cid === "string" ? parseCid(cid) : cid;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const signal = withTimeout(options, DEFAULT_TIMEOUT_MS);
  const what = `fetching ${root}`;
  try {
    const response = await fetch(endpoint(gatewayUrl, `/ipfs/${root}?format=car&dag-scope=all`), {
      headers: { accept: `${CAR_CONTENT_TYPE};version=1;order=dfs;dups=n` },
      signal,
    });
    if (response.status === 404) throw new IpfsError("not_found", `the gateway does not have ${root}`, 404);
    if (!response.ok) throw new IpfsError("http_error", `the gateway answered HTTP ${response.status} for ${root}`, response.status);
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > carLimit(maxBytes)) throw new IpfsError("too_large", `${root} is ${declared} bytes as a CAR, over the limit of ${maxBytes} bytes`, 413);
    if (!response.body) throw new IpfsError("bad_car", `the gateway sent no body for ${root}`);
    // Roots in the header are advisory (the walk below starts from `root` whatever they say).
    const car = await readCarVerified(limitBytes(streamChunks(response.body), carLimit(maxBytes), `the CAR for ${root}`), { signal });
    const walk = await walkDag(root, async (c) => car.blocks.get(blockKey(c))?.bytes, undefined, signal);
    if (walk.unixfsType !== "file" && walk.unixfsType !== "raw") {
      throw new IpfsError("not_a_file", `${root} is a UnixFS ${walk.unixfsType}, not a file`);
    }
    if ((walk.fileSize ?? 0) > maxBytes) throw new IpfsError("too_large", `${root} is ${walk.fileSize} bytes, over the limit of ${maxBytes} bytes`, 413);
    const entry = await exporter(root, {
      async *get(c: CID) {
        const block = car.blocks.get(blockKey(c));
        if (!block) throw new IpfsError("incomplete_dag", `block ${c} is missing`);
        yield block.bytes;
      },
    }, { signal });
    if (entry.type !== "file" && entry.type !== "raw") throw new IpfsError("not_a_file", `${root} is not a file (${entry.type})`);
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const part of entry.content({ signal })) {
      total += part.byteLength;
      if (total > maxBytes) throw new IpfsError("too_large", `${root} is over the limit of ${maxBytes} bytes`, 413);
      parts.push(part);
    }
    return concat(parts);
  } catch (err) {
    rethrowFetchError(err, signal, what);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

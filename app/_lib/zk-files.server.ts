/**
 * Serving public/zk/ content-addressed, compressed and cached for a year (see wasm-tasks/zk-common/manifest.ts).
 * Hashes are computed from the files themselves (again only when a file's size or mtime changes), so the names can
 * never point at other bytes. Compressed copies (Brotli quality 5, or gzip 6) are made once per file and encoding
 * and kept in <distDir>/cache/zk/: the 37.9 MB downscale proving key is 18.3 MB as Brotli, 24.6 MB as gzip.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { constants, createBrotliCompress, createGzip } from "node:zlib";
import { type ZkManifest, hashedName } from "../../wasm-tasks/zk-common/manifest.ts";

export const zkDir = () => join(/*turbopackIgnore: true*/ process.cwd(), "public", "zk");
const cacheDir = () => join(/*turbopackIgnore: true*/ process.cwd(), process.env.CC_NEXT_DIST_DIR ?? ".next", "cache", "zk");

const hashes = new Map<string, { key: string; sha256: string }>();

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

export async function zkManifest(): Promise<ZkManifest> {
  const files: ZkManifest["files"] = {};
  for (const name of (await readdir(zkDir())).sort()) {
    const path = join(zkDir(), name);
    const s = await stat(path);
    if (!s.isFile()) continue;
    const key = `${s.size}:${s.mtimeMs}`;
    let known = hashes.get(name);
    if (!known || known.key !== key) hashes.set(name, (known = { key, sha256: await sha256Of(path) }));
    files[name] = { sha256: known.sha256, bytes: s.size, url: hashedName(name, known.sha256) };
  }
  return { files };
}

export type Encoding = "br" | "gzip" | "identity";

export function pickEncoding(acceptEncoding: string | null): Encoding {
  const accepted = new Set((acceptEncoding ?? "").split(",").map((p) => p.split(";")[0]!.trim().toLowerCase()));
  return accepted.has("br") ? "br" : accepted.has("gzip") ? "gzip" : "identity";
}

const making = new Map<string, Promise<string>>();

/** The path of the file's bytes in this encoding (made once, then read from the cache). */
export function encodedPath(name: string, sha256: string, encoding: Encoding): Promise<string> {
  const source = join(zkDir(), name);
  if (encoding === "identity") return Promise.resolve(source);
  const target = join(cacheDir(), `${sha256}.${encoding}`);
  let pending = making.get(target);
  if (!pending) {
    pending = (async () => {
      if (await stat(target).then((s) => s.isFile(), () => false)) return target;
      await mkdir(cacheDir(), { recursive: true });
      const partial = `${target}.${process.pid}.partial`;
      const compress = encoding === "br" ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) : createGzip({ level: 6 });
      await pipeline(createReadStream(source), compress, createWriteStream(partial));
      await rename(partial, target);
      return target;
    })();
    pending.catch(() => making.delete(target));
    making.set(target, pending);
  }
  return pending;
}

export const contentType = (name: string): string =>
  name.endsWith(".wasm") ? "application/wasm" : name.endsWith(".json") ? "application/json" : "application/octet-stream";

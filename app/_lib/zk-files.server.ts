/**
 * Serving public/zk/ content-addressed and cached for a year (see wasm-tasks/zk-common/manifest.ts). Hashes are
 * computed from the files themselves (again only when a file's size or mtime changes), so a name can never point
 * at other bytes. The gzip copies (level 6: the 37.9 MB downscale proving key is 24.6 MB) are made once per file
 * and kept in <distDir>/cache/zk/.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
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
    const url = hashedName(name, known.sha256);
    const gz = await gzipPath(name, known.sha256);
    files[name] = { sha256: known.sha256, bytes: s.size, url, gzip: { url: `${url}.gz`, bytes: (await stat(gz)).size } };
  }
  return { files };
}

const making = new Map<string, Promise<string>>();

/** The path of the file's gzip copy (made once, then read from the cache). */
export function gzipPath(name: string, sha256: string): Promise<string> {
  const target = join(cacheDir(), `${sha256}.gz`);
  let pending = making.get(target);
  if (!pending) {
    pending = (async () => {
      if (await stat(target).then((s) => s.isFile(), () => false)) return target;
      await mkdir(cacheDir(), { recursive: true });
      const partial = `${target}.${process.pid}.partial`;
      await pipeline(createReadStream(join(zkDir(), name)), createGzip({ level: 6 }), createWriteStream(partial));
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

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { parseHashedName } from "../../../wasm-tasks/zk-common/manifest";
import { contentType, gzipPath, zkDir, zkManifest } from "../../_lib/zk-files.server";

export const dynamic = "force-dynamic";

/**
 * /zk/manifest.json: each zk artifact's SHA-256, size and content-addressed names (revalidated on every load).
 * /zk/<name>.<sha256 prefix>.<ext>: that artifact; with .gz appended, its gzip copy (the browser inflates it: a
 * route handler's Content-Encoding is dropped by Next). Both cached for a year.
 * (The plain names, /zk/<name>.<ext>, are public/zk itself, served by Next as static files.)
 */
export async function GET(request: Request, context: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await context.params;
  const manifest = await zkManifest();
  if (file === "manifest.json") {
    const body = JSON.stringify(manifest);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    const headers = { "content-type": "application/json", "cache-control": "no-cache", etag };
    if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
    return new Response(body, { headers });
  }
  const named = parseHashedName(file);
  const entry = named ? manifest.files[named.file] : undefined;
  if (!named || !entry || !entry.sha256.startsWith(named.hash)) {
    return new Response(`no zk artifact ${file} (see /zk/manifest.json)`, { status: 404, headers: { "cache-control": "no-store" } });
  }
  const path = named.gzip ? await gzipPath(named.file, entry.sha256) : join(zkDir(), named.file);
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
    headers: {
      "content-type": named.gzip ? "application/gzip" : contentType(named.file),
      "cache-control": "public, max-age=31536000, immutable",
      etag: `"${entry.sha256}${named.gzip ? ".gz" : ""}"`,
    },
  });
}

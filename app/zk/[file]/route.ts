import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { parseHashedName } from "../../../wasm-tasks/zk-common/manifest";
import { contentType, encodedPath, pickEncoding, zkManifest } from "../../_lib/zk-files.server";

export const dynamic = "force-dynamic";

/**
 * /zk/manifest.json: each zk artifact's SHA-256, size and content-addressed name (revalidated on every load).
 * /zk/<name>.<sha256 prefix>.<ext>: that artifact, compressed when the browser accepts it, cached for a year.
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
  const encoding = pickEncoding(request.headers.get("accept-encoding"));
  const path = await encodedPath(named.file, entry.sha256, encoding);
  const size = (await stat(path)).size;
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
    headers: {
      "content-type": contentType(named.file),
      "content-length": String(size),
      ...(encoding === "identity" ? {} : { "content-encoding": encoding }),
      "cache-control": "public, max-age=31536000, immutable",
      etag: `"${entry.sha256}"`,
      vary: "accept-encoding",
    },
  });
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";

export const dynamic = "force-dynamic";

/**
 * The image codecs' .wasm files (wasm-tasks/image-resize/codecs.ts) for the post form's input check:
 * `/wasm/node_modules/@jsquash/<pkg>/codec/...wasm`, read from node_modules (exact versions pinned in
 * package.json). Nothing else under node_modules is served.
 */
const ALLOWED = /^node_modules\/@jsquash\/(png|jpeg|webp)\/codec\/[a-z0-9_/]+\.wasm$/;

export async function GET(_request: Request, context: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const path = (await context.params).path.join("/");
  if (!ALLOWED.test(path) || path.includes("..")) return new Response("not found", { status: 404 });
  try {
    const body = await readFile(join(/*turbopackIgnore: true*/ process.cwd(), path));
    return new Response(body, { headers: { "content-type": "application/wasm", "cache-control": "public, max-age=86400" } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}

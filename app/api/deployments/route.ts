import { createHash } from "node:crypto";
import { loadDeployments } from "../../_lib/deployments.server";

export const dynamic = "force-dynamic";

/**
 * The contracts of the configured chain, read at request time (so a redeploy needs no rebuild). Every tab asks
 * again every 30 s: with the ETag an unchanged deployment is answered 304 with no body (not its ~64 KB of ABIs).
 */
export async function GET(request: Request): Promise<Response> {
  const result = await loadDeployments();
  const body = JSON.stringify(result);
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const headers = { "cache-control": "no-cache", etag, "content-type": "application/json" };
  if (result.ok && request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(body, { status: result.ok ? 200 : 503, headers });
}

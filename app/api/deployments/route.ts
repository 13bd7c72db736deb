import { loadDeployments } from "../../_lib/deployments.server";

export const dynamic = "force-dynamic";

/** The contracts of the configured chain, read at request time (so a redeploy needs no rebuild). */
export async function GET(): Promise<Response> {
  const result = await loadDeployments();
  return Response.json(result, { status: result.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}

/**
 * Gas relay: forwards an ERC-2771 ForwardRequest signed in the browser through ComputeCreditForwarder.execute,
 * paying the gas with the relayer key (RELAYER_PRIVATE_KEY; anvil #1 on the local chain). Only our contracts and
 * allowlisted functions (relay-policy.ts); rate limited per signer and per IP; errors in plain words.
 */
import { loadDeployments } from "../../_lib/deployments.server";
import { checkRelayRequest } from "../../_lib/relay-policy";
import { clientIp, createRateLimiter, retryWords } from "../../_lib/rate-limit";
import { explainError } from "../../_lib/revert";
import { serialized, serverPublicClient, walletFor } from "../../_lib/server-keys";

export const dynamic = "force-dynamic";

const perAddress = createRateLimiter({ limit: 30, windowMs: 60_000 });
const perIp = createRateLimiter({ limit: 120, windowMs: 60_000 });

const fail = (status: number, error: string) => Response.json({ error }, { status });

export async function POST(req: Request): Promise<Response> {
  const wallet = walletFor("relayer");
  if (!wallet) return fail(503, "the gas relay is off on this chain (no RELAYER_PRIVATE_KEY set)");
  const deployments = await loadDeployments();
  if (!deployments.ok) return fail(503, deployments.message);
  const { contracts } = deployments.deployment;

  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return fail(400, "the request body is not JSON");
  }
  // Deadlines are block time (what the forwarder checks), which need not be this server's clock.
  const head = await serverPublicClient.getBlock().catch(() => undefined);
  const check = checkRelayRequest(body, contracts, Math.max(Math.floor(Date.now() / 1000), Number(head?.timestamp ?? 0)));
  if (!check.ok) return fail(400, check.error);
  const { request } = check;

  const ip = perIp.take(clientIp(req.headers));
  if (!ip.ok) return fail(429, `too many relayed transactions from your network; ${retryWords(ip.retryAfterMs)}`);
  const who = perAddress.take(request.from.toLowerCase());
  if (!who.ok) return fail(429, `too many relayed transactions for this account; ${retryWords(who.retryAfterMs)}`);

  const forwarder = contracts.ComputeCreditForwarder;
  const abis = Object.values(contracts).map((c) => c.abi);
  try {
    const valid = await serverPublicClient.readContract({ address: forwarder.address, abi: forwarder.abi, functionName: "verify", args: [request] });
    if (valid !== true) return fail(400, "the signature does not match the account, or the request was already used; try again");
    // Simulate before paying: a call that would revert costs the relayer gas for nothing. Against the pending block,
    // where the transaction will land: a draw from an anchor mined in the latest block is due there, not in it.
    const { request: tx } = await serverPublicClient.simulateContract({
      account: wallet.account,
      address: forwarder.address,
      abi: forwarder.abi,
      functionName: "execute",
      args: [request],
      blockTag: "pending",
    });
    const hash = await serialized("relayer", async () => {
      const nonce = await serverPublicClient.getTransactionCount({ address: wallet.account.address, blockTag: "pending" });
      return wallet.writeContract({ ...tx, nonce });
    });
    return Response.json({ hash, function: `${check.contract}.${check.functionName}` });
  } catch (error) {
    return fail(422, `the relay did not send it: ${explainError(error, abis)}`);
  }
}

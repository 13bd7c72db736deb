/**
 * Test ETH for gas on the local chain (or wherever FAUCET_PRIVATE_KEY is set). Rate limited per address and
 * per IP; skips accounts that already hold enough.
 */
import { isAddress, parseEther } from "viem";
import { z } from "zod";
import { appConfig } from "../../_lib/config";
import { clientIp, createRateLimiter, retryWords } from "../../_lib/rate-limit";
import { explainError } from "../../_lib/revert";
import { serialized, serverPublicClient, walletFor } from "../../_lib/server-keys";

export const dynamic = "force-dynamic";

const perAddress = createRateLimiter({ limit: 1, windowMs: 10 * 60_000 });
const perIp = createRateLimiter({ limit: 30, windowMs: 60 * 60_000 });
const amount = parseEther(process.env.FAUCET_AMOUNT_ETH ?? "1");
const bodySchema = z.strictObject({ address: z.string().refine((a) => isAddress(a), "not an address") });

const fail = (status: number, error: string) => Response.json({ error }, { status });

export async function POST(req: Request): Promise<Response> {
  const wallet = walletFor("faucet");
  if (!wallet) return fail(503, `there is no faucet on chain ${appConfig.chainId}; get test ETH elsewhere or use the gas relay`);
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return fail(400, "the request body is not JSON");
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) return fail(400, "send {\"address\": \"0x…\"} with a valid address");
  const address = parsed.data.address as `0x${string}`;
  try {
    const balance = await serverPublicClient.getBalance({ address });
    if (balance >= amount / 2n) return Response.json({ skipped: true, message: "this account already has enough test ETH" });
    const ip = perIp.take(clientIp(req.headers));
    if (!ip.ok) return fail(429, `the faucet is busy for your network; ${retryWords(ip.retryAfterMs)}`);
    const who = perAddress.take(address.toLowerCase());
    if (!who.ok) return fail(429, `this account got test ETH recently; ${retryWords(who.retryAfterMs)}`);
    const hash = await serialized("faucet", async () => {
      const nonce = await serverPublicClient.getTransactionCount({ address: wallet.account.address, blockTag: "pending" });
      return wallet.sendTransaction({ to: address, value: amount, nonce });
    });
    return Response.json({ hash, amount: amount.toString() });
  } catch (error) {
    return fail(502, `the faucet could not send: ${explainError(error)}`);
  }
}

/**
 * Gas money for a headless worker's account on a development chain: the app's faucet (/api/faucet, rate limited,
 * what a tab's burner account gets), or, on the local anvil when the app is not up, anvil_setBalance. Other
 * chains need ETH sent to the account by its owner (or a gas relay).
 */
import { type Address, type PublicClient, formatEther, parseEther, toHex } from "viem";

export const LOCAL_CHAIN_ID = 31337;

export type GasOptions = {
  client: PublicClient;
  address: Address;
  /** Enough to work: below this the account is funded. */
  minimum?: bigint;
  /** The faucet route, e.g. http://127.0.0.1:3000/api/faucet; undefined: none. */
  faucetUrl?: string;
  /** What anvil_setBalance gives when there is no faucet. */
  amount?: bigint;
  log?: (line: string) => void;
};

export type GasResult = { funded: "already" | "faucet" | "anvil" ; balance: bigint };

export async function ensureGas(options: GasOptions): Promise<GasResult> {
  const { client, address } = options;
  const minimum = options.minimum ?? parseEther("0.05");
  const log = options.log ?? (() => {});
  const balance = await client.getBalance({ address });
  if (balance >= minimum) return { funded: "already", balance };
  let faucetError: string | undefined;
  if (options.faucetUrl) {
    try {
      const res = await fetch(options.faucetUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ address }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await res.json().catch(() => ({}))) as { hash?: `0x${string}`; error?: string };
      if (res.ok && body.hash) {
        await client.waitForTransactionReceipt({ hash: body.hash, timeout: 60_000 });
        const after = await client.getBalance({ address });
        log(`gas: ${formatEther(after)} ETH from the faucet`);
        return { funded: "faucet", balance: after };
      }
      faucetError = body.error ?? `HTTP ${res.status}`;
    } catch (error) {
      faucetError = error instanceof Error ? error.message : String(error);
    }
  }
  const chainId = await client.getChainId();
  if (chainId === LOCAL_CHAIN_ID) {
    const amount = options.amount ?? parseEther("10");
    try {
      await client.request({ method: "anvil_setBalance" as never, params: [address, toHex(amount)] as never });
      log(`gas: ${formatEther(amount)} ETH set on the local chain${faucetError ? ` (the faucet: ${faucetError})` : ""}`);
      return { funded: "anvil", balance: amount };
    } catch (error) {
      faucetError ??= error instanceof Error ? error.message.split("\n")[0] : String(error);
    }
  }
  throw new Error(
    `the account ${address} has ${formatEther(balance)} ETH, not enough for gas, and none could be had here${faucetError ? ` (${faucetError})` : ""}: send it some ETH on chain ${chainId}`,
  );
}

/**
 * The send port of `npm run worker` (workers/earn/ports.ts SendPort): lib/client's sendCall with a local private
 * key. Direct transactions (the account is funded with gas first, see gas.ts); a relay URL, when given, is the
 * fallback for an account without ETH. A revert rejects with its plain-word reason (lib/client/revert.ts).
 */
import { type Chain, type Hex, type PublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ChainDeployment } from "../../lib/client/deployments.ts";
import { type SendContext, sendCall } from "../../lib/client/send.ts";
import type { SendPort } from "../earn/ports.ts";

export type KeySendOptions = {
  client: PublicClient;
  deployment: ChainDeployment;
  chain: Chain;
  rpcUrl: string;
  privateKey: Hex;
  relayUrl?: string;
};

export function createKeySend(options: KeySendOptions): SendPort {
  const account = privateKeyToAccount(options.privateKey);
  const wallet = createWalletClient({ account, chain: options.chain, transport: http(options.rpcUrl, { retryCount: 1 }) });
  const ctx: SendContext = { client: options.client, deployment: options.deployment, chain: options.chain, relayUrl: options.relayUrl };
  return {
    account: account.address,
    async send(contract, functionName, args) {
      const { hash } = await sendCall(ctx, { address: account.address, kind: "key", client: wallet }, { contract, functionName, args });
      return hash;
    },
  };
}

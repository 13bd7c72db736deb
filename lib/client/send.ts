/**
 * Sends one contract call for an account: simulate first (reverts explained in plain words), then a direct
 * transaction when the account has ETH for gas, or an EIP-712 ForwardRequest signed here and relayed through
 * ComputeCreditForwarder by a gas relay (the app's /api/relay) when it has none (DESIGN §7). Framework-free: the
 * app binds it to its config (app/_lib/send.ts), `npm run worker` to its flags (workers/node/send.ts).
 *
 * Simulations and gas estimates run against the pending block, the first one a transaction sent now can land in:
 * a call that needs "a block after the anchor" (drawVerifiers, settle after the last reveal) passes there even on
 * a chain that mines only when a transaction arrives (anvil in `npm run dev`).
 */
import { type Abi, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient, encodeFunctionData } from "viem";
import { forwardRequestTypes } from "../protocol/forwarder.ts";
import type { ChainDeployment, ContractName } from "./deployments.ts";
import { explainError } from "./revert.ts";

export type Signer = {
  address: Address;
  /** burner: a key kept in the tab; injected: a browser wallet; key: a key file of `npm run worker`. */
  kind: "burner" | "injected" | "key";
  client: WalletClient<Transport, Chain, Account>;
};

export type SendContext = {
  client: PublicClient;
  deployment: ChainDeployment;
  /** The chain transactions are signed for. */
  chain: Chain;
  /** The gas relay (POST, JSON body `{request}`); undefined: direct transactions only. */
  relayUrl?: string;
  /** How long to wait for a receipt. */
  receiptTimeoutMs?: number;
};

export type ContractCall = { contract: ContractName; functionName: string; args?: readonly unknown[] };
export type SendStage = "checking" | "signing" | "relaying" | "sending" | "confirming";
export type SendResult = { hash: Hex; via: "relay" | "direct" };

export class ActionError extends Error {
  override readonly name = "ActionError";
}

export const allAbis = (d: ChainDeployment): Abi[] => Object.values(d.contracts).map((c) => c.abi);

/** Simulates a call as `from` in the pending block; resolves to the plain-word reason it would fail, or undefined if it would pass. */
export async function whyWouldFail(ctx: SendContext, from: Address, call: ContractCall): Promise<string | undefined> {
  const c = ctx.deployment.contracts[call.contract];
  try {
    await ctx.client.simulateContract({ address: c.address, abi: c.abi, functionName: call.functionName, args: call.args ?? [], account: from, blockTag: "pending" });
    return undefined;
  } catch (error) {
    return explainError(error, allAbis(ctx.deployment));
  }
}

export async function sendCall(ctx: SendContext, signer: Signer, call: ContractCall, onStage: (s: SendStage) => void = () => {}): Promise<SendResult> {
  const { client, deployment: d } = ctx;
  const abis = allAbis(d);
  const c = d.contracts[call.contract];
  onStage("checking");
  const reason = await whyWouldFail(ctx, signer.address, call);
  if (reason) throw new ActionError(reason);
  const data = encodeFunctionData({ abi: c.abi, functionName: call.functionName, args: call.args ?? [] });
  try {
    const [gas, balance, gasPrice] = await Promise.all([
      client.estimateGas({ account: signer.address, to: c.address, data, blockTag: "pending" }),
      client.getBalance({ address: signer.address }),
      client.getGasPrice(),
    ]);
    let result: SendResult;
    if (balance >= gas * gasPrice * 2n) {
      onStage("sending");
      if (signer.kind === "injected" && (await signer.client.getChainId()) !== ctx.chain.id) {
        throw new ActionError(`your wallet is on another chain; switch it to chain ${ctx.chain.id}`);
      }
      const hash = await signer.client.sendTransaction({ account: signer.client.account, chain: ctx.chain, to: c.address, data, gas: (gas * 15n) / 10n + 50_000n });
      result = { hash, via: "direct" };
    } else if (ctx.relayUrl) {
      result = { hash: await relay(ctx, ctx.relayUrl, signer, c.address, data, gas, onStage), via: "relay" };
    } else {
      throw new ActionError("this account has no ETH to pay for gas, and no gas relay is configured");
    }
    onStage("confirming");
    const receipt = await client.waitForTransactionReceipt({ hash: result.hash, timeout: ctx.receiptTimeoutMs ?? 60_000 });
    if (receipt.status !== "success") {
      throw new ActionError((await whyWouldFail(ctx, signer.address, call)) ?? "the transaction failed on chain");
    }
    return result;
  } catch (error) {
    if (error instanceof ActionError) throw error;
    throw new ActionError(explainError(error, abis));
  }
}

async function relay(ctx: SendContext, relayUrl: string, signer: Signer, to: Address, data: Hex, gas: bigint, onStage: (s: SendStage) => void): Promise<Hex> {
  const forwarder = ctx.deployment.contracts.ComputeCreditForwarder;
  const [nonce, domain, head] = await Promise.all([
    ctx.client.readContract({ address: forwarder.address, abi: forwarder.abi, functionName: "nonces", args: [signer.address] }) as Promise<bigint>,
    ctx.client.readContract({ address: forwarder.address, abi: forwarder.abi, functionName: "eip712Domain" }) as Promise<readonly unknown[]>,
    ctx.client.getBlock(),
  ]);
  // The forwarder checks the deadline against block time, which need not be this machine's clock.
  const deadline = Math.max(Math.floor(Date.now() / 1000), Number(head.timestamp)) + 600;
  // Through the forwarder the call costs a little more (ERC-2771 sender extraction), and some calls draw
  // randomness (verifiers, audits) that can take a costlier path than the estimate saw; leave room.
  const requestGas = (gas * 15n) / 10n + 100_000n;
  onStage("signing");
  const signature = await signer.client.signTypedData({
    account: signer.client.account,
    domain: { name: String(domain[1]), version: String(domain[2]), chainId: Number(domain[3]), verifyingContract: domain[4] as Address },
    types: forwardRequestTypes,
    primaryType: "ForwardRequest",
    message: { from: signer.address, to, value: 0n, gas: requestGas, nonce, deadline, data },
  });
  onStage("relaying");
  const res = await fetch(relayUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      request: { from: signer.address, to, value: "0", gas: requestGas.toString(), deadline: String(deadline), data, signature },
    }),
  });
  const body = (await res.json().catch(() => ({}))) as { hash?: Hex; error?: string };
  if (!res.ok || !body.hash) throw new ActionError(body.error ?? `the gas relay answered ${res.status}`);
  return body.hash;
}

export const stageWords: Record<SendStage, string> = {
  checking: "Checking…",
  signing: "Sign the request…",
  relaying: "Relaying (gas paid by the relay)…",
  sending: "Confirm in your wallet…",
  confirming: "Waiting for the block…",
};

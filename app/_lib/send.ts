/**
 * Sends one contract call for the user: simulate first (reverts explained in plain words), then a direct
 * transaction when the account has ETH for gas, or an EIP-712 ForwardRequest signed here and relayed by
 * /api/relay through ComputeCreditForwarder when it has none (DESIGN §7).
 */
import { type Abi, type Account, type Address, type Chain, type Hex, type Transport, type WalletClient, encodeFunctionData } from "viem";
import { appChain } from "./config";
import type { ChainDeployment, ContractName } from "./deployments";
import { forwardRequestTypes } from "./relay-policy";
import { explainError } from "./revert";
import { publicClient } from "./wagmi";

export type Signer = {
  address: Address;
  kind: "burner" | "injected";
  client: WalletClient<Transport, Chain, Account>;
};

export type ContractCall = { contract: ContractName; functionName: string; args?: readonly unknown[] };
export type SendStage = "checking" | "signing" | "relaying" | "sending" | "confirming";
export type SendResult = { hash: Hex; via: "relay" | "direct" };

export class ActionError extends Error {
  override readonly name = "ActionError";
}

export const allAbis = (d: ChainDeployment): Abi[] => Object.values(d.contracts).map((c) => c.abi);

/** Simulates a call as `from`; resolves to the plain-word reason it would fail, or undefined if it would pass. */
export async function whyWouldFail(d: ChainDeployment, from: Address, call: ContractCall): Promise<string | undefined> {
  const c = d.contracts[call.contract];
  try {
    await publicClient.simulateContract({ address: c.address, abi: c.abi, functionName: call.functionName, args: call.args ?? [], account: from });
    return undefined;
  } catch (error) {
    return explainError(error, allAbis(d));
  }
}

export async function sendCall(d: ChainDeployment, signer: Signer, call: ContractCall, onStage: (s: SendStage) => void = () => {}): Promise<SendResult> {
  const abis = allAbis(d);
  const c = d.contracts[call.contract];
  onStage("checking");
  const reason = await whyWouldFail(d, signer.address, call);
  if (reason) throw new ActionError(reason);
  const data = encodeFunctionData({ abi: c.abi, functionName: call.functionName, args: call.args ?? [] });
  try {
    const [gas, balance, gasPrice] = await Promise.all([
      publicClient.estimateGas({ account: signer.address, to: c.address, data }),
      publicClient.getBalance({ address: signer.address }),
      publicClient.getGasPrice(),
    ]);
    let result: SendResult;
    if (balance >= gas * gasPrice * 2n) {
      onStage("sending");
      if (signer.kind === "injected" && (await signer.client.getChainId()) !== appChain.id) {
        throw new ActionError(`your wallet is on another chain; switch it to chain ${appChain.id}`);
      }
      const hash = await signer.client.sendTransaction({ account: signer.client.account, chain: appChain, to: c.address, data, gas: (gas * 15n) / 10n + 50_000n });
      result = { hash, via: "direct" };
    } else {
      result = { hash: await relay(d, signer, c.address, data, gas, onStage), via: "relay" };
    }
    onStage("confirming");
    const receipt = await publicClient.waitForTransactionReceipt({ hash: result.hash, timeout: 60_000 });
    if (receipt.status !== "success") {
      throw new ActionError((await whyWouldFail(d, signer.address, call)) ?? "the transaction failed on chain");
    }
    return result;
  } catch (error) {
    if (error instanceof ActionError) throw error;
    throw new ActionError(explainError(error, abis));
  }
}

async function relay(d: ChainDeployment, signer: Signer, to: Address, data: Hex, gas: bigint, onStage: (s: SendStage) => void): Promise<Hex> {
  const forwarder = d.contracts.ComputeCreditForwarder;
  const [nonce, domain] = await Promise.all([
    publicClient.readContract({ address: forwarder.address, abi: forwarder.abi, functionName: "nonces", args: [signer.address] }) as Promise<bigint>,
    publicClient.readContract({ address: forwarder.address, abi: forwarder.abi, functionName: "eip712Domain" }) as Promise<readonly unknown[]>,
  ]);
  const deadline = Math.floor(Date.now() / 1000) + 600;
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
  const res = await fetch("/api/relay", {
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

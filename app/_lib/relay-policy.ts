/**
 * What the gas relay (/api/relay) accepts: an ERC-2771 ForwardRequest signed by the user, whose target is one
 * of our contracts and whose function is on the allowlist below. Pure; the route adds rate limits, the
 * on-chain signature check (forwarder.verify) and a simulation before it pays for anything.
 */
import { type Abi, type Address, type Hex, toFunctionSelector } from "viem";
import { z } from "zod";
import type { ContractName, DeployedContract } from "./deployments.ts";

/** User actions that may be relayed; admin functions and the forwarder itself never are. */
export const RELAYABLE: Readonly<Partial<Record<ContractName, readonly string[]>>> = {
  WorkerRegistry: ["register", "update", "stake", "requestUnstake", "unstake", "joinVerifierPool", "leaveVerifierPool"],
  TaskMarket: [
    "post", "cancel", "expire", "claim", "release", "expireClaim", "commit", "reveal", "drawVerifiers",
    "replaceSilentVerifiers", "settle", "decideAudit", "submitProof", "forceAudit", "drawAuditors", "finalizeAudit", "finalize",
  ],
  CreditLedger: ["transfer", "clearCycle"],
};

export const MAX_RELAY_GAS = 5_000_000n;
export const MAX_RELAY_DEADLINE_S = 3600;

const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "hex bytes");
const addr = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address");
const uint = z.union([z.string().regex(/^\d{1,78}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));

export const relayBodySchema = z.strictObject({
  request: z.strictObject({
    from: addr,
    to: addr,
    value: uint,
    gas: uint,
    deadline: uint,
    data: hex.refine((d) => d.length >= 10, "no function in data"),
    signature: hex.refine((s) => s.length === 132, "a 65-byte signature"),
  }),
});
export type RelayBody = z.infer<typeof relayBodySchema>;
export type ForwardRequestData = {
  from: Address;
  to: Address;
  value: bigint;
  gas: bigint;
  deadline: number;
  data: Hex;
  signature: Hex;
};

export type RelayCheck = { ok: true; request: ForwardRequestData; contract: ContractName; functionName: string } | { ok: false; error: string };

export function selectorsOf(abi: Abi, names: readonly string[]): Map<Hex, string> {
  const out = new Map<Hex, string>();
  for (const item of abi) {
    if (item.type === "function" && names.includes(item.name)) out.set(toFunctionSelector(item), item.name);
  }
  return out;
}

/** Checks a parsed relay body against our contracts and the allowlist. `nowS` in unix seconds. */
export function checkRelayRequest(body: unknown, contracts: Record<ContractName, DeployedContract>, nowS: number): RelayCheck {
  const parsed = relayBodySchema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, error: `the request is malformed (${first ? `${first.path.join(".") || "body"}: ${first.message}` : "bad body"})` };
  }
  const r = parsed.data.request;
  const target = (Object.keys(RELAYABLE) as ContractName[]).find((n) => contracts[n].address.toLowerCase() === r.to.toLowerCase());
  if (!target) return { ok: false, error: "the relay only forwards calls to the ComputeCredit contracts" };
  const selector = r.data.slice(0, 10).toLowerCase() as Hex;
  const functionName = selectorsOf(contracts[target].abi, RELAYABLE[target] ?? []).get(selector);
  if (!functionName) return { ok: false, error: `the relay does not forward this ${target} function` };
  if (r.value !== 0n) return { ok: false, error: "the relay does not send ETH" };
  if (r.gas === 0n || r.gas > MAX_RELAY_GAS) return { ok: false, error: `the gas limit must be between 1 and ${MAX_RELAY_GAS}` };
  if (r.deadline <= BigInt(nowS)) return { ok: false, error: "the signed request has expired; try again" };
  if (r.deadline > BigInt(nowS + MAX_RELAY_DEADLINE_S)) return { ok: false, error: "the signed request's deadline is too far away" };
  return {
    ok: true,
    contract: target,
    functionName,
    request: { from: r.from as Address, to: r.to as Address, value: 0n, gas: r.gas, deadline: Number(r.deadline), data: r.data as Hex, signature: r.signature as Hex },
  };
}

/** The EIP-712 types of OpenZeppelin's ERC2771Forwarder, defined once with the protocol rules. */
export { forwardRequestTypes } from "../../lib/protocol/forwarder.ts";

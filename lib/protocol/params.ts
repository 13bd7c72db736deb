/**
 * Protocol parameters (DESIGN §4). Mirrors `ProtocolParams` in contracts/src/libraries/ProtocolParams.sol
 * field by field; contracts/test/protocol-mirror.test.ts keeps the two equal.
 * Amounts in mCC (1 CC = 1000 mCC), shares in basis points, durations in seconds.
 */
export type ProtocolParams = {
  genesisGrant: bigint;
  genesisAccounts: number;
  creditLimitBps: number;
  creditLimitCap: bigint;
  claimWindow: number;
  maxActiveClaims: number;
  claimStakeBps: number;
  rejectSlashBps: number;
  verifierFeeBps: number;
  platformFeeBps: number;
  auditRateBps: number;
  fraudSlashMultiplier: number;
  banDuration: number;
  auditorRewardBps: number;
  commitWindow: number;
  revealWindow: number;
  minVerifierStake: bigint;
  auditWindow: number;
  unstakeCooldown: number;
  minBounty: bigint;
  expirySlashBps: number;
  inputRejectedPayBps: number;
};

export const MCC_PER_CC = 1000n;
export const BPS_DENOMINATOR = 10_000n;
const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;

export const defaultParams: ProtocolParams = {
  genesisGrant: 10n * MCC_PER_CC,
  genesisAccounts: 1000,
  creditLimitBps: 5000,
  creditLimitCap: 100n * MCC_PER_CC,
  claimWindow: 10 * MINUTE,
  maxActiveClaims: 5,
  claimStakeBps: 1000,
  rejectSlashBps: 1000,
  verifierFeeBps: 100,
  platformFeeBps: 100,
  auditRateBps: 1000,
  fraudSlashMultiplier: 10,
  banDuration: 30 * DAY,
  auditorRewardBps: 5000,
  commitWindow: 10 * MINUTE,
  revealWindow: 5 * MINUTE,
  minVerifierStake: 1n * MCC_PER_CC,
  auditWindow: DAY,
  unstakeCooldown: DAY,
  minBounty: 100n,
  expirySlashBps: 100,
  inputRejectedPayBps: 1000,
};

/** The same rounding as `Bps.share` in Solidity. */
export const bpsShare = (amount: bigint, bps: number): bigint => (amount * BigInt(bps)) / BPS_DENOMINATOR;

export const VerificationMode = { Replicated: 0, Zk: 1 } as const;
export type VerificationMode = (typeof VerificationMode)[keyof typeof VerificationMode];

/** The three auditors' fees every task escrows at post, so that any audit of it (random or forced) is paid. */
export function auditReserve(bounty: bigint, params: ProtocolParams = defaultParams): bigint {
  return 3n * bpsShare(bounty, params.verifierFeeBps);
}

/**
 * Bounty plus what posting escrows besides it, as `TaskMarket.escrowFor` computes it: the platform fee, the two
 * verifiers' fees (replicated mode) and the audit reserve (both modes).
 */
export function escrowFor(bounty: bigint, mode: VerificationMode, params: ProtocolParams = defaultParams): bigint {
  let fees = bpsShare(bounty, params.platformFeeBps) + auditReserve(bounty, params);
  if (mode === VerificationMode.Replicated) fees += 2n * bpsShare(bounty, params.verifierFeeBps);
  return bounty + fees;
}

/** 1 mCC = 3.6 reference CPU-seconds. */
export const REFERENCE_MS_PER_MCC = 3600n;

/**
 * The most verified work (mCC) a task counts for, as `TaskMarket.post` computes it from the type's on-chain cost
 * model (reference ms: `msBase + msPerMiB x MiB`) and the declared input size, capped to 24 bits.
 */
export function workValue(model: { msBase: number; msPerMiB: number }, inputBytes: number): bigint {
  const ms = BigInt(model.msBase) + (BigInt(model.msPerMiB) * BigInt(inputBytes)) / (1n << 20n);
  const value = ms / REFERENCE_MS_PER_MCC;
  return value > 0xffffffn ? 0xffffffn : value;
}

/** Credit limit of an account that has earned `earned` mCC through verified work. */
export function creditLimit(earned: bigint, params: ProtocolParams = defaultParams): bigint {
  const limit = bpsShare(earned, params.creditLimitBps);
  return limit < params.creditLimitCap ? limit : params.creditLimitCap;
}

/** Formats mCC as CC for people: 5150n -> "5.15 CC". */
export function formatCredits(mcc: bigint): string {
  const negative = mcc < 0n;
  const abs = negative ? -mcc : mcc;
  const whole = abs / MCC_PER_CC;
  const fraction = (abs % MCC_PER_CC).toString().padStart(3, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""} CC`;
}

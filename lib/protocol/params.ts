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
};

/** The same rounding as `Bps.share` in Solidity. */
export const bpsShare = (amount: bigint, bps: number): bigint => (amount * BigInt(bps)) / BPS_DENOMINATOR;

export const VerificationMode = { Replicated: 0, Zk: 1 } as const;
export type VerificationMode = (typeof VerificationMode)[keyof typeof VerificationMode];

/** Bounty plus the fees escrowed at post, as `TaskMarket.escrowFor` computes it. */
export function escrowFor(bounty: bigint, mode: VerificationMode, params: ProtocolParams = defaultParams): bigint {
  let fees = bpsShare(bounty, params.platformFeeBps);
  if (mode === VerificationMode.Replicated) fees += 2n * bpsShare(bounty, params.verifierFeeBps);
  return bounty + fees;
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

/**
 * The post form's hints, as pure functions of what the form knows (tested in post-words.test.ts), so that each
 * says what is true now: why there is no estimate yet, and what posting would escrow.
 */
import { type ProtocolParams, type VerificationMode, VerificationMode as Mode, auditReserve, bpsShare, escrowFor, formatCredits } from "../../lib/protocol/params.ts";

export type EstimateState = {
  /** Where the input file is: none chosen, being read/checked/uploaded, refused, or uploaded. */
  upload: "none" | "busy" | "refused" | "done";
  specOk: boolean;
  /** The type's reason this uploaded file cannot be the input with this spec, if any. */
  inputError?: string;
  suggested?: bigint;
};

/** The hint beside the bounty field. */
export function bountyHint(s: EstimateState): string {
  if (s.upload === "none") return "choose a file for an estimate";
  if (s.upload === "busy") return "estimate once the file is uploaded";
  if (s.upload === "refused") return "choose a file this type can take for an estimate";
  if (!s.specOk) return "fix the output spec for an estimate";
  if (s.inputError) return "this file cannot be the input, so there is no estimate";
  return s.suggested !== undefined ? `suggested ${formatCredits(s.suggested)}` : "estimating…";
}

/**
 * What posting escrows, with the parts that make it up as the contract computes them (fees are whole mCC,
 * rounded down), or undefined when the bounty is not one the contract takes (below the minimum).
 */
export function escrowWords(bounty: bigint, mode: VerificationMode, p: ProtocolParams): { total: bigint; parts: string } | undefined {
  if (bounty < p.minBounty) return undefined;
  const parts = [`bounty ${formatCredits(bounty)}`];
  const verifierFee = bpsShare(bounty, p.verifierFeeBps);
  if (mode === Mode.Replicated) parts.push(`2 verifier fees of ${formatCredits(verifierFee)}`);
  parts.push(`platform fee ${formatCredits(bpsShare(bounty, p.platformFeeBps))}`);
  // TaskMarket.post holds 3 auditor fees for an audit; what no audit uses comes back when the task is final.
  parts.push(`${formatCredits(auditReserve(bounty, p))} held for an audit (back when the task is final, if unused)`);
  return { total: escrowFor(bounty, mode, p), parts: parts.join(" + ") };
}

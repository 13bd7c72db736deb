/**
 * "Development zk keys stay on the development chain" (DESIGN §3a). The committed zk proving and verification keys
 * come from a development powers-of-tau whose randomness is public (circuits/README.md): anyone can forge a proof
 * for them. The deploy step refuses to put their verifiers on any chain but the local development chain unless
 * the operator says, in so many words, that proofs there can be forged.
 */
export const DEVELOPMENT_CHAIN_ID = 31337;
export const ALLOW_DEVELOPMENT_ZK_KEYS = "CC_ALLOW_DEVELOPMENT_ZK_KEYS";
export const ALLOW_DEVELOPMENT_ZK_KEYS_VALUE = "yes-anyone-can-forge-proofs";

export class DevelopmentKeysRefused extends Error {
  override readonly name = "DevelopmentKeysRefused";
  constructor(readonly chainId: number) {
    super(
      `refusing to deploy the development zk keys to chain ${chainId}: their ceremony's randomness is public, so ` +
        `anyone can forge a proof and be paid for work never done. Make production keys (circuits/README.md, ` +
        `"Production keys"), or, for a throwaway test chain only, set ${ALLOW_DEVELOPMENT_ZK_KEYS}=${ALLOW_DEVELOPMENT_ZK_KEYS_VALUE}.`,
    );
  }
}

/** Throws unless development keys may go to `chainId`; returns true when they are allowed only by the override. */
export function checkDevelopmentKeys(chainId: number, env: Record<string, string | undefined> = process.env): boolean {
  if (chainId === DEVELOPMENT_CHAIN_ID) return false;
  if (env[ALLOW_DEVELOPMENT_ZK_KEYS] === ALLOW_DEVELOPMENT_ZK_KEYS_VALUE) return true;
  throw new DevelopmentKeysRefused(chainId);
}

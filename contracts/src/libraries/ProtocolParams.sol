// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Every protocol parameter, set once at deploy (DESIGN §4). Amounts are in mCC
/// (1 CC = 1000 mCC), shares in basis points, durations in seconds.
/// @dev Mirrored field by field in lib/protocol/params.ts; a test keeps the two equal.
struct ProtocolParams {
    uint64 genesisGrant; // credit granted to each of the first `genesisAccounts` accounts
    uint32 genesisAccounts;
    uint16 creditLimitBps; // credit limit as a share of earned credit
    uint64 creditLimitCap; // ... capped at this amount
    uint32 claimWindow;
    uint8 maxActiveClaims;
    uint16 claimStakeBps; // worker stake locked per claim, share of bounty
    uint16 rejectSlashBps; // slash of a rejected worker or a dissenting verifier, share of bounty
    uint16 verifierFeeBps; // fee per verifier (and per auditor), share of bounty
    uint16 platformFeeBps;
    uint16 auditRateBps; // share of accepted replicated tasks drawn for audit
    uint16 fraudSlashMultiplier; // fraud slash = multiplier x bounty
    uint32 banDuration;
    uint16 auditorRewardBps; // on fraud, this share of the bounty is split among the auditors
    uint32 commitWindow;
    uint32 revealWindow;
    uint64 minVerifierStake;
    uint32 auditWindow;
    uint32 unstakeCooldown;
    uint64 minBounty; // so that every fee is at least 1 mCC
    uint16 expirySlashBps; // slash of a worker whose claim expired unfinished, share of bounty
    uint16 inputRejectedPayBps; // pay of a worker whose input-rejected result is final, share of bounty
}

/// @notice Basis-point arithmetic shared by every contract.
library Bps {
    uint256 internal constant DENOMINATOR = 10_000;

    function share(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return (amount * bps) / DENOMINATOR;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolParams} from "./libraries/ProtocolParams.sol";

/// @title ProtocolConfig
/// @notice The one place where the protocol parameters live. Set at deploy and never changed; the other
/// contracts copy what they need into immutables at their own deploy, and the UI reads `params()`.
contract ProtocolConfig {
    error InvalidParam(string name);

    ProtocolParams internal _params;

    constructor(ProtocolParams memory p) {
        if (p.genesisAccounts == 0) revert InvalidParam("genesisAccounts");
        if (p.creditLimitBps > 10_000) revert InvalidParam("creditLimitBps");
        if (p.maxActiveClaims == 0) revert InvalidParam("maxActiveClaims");
        if (p.claimStakeBps > 10_000 || p.rejectSlashBps > p.claimStakeBps) revert InvalidParam("rejectSlashBps");
        if (p.auditRateBps > 10_000) revert InvalidParam("auditRateBps");
        if (p.auditorRewardBps > 10_000) revert InvalidParam("auditorRewardBps");
        // Fees must be at least 1 mCC at the minimum bounty, or a fee could round to nothing.
        if ((uint256(p.minBounty) * p.verifierFeeBps) / 10_000 == 0) revert InvalidParam("minBounty");
        if (p.expirySlashBps > p.claimStakeBps) revert InvalidParam("expirySlashBps");
        if (p.inputRejectedPayBps > 10_000) revert InvalidParam("inputRejectedPayBps");
        if (p.claimWindow == 0 || p.commitWindow == 0 || p.revealWindow == 0) revert InvalidParam("window");
        _params = p;
    }

    function params() external view returns (ProtocolParams memory) {
        return _params;
    }
}

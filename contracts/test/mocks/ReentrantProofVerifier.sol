// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TaskId} from "../../src/libraries/ProtocolHashes.sol";

/// @title ReentrantProofVerifier
/// @notice A hostile zk verifier for the attack catalogue. When the market asks it to verify a proof, it
/// calls `target` with `payload` (a state-changing call back into the market, or straight into the ledger)
/// and bubbles up the revert of that call. If the re-entry ever succeeded it would accept the proof.
/// @dev Deliberately not declared `view` (the market still calls it through its `view` interface, i.e. with
/// STATICCALL), so that the re-entry is a real CALL that tries to change state.
contract ReentrantProofVerifier {
    address public target;
    bytes public payload;

    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
    }

    function verifyTaskProof(TaskId, address, uint256, uint256, bytes calldata) external returns (bool) {
        (bool ok, bytes memory returned) = target.call(payload);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
        return true;
    }

    /// @notice Lets a test use this contract as a direct attacker too (e.g. call the ledger's operator functions).
    function attack() external returns (bytes memory) {
        (bool ok, bytes memory returned) = target.call(payload);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
        return returned;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ITaskProofVerifier} from "../../src/interfaces/ITaskProofVerifier.sol";
import {TaskId} from "../../src/libraries/ProtocolHashes.sol";

/// @title FuzzProofVerifier
/// @notice Rule-based stand-in for a Groth16 verifier, used by contracts/test/invariants.fuzz.test.ts:
/// a proof is valid iff it is exactly `abi.encode(taskId, worker, inputCommitment, outputCommitment)`,
/// so a proof made for another task, worker or output fails the way a real proof with other public
/// signals would.
contract FuzzProofVerifier is ITaskProofVerifier {
    function verifyTaskProof(
        TaskId taskId,
        address worker,
        uint256 inputCommitment,
        uint256 outputCommitment,
        bytes calldata proof
    ) external pure returns (bool) {
        return keccak256(proof) == keccak256(abi.encode(TaskId.unwrap(taskId), worker, inputCommitment, outputCommitment));
    }
}

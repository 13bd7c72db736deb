// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ITaskProofVerifier} from "../../src/interfaces/ITaskProofVerifier.sol";
import {TaskId} from "../../src/libraries/ProtocolHashes.sol";

/// @title RuleBasedProofVerifier
/// @notice Test stand-in for a Groth16 verifier: a "proof" is valid when it is exactly
/// `abi.encode(keccak256(abi.encode(taskId, worker, inputCommitment, outputCommitment)))`, i.e. when it binds
/// the same public signals a real circuit would (task, worker, input commitment, output commitment).
contract RuleBasedProofVerifier is ITaskProofVerifier {
    function verifyTaskProof(
        TaskId taskId,
        address worker,
        uint256 inputCommitment,
        uint256 outputCommitment,
        bytes calldata proof
    ) external pure returns (bool) {
        return keccak256(proof) == keccak256(abi.encode(expectedProof(taskId, worker, inputCommitment, outputCommitment)));
    }

    function expectedProof(TaskId taskId, address worker, uint256 inputCommitment, uint256 outputCommitment)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(TaskId.unwrap(taskId), worker, inputCommitment, outputCommitment));
    }
}

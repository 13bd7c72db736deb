// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TaskId} from "../libraries/ProtocolHashes.sol";

/// @title Proof verifier of a zk task type
/// @notice Adapts one circuit's Groth16 verifier to the market: it maps the task's commitments (and, if the
/// circuit binds them, the task id and worker) to the circuit's public signals. Called with STATICCALL.
interface ITaskProofVerifier {
    function verifyTaskProof(
        TaskId taskId,
        address worker,
        uint256 inputCommitment,
        uint256 outputCommitment,
        bytes calldata proof
    ) external view returns (bool);
}

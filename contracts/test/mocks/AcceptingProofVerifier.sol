// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ITaskProofVerifier} from "../../src/interfaces/ITaskProofVerifier.sol";
import {TaskId} from "../../src/libraries/ProtocolHashes.sol";

/// @notice Gas-bench stand-in for a Groth16 verifier: it reads the proof (so calldata is paid) and accepts
/// a non-empty one. The bench adds the real verifier's measured cost separately.
contract AcceptingProofVerifier is ITaskProofVerifier {
    function verifyTaskProof(TaskId, address, uint256, uint256, bytes calldata proof) external pure returns (bool) {
        return proof.length > 0;
    }
}

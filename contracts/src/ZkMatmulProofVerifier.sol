// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ZkTaskProofVerifier} from "./ZkTaskProofVerifier.sol";
import {ZkMatmulGroth16Verifier} from "./verifiers/ZkMatmulGroth16Verifier.sol";

/// @title Proof verifier of the zk-matmul task type (circuits/zk-matmul.circom, 16x16 uint8 matrices)
/// @notice Deploys its generated Groth16 verifier and adapts the market's call to it. The committed keys are
/// development keys (`developmentKeys` is true); production keys come from a public ceremony (circuits/README.md).
contract ZkMatmulProofVerifier is ZkTaskProofVerifier {
    constructor() ZkTaskProofVerifier(address(new ZkMatmulGroth16Verifier()), true) {}
}

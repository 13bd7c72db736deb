// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ZkTaskProofVerifier} from "./ZkTaskProofVerifier.sol";
import {ZkMatmulGroth16Verifier} from "./verifiers/ZkMatmulGroth16Verifier.sol";
import {ZkKeys} from "./verifiers/ZkKeys.sol";

/// @title Proof verifier of the zk-matmul task type (circuits/zk-matmul.circom, 16x16 uint8 matrices)
/// @notice Deploys its generated Groth16 verifier and adapts the market's call to it. Whether its keys are
/// development keys comes from circuits/artifacts.json through ZkKeys (circuits/README.md, "Production keys").
contract ZkMatmulProofVerifier is ZkTaskProofVerifier {
    constructor() ZkTaskProofVerifier(address(new ZkMatmulGroth16Verifier()), ZkKeys.DEVELOPMENT) {}
}

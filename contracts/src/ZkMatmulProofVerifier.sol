// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ZkTaskProofVerifier} from "./ZkTaskProofVerifier.sol";
import {ZkMatmulGroth16Verifier} from "./verifiers/ZkMatmulGroth16Verifier.sol";
import {ZkKeys} from "./verifiers/ZkKeys.sol";

/// @title Proof verifier of the zk-matmul task type (circuits/zk-matmul.circom, 16x16 uint8 matrices)
/// @notice Adapts the market's call to its generated Groth16 verifier, which is part of this contract: the call
/// then goes to an account the transaction has already touched (100 gas instead of 2,600). Whether its keys are
/// development keys comes from circuits/artifacts.json through ZkKeys (circuits/README.md, "Production keys").
contract ZkMatmulProofVerifier is ZkTaskProofVerifier, ZkMatmulGroth16Verifier {
    constructor() ZkTaskProofVerifier(address(this), ZkKeys.DEVELOPMENT) {}
}

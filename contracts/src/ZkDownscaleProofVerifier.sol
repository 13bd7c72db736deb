// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ZkTaskProofVerifier} from "./ZkTaskProofVerifier.sol";
import {ZkDownscaleGroth16Verifier} from "./verifiers/ZkDownscaleGroth16Verifier.sol";
import {ZkKeys} from "./verifiers/ZkKeys.sol";

/// @title Proof verifier of the zk-downscale task type (circuits/zk-downscale.circom, 64x64 tile)
/// @notice Adapts the market's call to its generated Groth16 verifier, which is part of this contract: the call
/// then goes to an account the transaction has already touched (100 gas instead of 2,600). Whether its keys are
/// development keys comes from circuits/artifacts.json through ZkKeys (circuits/README.md, "Production keys").
contract ZkDownscaleProofVerifier is ZkTaskProofVerifier, ZkDownscaleGroth16Verifier {
    constructor() ZkTaskProofVerifier(address(this), ZkKeys.DEVELOPMENT) {}
}

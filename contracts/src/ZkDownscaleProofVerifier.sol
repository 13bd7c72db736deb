// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ZkTaskProofVerifier} from "./ZkTaskProofVerifier.sol";
import {ZkDownscaleGroth16Verifier} from "./verifiers/ZkDownscaleGroth16Verifier.sol";
import {ZkKeys} from "./verifiers/ZkKeys.sol";

/// @title Proof verifier of the zk-downscale task type (circuits/zk-downscale.circom, 64x64 tile)
/// @notice Deploys its generated Groth16 verifier and adapts the market's call to it. Whether its keys are
/// development keys comes from circuits/artifacts.json through ZkKeys (circuits/README.md, "Production keys").
contract ZkDownscaleProofVerifier is ZkTaskProofVerifier {
    constructor() ZkTaskProofVerifier(address(new ZkDownscaleGroth16Verifier()), ZkKeys.DEVELOPMENT) {}
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ITaskProofVerifier} from "./interfaces/ITaskProofVerifier.sol";
import {TaskId} from "./libraries/ProtocolHashes.sol";

/// @notice The function every snarkjs-generated Groth16 verifier with 4 public signals has.
interface IGroth16Verifier4 {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[4] calldata pubSignals)
        external
        view
        returns (bool);
}

/// @title Adapter from the market's zk call to a circuit's Groth16 verifier
/// @notice The zk task circuits (circuits/*.circom) all expose the public signals
/// `[inputCommitment, outputCommitment, taskId mod r, worker]`. Binding the task id and the worker makes a
/// proof useless for any other task (even one with the same input) and for any other worker (a proof copied
/// from the mempool). `proof` is `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c)` as
/// wasm-tasks/zk-common/proof.ts encodeProofForChain writes it. Anything malformed returns false, never
/// reverts, so the market reports InvalidProof.
abstract contract ZkTaskProofVerifier is ITaskProofVerifier {
    /// @notice BN254 scalar field order: public signals must be below it.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant PROOF_BYTES = 256;

    /// @notice The circuit's Groth16 verifier (the concrete adapters are their own).
    IGroth16Verifier4 public immutable groth16;
    /// @notice The verifier's keys come from a development ceremony whose randomness is public (circuits/README.md):
    /// anyone can forge proofs for it. Such a verifier belongs on a development chain only; the deploy step refuses
    /// other chains unless told loudly, and the app warns wherever this is true.
    bool public immutable developmentKeys;

    constructor(address groth16Verifier, bool developmentKeys_) {
        groth16 = IGroth16Verifier4(groth16Verifier);
        developmentKeys = developmentKeys_;
    }

    /// @inheritdoc ITaskProofVerifier
    function verifyTaskProof(
        TaskId taskId,
        address worker,
        uint256 inputCommitment,
        uint256 outputCommitment,
        bytes calldata proof
    ) external view returns (bool) {
        if (proof.length != PROOF_BYTES) return false;
        // `proof` is a, b and c as verifyProof's static arrays lay them out in calldata, so it is passed on as it
        // is, with the signals after it, instead of being decoded and encoded again.
        (bool ok, bytes memory result) = address(groth16).staticcall(
            abi.encodePacked(
                IGroth16Verifier4.verifyProof.selector,
                proof,
                inputCommitment,
                outputCommitment,
                uint256(TaskId.unwrap(taskId)) % SNARK_SCALAR_FIELD,
                uint256(uint160(worker))
            )
        );
        return ok && result.length == 32 && abi.decode(result, (bool));
    }
}

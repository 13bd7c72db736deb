// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Identifier of a task: unique per chain, market, requester and requester nonce.
type TaskId is bytes32;

/// @notice The hashes of the protocol. Mirrored in lib/protocol/hashes.ts; a test keeps the two equal.
library ProtocolHashes {
    /// @notice Task id, computable by the requester before the post transaction is mined.
    function taskId(uint256 chainId, address market, address requester, uint256 nonce) internal pure returns (TaskId) {
        return TaskId.wrap(keccak256(abi.encode(chainId, market, requester, nonce)));
    }

    /// @notice Digest of a result: keccak256 of the binary CID of the output.
    function cidDigest(bytes calldata cid) internal pure returns (bytes32) {
        return keccak256(cid);
    }

    /// @notice Commitment to a result. Binding the sender makes a copied commitment useless to anyone else:
    /// the copier cannot open it under its own address.
    function commitment(TaskId id, address sender, bytes32 digest, bytes32 salt) internal pure returns (bytes32) {
        return keccak256(abi.encode(TaskId.unwrap(id), sender, digest, salt));
    }
}

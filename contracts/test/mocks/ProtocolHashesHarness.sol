// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolHashes, TaskId} from "../../src/libraries/ProtocolHashes.sol";
import {Bps} from "../../src/libraries/ProtocolParams.sol";

/// @title ProtocolHashesHarness
/// @notice Exposes the protocol's internal hash and basis-point functions so that
/// contracts/test/protocol-mirror.test.ts can compare them with lib/protocol on random inputs.
contract ProtocolHashesHarness {
    function taskId(uint256 chainId, address market, address requester, uint256 nonce) external pure returns (bytes32) {
        return TaskId.unwrap(ProtocolHashes.taskId(chainId, market, requester, nonce));
    }

    function cidDigest(bytes calldata cid) external pure returns (bytes32) {
        return ProtocolHashes.cidDigest(cid);
    }

    function commitment(bytes32 id, address sender, bytes32 digest, bytes32 salt) external pure returns (bytes32) {
        return ProtocolHashes.commitment(TaskId.wrap(id), sender, digest, salt);
    }

    function share(uint256 amount, uint256 bps) external pure returns (uint256) {
        return Bps.share(amount, bps);
    }
}

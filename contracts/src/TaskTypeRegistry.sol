// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ITaskTypeRegistry} from "./interfaces/ITaskTypeRegistry.sol";

/// @title TaskTypeRegistry
/// @notice Governance approves task types; ids are small so that capabilities fit one bitmap.
contract TaskTypeRegistry is ITaskTypeRegistry, Ownable {
    uint8 public constant MODE_REPLICATED = 1;
    uint8 public constant MODE_ZK = 2;
    uint256 public constant MAX_TYPES = 256;

    TaskType[] internal _types;

    constructor(address governance) Ownable(governance) {}

    /// @inheritdoc ITaskTypeRegistry
    function typeCount() external view returns (uint256) {
        return _types.length;
    }

    /// @inheritdoc ITaskTypeRegistry
    function taskType(uint8 typeId) external view returns (TaskType memory) {
        if (typeId >= _types.length) revert UnknownTaskType(typeId);
        return _types[typeId];
    }

    /// @inheritdoc ITaskTypeRegistry
    function policyOf(uint8 typeId) external view returns (Policy memory) {
        if (typeId >= _types.length) revert UnknownTaskType(typeId);
        return _types[typeId].policy;
    }

    /// @inheritdoc ITaskTypeRegistry
    function rejectedDigestOf(uint8 typeId) external view returns (bytes32) {
        if (typeId >= _types.length) revert UnknownTaskType(typeId);
        return _types[typeId].rejectedDigest;
    }

    /// @inheritdoc ITaskTypeRegistry
    function addTaskType(string calldata name, string calldata codeCid, bytes32 rejectedDigest, Policy calldata policy)
        external
        onlyOwner
        returns (uint8 typeId)
    {
        if (_types.length >= MAX_TYPES) revert TooManyTaskTypes();
        typeId = uint8(_types.length);
        _checkModes(typeId, policy.modes, policy.zkVerifier);
        _types.push(TaskType({name: name, codeCid: codeCid, rejectedDigest: rejectedDigest, policy: policy}));
        emit TaskTypeAdded(typeId, name, codeCid, rejectedDigest, policy);
    }

    /// @inheritdoc ITaskTypeRegistry
    function updateTaskType(uint8 typeId, string calldata codeCid, bytes32 rejectedDigest, Policy calldata policy)
        external
        onlyOwner
    {
        if (typeId >= _types.length) revert UnknownTaskType(typeId);
        _checkModes(typeId, policy.modes, policy.zkVerifier);
        TaskType storage t = _types[typeId];
        t.codeCid = codeCid;
        t.rejectedDigest = rejectedDigest;
        t.policy = policy;
        emit TaskTypeUpdated(typeId, codeCid, rejectedDigest, policy);
    }

    function _checkModes(uint8 typeId, uint8 modes, address zkVerifier) internal pure {
        if (modes == 0 || modes > (MODE_REPLICATED | MODE_ZK)) revert InvalidModes(modes);
        if (modes & MODE_ZK != 0 && zkVerifier == address(0)) revert ZkModeNeedsVerifier(typeId);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Task-type registry
/// @notice The approved task types. Workers run only code whose CID matches the approved one.
interface ITaskTypeRegistry {
    /// @notice What the market needs about a type, packed in one slot.
    struct Policy {
        address zkVerifier; // ITaskProofVerifier for zk mode, zero if the type has no circuit
        uint8 modes; // bit 0: replicated, bit 1: zk
        bool active;
    }

    struct TaskType {
        string name;
        string codeCid; // CID of the code module workers must run
        Policy policy;
    }

    error UnknownTaskType(uint8 typeId);
    error TooManyTaskTypes();
    error InvalidModes(uint8 modes);
    error ZkModeNeedsVerifier(uint8 typeId);

    event TaskTypeAdded(uint8 indexed typeId, string name, string codeCid, uint8 modes, address zkVerifier);
    event TaskTypeUpdated(uint8 indexed typeId, string codeCid, uint8 modes, address zkVerifier, bool active);

    function typeCount() external view returns (uint256);
    function taskType(uint8 typeId) external view returns (TaskType memory);
    function policyOf(uint8 typeId) external view returns (Policy memory);

    function addTaskType(string calldata name, string calldata codeCid, uint8 modes, address zkVerifier)
        external
        returns (uint8 typeId);
    function updateTaskType(uint8 typeId, string calldata codeCid, uint8 modes, address zkVerifier, bool active)
        external;
}

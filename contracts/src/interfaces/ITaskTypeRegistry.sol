// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Task-type registry
/// @notice The approved task types. Workers run only code whose CID matches the approved one.
interface ITaskTypeRegistry {
    /// @notice What the market needs about a type at post, packed in one slot.
    /// @dev The cost model is a lower bound of the reference CPU time a task of this type costs, in milliseconds on
    /// the reference machine (1 mCC = 3,600 ms): `workMsBase + workMsPerMiB x inputMiB`. It prices no task; it
    /// bounds how much verified work a task can count for, so credit lines grow only from work that cost real
    /// compute (ICreditLedger).
    struct Policy {
        address zkVerifier; // ITaskProofVerifier for zk mode, zero if the type has no circuit
        uint8 modes; // bit 0: replicated, bit 1: zk
        bool active;
        uint32 workMsBase;
        uint32 workMsPerMiB;
    }

    struct TaskType {
        string name;
        string codeCid; // CID of the code module workers must run
        /// keccak256 of the CID of the type's canonical "input cannot be processed" output: replicas that agree on
        /// it end the task as input rejected (DESIGN §3a, "bad input is a result")
        bytes32 rejectedDigest;
        Policy policy;
    }

    error UnknownTaskType(uint8 typeId);
    error TooManyTaskTypes();
    error InvalidModes(uint8 modes);
    error ZkModeNeedsVerifier(uint8 typeId);

    event TaskTypeAdded(uint8 indexed typeId, string name, string codeCid, bytes32 rejectedDigest, Policy policy);
    event TaskTypeUpdated(uint8 indexed typeId, string codeCid, bytes32 rejectedDigest, Policy policy);

    function typeCount() external view returns (uint256);
    function taskType(uint8 typeId) external view returns (TaskType memory);
    function policyOf(uint8 typeId) external view returns (Policy memory);
    function rejectedDigestOf(uint8 typeId) external view returns (bytes32);

    function addTaskType(string calldata name, string calldata codeCid, bytes32 rejectedDigest, Policy calldata policy)
        external
        returns (uint8 typeId);
    function updateTaskType(uint8 typeId, string calldata codeCid, bytes32 rejectedDigest, Policy calldata policy)
        external;
}

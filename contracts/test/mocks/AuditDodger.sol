// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ITaskMarket} from "../../src/interfaces/ITaskMarket.sol";
import {TaskId} from "../../src/libraries/ProtocolHashes.sol";

/// @title AuditDodger
/// @notice Attack helper of contracts/test/attacks.test.ts and invariants.fuzz.test.ts: decides the random audit of
/// an accepted task and reverts the whole transaction if it came out audited, so that a cheating worker
/// (`decideAudit` is open to anyone) can retry block after block hoping for an unaudited outcome. The outcome is
/// fixed by the hash of the settlement's block, so every retry sees the same one; waiting out that hash audits.
contract AuditDodger {
    error Audited(TaskId taskId);

    function decideUnaudited(ITaskMarket market, TaskId taskId) external {
        market.decideAudit(taskId);
        if (market.taskOf(taskId).status == ITaskMarket.TaskStatus.Auditing) revert Audited(taskId);
    }
}

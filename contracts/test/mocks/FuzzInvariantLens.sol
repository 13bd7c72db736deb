// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditLedger} from "../../src/interfaces/ICreditLedger.sol";
import {ITaskMarket} from "../../src/interfaces/ITaskMarket.sol";
import {TaskId} from "../../src/libraries/ProtocolHashes.sol";

/// @title FuzzInvariantLens
/// @notice Read-only helper of contracts/test/invariants.fuzz.test.ts: reads every account, task, round and
/// IOU the invariants need in one eth_call, so that they can be checked after every fuzz step.
contract FuzzInvariantLens {
    struct AccountView {
        int256 balance;
        uint256 genesis;
        uint256 earned;
        uint256 stake;
        uint256 stakeGenesis;
        uint256 lockedStake;
        uint256 activeClaims;
    }

    struct TaskView {
        uint8 status;
        address worker;
        uint256 escrow;
        uint256 escrowGenesis;
        address[3] roundMembers;
        uint8[3] roundStatus;
        address[3] auditMembers;
        uint8[3] auditStatus;
        bool auditForced;
        /// round commit deadline, round reveal deadline, audit commit deadline, audit reveal deadline, accepted at
        uint256[5] times;
    }

    ICreditLedger public immutable ledger;
    ITaskMarket public immutable market;

    constructor(ICreditLedger ledger_, ITaskMarket market_) {
        ledger = ledger_;
        market = market_;
    }

    /// @param withOwed also read the IOU matrix owed[accounts[i]][accounts[j]] (row-major), else return it empty
    function snapshot(address[] calldata accounts, bytes32[] calldata taskIds, bool withOwed)
        external
        view
        returns (
            AccountView[] memory views,
            TaskView[] memory tasks,
            uint256[] memory owed,
            uint256 treasury,
            uint256 genesisIssued
        )
    {
        uint256 n = accounts.length;
        views = new AccountView[](n);
        owed = new uint256[](withOwed ? n * n : 0);
        for (uint256 i; i < n; ++i) {
            ICreditLedger.Account memory a = ledger.accountOf(accounts[i]);
            views[i] = AccountView(
                a.balance, a.genesis, a.earned, a.stake, a.stakeGenesis, a.lockedStake, market.activeClaims(accounts[i])
            );
            for (uint256 j; withOwed && j < n; ++j) {
                owed[i * n + j] = ledger.owed(accounts[i], accounts[j]);
            }
        }
        tasks = new TaskView[](taskIds.length);
        for (uint256 k; k < taskIds.length; ++k) {
            TaskId id = TaskId.wrap(taskIds[k]);
            ITaskMarket.Task memory t = market.taskOf(id);
            ICreditLedger.Escrow memory e = ledger.escrowOf(id);
            TaskView memory v = tasks[k];
            v.status = uint8(t.status);
            v.worker = t.worker;
            v.escrow = e.amount;
            v.escrowGenesis = e.genesis;
            if (t.status >= ITaskMarket.TaskStatus.Committed && t.status <= ITaskMarket.TaskStatus.Auditing) {
                ITaskMarket.Round memory r = market.roundOf(id);
                ITaskMarket.Round memory au = market.auditOf(id);
                for (uint256 m; m < 3; ++m) {
                    v.roundMembers[m] = r.members[m].account;
                    v.roundStatus[m] = uint8(r.members[m].status);
                    v.auditMembers[m] = au.members[m].account;
                    v.auditStatus[m] = uint8(au.members[m].status);
                }
                v.auditForced = au.forced;
                v.times = [
                    uint256(r.commitDeadline), uint256(r.revealDeadline), au.commitDeadline, au.revealDeadline, r.acceptedAt
                ];
            }
        }
        treasury = ledger.treasury();
        genesisIssued = ledger.genesisIssued();
    }
}

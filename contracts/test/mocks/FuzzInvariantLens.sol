// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditLedger} from "../../src/interfaces/ICreditLedger.sol";
import {ITaskMarket} from "../../src/interfaces/ITaskMarket.sol";
import {IWorkerRegistry} from "../../src/interfaces/IWorkerRegistry.sol";
import {TaskId} from "../../src/libraries/ProtocolHashes.sol";

/// @title FuzzInvariantLens
/// @notice Read-only helper of contracts/test/invariants.fuzz.test.ts: reads every account, task, round (the pending
/// audit decision included), the accounts each live task excludes, the verifier pool and the IOUs the invariants
/// need in one eth_call, so that they can be checked after every step.
contract FuzzInvariantLens {
    struct AccountView {
        int256 balance;
        uint256 genesis;
        uint256 earned;
        uint256 stake;
        uint256 stakeGenesis;
        uint256 lockedStake;
        uint256 creditLimit;
        uint256 activeClaims;
        uint256 registeredAt;
        uint256 bannedUntil;
        uint256 poolIndex;
        uint256 lastAcceptedAt;
        uint256 unstakeRequestedAt;
    }

    struct TaskView {
        uint8 status;
        address worker;
        bool revealed;
        uint256 claimDeadline;
        uint256 workValue;
        uint256 escrow;
        uint256 escrowGenesis;
        ITaskMarket.Round round;
        ITaskMarket.Round audit;
        uint256 excludedMask; // bit i: the task excludes excludedCandidates[i] (read for tasks not yet terminal)
    }

    struct GlobalView {
        uint256 treasury;
        uint256 treasuryGenesis;
        uint256 genesisIssued;
        uint256 genesisAccountsGranted;
        uint256 pausedTime;
        uint256 timestamp;
        uint256 blockNumber;
        address[] pool;
    }

    ICreditLedger public immutable ledger;
    ITaskMarket public immutable market;
    IWorkerRegistry public immutable registry;

    constructor(ICreditLedger ledger_, ITaskMarket market_, IWorkerRegistry registry_) {
        ledger = ledger_;
        market = market_;
        registry = registry_;
    }

    /// @param owedAccounts read the IOU matrix owed[owedAccounts[i]][owedAccounts[j]] (row-major) among these
    /// @param excludedCandidates the accounts whose exclusion from each live task is read (`TaskView.excludedMask`);
    /// the draws ask the pool for as many extra candidates as the task excludes accounts
    /// @param withPool also read the verifier pool in slot order
    function snapshot(
        address[] calldata accounts,
        bytes32[] calldata taskIds,
        address[] calldata owedAccounts,
        address[] calldata excludedCandidates,
        bool withPool
    )
        external
        view
        returns (AccountView[] memory views, TaskView[] memory tasks, uint256[] memory owed, GlobalView memory g)
    {
        views = new AccountView[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            views[i] = _account(accounts[i]);
        }
        uint256 n = owedAccounts.length;
        owed = new uint256[](n * n);
        for (uint256 i; i < n; ++i) {
            for (uint256 j; j < n; ++j) {
                owed[i * n + j] = ledger.owed(owedAccounts[i], owedAccounts[j]);
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
            v.revealed = t.revealed;
            v.claimDeadline = t.claimDeadline;
            v.workValue = t.workValue;
            v.escrow = e.amount;
            v.escrowGenesis = e.genesis;
            v.round = market.roundOf(id);
            v.audit = market.auditOf(id);
            if (t.status < ITaskMarket.TaskStatus.Final) {
                for (uint256 i; i < excludedCandidates.length; ++i) {
                    if (market.excluded(id, excludedCandidates[i])) v.excludedMask |= 1 << i;
                }
            }
        }
        g.treasury = ledger.treasury();
        g.treasuryGenesis = ledger.treasuryGenesis();
        g.genesisIssued = ledger.genesisIssued();
        g.genesisAccountsGranted = ledger.genesisAccountsGranted();
        g.pausedTime = market.pausedTime();
        g.timestamp = block.timestamp;
        g.blockNumber = block.number;
        uint256 size = withPool ? registry.poolSize() : 0;
        g.pool = new address[](size);
        for (uint256 i; i < size; ++i) {
            g.pool[i] = registry.poolMember(i);
        }
    }

    function _account(address who) internal view returns (AccountView memory v) {
        ICreditLedger.Account memory a = ledger.accountOf(who);
        IWorkerRegistry.Worker memory w = registry.workerOf(who);
        v.balance = a.balance;
        v.genesis = a.genesis;
        v.earned = a.earned;
        v.stake = a.stake;
        v.stakeGenesis = a.stakeGenesis;
        v.lockedStake = a.lockedStake;
        v.creditLimit = ledger.creditLimit(who);
        v.activeClaims = market.activeClaims(who);
        v.registeredAt = w.registeredAt;
        v.bannedUntil = w.bannedUntil;
        v.poolIndex = w.poolIndex;
        v.lastAcceptedAt = w.lastAcceptedAt;
        v.unstakeRequestedAt = w.unstakeRequestedAt;
    }
}

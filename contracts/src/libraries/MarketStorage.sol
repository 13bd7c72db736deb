// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {ITaskTypeRegistry} from "../interfaces/ITaskTypeRegistry.sol";
import {IWorkerRegistry} from "../interfaces/IWorkerRegistry.sol";
import {ProtocolParams} from "./ProtocolParams.sol";
import {TaskId} from "./ProtocolHashes.sol";

/// @notice Everything the task market stores. TaskMarket holds one of these; the round and audit libraries,
/// which run in its context (DELEGATECALL), receive it as a storage pointer.
struct MarketStorage {
    mapping(TaskId taskId => ITaskMarket.Task) tasks;
    mapping(TaskId taskId => ITaskMarket.Round) rounds;
    mapping(TaskId taskId => ITaskMarket.Round) audits;
    mapping(TaskId taskId => mapping(address account => bool)) excluded;
    /// @dev How many accounts `excluded` holds per task: a draw asks the pool for that many candidates more.
    mapping(TaskId taskId => uint256) excludedCount;
    mapping(address requester => uint256) nonces;
    /// @dev Active claims per worker, kept as `count + 1` once the worker has claimed anything: the slot then
    /// never returns to zero, so each claim pays a 5k storage update instead of a 22k slot creation.
    mapping(address worker => uint256) activeClaimsPlusOne;
    /// @dev Seconds of every pause that has ended, and when the current one began (0 = not paused). Read only where
    /// a window is opened or checked, so that other calls pay nothing for it.
    uint64 pausedBefore;
    uint64 pausedAt;
}

/// @notice What a library call needs besides storage: the market's immutables and the caller. A linked library
/// cannot read the market's immutables or `_msgSender()`, so the market passes them in.
struct MarketContext {
    ICreditLedger ledger;
    IWorkerRegistry registry;
    ITaskTypeRegistry taskTypes;
    address sender;
    ProtocolParams p;
}

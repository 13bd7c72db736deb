// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TaskId} from "../libraries/ProtocolHashes.sol";

/// @title Credit ledger of Compute Credits (amounts in mCC)
/// @notice Holds every credit of the system: balances (earned, may be negative down to a credit limit),
/// unspent genesis credit (spend/stake only), stakes, per-task escrow and the treasury.
/// Invariant: sum(balance + genesis + stake) + sum(escrow) + treasury == genesisIssued.
interface ICreditLedger {
    /// @notice Credit of one account. `balance` is earned, transferable credit and may be negative.
    struct Account {
        int128 balance;
        uint64 genesis; // unspent genesis credit: spend or stake only, never transferable
        uint64 earned; // total credit earned through verified work; sets the credit limit
        uint64 stake;
        uint64 stakeGenesis; // part of `stake` that came from genesis credit, returned to `genesis` on unstake
        uint64 lockedStake; // stake held by open claims and verifier duties
    }

    /// @notice Credit held for a task until it settles. `genesis` is the part that came from genesis
    /// credit; refunds return it to the requester's genesis credit so that refunds cannot launder it.
    struct Escrow {
        uint128 amount;
        uint128 genesis;
    }

    error NotOperator(address caller);
    error GenesisAlreadyGranted(address account);
    /// @param available credit the account can spend, counting its credit limit
    error InsufficientCredit(address account, int256 available, uint256 needed);
    error InsufficientTransferable(address account, int256 transferable, uint256 needed);
    error InsufficientFreeStake(address account, uint256 free, uint256 needed);
    error InsufficientEscrow(TaskId taskId, uint256 available, uint256 needed);
    error InsufficientTreasury(uint256 available, uint256 needed);
    error InvalidCycle(uint256 length);
    error NoDebtOnEdge(address debtor, address creditor);
    error ZeroAmount();

    event GenesisGranted(address indexed account, uint256 amount, uint256 accountNumber);
    event Escrowed(TaskId indexed taskId, address indexed from, uint256 amount, uint256 fromGenesis);
    event EscrowPaid(TaskId indexed taskId, address indexed to, uint256 amount);
    event EscrowRefunded(TaskId indexed taskId, address indexed to, uint256 amount, uint256 toGenesis);
    event EscrowToTreasury(TaskId indexed taskId, uint256 amount);
    event TreasuryPaid(address indexed to, uint256 amount);
    event Staked(address indexed account, uint256 amount, uint256 fromGenesis);
    event Unstaked(address indexed account, uint256 amount, uint256 toGenesis);
    event StakeLocked(address indexed account, uint256 amount);
    event StakeUnlocked(address indexed account, uint256 amount);
    /// @param fromStake part taken from stake; the rest was taken from the balance, into debt if need be
    event Slashed(address indexed account, uint256 amount, uint256 fromStake);
    event PaymentReversed(address indexed from, address indexed to, uint256 amount);
    event Transferred(address indexed from, address indexed to, uint256 amount);
    event IouRecorded(address indexed debtor, address indexed creditor, uint256 amount, uint256 netted);
    event CycleCleared(address indexed clearedBy, address[] path, uint256 amount);

    // ---- views ----

    function accountOf(address account) external view returns (Account memory);
    function escrowOf(TaskId taskId) external view returns (Escrow memory);
    function treasury() external view returns (uint256);
    function genesisIssued() external view returns (uint256);
    function genesisAccountsGranted() external view returns (uint256);
    /// @notice How far below zero the balance may go for spending on tasks.
    function creditLimit(address account) external view returns (uint256);
    /// @notice Credit available for spending on tasks: genesis + balance + credit limit (may be negative).
    function spendable(address account) external view returns (int256);
    function freeStake(address account) external view returns (uint256);
    function owed(address debtor, address creditor) external view returns (uint256);

    // ---- anyone ----

    /// @notice Transfers earned (non-genesis, positive) credit.
    function transfer(address to, uint256 amount) external;

    /// @notice Clears a closed cycle of IOUs path[0] -> path[1] -> ... -> path[0] by its smallest edge.
    /// Net balances do not change.
    function clearCycle(address[] calldata path) external returns (uint256 cleared);

    // ---- operators (the worker registry and the task market) ----

    function grantGenesis(address account) external returns (uint256 granted);
    function escrow(TaskId taskId, address from, uint256 amount) external;
    function payFromEscrow(TaskId taskId, address to, uint256 amount, bool earnedByWork) external;
    function refundEscrow(TaskId taskId, address to, uint256 amount) external;
    function escrowToTreasury(TaskId taskId, uint256 amount) external;
    function payFromTreasury(address to, uint256 amount) external returns (uint256 paid);
    function stakeFrom(address account, uint256 amount) external;
    function unstakeTo(address account, uint256 amount) external;
    function lockStake(address account, uint256 amount) external;
    function unlockStake(address account, uint256 amount) external;
    /// @notice Takes `amount` from the account's free stake first, then from its balance into debt; credits the treasury.
    function slash(address account, uint256 amount) external;
    /// @notice Moves `amount` of credit earned by work back from `from` to `to`, into debt if need be.
    function reversePayment(address from, address to, uint256 amount) external;
    function recordIou(address debtor, address creditor, uint256 amount) external;
    /// @notice Refunds everything the task's escrow still holds to `to`; returns the amount.
    function refundAllEscrow(TaskId taskId, address to) external returns (uint256 refunded);
    /// @notice Unlocks `unlockAmount` of the account's stake, then slashes `slashAmount` (0 for none).
    function unlockAndSlash(address account, uint256 unlockAmount, uint256 slashAmount) external;
    /// @notice Proven fraud: reverses the payment `bounty` from worker to requester (also in the IOUs) and
    /// slashes the worker `slashAmount` (stake first, then into debt).
    function punishFraud(address worker, address requester, uint256 bounty, uint256 slashAmount) external;
    /// @notice Settles accepted work in one call: pays `bounty` from escrow to the worker as earned credit,
    /// moves `platformFee` from escrow to the treasury, records the IOU and unlocks the worker's claim stake.
    function payForWork(
        TaskId taskId,
        address requester,
        address worker,
        uint256 bounty,
        uint256 platformFee,
        uint256 stakeToUnlock
    ) external;
}

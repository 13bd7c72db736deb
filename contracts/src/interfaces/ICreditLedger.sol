// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TaskId} from "../libraries/ProtocolHashes.sol";

/// @title Credit ledger of Compute Credits (amounts in mCC)
/// @notice Holds every credit of the system: balances (transferable, may be negative down to a credit limit),
/// genesis credit (spend or stake only), stakes, per-task escrow and the treasury.
/// Invariant: sum(balance + genesis + stake) + sum(escrow) + treasury == genesisIssued.
///
/// Genesis stays genesis (DESIGN §3a): every pot tracks the part of it that came from genesis credit, and every
/// movement carries that part along (pro rata for a payment out of an escrow or a slash, genesis first for a
/// refund). A payment funded by genesis credit is received as genesis credit, so no chain of tasks, stakes or
/// slashes ever turns genesis credit into transferable credit:
/// sum(genesis + stakeGenesis) + sum(escrow.genesis) + treasuryGenesis == genesisIssued, always.
///
/// Credit lines: an account may spend down to `-creditLimit`, where the limit is half of its `earned` work credit,
/// capped. Work credit grows only when verified work is final, and only by the task's work value (the task type's
/// on-chain cost model for the declared input), never by the price paid; credit transferred away takes the same
/// amount of work credit with it. So the most an account can default is its credit limit:
/// min(creditLimitCap, creditLimitBps x (final verified work value - credit transferred away)).
interface ICreditLedger {
    /// @notice Credit of one account.
    struct Account {
        int128 balance; // transferable credit; negative = debt (credit line used, or a slash beyond the stake)
        uint64 genesis; // genesis credit, own or received as pay from genesis-funded escrow: spend or stake only
        uint64 earned; // work credit: final verified work value, less credit transferred away; sets the credit limit
        uint64 stake;
        uint64 stakeGenesis; // part of `stake` that came from genesis credit, returned to `genesis` on unstake
        uint64 lockedStake; // stake held by open claims, duties and work not yet final
    }

    /// @notice Credit held for a task until it is final. `genesis` is the part that came from genesis credit.
    struct Escrow {
        uint128 amount;
        uint128 genesis;
    }

    /// @notice What one participant gets when a task's escrow ends: pay out of the escrow, and its stake unlocked
    /// and slashed (in that order). `workCredit` is the part of the pay that counts as final verified work (it
    /// raises the credit limit); `iou` records the pay as an IOU of the requester to the participant.
    struct Settlement {
        address account;
        uint256 pay;
        uint256 workCredit;
        bool iou;
        uint256 unlock;
        uint256 slash;
    }

    error NotOperator(address caller);
    error GenesisAlreadyGranted(address account);
    /// @param available credit the account can spend, counting its credit limit
    error InsufficientCredit(address account, int256 available, uint256 needed);
    error InsufficientTransferable(address account, int256 transferable, uint256 needed);
    error InsufficientFreeStake(address account, uint256 free, uint256 needed);
    error InsufficientEscrow(TaskId taskId, uint256 available, uint256 needed);
    error InvalidCycle(uint256 length);
    error NoDebtOnEdge(address debtor, address creditor);
    error ZeroAmount();

    event GenesisGranted(address indexed account, uint256 amount, uint256 accountNumber);
    event Escrowed(TaskId indexed taskId, address indexed from, uint256 amount, uint256 fromGenesis);
    /// @param asGenesis part received as genesis credit (the escrow's genesis share)
    event EscrowPaid(TaskId indexed taskId, address indexed to, uint256 amount, uint256 asGenesis, uint256 workCredit);
    event EscrowRefunded(TaskId indexed taskId, address indexed to, uint256 amount, uint256 toGenesis);
    event EscrowToTreasury(TaskId indexed taskId, uint256 amount, uint256 genesisPart);
    event Staked(address indexed account, uint256 amount, uint256 fromGenesis);
    event Unstaked(address indexed account, uint256 amount, uint256 toGenesis);
    event StakeLocked(address indexed account, uint256 amount);
    event StakeUnlocked(address indexed account, uint256 amount);
    /// @param fromStake part taken from stake; the rest was taken from the balance, into debt if need be
    /// @param recovered part backed by credit the account held (its stake and positive balance), not debt
    event Slashed(address indexed account, uint256 amount, uint256 fromStake, uint256 recovered);
    /// @notice Part of a slash paid straight to someone who exposed the fault (a verifier or an auditor).
    event SlashRewarded(address indexed from, address indexed to, uint256 amount, uint256 asGenesis);
    event Transferred(address indexed from, address indexed to, uint256 amount);
    event IouRecorded(address indexed debtor, address indexed creditor, uint256 amount, uint256 netted);
    event CycleCleared(address indexed clearedBy, address[] path, uint256 amount);

    // ---- views ----

    function accountOf(address account) external view returns (Account memory);
    function escrowOf(TaskId taskId) external view returns (Escrow memory);
    function treasury() external view returns (uint256);
    /// @notice Part of the treasury that came from genesis credit (platform fees and slashes of genesis credit).
    function treasuryGenesis() external view returns (uint256);
    function genesisIssued() external view returns (uint256);
    function genesisAccountsGranted() external view returns (uint256);
    /// @notice How far below zero the balance may go for spending on tasks.
    function creditLimit(address account) external view returns (uint256);
    /// @notice Credit available for spending on tasks: genesis + balance + credit limit (may be negative).
    function spendable(address account) external view returns (int256);
    function freeStake(address account) external view returns (uint256);
    /// @notice An account's stake and the part of it not locked, in one call (the verifier draw reads both).
    function stakeOf(address account) external view returns (uint256 stake, uint256 free);
    function owed(address debtor, address creditor) external view returns (uint256);

    // ---- anyone ----

    /// @notice Transfers transferable credit (a positive balance; never genesis credit, never pay that is not
    /// final, which stays in the task's escrow). The sender's work credit shrinks by the same amount.
    function transfer(address to, uint256 amount) external;

    /// @notice Clears a closed cycle of IOUs path[0] -> path[1] -> ... -> path[0] by its smallest edge.
    /// Net balances do not change.
    function clearCycle(address[] calldata path) external returns (uint256 cleared);

    // ---- operators (the worker registry and the task market) ----

    function grantGenesis(address account) external returns (uint256 granted);
    /// @notice Moves `amount` of `from`'s credit into the task's escrow: genesis credit first, then the balance,
    /// into the credit line if need be.
    function escrow(TaskId taskId, address from, uint256 amount) external;
    /// @notice Ends a task's escrow: carries out `settlements`, moves `toTreasury` to the treasury, and refunds what
    /// is left to `requester` (its genesis part back to its genesis credit).
    function release(TaskId taskId, address requester, Settlement[] calldata settlements, uint256 toTreasury)
        external;
    function stakeFrom(address account, uint256 amount) external;
    function unstakeTo(address account, uint256 amount) external;
    function lockStake(address account, uint256 amount) external;
    function unlockStake(address account, uint256 amount) external;
    /// @notice Unlocks `unlockAmount` of the account's stake, then slashes `slashAmount` (0 for none) into the
    /// treasury: stake first (its genesis part first), then the balance, into debt if need be.
    function unlockAndSlash(address account, uint256 unlockAmount, uint256 slashAmount) external;
    /// @notice As `unlockAndSlash`, then pays each of `rewarded` up to `each` out of what the slash recovered
    /// (never out of the debt it created), with the slash's genesis share. The rest stays in the treasury.
    /// @return paidEach what each rewarded account received
    function slashAndReward(
        address account,
        uint256 unlockAmount,
        uint256 slashAmount,
        address[] calldata rewarded,
        uint256 each
    ) external returns (uint256 paidEach);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Worker registry
/// @notice Who may work: registration with a benchmark rate and capabilities, stake, reputation, bans,
/// and the verifier pool from which verifiers and auditors are drawn.
interface IWorkerRegistry {
    struct Worker {
        uint32 registeredAt; // 0 = not registered
        uint32 rateMilli; // benchmark rate x 1000 (reference time / own time)
        uint32 bannedUntil;
        int32 reputation;
        uint32 unstakeRequestedAt; // 0 = no pending request
        uint32 poolIndex; // 1-based index in the verifier pool, 0 = not in the pool
        uint32 lastAcceptedAt; // when work of this worker was last accepted; its stake backs the audit window
        uint256 capabilities; // bit i set = can run task type i
    }

    error NotMarket(address caller);
    error AlreadyRegistered(address account);
    error NotRegistered(address account);
    error Banned(address account, uint256 until);
    error ZeroRate();
    error AlreadyInPool(address account);
    error NotInPool(address account);
    error StakeBelowVerifierMinimum(address account, uint256 stake, uint256 minimum);
    error UnstakeNotRequested(address account);
    error UnstakeCooldown(address account, uint256 availableAt);
    error StakeStillLocked(address account, uint256 locked);

    event WorkerRegistered(address indexed account, uint256 rateMilli, uint256 capabilities, uint256 genesisGranted);
    event WorkerUpdated(address indexed account, uint256 rateMilli, uint256 capabilities);
    event UnstakeRequested(address indexed account, uint256 availableAt);
    /// @notice `account` is in the pool for draws anchored to block `fromBlock` or later.
    event VerifierPoolJoined(address indexed account, uint256 fromBlock);
    /// @notice `account` is out of the pool for draws anchored to block `fromBlock` or later.
    event VerifierPoolLeft(address indexed account, uint256 fromBlock);
    event ReputationChanged(address indexed account, int256 delta, int256 reputation);
    event WorkAccepted(address indexed account, uint256 at);
    event WorkerBanned(address indexed account, uint256 until);

    function workerOf(address account) external view returns (Worker memory);
    function isRegistered(address account) external view returns (bool);
    function isBanned(address account) external view returns (bool);
    /// @notice Registered, not banned and able to run `typeId`.
    function canWork(address account, uint8 typeId) external view returns (bool);
    /// @notice The pool as it stands after this block's changes (joins and leaves take effect from the next block).
    function poolSize() external view returns (uint256);
    function poolMember(uint256 index) external view returns (address);
    /// @notice The pool as draws anchored to `blockNumber` read it: its state at the end of the block before.
    function poolSizeAt(uint256 blockNumber) external view returns (uint256);
    function poolMemberAt(uint256 index, uint256 blockNumber) external view returns (address);

    /// @notice Draws up to `count` distinct verifiers for `typeId` with at least `lockAmount` free stake, none of
    /// them in `exclude`, from the pool as it stood in block `atBlock` (the draw's anchor). Scans a bounded window
    /// of that pool from a random start, skipping members that left it since or cannot serve now.
    function draw(
        uint256 seed,
        uint256 atBlock,
        uint256 count,
        uint8 typeId,
        uint256 lockAmount,
        address[] memory exclude
    ) external view returns (address[] memory drawn);

    function register(uint32 rateMilli, uint256 capabilities) external;
    function update(uint32 rateMilli, uint256 capabilities) external;
    function stake(uint256 amount) external;
    function requestUnstake() external;
    function unstake(uint256 amount) external;
    function joinVerifierPool() external;
    function leaveVerifierPool() external;

    // ---- market only ----
    function adjustReputation(address account, int32 delta) external;
    /// @notice Accepted work: reputation +1, and the stake stays until the work's audit window has closed.
    function recordAcceptedWork(address account) external;
    function ban(address account, uint32 duration) external;
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {IWorkerRegistry} from "./interfaces/IWorkerRegistry.sol";
import {ProtocolParams} from "./libraries/ProtocolParams.sol";
import {ProtocolConfig} from "./ProtocolConfig.sol";

/// @title WorkerRegistry
/// @notice Registration, stake, reputation, bans, and the verifier pool with its history.
/// @dev The pool is an array of slots kept by swap-and-pop, and every change of a slot or of the pool's length
/// takes effect from the next block, the value it replaces kept as a checkpoint (OpenZeppelin Checkpoints). A draw anchored to block `a` reads the pool as it stood in
/// block `a` (its order and its length, so `seed % length` too): that is the pool at the end of block `a - 1`,
/// fixed before the anchor's hash, the draw's seed, can be known. Joining or leaving once the seed is public
/// changes nothing in that draw, except that a member who has left since is skipped; skipping a member never
/// puts more of one party's accounts into a draw than it had.
contract WorkerRegistry is IWorkerRegistry, Ownable, Pausable, ERC2771Context {
    using Checkpoints for Checkpoints.Trace160;

    /// @dev Bounds the gas of a draw whatever the pool size; the window starts at a random index.
    uint256 public constant MAX_DRAW_SCAN = 32;

    ICreditLedger public immutable ledger;
    uint64 internal immutable _minVerifierStake;
    uint32 internal immutable _unstakeCooldown;
    uint32 internal immutable _auditWindow;

    address public market;
    mapping(address account => Worker) internal _workers;
    /// @dev A pool value (a slot's member, or the pool's length) and the first block it holds in. The values it
    /// replaced are in the history, keyed by their own first block: a draw mostly reads the current value, one slot.
    struct Since {
        uint160 value;
        uint96 since;
    }

    Since internal _poolLength;
    Checkpoints.Trace160 internal _poolLengthHistory;
    mapping(uint256 slot => Since) internal _poolSlots; // value: the member's address, zero = empty
    mapping(uint256 slot => Checkpoints.Trace160) internal _poolSlotHistory;

    constructor(ProtocolConfig config, ICreditLedger ledger_, address governance, address trustedForwarder)
        Ownable(governance)
        ERC2771Context(trustedForwarder)
    {
        ProtocolParams memory p = config.params();
        ledger = ledger_;
        _minVerifierStake = p.minVerifierStake;
        _unstakeCooldown = p.unstakeCooldown;
        _auditWindow = p.auditWindow;
    }

    /// @notice Set by governance after the market is deployed (the two reference each other). Governance
    /// already administers the ledger, so resetting it grants no power it lacks.
    function setMarket(address market_) external onlyOwner {
        market = market_;
    }

    modifier onlyMarket() {
        if (msg.sender != market) revert NotMarket(msg.sender);
        _;
    }

    modifier onlyRegistered(address account) {
        if (_workers[account].registeredAt == 0) revert NotRegistered(account);
        _;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IWorkerRegistry
    function workerOf(address account) external view returns (Worker memory) {
        return _workers[account];
    }

    /// @inheritdoc IWorkerRegistry
    function isRegistered(address account) public view returns (bool) {
        return _workers[account].registeredAt != 0;
    }

    /// @inheritdoc IWorkerRegistry
    function isBanned(address account) public view returns (bool) {
        return _workers[account].bannedUntil > block.timestamp;
    }

    /// @inheritdoc IWorkerRegistry
    function canWork(address account, uint8 typeId) public view returns (bool) {
        Worker storage w = _workers[account];
        return w.registeredAt != 0 && w.bannedUntil <= block.timestamp && (w.capabilities >> typeId) & 1 == 1;
    }

    /// @inheritdoc IWorkerRegistry
    function poolSize() public view returns (uint256) {
        return _poolLength.value;
    }

    /// @inheritdoc IWorkerRegistry
    function poolMember(uint256 index) public view returns (address) {
        return address(_poolSlots[index].value);
    }

    /// @inheritdoc IWorkerRegistry
    function poolSizeAt(uint256 blockNumber) public view returns (uint256) {
        return _valueAt(_poolLength, _poolLengthHistory, blockNumber);
    }

    /// @inheritdoc IWorkerRegistry
    function poolMemberAt(uint256 index, uint256 blockNumber) public view returns (address) {
        return address(uint160(_valueAt(_poolSlots[index], _poolSlotHistory[index], blockNumber)));
    }

    /// @inheritdoc IWorkerRegistry
    /// @dev The seed comes from the market (an anchored block hash mixed with the task id). A block producer can
    /// bias it by withholding a block; that is a known limit, priced in by the stakes at risk (DESIGN §3).
    /// What the draw reads as of the anchor block is the pool's membership, order and length, so the window the
    /// seed picks is fixed before the seed is known. Whether a candidate can serve (capability, ban, stake, free
    /// stake, still in the pool) is read now. A party that changes its own accounts' eligibility after seeing the
    /// seed gets at most the seats those accounts would have had being eligible all along (the draw takes the first
    /// eligible members of the window: making one eligible only seats it where it would have sat anyway, making one
    /// ineligible only passes its seat to the next member). Holding its accounts eligible costs it nothing more, so
    /// the option buys nothing; contracts/test/invariants.fuzz.test.ts checks the bound. A known limit remains:
    /// a party holding several pending draws can order them so that earlier ones lock honest members' free stake.
    function draw(
        uint256 seed,
        uint256 atBlock,
        uint256 count,
        uint8 typeId,
        uint256 lockAmount,
        address[] memory exclude
    ) external view returns (address[] memory drawn) {
        drawn = new address[](count);
        uint256 size = poolSizeAt(atBlock);
        if (size == 0 || count == 0) return _shrink(drawn, 0);
        uint256 scan = size < MAX_DRAW_SCAN ? size : MAX_DRAW_SCAN;
        uint256 start = seed % size;
        uint256 found;
        for (uint256 i; i < scan && found < count; ++i) {
            address candidate = poolMemberAt((start + i) % size, atBlock);
            if (_canServe(candidate, typeId, lockAmount, exclude)) drawn[found++] = candidate;
        }
        return _shrink(drawn, found);
    }

    function _canServe(address candidate, uint8 typeId, uint256 lockAmount, address[] memory exclude)
        internal
        view
        returns (bool)
    {
        if (candidate == address(0) || _isExcluded(candidate, exclude)) return false;
        if (_workers[candidate].poolIndex == 0 || !canWork(candidate, typeId)) return false;
        (uint256 stake, uint256 free) = ledger.stakeOf(candidate);
        return stake >= _minVerifierStake && free >= lockAmount;
    }

    // ---------------------------------------------------------------- workers

    /// @inheritdoc IWorkerRegistry
    function register(uint32 rateMilli, uint256 capabilities) external whenNotPaused {
        address account = _msgSender();
        if (_workers[account].registeredAt != 0) revert AlreadyRegistered(account);
        if (rateMilli == 0) revert ZeroRate();
        Worker storage w = _workers[account];
        w.registeredAt = uint32(block.timestamp);
        w.rateMilli = rateMilli;
        w.capabilities = capabilities;
        uint256 granted = ledger.grantGenesis(account);
        emit WorkerRegistered(account, rateMilli, capabilities, granted);
    }

    /// @inheritdoc IWorkerRegistry
    function update(uint32 rateMilli, uint256 capabilities) external onlyRegistered(_msgSender()) {
        if (rateMilli == 0) revert ZeroRate();
        Worker storage w = _workers[_msgSender()];
        w.rateMilli = rateMilli;
        w.capabilities = capabilities;
        emit WorkerUpdated(_msgSender(), rateMilli, capabilities);
    }

    /// @inheritdoc IWorkerRegistry
    function stake(uint256 amount) external whenNotPaused onlyRegistered(_msgSender()) {
        address account = _msgSender();
        _workers[account].unstakeRequestedAt = 0; // staking again cancels a pending unstake
        ledger.stakeFrom(account, amount);
    }

    /// @inheritdoc IWorkerRegistry
    /// @dev Leaving the pool at the same time stops new draws during the cooldown.
    function requestUnstake() external onlyRegistered(_msgSender()) {
        address account = _msgSender();
        Worker storage w = _workers[account];
        w.unstakeRequestedAt = uint32(block.timestamp);
        if (w.poolIndex != 0) _leavePool(account);
        emit UnstakeRequested(account, block.timestamp + _unstakeCooldown);
    }

    /// @inheritdoc IWorkerRegistry
    function unstake(uint256 amount) external onlyRegistered(_msgSender()) {
        address account = _msgSender();
        Worker storage w = _workers[account];
        if (w.unstakeRequestedAt == 0) revert UnstakeNotRequested(account);
        // Stake must outlive the audit window of the last accepted work, or a fraud found late would land
        // only as debt.
        uint256 availableAt = uint256(w.unstakeRequestedAt) + _unstakeCooldown;
        uint256 auditClosesAt = uint256(w.lastAcceptedAt) + _auditWindow;
        if (w.lastAcceptedAt != 0 && auditClosesAt > availableAt) availableAt = auditClosesAt;
        if (block.timestamp < availableAt) revert UnstakeCooldown(account, availableAt);
        // An audit may outlast the audit window (forced late, or finalized late): the worker's claim lock on that task
        // is held until the task is final, so any locked stake keeps the whole stake here for a fraud slash.
        uint256 locked = ledger.accountOf(account).lockedStake;
        if (locked != 0) revert StakeStillLocked(account, locked);
        ledger.unstakeTo(account, amount);
    }

    /// @inheritdoc IWorkerRegistry
    function joinVerifierPool() external whenNotPaused onlyRegistered(_msgSender()) {
        address account = _msgSender();
        Worker storage w = _workers[account];
        if (w.poolIndex != 0) revert AlreadyInPool(account);
        if (w.bannedUntil > block.timestamp) revert Banned(account, w.bannedUntil);
        uint256 staked = ledger.accountOf(account).stake;
        if (staked < _minVerifierStake) revert StakeBelowVerifierMinimum(account, staked, _minVerifierStake);
        w.unstakeRequestedAt = 0;
        uint256 slot = poolSize();
        uint96 from = uint96(block.number + 1);
        _set(_poolSlots[slot], _poolSlotHistory[slot], uint160(account), from);
        _set(_poolLength, _poolLengthHistory, uint160(slot + 1), from);
        w.poolIndex = uint32(slot + 1);
        emit VerifierPoolJoined(account, from);
    }

    /// @inheritdoc IWorkerRegistry
    function leaveVerifierPool() external {
        address account = _msgSender();
        if (_workers[account].poolIndex == 0) revert NotInPool(account);
        _leavePool(account);
    }

    // ---------------------------------------------------------------- market

    /// @inheritdoc IWorkerRegistry
    function adjustReputation(address account, int32 delta) external onlyMarket {
        Worker storage w = _workers[account];
        w.reputation += delta;
        emit ReputationChanged(account, delta, w.reputation);
    }

    /// @inheritdoc IWorkerRegistry
    function recordAcceptedWork(address account) external onlyMarket {
        Worker storage w = _workers[account];
        w.reputation += 1;
        w.lastAcceptedAt = uint32(block.timestamp);
        emit ReputationChanged(account, 1, w.reputation);
        emit WorkAccepted(account, block.timestamp);
    }

    /// @inheritdoc IWorkerRegistry
    function ban(address account, uint32 duration) external onlyMarket {
        Worker storage w = _workers[account];
        w.bannedUntil = uint32(block.timestamp + duration);
        if (w.poolIndex != 0) _leavePool(account);
        emit WorkerBanned(account, w.bannedUntil);
    }

    // ---------------------------------------------------------------- governance

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    // ---------------------------------------------------------------- internals

    function _leavePool(address account) internal {
        uint256 index = _workers[account].poolIndex - 1;
        uint256 last = poolSize() - 1;
        uint96 from = uint96(block.number + 1);
        if (index != last) {
            address moved = poolMember(last);
            _set(_poolSlots[index], _poolSlotHistory[index], uint160(moved), from);
            _workers[moved].poolIndex = uint32(index + 1);
        }
        _set(_poolSlots[last], _poolSlotHistory[last], 0, from);
        _set(_poolLength, _poolLengthHistory, uint160(last), from);
        _workers[account].poolIndex = 0;
        emit VerifierPoolLeft(account, from);
    }

    /// @dev Sets `current` to `value` from block `from` on, keeping the value it replaces for earlier blocks.
    function _set(Since storage current, Checkpoints.Trace160 storage history, uint160 value, uint96 from) internal {
        Since memory old = current;
        if (old.since != from && (old.since != 0 || old.value != 0)) history.push(old.since, old.value);
        current.value = value;
        current.since = from;
    }

    function _valueAt(Since storage current, Checkpoints.Trace160 storage history, uint256 blockNumber)
        internal
        view
        returns (uint256)
    {
        Since memory latest = current;
        if (latest.since <= blockNumber) return latest.value;
        return history.upperLookupRecent(uint96(blockNumber));
    }

    function _isExcluded(address candidate, address[] memory exclude) internal pure returns (bool) {
        for (uint256 i; i < exclude.length; ++i) {
            if (exclude[i] == candidate) return true;
        }
        return false;
    }

    function _shrink(address[] memory list, uint256 length) internal pure returns (address[] memory) {
        assembly ("memory-safe") {
            mstore(list, length)
        }
        return list;
    }

    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {Bps, ProtocolParams} from "./libraries/ProtocolParams.sol";
import {TaskId} from "./libraries/ProtocolHashes.sol";
import {ProtocolConfig} from "./ProtocolConfig.sol";

/// @title CreditLedger
/// @notice The only place where credit lives. Operators (registry, market) move it; users can transfer
/// earned credit and clear IOU cycles. Credit is created only as genesis and never destroyed.
contract CreditLedger is ICreditLedger, AccessControl, Pausable, ERC2771Context {
    using SafeCast for uint256;
    using SafeCast for int256;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    uint256 public constant MAX_CYCLE_LENGTH = 16;

    uint64 internal immutable _genesisGrant;
    uint32 internal immutable _genesisAccounts;
    uint16 internal immutable _creditLimitBps;
    uint64 internal immutable _creditLimitCap;

    mapping(address account => Account) internal _accounts;
    mapping(TaskId taskId => Escrow) internal _escrows;
    mapping(address debtor => mapping(address creditor => uint256 amount)) public owed;
    uint256 public treasury;
    uint256 public genesisIssued;
    uint256 public genesisAccountsGranted;
    mapping(address account => bool) public hasGenesis;

    constructor(ProtocolConfig config, address governance, address trustedForwarder) ERC2771Context(trustedForwarder) {
        ProtocolParams memory p = config.params();
        _genesisGrant = p.genesisGrant;
        _genesisAccounts = p.genesisAccounts;
        _creditLimitBps = p.creditLimitBps;
        _creditLimitCap = p.creditLimitCap;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
    }

    modifier onlyOperator() {
        if (!hasRole(OPERATOR_ROLE, msg.sender)) revert NotOperator(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICreditLedger
    function accountOf(address account) external view returns (Account memory) {
        return _accounts[account];
    }

    /// @inheritdoc ICreditLedger
    function escrowOf(TaskId taskId) external view returns (Escrow memory) {
        return _escrows[taskId];
    }

    /// @inheritdoc ICreditLedger
    function creditLimit(address account) public view returns (uint256) {
        uint256 limit = Bps.share(_accounts[account].earned, _creditLimitBps);
        return limit < _creditLimitCap ? limit : _creditLimitCap;
    }

    /// @inheritdoc ICreditLedger
    function spendable(address account) public view returns (int256) {
        Account storage a = _accounts[account];
        return int256(a.balance) + int256(uint256(a.genesis)) + int256(creditLimit(account));
    }

    /// @inheritdoc ICreditLedger
    function freeStake(address account) public view returns (uint256) {
        Account storage a = _accounts[account];
        return a.stake > a.lockedStake ? a.stake - a.lockedStake : 0;
    }

    // ---------------------------------------------------------------- anyone

    /// @inheritdoc ICreditLedger
    function transfer(address to, uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        address from = _msgSender();
        Account storage a = _accounts[from];
        if (int256(a.balance) < int256(amount)) revert InsufficientTransferable(from, a.balance, amount);
        a.balance -= amount.toInt256().toInt128();
        _accounts[to].balance += amount.toInt256().toInt128();
        emit Transferred(from, to, amount);
    }

    /// @inheritdoc ICreditLedger
    function clearCycle(address[] calldata path) external whenNotPaused returns (uint256 cleared) {
        uint256 n = path.length;
        if (n < 2 || n > MAX_CYCLE_LENGTH) revert InvalidCycle(n);
        cleared = type(uint256).max;
        for (uint256 i; i < n; ++i) {
            address debtor = path[i];
            address creditor = path[(i + 1) % n];
            uint256 edge = owed[debtor][creditor];
            if (edge == 0) revert NoDebtOnEdge(debtor, creditor);
            if (edge < cleared) cleared = edge;
        }
        for (uint256 i; i < n; ++i) {
            owed[path[i]][path[(i + 1) % n]] -= cleared;
        }
        emit CycleCleared(_msgSender(), path, cleared);
    }

    // ---------------------------------------------------------------- operators

    /// @inheritdoc ICreditLedger
    function grantGenesis(address account) external onlyOperator returns (uint256 granted) {
        if (hasGenesis[account]) revert GenesisAlreadyGranted(account);
        hasGenesis[account] = true;
        if (genesisAccountsGranted >= _genesisAccounts) return 0;
        granted = _genesisGrant;
        genesisAccountsGranted += 1;
        genesisIssued += granted;
        _accounts[account].genesis += uint64(granted);
        emit GenesisGranted(account, granted, genesisAccountsGranted);
    }

    /// @inheritdoc ICreditLedger
    /// @dev Genesis credit is spent first, so that earned credit stays transferable as long as possible.
    function escrow(TaskId taskId, address from, uint256 amount) external onlyOperator {
        if (amount == 0) revert ZeroAmount();
        int256 available = spendable(from);
        if (available < int256(amount)) revert InsufficientCredit(from, available, amount);
        Account storage a = _accounts[from];
        uint256 fromGenesis = amount < a.genesis ? amount : a.genesis;
        a.genesis -= uint64(fromGenesis);
        a.balance -= (amount - fromGenesis).toInt256().toInt128();
        Escrow storage e = _escrows[taskId];
        e.amount += amount.toUint128();
        e.genesis += fromGenesis.toUint128();
        emit Escrowed(taskId, from, amount, fromGenesis);
    }

    /// @inheritdoc ICreditLedger
    function payFromEscrow(TaskId taskId, address to, uint256 amount, bool earnedByWork) external onlyOperator {
        _payFromEscrow(taskId, to, amount, earnedByWork);
    }

    /// @inheritdoc ICreditLedger
    /// @dev One call instead of four: a zk task settles in the proof transaction, where every call counts.
    function payForWork(
        TaskId taskId,
        address requester,
        address worker,
        uint256 bounty,
        uint256 platformFee,
        uint256 stakeToUnlock
    ) external onlyOperator {
        _unlockStake(worker, stakeToUnlock);
        _payFromEscrow(taskId, worker, bounty, true);
        _escrowToTreasury(taskId, platformFee);
        _recordIou(requester, worker, bounty);
    }

    function _payFromEscrow(TaskId taskId, address to, uint256 amount, bool earnedByWork) internal {
        Escrow storage e = _takeEscrow(taskId, amount);
        // Whatever genesis the escrow still holds is bounded by what remains in it: the payment takes
        // non-genesis credit first, so later refunds return genesis credit to the genesis pot, not the balance.
        if (e.genesis > e.amount) e.genesis = e.amount;
        Account storage a = _accounts[to];
        a.balance += amount.toInt256().toInt128();
        if (earnedByWork) a.earned += amount.toUint64();
        emit EscrowPaid(taskId, to, amount);
    }

    /// @inheritdoc ICreditLedger
    function refundEscrow(TaskId taskId, address to, uint256 amount) external onlyOperator {
        _refundEscrow(taskId, to, amount);
    }

    /// @inheritdoc ICreditLedger
    function refundAllEscrow(TaskId taskId, address to) external onlyOperator returns (uint256 refunded) {
        refunded = _escrows[taskId].amount;
        _refundEscrow(taskId, to, refunded);
    }

    function _refundEscrow(TaskId taskId, address to, uint256 amount) internal {
        if (amount == 0) return;
        Escrow storage e = _takeEscrow(taskId, amount);
        uint256 toGenesis = amount < e.genesis ? amount : e.genesis;
        e.genesis -= uint128(toGenesis);
        if (e.genesis > e.amount) e.genesis = e.amount;
        Account storage a = _accounts[to];
        a.genesis += toGenesis.toUint64();
        a.balance += (amount - toGenesis).toInt256().toInt128();
        emit EscrowRefunded(taskId, to, amount, toGenesis);
    }

    /// @inheritdoc ICreditLedger
    function escrowToTreasury(TaskId taskId, uint256 amount) external onlyOperator {
        _escrowToTreasury(taskId, amount);
    }

    function _escrowToTreasury(TaskId taskId, uint256 amount) internal {
        if (amount == 0) return;
        Escrow storage e = _takeEscrow(taskId, amount);
        if (e.genesis > e.amount) e.genesis = e.amount;
        treasury += amount;
        emit EscrowToTreasury(taskId, amount);
    }

    /// @inheritdoc ICreditLedger
    /// @dev Pays what the treasury holds, up to `amount`: a clean audit must not revert for want of treasury.
    function payFromTreasury(address to, uint256 amount) external onlyOperator returns (uint256 paid) {
        paid = amount < treasury ? amount : treasury;
        if (paid == 0) return 0;
        treasury -= paid;
        Account storage a = _accounts[to];
        a.balance += paid.toInt256().toInt128();
        a.earned += paid.toUint64();
        emit TreasuryPaid(to, paid);
    }

    /// @inheritdoc ICreditLedger
    /// @dev Staking never uses the credit line: a stake must be backed by credit the account holds.
    function stakeFrom(address account, uint256 amount) external onlyOperator {
        if (amount == 0) revert ZeroAmount();
        Account storage a = _accounts[account];
        int256 held = int256(a.balance) + int256(uint256(a.genesis));
        if (held < int256(amount)) revert InsufficientCredit(account, held, amount);
        uint256 fromGenesis = amount < a.genesis ? amount : a.genesis;
        a.genesis -= uint64(fromGenesis);
        a.balance -= (amount - fromGenesis).toInt256().toInt128();
        a.stake += amount.toUint64();
        a.stakeGenesis += uint64(fromGenesis);
        emit Staked(account, amount, fromGenesis);
    }

    /// @inheritdoc ICreditLedger
    function unstakeTo(address account, uint256 amount) external onlyOperator {
        if (amount == 0) revert ZeroAmount();
        uint256 free = freeStake(account);
        if (free < amount) revert InsufficientFreeStake(account, free, amount);
        Account storage a = _accounts[account];
        uint256 toGenesis = amount < a.stakeGenesis ? amount : a.stakeGenesis;
        a.stake -= uint64(amount);
        a.stakeGenesis -= uint64(toGenesis);
        a.genesis += uint64(toGenesis);
        a.balance += (amount - toGenesis).toInt256().toInt128();
        emit Unstaked(account, amount, toGenesis);
    }

    /// @inheritdoc ICreditLedger
    function lockStake(address account, uint256 amount) external onlyOperator {
        uint256 free = freeStake(account);
        if (free < amount) revert InsufficientFreeStake(account, free, amount);
        _accounts[account].lockedStake += uint64(amount);
        emit StakeLocked(account, amount);
    }

    /// @inheritdoc ICreditLedger
    function unlockStake(address account, uint256 amount) external onlyOperator {
        _unlockStake(account, amount);
    }

    function _unlockStake(address account, uint256 amount) internal {
        Account storage a = _accounts[account];
        // A slash may already have taken locked stake; never underflow.
        uint256 unlocked = amount < a.lockedStake ? amount : a.lockedStake;
        a.lockedStake -= uint64(unlocked);
        emit StakeUnlocked(account, unlocked);
    }

    /// @inheritdoc ICreditLedger
    function slash(address account, uint256 amount) external onlyOperator {
        _slash(account, amount);
    }

    /// @inheritdoc ICreditLedger
    function unlockAndSlash(address account, uint256 unlockAmount, uint256 slashAmount) external onlyOperator {
        _unlockStake(account, unlockAmount);
        _slash(account, slashAmount);
    }

    /// @inheritdoc ICreditLedger
    function punishFraud(address worker, address requester, uint256 bounty, uint256 slashAmount) external onlyOperator {
        _reversePayment(worker, requester, bounty);
        _recordIou(worker, requester, bounty);
        _slash(worker, slashAmount);
    }

    function _slash(address account, uint256 amount) internal {
        if (amount == 0) return;
        Account storage a = _accounts[account];
        uint256 fromStake = amount < a.stake ? amount : a.stake;
        // Genesis-sourced stake is taken first: it is the free credit, the earned part hurts later.
        uint256 genesisPart = fromStake < a.stakeGenesis ? fromStake : a.stakeGenesis;
        a.stakeGenesis -= uint64(genesisPart);
        a.stake -= uint64(fromStake);
        if (a.lockedStake > a.stake) a.lockedStake = a.stake;
        a.balance -= (amount - fromStake).toInt256().toInt128();
        treasury += amount;
        emit Slashed(account, amount, fromStake);
    }

    /// @inheritdoc ICreditLedger
    function reversePayment(address from, address to, uint256 amount) external onlyOperator {
        _reversePayment(from, to, amount);
    }

    function _reversePayment(address from, address to, uint256 amount) internal {
        Account storage a = _accounts[from];
        a.balance -= amount.toInt256().toInt128();
        a.earned -= uint64(amount < a.earned ? amount : a.earned);
        _accounts[to].balance += amount.toInt256().toInt128();
        emit PaymentReversed(from, to, amount);
    }

    /// @inheritdoc ICreditLedger
    function recordIou(address debtor, address creditor, uint256 amount) external onlyOperator {
        _recordIou(debtor, creditor, amount);
    }

    function _recordIou(address debtor, address creditor, uint256 amount) internal {
        uint256 reverse = owed[creditor][debtor];
        uint256 netted = amount < reverse ? amount : reverse;
        if (netted > 0) owed[creditor][debtor] = reverse - netted;
        if (amount > netted) owed[debtor][creditor] += amount - netted;
        emit IouRecorded(debtor, creditor, amount, netted);
    }

    // ---------------------------------------------------------------- governance

    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- internals

    function _takeEscrow(TaskId taskId, uint256 amount) internal returns (Escrow storage e) {
        e = _escrows[taskId];
        if (e.amount < amount) revert InsufficientEscrow(taskId, e.amount, amount);
        e.amount -= uint128(amount);
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

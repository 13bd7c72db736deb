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
/// transferable credit and clear IOU cycles. Credit is created only as genesis and never destroyed, and genesis
/// credit never becomes transferable (see ICreditLedger).
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
    /// @dev The treasury and its genesis part share one slot: every fee and slash updates both.
    uint128 internal _treasury;
    uint128 internal _treasuryGenesis;
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
    function treasury() external view returns (uint256) {
        return _treasury;
    }

    /// @inheritdoc ICreditLedger
    function treasuryGenesis() external view returns (uint256) {
        return _treasuryGenesis;
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
    function stakeOf(address account) external view returns (uint256 stake, uint256 free) {
        Account storage a = _accounts[account];
        stake = a.stake;
        free = a.stake > a.lockedStake ? a.stake - a.lockedStake : 0;
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
        // Credit moved away does not keep the credit line it earned.
        a.earned -= uint64(amount < a.earned ? amount : a.earned);
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
    /// @dev Genesis credit is spent first, so that transferable credit stays transferable as long as possible.
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
    function release(TaskId taskId, address requester, Settlement[] calldata settlements, uint256 toTreasury)
        external
        onlyOperator
    {
        Escrow storage e = _escrows[taskId];
        for (uint256 i; i < settlements.length; ++i) {
            Settlement calldata s = settlements[i];
            if (s.pay != 0) {
                uint256 asGenesis = _takeEscrow(taskId, e, s.pay);
                Account storage a = _accounts[s.account];
                a.genesis += asGenesis.toUint64();
                a.balance += (s.pay - asGenesis).toInt256().toInt128();
                if (s.workCredit != 0) a.earned += s.workCredit.toUint64();
                emit EscrowPaid(taskId, s.account, s.pay, asGenesis, s.workCredit);
                if (s.iou) _recordIou(requester, s.account, s.pay);
            }
            _unlockStake(s.account, s.unlock);
            _slash(s.account, s.slash);
        }
        if (toTreasury != 0) {
            uint256 genesisPart = _takeEscrow(taskId, e, toTreasury);
            _treasury += toTreasury.toUint128();
            _treasuryGenesis += genesisPart.toUint128();
            emit EscrowToTreasury(taskId, toTreasury, genesisPart);
        }
        uint256 rest = e.amount;
        if (rest != 0) {
            uint256 toGenesis = e.genesis;
            delete _escrows[taskId];
            Account storage r = _accounts[requester];
            r.genesis += toGenesis.toUint64();
            r.balance += (rest - toGenesis).toInt256().toInt128();
            emit EscrowRefunded(taskId, requester, rest, toGenesis);
        }
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
        if (amount == 0) return;
        Account storage a = _accounts[account];
        // A slash may already have taken locked stake; never underflow.
        uint256 unlocked = amount < a.lockedStake ? amount : a.lockedStake;
        a.lockedStake -= uint64(unlocked);
        emit StakeUnlocked(account, unlocked);
    }

    /// @inheritdoc ICreditLedger
    function unlockAndSlash(address account, uint256 unlockAmount, uint256 slashAmount) external onlyOperator {
        _unlockStake(account, unlockAmount);
        _slash(account, slashAmount);
    }

    /// @inheritdoc ICreditLedger
    /// @dev A reward is paid only out of what the slash recovered: a slash that mostly lands as debt of an
    /// account its owner will abandon must not mint transferable credit for whoever exposed it.
    function slashAndReward(
        address account,
        uint256 unlockAmount,
        uint256 slashAmount,
        address[] calldata rewarded,
        uint256 each
    ) external onlyOperator returns (uint256 paidEach) {
        _unlockStake(account, unlockAmount);
        (uint256 recovered, uint256 genesisPart) = _slash(account, slashAmount);
        uint256 n = rewarded.length;
        if (n == 0 || recovered == 0) return 0;
        // Each reward carries the slash's genesis share, rounded up, and never more than its share of either part:
        // rounding can only shorten a reward, never turn genesis credit into transferable credit.
        paidEach = recovered / n < each ? recovered / n : each;
        uint256 genesisEach = (paidEach * genesisPart + recovered - 1) / recovered;
        if (genesisEach > genesisPart / n) genesisEach = genesisPart / n;
        uint256 transferableEach = paidEach - genesisEach;
        if (transferableEach > (recovered - genesisPart) / n) transferableEach = (recovered - genesisPart) / n;
        paidEach = genesisEach + transferableEach;
        if (paidEach == 0) return 0;
        _treasury -= uint128(paidEach * n);
        _treasuryGenesis -= uint128(genesisEach * n);
        for (uint256 i; i < n; ++i) {
            Account storage a = _accounts[rewarded[i]];
            a.genesis += uint64(genesisEach);
            a.balance += transferableEach.toInt256().toInt128();
            emit SlashRewarded(account, rewarded[i], paidEach, genesisEach);
        }
    }

    /// @return recovered the part backed by credit the account held (stake, positive balance)
    /// @return genesisPart the part of it that was genesis-sourced stake
    function _slash(address account, uint256 amount) internal returns (uint256 recovered, uint256 genesisPart) {
        if (amount == 0) return (0, 0);
        Account storage a = _accounts[account];
        uint256 fromStake = amount < a.stake ? amount : a.stake;
        // Genesis-sourced stake is taken first: it is the free credit, the earned part hurts later.
        genesisPart = fromStake < a.stakeGenesis ? fromStake : a.stakeGenesis;
        a.stakeGenesis -= uint64(genesisPart);
        a.stake -= uint64(fromStake);
        if (a.lockedStake > a.stake) a.lockedStake = a.stake;
        uint256 fromBalance = amount - fromStake;
        int256 balance = a.balance;
        uint256 positive = balance > 0 ? uint256(balance) : 0;
        recovered = fromStake + (fromBalance < positive ? fromBalance : positive);
        a.balance = (balance - fromBalance.toInt256()).toInt128();
        _treasury += amount.toUint128();
        _treasuryGenesis += uint128(genesisPart);
        emit Slashed(account, amount, fromStake, recovered);
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

    /// @dev Takes `amount` out of an escrow with its genesis share (pro rata, rounded down: what is left keeps
    /// genesis <= amount). Returns that share.
    function _takeEscrow(TaskId taskId, Escrow storage e, uint256 amount) internal returns (uint256 genesisShare) {
        uint256 held = e.amount;
        if (held < amount) revert InsufficientEscrow(taskId, held, amount);
        genesisShare = (amount * e.genesis) / held;
        e.amount = uint128(held - amount);
        e.genesis -= uint128(genesisShare);
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

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {Bps} from "./ProtocolParams.sol";
import {TaskId} from "./ProtocolHashes.sol";
import {MarketContext, MarketStorage} from "./MarketStorage.sol";

/// @title Rules shared by the task lifecycle, the replication round and the audit
/// @notice Internal functions only: each contract or linked library that uses one carries its own copy.
library TaskRules {
    /// @notice Member index of the worker in the replicated round.
    uint256 internal constant WORKER = 0;
    /// @notice How far back the EVM serves block hashes.
    uint256 internal constant BLOCKHASH_HORIZON = 256;
    /// @notice Replacements of silent verifiers per round, during the commit window and after the reveal window.
    uint256 internal constant MAX_REPLACEMENTS = 2;

    // ---------------------------------------------------------------- lookups

    function existing(MarketStorage storage $, TaskId taskId) internal view returns (ITaskMarket.Task storage t) {
        t = $.tasks[taskId];
        if (t.status == ITaskMarket.TaskStatus.None) revert ITaskMarket.TaskNotFound(taskId);
    }

    function requireStatus(TaskId taskId, ITaskMarket.Task storage t, ITaskMarket.TaskStatus expected) internal view {
        if (t.status != expected) revert ITaskMarket.WrongStatus(taskId, t.status);
    }

    function memberIndex(ITaskMarket.Round storage r, address account) internal view returns (uint256) {
        for (uint256 i; i < 3; ++i) {
            if (r.members[i].account == account) return i;
        }
        return type(uint256).max;
    }

    function revealedWith(ITaskMarket.Round storage r, uint256 i, bytes32 digest) internal view returns (bool) {
        return r.members[i].status == ITaskMarket.ContributionStatus.Revealed && r.sealOrDigest[i] == digest;
    }

    function revealed(ITaskMarket.Round storage r, uint256 i) internal view returns (bool) {
        return r.members[i].status == ITaskMarket.ContributionStatus.Revealed;
    }

    /// @dev Keeps `account` out of the task's claims and draws from now on.
    function exclude(MarketStorage storage $, TaskId taskId, address account) internal {
        if ($.excluded[taskId][account]) return;
        $.excluded[taskId][account] = true;
        $.excludedCount[taskId] += 1;
    }

    // ---------------------------------------------------------------- amounts

    /// @dev Worker stake locked by a claim; it stays locked until the task is final or its round fails.
    function claimLock(MarketContext memory c, uint256 bounty) internal pure returns (uint256) {
        return Bps.share(bounty, c.p.claimStakeBps);
    }

    /// @dev Stake a verifier or auditor locks per duty, and what it loses for failing it.
    function dutyLock(MarketContext memory c, uint256 bounty) internal pure returns (uint256) {
        return Bps.share(bounty, c.p.rejectSlashBps);
    }

    function fee(MarketContext memory c, uint256 bounty) internal pure returns (uint256) {
        return Bps.share(bounty, c.p.verifierFeeBps);
    }

    function min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    // ---------------------------------------------------------------- windows

    /// @notice Seconds the market has been paused so far, the current pause included.
    function pausedTime(MarketStorage storage $) internal view returns (uint256) {
        uint256 since = $.pausedAt;
        return $.pausedBefore + (since == 0 ? 0 : block.timestamp - since);
    }

    /// @notice The audit window of an accepted task (round `r`), or an audit's own lapse time (audit round `r`):
    /// `auditWindow` after `acceptedAt`, extended by the pauses since then.
    function auditClosesAt(MarketStorage storage $, MarketContext memory c, ITaskMarket.Round storage r)
        internal
        view
        returns (uint256)
    {
        return uint256(r.acceptedAt) + c.p.auditWindow + (pausedTime($) - r.pauseMark);
    }

    // ---------------------------------------------------------------- randomness

    /// @dev Fixes the block whose hash will seed the round's next draw, and whose verifier pool it draws from. Both
    /// are unknown while the anchoring transaction runs, so its outcome cannot be tried and reverted.
    function anchor(TaskId taskId, ITaskMarket.Round storage r) internal {
        r.anchorBlock = uint32(block.number);
        emit ITaskMarket.RandomnessAnchored(taskId, block.number);
    }

    /// @notice The anchor's hash can no longer be read: a draw from it will never happen.
    function anchorLapsed(ITaskMarket.Round storage r) internal view returns (bool) {
        return r.anchorBlock != 0 && block.number > uint256(r.anchorBlock) + BLOCKHASH_HORIZON;
    }

    /// @dev Randomness from the chain: the hash of the round's anchor block, mixed with the task id and the
    /// purpose. A block producer can still bias it by withholding a block (DESIGN §3 known limit); a caller can
    /// only choose whether to call, not the outcome, which every party can compute once the anchor is mined. A
    /// lapsed anchor is never replaced by a fresh one: waiting out the horizon must not buy a new roll.
    function anchoredSeed(TaskId taskId, ITaskMarket.Round storage r, bytes32 purpose) internal view returns (uint256) {
        uint256 a = r.anchorBlock;
        if (a >= block.number) revert ITaskMarket.AnchorNotReady(taskId, a);
        if (block.number > a + BLOCKHASH_HORIZON) revert ITaskMarket.AnchorLapsed(taskId, a);
        return uint256(keccak256(abi.encode(blockhash(a), taskId, purpose)));
    }

    /// @dev Fills the empty member slots from `first` on with accounts drawn from the pool as it stood in the
    /// anchor block, locking their stake; opens the commit window once every slot is filled. A pool too short
    /// re-anchors, so that the next attempt draws from the pool as it will have grown.
    function fill(
        MarketStorage storage $,
        MarketContext memory c,
        TaskId taskId,
        ITaskMarket.Task storage t,
        ITaskMarket.Round storage r,
        uint256 first,
        address[] memory exclude,
        bool audit
    ) internal {
        uint256 missing;
        for (uint256 i = first; i < 3; ++i) {
            if (r.members[i].account == address(0)) missing += 1;
        }
        if (missing == 0) return;
        uint256 seed = anchoredSeed(taskId, r, audit ? bytes32("auditors") : bytes32("verifiers"));
        uint256 lock = dutyLock(c, t.bounty);
        // Accounts excluded from the task are skipped below: ask for enough candidates that they cannot crowd out
        // eligible ones.
        uint256 wanted = missing + 2 + $.excludedCount[taskId];
        address[] memory drawn = c.registry.draw(seed, r.anchorBlock, wanted, t.typeId, lock, exclude);
        uint256 next;
        for (uint256 i = first; i < 3 && next < drawn.length; ++i) {
            if (r.members[i].account != address(0)) continue;
            address account = drawn[next++];
            while ($.excluded[taskId][account] && next < drawn.length) account = drawn[next++];
            if ($.excluded[taskId][account]) break;
            c.ledger.lockStake(account, lock);
            r.members[i] = ITaskMarket.Member(account, ITaskMarket.ContributionStatus.Drawn);
            missing -= 1;
            if (audit) emit ITaskMarket.AuditorDrawn(taskId, account, i);
            else emit ITaskMarket.VerifierDrawn(taskId, account, i);
        }
        if (missing == 0) {
            r.poolShort = false;
            r.commitDeadline = uint32(block.timestamp + c.p.commitWindow);
            r.revealDeadline = uint32(block.timestamp + c.p.commitWindow + c.p.revealWindow);
            emit ITaskMarket.CommitWindowOpened(taskId, r.commitDeadline, r.revealDeadline);
        } else {
            r.poolShort = true;
            anchor(taskId, r);
        }
    }

    /// @dev Who may not verify a task: its requester, its worker and its current verifiers.
    function verifierExclusions(ITaskMarket.Task storage t, ITaskMarket.Round storage r)
        internal
        view
        returns (address[] memory exclude)
    {
        exclude = new address[](4);
        exclude[0] = t.requester;
        exclude[1] = t.worker;
        exclude[2] = r.members[1].account;
        exclude[3] = r.members[2].account;
    }

    // ---------------------------------------------------------------- transitions

    function startAudit(
        MarketStorage storage $,
        MarketContext memory c,
        TaskId taskId,
        ITaskMarket.Task storage t,
        bool forced
    ) internal {
        ITaskMarket.Round storage a = $.audits[taskId];
        a.forced = forced;
        a.acceptedAt = uint32(block.timestamp); // an audit's start; it lapses an audit window (+ pauses) later
        a.pauseMark = uint32(pausedTime($));
        emit ITaskMarket.AuditStarted(taskId, forced);
        // Auditors are drawn by `drawAuditors` in a later block, for the same reason as verifiers.
        anchor(taskId, a);
    }

    /// @dev An Open task past its deadline ends. If a result of it was revealed, the bounty is not refunded (it
    /// goes to the treasury): a requester must not get revealed work for free by waiting out its deadline.
    function expireOpen(MarketContext memory c, TaskId taskId, ITaskMarket.Task storage t) internal {
        t.status = ITaskMarket.TaskStatus.Expired;
        c.ledger.release(taskId, t.requester, new ICreditLedger.Settlement[](0), t.revealed ? t.bounty : 0);
        emit ITaskMarket.TaskExpired(taskId);
    }

    /// @dev A task whose round failed goes back to the queue, or expires if its deadline has passed.
    function reopen(MarketContext memory c, TaskId taskId, ITaskMarket.Task storage t) internal {
        t.worker = address(0);
        t.claimDeadline = 0;
        t.status = ITaskMarket.TaskStatus.Open;
        if (block.timestamp > t.deadline) expireOpen(c, taskId, t);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {ProtocolHashes, TaskId} from "./ProtocolHashes.sol";
import {MarketContext, MarketStorage} from "./MarketStorage.sol";
import {TaskRules} from "./TaskRules.sol";

/// @title The 2-of-3 replication round: commit, draw, reveal, replace, tally
/// @notice A linked library of TaskMarket: it runs in the market's context (storage, events, ledger role), and
/// the market alone calls it, from its nonReentrant entry points. Commit and reveal, which also serve audit rounds,
/// are internal: small and called most often, they are compiled into the market instead of paying a library call.
library ReplicationRound {
    using TaskRules for MarketContext;

    uint256 internal constant WORKER = TaskRules.WORKER;

    // ================================================================ commit-reveal (replicated and audit)

    function commit(MarketStorage storage $, MarketContext memory c, TaskId taskId, bytes32 commitment) internal {
        if (commitment == bytes32(0)) revert ITaskMarket.ZeroCommitment();
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        address sender = c.sender;
        ITaskMarket.TaskStatus status = t.status;
        if (status == ITaskMarket.TaskStatus.Claimed) {
            if (t.mode != ITaskMarket.VerificationMode.Replicated) revert ITaskMarket.WrongMode(taskId, t.mode);
            if (sender != t.worker) revert ITaskMarket.NotClaimer(taskId, sender);
            if (block.timestamp > t.claimDeadline) revert ITaskMarket.ClaimExpired(taskId, t.claimDeadline);
            ITaskMarket.Round storage r = $.rounds[taskId];
            r.members[WORKER] = ITaskMarket.Member(sender, ITaskMarket.ContributionStatus.Committed);
            r.sealOrDigest[WORKER] = commitment;
            r.commits = 1;
            t.status = ITaskMarket.TaskStatus.Committed;
            // The claim is done; its stake stays locked until the task is final or the round fails.
            $.activeClaimsPlusOne[sender] -= 1;
            emit ITaskMarket.ResultCommitted(taskId, sender, WORKER);
            // Verifiers are drawn in a later transaction from this block's hash, which nobody knows yet:
            // a worker that reverted its commit on an unwelcome draw would otherwise re-roll it at will.
            TaskRules.anchor(taskId, r);
        } else if (status == ITaskMarket.TaskStatus.Committed || status == ITaskMarket.TaskStatus.Revealing) {
            _commitMember(c, taskId, $.rounds[taskId], sender, commitment);
        } else if (status == ITaskMarket.TaskStatus.Auditing) {
            _commitMember(c, taskId, $.audits[taskId], sender, commitment);
        } else {
            revert ITaskMarket.WrongStatus(taskId, status);
        }
    }

    function reveal(MarketStorage storage $, MarketContext memory c, TaskId taskId, bytes calldata cid, bytes32 salt)
        internal
    {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        ITaskMarket.TaskStatus status = t.status;
        bool audit = status == ITaskMarket.TaskStatus.Auditing;
        if (!audit && status != ITaskMarket.TaskStatus.Committed && status != ITaskMarket.TaskStatus.Revealing) {
            revert ITaskMarket.WrongStatus(taskId, status);
        }
        ITaskMarket.Round storage r = audit ? $.audits[taskId] : $.rounds[taskId];
        // Nobody reveals before every commitment is in (or the commit window closed): a lazy verifier
        // cannot copy a result it has not computed.
        if (r.commits < 3 && (r.commitDeadline == 0 || block.timestamp <= r.commitDeadline)) {
            revert ITaskMarket.RevealNotOpen(taskId);
        }
        if (block.timestamp > r.revealDeadline) revert ITaskMarket.RevealWindowClosed(taskId, r.revealDeadline);

        address sender = c.sender;
        uint256 index = TaskRules.memberIndex(r, sender);
        if (index == type(uint256).max || r.members[index].status != ITaskMarket.ContributionStatus.Committed) {
            revert ITaskMarket.NotCommitted(taskId, sender);
        }
        bytes32 digest = ProtocolHashes.cidDigest(cid);
        if (ProtocolHashes.commitment(taskId, sender, digest, salt) != r.sealOrDigest[index]) {
            revert ITaskMarket.RevealMismatch(taskId, sender);
        }
        r.sealOrDigest[index] = digest;
        r.members[index].status = ITaskMarket.ContributionStatus.Revealed;
        r.reveals += 1;
        if (!audit && status == ITaskMarket.TaskStatus.Committed) {
            // From now on the result is public: the task can no longer be cancelled for a refund.
            t.revealed = true;
            t.status = ITaskMarket.TaskStatus.Revealing;
        }
        emit ITaskMarket.ResultRevealed(taskId, sender, digest, cid);
    }

    function _commitMember(
        MarketContext memory c,
        TaskId taskId,
        ITaskMarket.Round storage r,
        address sender,
        bytes32 commitment
    ) internal {
        uint256 index = TaskRules.memberIndex(r, sender);
        if (index == type(uint256).max) revert ITaskMarket.NotDrawn(taskId, sender);
        ITaskMarket.Member storage m = r.members[index];
        if (m.status != ITaskMarket.ContributionStatus.Drawn) revert ITaskMarket.AlreadyCommitted(taskId, sender);
        if (r.commitDeadline == 0 || block.timestamp > r.commitDeadline) {
            revert ITaskMarket.CommitWindowClosed(taskId, r.commitDeadline);
        }
        m.status = ITaskMarket.ContributionStatus.Committed;
        r.sealOrDigest[index] = commitment;
        r.commits += 1;
        // Everyone is in: the reveal phase opens now instead of at the end of the commit window.
        if (r.commits == 3) r.revealDeadline = uint32(block.timestamp + c.p.revealWindow);
        emit ITaskMarket.ResultCommitted(taskId, sender, index);
    }

    // ================================================================ draws and replacements

    function drawVerifiers(MarketStorage storage $, MarketContext memory c, TaskId taskId) external {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        if (t.status != ITaskMarket.TaskStatus.Committed && t.status != ITaskMarket.TaskStatus.Revealing) {
            revert ITaskMarket.WrongStatus(taskId, t.status);
        }
        ITaskMarket.Round storage r = $.rounds[taskId];
        if (r.commitDeadline != 0 || r.anchorBlock == 0) revert ITaskMarket.NothingToDraw(taskId);
        TaskRules.fill($, c, taskId, t, r, 1, TaskRules.verifierExclusions(t, r), false);
    }

    /// @dev A verifier that never committed loses reputation and its place, not stake: it revealed nothing and
    /// withheld nothing but time (DESIGN §3).
    function replaceSilentVerifiers(MarketStorage storage $, MarketContext memory c, TaskId taskId) external {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        if (t.status != ITaskMarket.TaskStatus.Committed && t.status != ITaskMarket.TaskStatus.Revealing) {
            revert ITaskMarket.WrongStatus(taskId, t.status);
        }
        ITaskMarket.Round storage r = $.rounds[taskId];
        if (
            r.replacements >= TaskRules.MAX_REPLACEMENTS || r.commitDeadline == 0 || block.timestamp <= r.commitDeadline
                || r.commits == 3 || _agreed(r)
        ) {
            revert ITaskMarket.CannotReplace(taskId);
        }
        uint256 lock = c.dutyLock(t.bounty);
        for (uint256 i = 1; i < 3; ++i) {
            if (r.members[i].status != ITaskMarket.ContributionStatus.Drawn) continue;
            _vacate($, c, taskId, r, i, lock, 0);
        }
        _redraw(taskId, r);
    }

    /// @dev The worker and a verifier already revealed the same result: the round is decided.
    function _agreed(ITaskMarket.Round storage r) internal view returns (bool) {
        bytes32 d = r.sealOrDigest[WORKER];
        return TaskRules.revealed(r, WORKER) && (TaskRules.revealedWith(r, 1, d) || TaskRules.revealedWith(r, 2, d));
    }

    /// @dev Takes member `i` out of the round, unlocking its duty stake and slashing `slashAmount` of it; it stays
    /// out of this task's draws.
    function _vacate(
        MarketStorage storage $,
        MarketContext memory c,
        TaskId taskId,
        ITaskMarket.Round storage r,
        uint256 i,
        uint256 lock,
        uint256 slashAmount
    ) internal {
        address silent = r.members[i].account;
        if (r.members[i].status == ITaskMarket.ContributionStatus.Committed) r.commits -= 1;
        c.ledger.unlockAndSlash(silent, lock, slashAmount);
        c.registry.adjustReputation(silent, -1);
        TaskRules.exclude($, taskId, silent);
        delete r.members[i];
        r.sealOrDigest[i] = bytes32(0);
        emit ITaskMarket.VerifierReplaced(taskId, silent, i);
    }

    function _redraw(TaskId taskId, ITaskMarket.Round storage r) internal {
        r.replacements += 1;
        r.commitDeadline = 0;
        r.revealDeadline = 0;
        r.poolShort = false;
        TaskRules.anchor(taskId, r);
    }

    // ================================================================ settlement

    function settle(MarketStorage storage $, MarketContext memory c, TaskId taskId) external {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        if (t.status != ITaskMarket.TaskStatus.Committed && t.status != ITaskMarket.TaskStatus.Revealing) {
            revert ITaskMarket.WrongStatus(taskId, t.status);
        }
        ITaskMarket.Round storage r = $.rounds[taskId];
        bool drawPending = r.commitDeadline == 0;
        bool lapsed = drawPending && TaskRules.anchorLapsed(r);
        if (drawPending) {
            // A draw still due ends the round only when it lapsed, or when the pool was too short to fill it
            // until the deadline. Otherwise it is simply due: nobody gains by not calling it.
            if (!lapsed && !(r.poolShort && block.timestamp > t.deadline)) revert ITaskMarket.RoundNotOver(taskId);
        } else if (r.reveals < 3 && block.timestamp <= r.revealDeadline) {
            revert ITaskMarket.RoundNotOver(taskId);
        }

        bytes32 workerDigest = r.sealOrDigest[WORKER];
        bool workerRevealed = TaskRules.revealed(r, WORKER);
        if (_agreed(r)) {
            _accept($, c, taskId, t, r, workerDigest);
            return;
        }
        bool verifiersAgree =
            TaskRules.revealed(r, 1) && TaskRules.revealedWith(r, 2, r.sealOrDigest[1]);
        if (lapsed && !r.poolShort) {
            _reject($, c, taskId, t, r, ITaskMarket.RejectReason.DrawLapsed);
        } else if (drawPending) {
            // The pool was too short to fill the round (and nobody retried in time, or the deadline passed):
            // nobody is to blame.
            _reject($, c, taskId, t, r, ITaskMarket.RejectReason.NoConsensus);
        } else if (verifiersAgree) {
            _reject(
                $,
                c,
                taskId,
                t,
                r,
                workerRevealed ? ITaskMarket.RejectReason.VerifiersDisagreed : ITaskMarket.RejectReason.WorkerSilent
            );
        } else if (!workerRevealed) {
            _reject($, c, taskId, t, r, ITaskMarket.RejectReason.WorkerSilent);
        } else if (
            (!TaskRules.revealed(r, 1) || !TaskRules.revealed(r, 2)) && r.replacements < TaskRules.MAX_REPLACEMENTS
        ) {
            // The worker's result is public and silence left no decision: the silent verifiers pay for what they
            // withheld, and fresh verifiers finish the round. The worker's reveal stands.
            uint256 lock = c.dutyLock(t.bounty);
            for (uint256 i = 1; i < 3; ++i) {
                if (!TaskRules.revealed(r, i)) _vacate($, c, taskId, r, i, lock, lock);
            }
            _redraw(taskId, r);
        } else {
            _reject($, c, taskId, t, r, ITaskMarket.RejectReason.NoConsensus);
        }
    }

    function _accept(
        MarketStorage storage $,
        MarketContext memory c,
        TaskId taskId,
        ITaskMarket.Task storage t,
        ITaskMarket.Round storage r,
        bytes32 workerDigest
    ) internal {
        uint256 lock = c.dutyLock(t.bounty);
        for (uint256 i = 1; i < 3; ++i) {
            ITaskMarket.Member storage m = r.members[i];
            if (m.account == address(0)) continue;
            if (m.status != ITaskMarket.ContributionStatus.Revealed) {
                // Silent: nothing an audit could prove right. Slashed now.
                c.ledger.unlockAndSlash(m.account, lock, lock);
                c.registry.adjustReputation(m.account, -1);
            }
            // A dissenting verifier stays locked: slashed when the task is final, made whole if an audit proves
            // it right.
        }
        bool inputRejected = workerDigest == c.taskTypes.rejectedDigestOf(t.typeId);
        r.inputRejected = inputRejected;
        r.acceptedAt = uint32(block.timestamp);
        r.pauseMark = uint32(TaskRules.pausedTime($));
        c.registry.recordAcceptedWork(t.worker);
        t.status = ITaskMarket.TaskStatus.Accepted;
        emit ITaskMarket.TaskAccepted(taskId, t.worker, workerDigest, inputRejected);
        // The random audit is decided from the hash of this block, in a later transaction (TaskAudit.decideAudit):
        // no member's choice to reveal or not, and no caller's choice of when to settle, can show it beforehand.
        if (c.p.auditRateBps != 0) {
            r.auditPending = true;
            TaskRules.anchor(taskId, r);
        }
    }

    function _reject(
        MarketStorage storage $,
        MarketContext memory c,
        TaskId taskId,
        ITaskMarket.Task storage t,
        ITaskMarket.Round storage r,
        ITaskMarket.RejectReason reason
    ) internal {
        address worker = t.worker;
        uint256 bounty = t.bounty;
        uint256 lock = c.dutyLock(bounty);
        bool roundRan = r.commitDeadline != 0;
        bool workerAtFault = reason != ITaskMarket.RejectReason.NoConsensus;
        if (workerAtFault) {
            // Verifiers who exposed a bad worker are paid out of its slash, not out of the requester's escrow,
            // which stays whole for the next round.
            address[] memory rewarded = new address[](2);
            uint256 n;
            for (uint256 i = 1; i < 3; ++i) {
                if (TaskRules.revealed(r, i)) rewarded[n++] = r.members[i].account;
            }
            assembly ("memory-safe") {
                mstore(rewarded, n)
            }
            c.ledger.slashAndReward(worker, c.claimLock(bounty), lock, rewarded, c.fee(bounty));
            TaskRules.exclude($, taskId, worker);
            c.registry.adjustReputation(worker, -1);
        } else {
            c.ledger.unlockStake(worker, c.claimLock(bounty));
        }
        for (uint256 i = 1; i < 3; ++i) {
            ITaskMarket.Member storage m = r.members[i];
            if (m.account == address(0)) continue;
            // A verifier whose commit window never opened (pool too short) did nothing wrong.
            bool silent = m.status != ITaskMarket.ContributionStatus.Revealed;
            c.ledger.unlockAndSlash(m.account, lock, silent && roundRan ? lock : 0);
        }
        emit ITaskMarket.TaskRejected(taskId, worker, reason);
        delete $.rounds[taskId];
        TaskRules.reopen(c, taskId, t);
    }
}

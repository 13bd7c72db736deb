// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {Bps} from "./ProtocolParams.sol";
import {TaskId} from "./ProtocolHashes.sol";
import {MarketContext, MarketStorage} from "./MarketStorage.sol";
import {TaskRules} from "./TaskRules.sol";

/// @title Audits and the end of an accepted task: forced and random audits, fraud, and the final payout
/// @notice A linked library of TaskMarket: it runs in the market's context, called only from its nonReentrant
/// entry points. Nothing of an accepted task is paid before this library makes it final.
library TaskAudit {
    using TaskRules for MarketContext;

    uint256 internal constant WORKER = TaskRules.WORKER;

    function forceAudit(MarketStorage storage $, MarketContext memory c, TaskId taskId) external {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        if (c.sender != t.requester) revert ITaskMarket.NotRequester(taskId, c.sender);
        TaskRules.requireStatus(taskId, t, ITaskMarket.TaskStatus.Accepted);
        ITaskMarket.Round storage r = $.rounds[taskId];
        uint256 closesAt = TaskRules.auditClosesAt($, c, r);
        if (block.timestamp > closesAt) revert ITaskMarket.AuditWindowClosed(taskId, closesAt);
        // A forced audit makes the random one moot. The auditors' fees come out of the audit reserve escrowed at post.
        r.auditPending = false;
        t.status = ITaskMarket.TaskStatus.Auditing;
        TaskRules.startAudit($, c, taskId, t, true);
    }

    function drawAuditors(MarketStorage storage $, MarketContext memory c, TaskId taskId) external {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        TaskRules.requireStatus(taskId, t, ITaskMarket.TaskStatus.Auditing);
        ITaskMarket.Round storage a = $.audits[taskId];
        if (a.commitDeadline != 0 || a.anchorBlock == 0) revert ITaskMarket.NothingToDraw(taskId);
        // An audit that found no auditors within the audit window has lapsed; it is not restarted later.
        uint256 lapsesAt = TaskRules.auditClosesAt($, c, a);
        if (block.timestamp > lapsesAt) revert ITaskMarket.AuditWindowClosed(taskId, lapsesAt);
        ITaskMarket.Round storage r = $.rounds[taskId];
        address[] memory exclude = new address[](7);
        exclude[0] = t.requester;
        exclude[1] = t.worker;
        exclude[2] = r.members[1].account;
        exclude[3] = r.members[2].account;
        for (uint256 i; i < 3; ++i) {
            exclude[4 + i] = a.members[i].account;
        }
        TaskRules.fill($, c, taskId, t, a, 0, exclude, true);
    }

    function decideAudit(MarketStorage storage $, MarketContext memory c, TaskId taskId) external {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        TaskRules.requireStatus(taskId, t, ITaskMarket.TaskStatus.Accepted);
        ITaskMarket.Round storage r = $.rounds[taskId];
        if (!r.auditPending) revert ITaskMarket.NothingToDraw(taskId);
        uint256 anchor = r.anchorBlock;
        if (anchor >= block.number) revert ITaskMarket.AnchorNotReady(taskId, anchor);
        // A hash over 256 blocks old is unreadable: then the task is audited, so that waiting it out re-rolls
        // nothing for a worker that fears the audit.
        bytes32 hash = blockhash(anchor);
        bool audited = hash == bytes32(0)
            || uint256(keccak256(abi.encode(hash, taskId, bytes32("audit")))) % Bps.DENOMINATOR < c.p.auditRateBps;
        r.auditPending = false;
        emit ITaskMarket.AuditDecided(taskId, audited);
        if (audited) {
            t.status = ITaskMarket.TaskStatus.Auditing;
            TaskRules.startAudit($, c, taskId, t, false);
        }
    }

    function finalize(MarketStorage storage $, MarketContext memory c, TaskId taskId) external {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        TaskRules.requireStatus(taskId, t, ITaskMarket.TaskStatus.Accepted);
        ITaskMarket.Round storage r = $.rounds[taskId];
        if (r.auditPending) revert ITaskMarket.AuditUndecided(taskId);
        uint256 closesAt = TaskRules.auditClosesAt($, c, r);
        if (block.timestamp <= closesAt) revert ITaskMarket.AuditWindowOpen(taskId, closesAt);
        _payOut(c, taskId, t, r, new ICreditLedger.Settlement[](3));
    }

    function finalizeAudit(MarketStorage storage $, MarketContext memory c, TaskId taskId) external {
        ITaskMarket.Task storage t = TaskRules.existing($, taskId);
        TaskRules.requireStatus(taskId, t, ITaskMarket.TaskStatus.Auditing);
        ITaskMarket.Round storage a = $.audits[taskId];
        ITaskMarket.Round storage r = $.rounds[taskId];
        bool auditRan = a.commitDeadline != 0;
        if (auditRan) {
            if (a.reveals < 3 && block.timestamp <= a.revealDeadline) revert ITaskMarket.RoundNotOver(taskId);
        } else if (!TaskRules.anchorLapsed(a) && block.timestamp <= TaskRules.auditClosesAt($, c, a)) {
            // An audit whose auditors were never all drawn lapses, clean, with the audit window or with its anchor.
            revert ITaskMarket.RoundNotOver(taskId);
        }

        bytes32 accepted = r.sealOrDigest[WORKER];
        // Fraud needs two auditors who agree with each other on another result: two that merely differ from the
        // worker (and from each other) prove nothing but that someone computed wrongly.
        bytes32 audited;
        for (uint256 i; i < 3 && audited == bytes32(0); ++i) {
            if (!TaskRules.revealed(a, i) || a.sealOrDigest[i] == accepted) continue;
            uint256 agreeing;
            for (uint256 j; j < 3; ++j) {
                if (TaskRules.revealedWith(a, j, a.sealOrDigest[i])) agreeing += 1;
            }
            if (agreeing >= 2) audited = a.sealOrDigest[i];
        }

        uint256 lock = c.dutyLock(t.bounty);
        uint256 fee = c.fee(t.bounty);
        uint256 workCredit = r.inputRejected ? 0 : TaskRules.min(fee, t.workValue);
        bytes32 right = audited == bytes32(0) ? accepted : audited;
        ICreditLedger.Settlement[] memory s = new ICreditLedger.Settlement[](6);
        uint256 n = 3; // slots 0..2: the worker and the verifiers, filled by _payOut or _fraud
        for (uint256 i; i < 3; ++i) {
            address account = a.members[i].account;
            if (account == address(0)) continue;
            // Auditors whose commit window never opened (pool too short) did nothing wrong, and nothing.
            bool isRight = auditRan && TaskRules.revealedWith(a, i, right);
            s[n++] = ICreditLedger.Settlement(
                account, isRight ? fee : 0, isRight ? workCredit : 0, false, lock, auditRan && !isRight ? lock : 0
            );
        }
        assembly ("memory-safe") {
            mstore(s, n)
        }
        if (audited == bytes32(0)) {
            emit ITaskMarket.AuditClean(taskId);
            _payOut(c, taskId, t, r, s);
        } else {
            _fraud(c, taskId, t, r, a, s, audited);
        }
    }

    /// @dev Proven fraud. The escrow returns to the requester as it was paid in (nothing was paid out yet), the
    /// worker is slashed and banned, verifiers that vouched for the fraud are slashed, and the auditors and the
    /// verifiers that revealed the audited result share the reward out of what the worker's slash recovered.
    function _fraud(
        MarketContext memory c,
        TaskId taskId,
        ITaskMarket.Task storage t,
        ITaskMarket.Round storage r,
        ITaskMarket.Round storage a,
        ICreditLedger.Settlement[] memory s,
        bytes32 audited
    ) internal {
        uint256 bounty = t.bounty;
        address worker = t.worker;
        uint256 lock = c.dutyLock(bounty);
        uint256 fee = c.fee(bounty);
        uint256 workCredit = TaskRules.min(fee, t.workValue);
        address[] memory honest = new address[](5);
        uint256 h;
        for (uint256 i; i < 3; ++i) {
            if (TaskRules.revealedWith(a, i, audited)) honest[h++] = a.members[i].account;
        }
        for (uint256 i = 1; i < 3; ++i) {
            ITaskMarket.Member storage m = r.members[i];
            if (m.account == address(0) || m.status != ITaskMarket.ContributionStatus.Revealed) continue;
            if (r.sealOrDigest[i] == audited) {
                // Honest dissent is never a loss: its stake is released, its fee paid, and it shares the reward.
                honest[h++] = m.account;
                s[i] = ICreditLedger.Settlement(m.account, fee, workCredit, false, lock, 0);
            } else {
                // It vouched for the fraud, or dissented with yet another wrong result.
                s[i] = ICreditLedger.Settlement(m.account, 0, 0, false, lock, lock);
            }
        }
        assembly ("memory-safe") {
            mstore(honest, h)
        }
        uint256 slashed = bounty * c.p.fraudSlashMultiplier;
        c.ledger.slashAndReward(
            worker, c.claimLock(bounty), slashed, honest, Bps.share(bounty, c.p.auditorRewardBps) / h
        );
        c.registry.ban(worker, c.p.banDuration);
        c.ledger.release(taskId, t.requester, s, 0);
        t.status = ITaskMarket.TaskStatus.Fraudulent;
        emit ITaskMarket.FraudProven(taskId, worker, slashed, audited);
    }

    /// @dev The task is final: the worker is paid (its bounty, or the input-rejected pay), the verifiers that
    /// agreed their fees, the platform fee goes to the treasury, and the rest returns to the requester; every
    /// lock of the task is released, a verifier that dissented is slashed. `s[3..]` may already hold the
    /// auditors' settlements.
    function _payOut(
        MarketContext memory c,
        TaskId taskId,
        ITaskMarket.Task storage t,
        ITaskMarket.Round storage r,
        ICreditLedger.Settlement[] memory s
    ) internal {
        uint256 bounty = t.bounty;
        bool inputRejected = r.inputRejected;
        uint256 pay = inputRejected ? Bps.share(bounty, c.p.inputRejectedPayBps) : bounty;
        uint256 workValue = inputRejected ? 0 : t.workValue;
        bytes32 accepted = r.sealOrDigest[WORKER];
        s[WORKER] = ICreditLedger.Settlement(
            t.worker, pay, TaskRules.min(pay, workValue), true, c.claimLock(bounty), 0
        );
        uint256 lock = c.dutyLock(bounty);
        uint256 fee = c.fee(bounty);
        for (uint256 i = 1; i < 3; ++i) {
            ITaskMarket.Member storage m = r.members[i];
            // Silent verifiers were slashed at settlement; zk tasks have none.
            if (m.account == address(0) || m.status != ITaskMarket.ContributionStatus.Revealed) continue;
            bool agreed = r.sealOrDigest[i] == accepted;
            s[i] = ICreditLedger.Settlement(
                m.account, agreed ? fee : 0, agreed ? TaskRules.min(fee, workValue) : 0, false, lock, agreed ? 0 : lock
            );
        }
        c.ledger.release(taskId, t.requester, s, Bps.share(bounty, c.p.platformFeeBps));
        t.status = inputRejected ? ITaskMarket.TaskStatus.InputRejected : ITaskMarket.TaskStatus.Final;
        emit ITaskMarket.TaskFinalized(taskId, pay);
    }
}

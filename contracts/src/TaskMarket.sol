// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {ITaskMarket} from "./interfaces/ITaskMarket.sol";
import {ITaskProofVerifier} from "./interfaces/ITaskProofVerifier.sol";
import {ITaskTypeRegistry} from "./interfaces/ITaskTypeRegistry.sol";
import {IWorkerRegistry} from "./interfaces/IWorkerRegistry.sol";
import {Bps, ProtocolParams} from "./libraries/ProtocolParams.sol";
import {ProtocolHashes, TaskId} from "./libraries/ProtocolHashes.sol";
import {ProtocolConfig} from "./ProtocolConfig.sol";

/// @title TaskMarket
/// @notice Posts, claims, verifies (2-of-3 commit-reveal or a zk proof), settles and audits tasks.
/// All credit moves through the ledger; all worker state lives in the registry.
contract TaskMarket is ITaskMarket, Ownable, Pausable, ReentrancyGuardTransient, ERC2771Context {
    uint256 public constant MAX_CID_BYTES = 128;
    uint256 public constant MAX_SPEC_BYTES = 4096;
    uint8 internal constant MODE_REPLICATED = 1;
    uint8 internal constant MODE_ZK = 2;
    uint256 internal constant WORKER = 0; // member index of the worker in the replicated round

    ICreditLedger public immutable ledger;
    IWorkerRegistry public immutable registry;
    ITaskTypeRegistry public immutable taskTypes;

    uint32 internal immutable _claimWindow;
    uint8 internal immutable _maxActiveClaims;
    uint16 internal immutable _claimStakeBps;
    uint16 internal immutable _rejectSlashBps;
    uint16 internal immutable _verifierFeeBps;
    uint16 internal immutable _platformFeeBps;
    uint16 internal immutable _auditRateBps;
    uint16 internal immutable _fraudSlashMultiplier;
    uint32 internal immutable _banDuration;
    uint16 internal immutable _auditorRewardBps;
    uint32 internal immutable _commitWindow;
    uint32 internal immutable _revealWindow;
    uint32 internal immutable _auditWindow;
    uint64 internal immutable _minBounty;

    mapping(TaskId taskId => Task) internal _tasks;
    mapping(TaskId taskId => Round) internal _rounds;
    mapping(TaskId taskId => Round) internal _audits;
    mapping(TaskId taskId => uint256) public zkInputCommitment;
    mapping(TaskId taskId => mapping(address worker => bool)) public excluded;
    mapping(address requester => uint256) public nonces;
    /// @dev Active claims per worker, kept as `count + 1` once the worker has claimed anything: the slot then
    /// never returns to zero, so each claim pays a 5k storage update instead of a 22k slot creation.
    mapping(address worker => uint256) internal _activeClaimsPlusOne;

    constructor(
        ProtocolConfig config,
        ICreditLedger ledger_,
        IWorkerRegistry registry_,
        ITaskTypeRegistry taskTypes_,
        address governance,
        address trustedForwarder
    ) Ownable(governance) ERC2771Context(trustedForwarder) {
        ProtocolParams memory p = config.params();
        ledger = ledger_;
        registry = registry_;
        taskTypes = taskTypes_;
        _claimWindow = p.claimWindow;
        _maxActiveClaims = p.maxActiveClaims;
        _claimStakeBps = p.claimStakeBps;
        _rejectSlashBps = p.rejectSlashBps;
        _verifierFeeBps = p.verifierFeeBps;
        _platformFeeBps = p.platformFeeBps;
        _auditRateBps = p.auditRateBps;
        _fraudSlashMultiplier = p.fraudSlashMultiplier;
        _banDuration = p.banDuration;
        _auditorRewardBps = p.auditorRewardBps;
        _commitWindow = p.commitWindow;
        _revealWindow = p.revealWindow;
        _auditWindow = p.auditWindow;
        _minBounty = p.minBounty;
    }

    // ================================================================ views

    /// @inheritdoc ITaskMarket
    function taskOf(TaskId taskId) external view returns (Task memory) {
        return _tasks[taskId];
    }

    /// @inheritdoc ITaskMarket
    function roundOf(TaskId taskId) external view returns (Round memory) {
        return _rounds[taskId];
    }

    /// @inheritdoc ITaskMarket
    function auditOf(TaskId taskId) external view returns (Round memory) {
        return _audits[taskId];
    }

    /// @inheritdoc ITaskMarket
    function activeClaims(address worker) public view returns (uint256) {
        uint256 plusOne = _activeClaimsPlusOne[worker];
        return plusOne == 0 ? 0 : plusOne - 1;
    }

    /// @inheritdoc ITaskMarket
    function nextTaskId(address requester) public view returns (TaskId) {
        return ProtocolHashes.taskId(block.chainid, address(this), requester, nonces[requester]);
    }

    /// @inheritdoc ITaskMarket
    function escrowFor(uint256 bounty, VerificationMode mode) public view returns (uint256) {
        uint256 fees = Bps.share(bounty, _platformFeeBps);
        if (mode == VerificationMode.Replicated) fees += 2 * Bps.share(bounty, _verifierFeeBps);
        return bounty + fees;
    }

    // ================================================================ requester

    /// @inheritdoc ITaskMarket
    function post(PostParams calldata p) external whenNotPaused nonReentrant returns (TaskId taskId) {
        address requester = _msgSender();
        ITaskTypeRegistry.Policy memory policy = taskTypes.policyOf(p.typeId);
        if (!policy.active) revert TaskTypeInactive(p.typeId);
        uint8 modeBit = p.mode == VerificationMode.Zk ? MODE_ZK : MODE_REPLICATED;
        if (policy.modes & modeBit == 0) revert ModeNotAllowed(p.typeId, p.mode);
        if (p.bounty < _minBounty) revert BountyTooSmall(p.bounty, _minBounty);
        uint32 claimWindow = p.claimWindow == 0 ? _claimWindow : p.claimWindow;
        if (claimWindow < _claimWindow) revert ClaimWindowTooShort(claimWindow, _claimWindow);
        if (p.deadline <= block.timestamp) revert DeadlineTooSoon(p.deadline, block.timestamp + 1);
        if (p.inputCid.length == 0 || p.inputCid.length > MAX_CID_BYTES || p.spec.length > MAX_SPEC_BYTES) {
            revert InvalidInput(p.inputCid.length, p.spec.length);
        }
        if ((p.mode == VerificationMode.Zk) != (p.zkInputCommitment != 0)) {
            revert ZkCommitmentMismatch(p.mode, p.zkInputCommitment);
        }

        uint256 nonce = nonces[requester]++;
        taskId = ProtocolHashes.taskId(block.chainid, address(this), requester, nonce);
        Task storage t = _tasks[taskId];
        t.requester = requester;
        t.deadline = p.deadline;
        t.claimWindow = claimWindow;
        t.typeId = p.typeId;
        t.mode = p.mode;
        t.status = TaskStatus.Open;
        t.bounty = p.bounty;
        if (p.preferredWorker != address(0)) {
            t.preferredWorker = p.preferredWorker;
            uint256 preferredUntil = block.timestamp + claimWindow;
            t.preferredUntil = uint32(preferredUntil < p.deadline ? preferredUntil : p.deadline);
        }
        if (p.mode == VerificationMode.Zk) zkInputCommitment[taskId] = p.zkInputCommitment;

        ledger.escrow(taskId, requester, escrowFor(p.bounty, p.mode));
        emit TaskPosted(
            taskId,
            requester,
            p.typeId,
            p.mode,
            p.bounty,
            p.deadline,
            claimWindow,
            p.preferredWorker,
            p.zkInputCommitment,
            p.inputCid,
            p.spec
        );
    }

    /// @inheritdoc ITaskMarket
    function cancel(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        if (_msgSender() != t.requester) revert NotRequester(taskId, _msgSender());
        _requireStatus(taskId, t, TaskStatus.Open);
        t.status = TaskStatus.Cancelled;
        ledger.refundAllEscrow(taskId, t.requester);
        emit TaskCancelled(taskId);
    }

    /// @inheritdoc ITaskMarket
    function expire(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        if (t.status == TaskStatus.Claimed && block.timestamp > t.claimDeadline) _expireClaim(taskId, t);
        _requireStatus(taskId, t, TaskStatus.Open);
        if (block.timestamp <= t.deadline) revert DeadlineNotPassed(taskId, t.deadline);
        _expireOpen(taskId, t);
    }

    // ================================================================ worker

    /// @inheritdoc ITaskMarket
    function claim(TaskId taskId) external whenNotPaused nonReentrant {
        Task storage t = _existing(taskId);
        // A stale claim does not block the queue: the next claimer takes it over in the same transaction.
        if (t.status == TaskStatus.Claimed && block.timestamp > t.claimDeadline) _expireClaim(taskId, t);
        _requireStatus(taskId, t, TaskStatus.Open);
        if (block.timestamp > t.deadline) revert TaskPastDeadline(taskId, t.deadline);

        address worker = _msgSender();
        if (worker == t.requester) revert CannotWorkOwnTask(taskId);
        _requireCanWork(worker, t.typeId);
        if (excluded[taskId][worker]) revert WorkerExcluded(taskId, worker);
        uint256 active = activeClaims(worker);
        if (active >= _maxActiveClaims) revert TooManyClaims(worker, active);
        if (t.preferredWorker != address(0) && worker != t.preferredWorker && block.timestamp < t.preferredUntil) {
            revert PreferredWorkerWindow(taskId, t.preferredWorker, t.preferredUntil);
        }

        ledger.lockStake(worker, Bps.share(t.bounty, _claimStakeBps));
        _activeClaimsPlusOne[worker] = active + 2;
        uint256 claimDeadline = block.timestamp + t.claimWindow;
        if (claimDeadline > t.deadline) claimDeadline = t.deadline;
        t.worker = worker;
        t.claimDeadline = uint32(claimDeadline);
        t.status = TaskStatus.Claimed;
        emit TaskClaimed(taskId, worker, claimDeadline);
    }

    /// @inheritdoc ITaskMarket
    /// @dev No penalty: a worker that cannot fetch or run the input should hand the task back early.
    function release(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        _requireStatus(taskId, t, TaskStatus.Claimed);
        address worker = t.worker;
        if (_msgSender() != worker) revert NotClaimer(taskId, _msgSender());
        _endClaim(t);
        ledger.unlockStake(worker, Bps.share(t.bounty, _claimStakeBps));
        emit ClaimReleased(taskId, worker);
    }

    /// @inheritdoc ITaskMarket
    function expireClaim(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        _requireStatus(taskId, t, TaskStatus.Claimed);
        if (block.timestamp <= t.claimDeadline) revert ClaimNotExpired(taskId, t.claimDeadline);
        _expireClaim(taskId, t);
    }

    /// @inheritdoc ITaskMarket
    function submitProof(TaskId taskId, uint256 outputCommitment, bytes calldata proof, bytes calldata outputCid)
        external
        nonReentrant
    {
        Task storage t = _existing(taskId);
        _requireStatus(taskId, t, TaskStatus.Claimed);
        if (t.mode != VerificationMode.Zk) revert WrongMode(taskId, t.mode);
        address worker = t.worker;
        if (_msgSender() != worker) revert NotClaimer(taskId, _msgSender());
        if (block.timestamp > t.claimDeadline) revert ClaimExpired(taskId, t.claimDeadline);
        if (outputCommitment == 0) revert ZeroCommitment();
        if (outputCid.length == 0 || outputCid.length > MAX_CID_BYTES) revert InvalidOutputCid(outputCid.length);

        ITaskProofVerifier verifier = ITaskProofVerifier(taskTypes.policyOf(t.typeId).zkVerifier);
        if (!verifier.verifyTaskProof(taskId, worker, zkInputCommitment[taskId], outputCommitment, proof)) {
            revert InvalidProof(taskId);
        }

        // Accepted, not Final: the proof settles the computation but not the bytes behind `outputCid`. Their
        // digest is kept as the worker's result so that the requester's forced audit (a data-availability
        // dispute) compares it with the CID the auditors recompute, exactly as for a replicated task.
        t.status = TaskStatus.Accepted;
        Round storage r = _rounds[taskId];
        r.sealOrDigest[WORKER] = ProtocolHashes.cidDigest(outputCid);
        r.acceptedAt = uint32(block.timestamp);
        _activeClaimsPlusOne[worker] -= 1;
        _payWorker(taskId, t.requester, worker, t.bounty);
        emit TaskProved(taskId, worker, outputCommitment, outputCid);
    }

    // ================================================================ commit-reveal (replicated and audit)

    /// @inheritdoc ITaskMarket
    function commit(TaskId taskId, bytes32 commitment) external nonReentrant {
        if (commitment == bytes32(0)) revert ZeroCommitment();
        Task storage t = _existing(taskId);
        address sender = _msgSender();
        if (t.status == TaskStatus.Claimed) {
            if (t.mode != VerificationMode.Replicated) revert WrongMode(taskId, t.mode);
            if (sender != t.worker) revert NotClaimer(taskId, sender);
            if (block.timestamp > t.claimDeadline) revert ClaimExpired(taskId, t.claimDeadline);
            Round storage r = _rounds[taskId];
            r.members[WORKER] = Member(sender, ContributionStatus.Committed);
            r.sealOrDigest[WORKER] = commitment;
            r.commits = 1;
            t.status = TaskStatus.Committed;
            // The claim is done; its stake stays locked until the round settles.
            _activeClaimsPlusOne[sender] -= 1;
            emit ResultCommitted(taskId, sender, WORKER);
            // Verifiers are drawn in a later transaction from this block's hash, which nobody knows yet:
            // a worker that reverted its commit on an unwelcome draw would otherwise re-roll it at will.
            _anchor(taskId, r);
        } else if (t.status == TaskStatus.Committed) {
            _commitMember(taskId, _rounds[taskId], sender, commitment);
        } else if (t.status == TaskStatus.Auditing) {
            _commitMember(taskId, _audits[taskId], sender, commitment);
        } else {
            revert WrongStatus(taskId, t.status);
        }
    }

    /// @inheritdoc ITaskMarket
    function reveal(TaskId taskId, bytes calldata cid, bytes32 salt) external nonReentrant {
        Task storage t = _existing(taskId);
        Round storage r;
        if (t.status == TaskStatus.Committed || t.status == TaskStatus.Revealing) {
            r = _rounds[taskId];
        } else if (t.status == TaskStatus.Auditing) {
            r = _audits[taskId];
        } else {
            revert WrongStatus(taskId, t.status);
        }
        // Nobody reveals before every commitment is in (or the commit window closed): a lazy verifier
        // cannot copy a result it has not computed.
        if (r.commits < 3 && (r.commitDeadline == 0 || block.timestamp <= r.commitDeadline)) {
            revert RevealNotOpen(taskId);
        }
        if (block.timestamp > r.revealDeadline) revert RevealWindowClosed(taskId, r.revealDeadline);

        address sender = _msgSender();
        uint256 index = _memberIndex(r, sender);
        if (index == type(uint256).max || r.members[index].status != ContributionStatus.Committed) {
            revert NotCommitted(taskId, sender);
        }
        bytes32 digest = ProtocolHashes.cidDigest(cid);
        if (ProtocolHashes.commitment(taskId, sender, digest, salt) != r.sealOrDigest[index]) {
            revert RevealMismatch(taskId, sender);
        }
        r.sealOrDigest[index] = digest;
        r.members[index].status = ContributionStatus.Revealed;
        r.reveals += 1;
        // The audit draw at settlement reads the hash of the block of the last reveal.
        r.anchorBlock = uint32(block.number);
        if (t.status == TaskStatus.Committed) t.status = TaskStatus.Revealing;
        emit ResultRevealed(taskId, sender, digest, cid);
    }

    /// @inheritdoc ITaskMarket
    function drawVerifiers(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        _requireStatus(taskId, t, TaskStatus.Committed);
        Round storage r = _rounds[taskId];
        if (r.commitDeadline != 0 || r.anchorBlock == 0) revert NothingToDraw(taskId);
        _drawVerifiers(taskId, t, r);
    }

    /// @inheritdoc ITaskMarket
    /// @dev Once per round, only before anyone reveals: a silent verifier loses reputation and its place.
    function replaceSilentVerifiers(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        _requireStatus(taskId, t, TaskStatus.Committed);
        Round storage r = _rounds[taskId];
        if (r.replacements != 0 || r.commitDeadline == 0 || block.timestamp <= r.commitDeadline || r.commits == 3) {
            revert CannotReplace(taskId);
        }
        r.replacements = 1;
        uint256 lock = Bps.share(t.bounty, _rejectSlashBps);
        for (uint256 i = 1; i < 3; ++i) {
            Member storage m = r.members[i];
            if (m.status != ContributionStatus.Drawn) continue;
            address silent = m.account;
            ledger.unlockStake(silent, lock);
            registry.adjustReputation(silent, -1);
            // The silent verifier stays out of this task's draws.
            excluded[taskId][silent] = true;
            delete r.members[i];
            emit VerifierReplaced(taskId, silent, i);
        }
        r.commitDeadline = 0;
        _anchor(taskId, r);
    }

    // ================================================================ settlement

    /// @inheritdoc ITaskMarket
    function settle(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        if (t.status != TaskStatus.Committed && t.status != TaskStatus.Revealing) revert WrongStatus(taskId, t.status);
        Round storage r = _rounds[taskId];
        if (!_roundOver(r, t.deadline)) revert RoundNotOver(taskId);

        address worker = t.worker;
        uint256 bounty = t.bounty;
        bool workerRevealed = r.members[WORKER].status == ContributionStatus.Revealed;
        bytes32 workerDigest = r.sealOrDigest[WORKER];
        bool agreedA = workerRevealed && _revealedWith(r, 1, workerDigest);
        bool agreedB = workerRevealed && _revealedWith(r, 2, workerDigest);
        uint256 verifierLock = Bps.share(bounty, _rejectSlashBps);

        if (agreedA || agreedB) {
            // The audit is drawn from the hash of the last reveal's block, fixed before this transaction: a
            // settle wrapped in a contract that reverts when audited cannot re-roll it. A hash over 256 blocks
            // old is unreadable: then the task is audited, so that waiting out the hash re-rolls nothing.
            // Settling in the very block of the last reveal is refused for the same reason.
            bool audited;
            if (_auditRateBps != 0) {
                if (r.anchorBlock >= block.number) revert RevealInThisBlock(taskId);
                bytes32 hash = blockhash(r.anchorBlock);
                audited = hash == bytes32(0)
                    || uint256(keccak256(abi.encode(hash, taskId, bytes32("audit")))) % Bps.DENOMINATOR < _auditRateBps;
            }
            uint256 fee = Bps.share(bounty, _verifierFeeBps);
            for (uint256 i = 1; i < 3; ++i) {
                address v = r.members[i].account;
                bool agreed = i == 1 ? agreedA : agreedB;
                if (agreed) {
                    ledger.unlockStake(v, verifierLock);
                    ledger.payFromEscrow(taskId, v, fee, true);
                    registry.adjustReputation(v, 1);
                } else {
                    // A dissenting or silent verifier is slashed; its fee goes back to the requester.
                    if (v != address(0)) ledger.unlockAndSlash(v, verifierLock, verifierLock);
                    ledger.refundEscrow(taskId, t.requester, fee);
                }
            }
            _payWorker(taskId, t.requester, worker, bounty);
            r.acceptedAt = uint32(block.timestamp);
            t.status = audited ? TaskStatus.Auditing : TaskStatus.Accepted;
            emit TaskAccepted(taskId, worker, workerDigest, audited);
            if (audited) _startAudit(taskId, t, false);
            return;
        }

        bool roundRan = r.commitDeadline != 0;
        RejectReason reason;
        if (!roundRan) {
            // The round never got its verifiers, so nobody could reveal: the worker did nothing wrong.
            reason = RejectReason.NoConsensus;
        } else if (!workerRevealed) {
            reason = RejectReason.WorkerSilent;
        } else if (_revealedWith(r, 1, r.sealOrDigest[2]) && r.members[2].status == ContributionStatus.Revealed) {
            reason = RejectReason.VerifiersDisagreed;
        } else {
            reason = RejectReason.NoConsensus;
        }
        bool workerAtFault = reason != RejectReason.NoConsensus;
        ledger.unlockAndSlash(worker, Bps.share(bounty, _claimStakeBps), workerAtFault ? Bps.share(bounty, _rejectSlashBps) : 0);
        if (workerAtFault) {
            excluded[taskId][worker] = true;
            registry.adjustReputation(worker, -1);
        }
        uint256 verifierFee = Bps.share(bounty, _verifierFeeBps);
        for (uint256 i = 1; i < 3; ++i) {
            Member storage m = r.members[i];
            if (m.account == address(0)) continue;
            bool silent = m.status != ContributionStatus.Revealed;
            // A verifier whose commit window never opened (pool too small) did nothing wrong.
            ledger.unlockAndSlash(m.account, verifierLock, silent && roundRan ? verifierLock : 0);
            if (silent) continue;
            if (workerAtFault) {
                // Verifiers who exposed a bad worker are paid from its slash, not from the requester's
                // escrow, which stays whole for the next round.
                ledger.payFromTreasury(m.account, verifierFee);
            }
        }
        emit TaskRejected(taskId, worker, reason);
        delete _rounds[taskId];
        t.worker = address(0);
        t.claimDeadline = 0;
        _reopen(taskId, t);
    }

    /// @inheritdoc ITaskMarket
    function forceAudit(TaskId taskId) external whenNotPaused nonReentrant {
        Task storage t = _existing(taskId);
        if (_msgSender() != t.requester) revert NotRequester(taskId, _msgSender());
        _requireStatus(taskId, t, TaskStatus.Accepted);
        uint256 closesAt = uint256(_rounds[taskId].acceptedAt) + _auditWindow;
        if (block.timestamp > closesAt) revert AuditWindowClosed(taskId, closesAt);
        ledger.escrow(taskId, t.requester, 3 * Bps.share(t.bounty, _verifierFeeBps));
        t.status = TaskStatus.Auditing;
        _startAudit(taskId, t, true);
    }

    /// @inheritdoc ITaskMarket
    function drawAuditors(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        _requireStatus(taskId, t, TaskStatus.Auditing);
        Round storage a = _audits[taskId];
        if (a.commitDeadline != 0 || a.anchorBlock == 0) revert NothingToDraw(taskId);
        // An audit that found no auditors within the audit window has lapsed; it is not restarted later.
        uint256 lapsesAt = uint256(a.acceptedAt) + _auditWindow;
        if (block.timestamp > lapsesAt) revert AuditWindowClosed(taskId, lapsesAt);
        _drawAuditors(taskId, t, a);
    }

    /// @inheritdoc ITaskMarket
    function finalizeAudit(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        _requireStatus(taskId, t, TaskStatus.Auditing);
        Round storage a = _audits[taskId];
        Round storage r = _rounds[taskId];
        // An audit that never found three auditors lapses with the audit window.
        if (!_roundOver(a, uint256(a.acceptedAt) + _auditWindow)) revert RoundNotOver(taskId);
        registry.auditFinalized(t.worker);

        bytes32 accepted = r.sealOrDigest[WORKER];
        // Fraud needs two auditors who agree with each other on another result: two that merely differ from
        // the worker (and from each other) prove nothing but that someone computed wrongly.
        uint256 dissent;
        bytes32 auditedDigest;
        for (uint256 i; i < 3 && dissent < 2; ++i) {
            if (a.members[i].status != ContributionStatus.Revealed || a.sealOrDigest[i] == accepted) continue;
            uint256 agreeing;
            for (uint256 j; j < 3; ++j) {
                if (_revealedWith(a, j, a.sealOrDigest[i])) agreeing += 1;
            }
            if (agreeing >= 2) {
                dissent = agreeing;
                auditedDigest = a.sealOrDigest[i];
            }
        }
        bool fraud = dissent >= 2;
        uint256 bounty = t.bounty;
        uint256 lock = Bps.share(bounty, _rejectSlashBps);
        uint256 fee = Bps.share(bounty, _verifierFeeBps);
        uint256 reward = fraud ? Bps.share(bounty, _auditorRewardBps) / dissent : 0;

        if (fraud) {
            address worker = t.worker;
            uint256 slashed = bounty * _fraudSlashMultiplier;
            ledger.punishFraud(worker, t.requester, bounty, slashed);
            registry.ban(worker, _banDuration);
            for (uint256 i = 1; i < 3; ++i) {
                // Verifiers that vouched for the fraud pay for it.
                if (_revealedWith(r, i, accepted)) ledger.slash(r.members[i].account, lock);
            }
            t.status = TaskStatus.Fraudulent;
            emit FraudProven(taskId, worker, slashed, auditedDigest);
        } else {
            t.status = TaskStatus.Final;
            emit AuditClean(taskId);
        }

        bool auditRan = a.commitDeadline != 0;
        for (uint256 i; i < 3; ++i) {
            Member storage m = a.members[i];
            if (m.account == address(0)) continue;
            // Auditors whose commit window never opened (pool too small) did nothing wrong, and nothing.
            bool right = m.status == ContributionStatus.Revealed && a.sealOrDigest[i] == (fraud ? auditedDigest : accepted);
            ledger.unlockAndSlash(m.account, lock, auditRan && !right ? lock : 0);
            if (!auditRan || !right) continue;
            if (fraud) {
                ledger.payFromTreasury(m.account, reward);
            } else if (a.forced) {
                ledger.payFromEscrow(taskId, m.account, fee, true);
            } else {
                ledger.payFromTreasury(m.account, fee);
            }
        }
        // What a forced audit escrowed and did not pay out goes back to the requester.
        if (a.forced) ledger.refundAllEscrow(taskId, t.requester);
    }

    /// @inheritdoc ITaskMarket
    function finalize(TaskId taskId) external nonReentrant {
        Task storage t = _existing(taskId);
        _requireStatus(taskId, t, TaskStatus.Accepted);
        uint256 closesAt = uint256(_rounds[taskId].acceptedAt) + _auditWindow;
        if (block.timestamp <= closesAt) revert AuditWindowOpen(taskId, closesAt);
        t.status = TaskStatus.Final;
        emit TaskFinalized(taskId);
    }

    // ================================================================ governance

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    // ================================================================ internals

    function _existing(TaskId taskId) internal view returns (Task storage t) {
        t = _tasks[taskId];
        if (t.status == TaskStatus.None) revert TaskNotFound(taskId);
    }

    function _requireStatus(TaskId taskId, Task storage t, TaskStatus expected) internal view {
        if (t.status != expected) revert WrongStatus(taskId, t.status);
    }

    function _requireCanWork(address worker, uint8 typeId) internal view {
        IWorkerRegistry.Worker memory w = registry.workerOf(worker);
        if (w.registeredAt == 0) revert WorkerNotRegistered(worker);
        if (w.bannedUntil > block.timestamp) revert WorkerBanned(worker, w.bannedUntil);
        if ((w.capabilities >> typeId) & 1 == 0) revert MissingCapability(worker, typeId);
    }

    function _endClaim(Task storage t) internal {
        _activeClaimsPlusOne[t.worker] -= 1;
        t.worker = address(0);
        t.claimDeadline = 0;
        t.status = TaskStatus.Open;
    }

    function _expireClaim(TaskId taskId, Task storage t) internal {
        address worker = t.worker;
        _endClaim(t);
        ledger.unlockStake(worker, Bps.share(t.bounty, _claimStakeBps));
        registry.adjustReputation(worker, -1);
        emit ClaimExpiredReopened(taskId, worker);
    }

    function _expireOpen(TaskId taskId, Task storage t) internal {
        t.status = TaskStatus.Expired;
        ledger.refundAllEscrow(taskId, t.requester);
        emit TaskExpired(taskId);
    }

    /// @dev A task whose round failed goes back to the queue, or expires if its deadline has passed.
    function _reopen(TaskId taskId, Task storage t) internal {
        t.status = TaskStatus.Open;
        if (block.timestamp > t.deadline) _expireOpen(taskId, t);
    }

    function _payWorker(TaskId taskId, address requester, address worker, uint256 bounty) internal {
        ledger.payForWork(
            taskId, requester, worker, bounty, Bps.share(bounty, _platformFeeBps), Bps.share(bounty, _claimStakeBps)
        );
        registry.recordAcceptedWork(worker);
    }

    function _commitMember(TaskId taskId, Round storage r, address sender, bytes32 commitment) internal {
        uint256 index = _memberIndex(r, sender);
        if (index == type(uint256).max) revert NotDrawn(taskId, sender);
        Member storage m = r.members[index];
        if (m.status != ContributionStatus.Drawn) revert AlreadyCommitted(taskId, sender);
        if (r.commitDeadline == 0 || block.timestamp > r.commitDeadline) {
            revert CommitWindowClosed(taskId, r.commitDeadline);
        }
        m.status = ContributionStatus.Committed;
        r.sealOrDigest[index] = commitment;
        r.commits += 1;
        // Everyone is in: the reveal phase opens now instead of at the end of the commit window.
        if (r.commits == 3) r.revealDeadline = uint32(block.timestamp + _revealWindow);
        emit ResultCommitted(taskId, sender, index);
    }

    function _memberIndex(Round storage r, address account) internal view returns (uint256) {
        for (uint256 i; i < 3; ++i) {
            if (r.members[i].account == account) return i;
        }
        return type(uint256).max;
    }

    function _revealedWith(Round storage r, uint256 i, bytes32 digest) internal view returns (bool) {
        return r.members[i].status == ContributionStatus.Revealed && r.sealOrDigest[i] == digest;
    }

    /// @dev Over when all three revealed, when the reveal window closed, or, for a round that never got
    /// all its members drawn, when `lapseAt` has passed.
    function _roundOver(Round storage r, uint256 lapseAt) internal view returns (bool) {
        if (r.commitDeadline == 0) return block.timestamp > lapseAt;
        return r.reveals == 3 || block.timestamp > r.revealDeadline;
    }

    /// @dev Fixes the block whose hash will seed the round's next draw. That hash is unknown while the
    /// anchoring transaction runs, so its outcome cannot be tried and reverted.
    function _anchor(TaskId taskId, Round storage r) internal {
        r.anchorBlock = uint32(block.number);
        emit RandomnessAnchored(taskId, block.number);
    }

    /// @dev Randomness from the chain: the hash of the round's anchor block, mixed with the task id and the
    /// purpose. A block producer can still bias it by withholding a block (DESIGN §3 known limit), and a
    /// caller can only choose whether to call, not the outcome, which every party can compute. A hash that
    /// is not readable (same block, or over 256 blocks ago) re-anchors to this block instead.
    function _anchoredSeed(TaskId taskId, Round storage r, bytes32 purpose) internal returns (uint256, bool) {
        uint256 anchor = r.anchorBlock;
        bytes32 hash = anchor < block.number ? blockhash(anchor) : bytes32(0);
        if (hash == bytes32(0)) {
            _anchor(taskId, r);
            return (0, false);
        }
        return (uint256(keccak256(abi.encode(hash, taskId, purpose))), true);
    }

    function _drawVerifiers(TaskId taskId, Task storage t, Round storage r) internal {
        address[] memory exclude = new address[](4);
        exclude[0] = t.requester;
        exclude[1] = t.worker;
        exclude[2] = r.members[1].account;
        exclude[3] = r.members[2].account;
        _fill(taskId, t, r, 1, exclude, false);
    }

    function _startAudit(TaskId taskId, Task storage t, bool forced) internal {
        Round storage a = _audits[taskId];
        a.forced = forced;
        a.acceptedAt = uint32(block.timestamp); // an audit round's start; it lapses an audit window later
        registry.auditStarted(t.worker);
        emit AuditStarted(taskId, forced);
        // Auditors are drawn by `drawAuditors` in a later block, for the same reason as verifiers.
        _anchor(taskId, a);
    }

    function _drawAuditors(TaskId taskId, Task storage t, Round storage a) internal {
        Round storage r = _rounds[taskId];
        address[] memory exclude = new address[](7);
        exclude[0] = t.requester;
        exclude[1] = t.worker;
        exclude[2] = r.members[1].account;
        exclude[3] = r.members[2].account;
        for (uint256 i; i < 3; ++i) {
            exclude[4 + i] = a.members[i].account;
        }
        _fill(taskId, t, a, 0, exclude, true);
    }

    /// @dev Fills the empty member slots from `first` on with drawn accounts, locking their stake; starts the
    /// commit window once every slot is filled. Accounts excluded from the task are skipped by the caller's
    /// list and by the `excluded` check below.
    function _fill(TaskId taskId, Task storage t, Round storage r, uint256 first, address[] memory exclude, bool audit)
        internal
    {
        uint256 missing;
        for (uint256 i = first; i < 3; ++i) {
            if (r.members[i].account == address(0)) missing += 1;
        }
        if (missing == 0) return;
        (uint256 seed, bool ready) = _anchoredSeed(taskId, r, audit ? bytes32("auditors") : bytes32("verifiers"));
        if (!ready) return;
        uint256 lock = Bps.share(t.bounty, _rejectSlashBps);
        address[] memory drawn = registry.draw(seed, missing + 2, t.typeId, lock, exclude);
        uint256 next;
        for (uint256 i = first; i < 3 && next < drawn.length; ++i) {
            if (r.members[i].account != address(0)) continue;
            address account = drawn[next++];
            while (excluded[taskId][account] && next < drawn.length) account = drawn[next++];
            if (excluded[taskId][account]) break;
            ledger.lockStake(account, lock);
            r.members[i] = Member(account, ContributionStatus.Drawn);
            missing -= 1;
            if (audit) emit AuditorDrawn(taskId, account, i);
            else emit VerifierDrawn(taskId, account, i);
        }
        if (missing == 0) {
            r.commitDeadline = uint32(block.timestamp + _commitWindow);
            r.revealDeadline = uint32(block.timestamp + _commitWindow + _revealWindow);
            emit CommitWindowOpened(taskId, r.commitDeadline, r.revealDeadline);
        } else {
            // The pool was short: the next attempt, once it has grown, reads a fresh block hash.
            _anchor(taskId, r);
        }
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

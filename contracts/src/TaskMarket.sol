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
import {MarketContext, MarketStorage} from "./libraries/MarketStorage.sol";
import {Bps, ProtocolParams} from "./libraries/ProtocolParams.sol";
import {ProtocolHashes, TaskId} from "./libraries/ProtocolHashes.sol";
import {ReplicationRound} from "./libraries/ReplicationRound.sol";
import {TaskAudit} from "./libraries/TaskAudit.sol";
import {TaskRules} from "./libraries/TaskRules.sol";
import {ProtocolConfig} from "./ProtocolConfig.sol";

/// @title TaskMarket
/// @notice The task lifecycle: posts, claims, zk proofs, cancels and expiries live here; the replication round
/// (libraries/ReplicationRound.sol) and the audit with the final payout (libraries/TaskAudit.sol) are linked
/// libraries that run in this contract's context. All credit moves through the ledger; all worker state lives
/// in the registry. The soundness rules are stated in ITaskMarket.
contract TaskMarket is ITaskMarket, Ownable, Pausable, ReentrancyGuardTransient, ERC2771Context {
    using TaskRules for MarketContext;

    uint256 public constant MAX_CID_BYTES = 128;
    uint256 public constant MAX_SPEC_BYTES = 4096;
    uint256 public constant MAX_REPLACEMENTS = TaskRules.MAX_REPLACEMENTS;
    uint8 internal constant MODE_REPLICATED = 1;
    uint8 internal constant MODE_ZK = 2;
    uint256 internal constant WORKER = TaskRules.WORKER;
    /// @dev 1 mCC = 3.6 reference CPU-seconds (DESIGN §2).
    uint256 internal constant MS_PER_MCC = 3600;

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
    uint16 internal immutable _expirySlashBps;
    uint16 internal immutable _inputRejectedPayBps;

    MarketStorage internal $;

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
        _expirySlashBps = p.expirySlashBps;
        _inputRejectedPayBps = p.inputRejectedPayBps;
    }

    // ================================================================ views

    /// @inheritdoc ITaskMarket
    function taskOf(TaskId taskId) external view returns (Task memory) {
        return $.tasks[taskId];
    }

    /// @inheritdoc ITaskMarket
    function roundOf(TaskId taskId) external view returns (Round memory) {
        return $.rounds[taskId];
    }

    /// @inheritdoc ITaskMarket
    function auditOf(TaskId taskId) external view returns (Round memory) {
        return $.audits[taskId];
    }

    /// @inheritdoc ITaskMarket
    function nonces(address requester) external view returns (uint256) {
        return $.nonces[requester];
    }

    /// @inheritdoc ITaskMarket
    /// @dev Kept in the round's worker slot until a proof is accepted, which then writes the output CID's digest
    /// there: one storage slot serves both, so the proof pays a slot update instead of a new slot (19,200 gas).
    function zkInputCommitment(TaskId taskId) external view returns (uint256) {
        Round storage r = $.rounds[taskId];
        if ($.tasks[taskId].mode != VerificationMode.Zk || r.acceptedAt != 0) return 0;
        return uint256(r.sealOrDigest[WORKER]);
    }

    /// @inheritdoc ITaskMarket
    function excluded(TaskId taskId, address account) external view returns (bool) {
        return $.excluded[taskId][account];
    }

    /// @inheritdoc ITaskMarket
    function activeClaims(address worker) public view returns (uint256) {
        uint256 plusOne = $.activeClaimsPlusOne[worker];
        return plusOne == 0 ? 0 : plusOne - 1;
    }

    /// @inheritdoc ITaskMarket
    function nextTaskId(address requester) public view returns (TaskId) {
        return ProtocolHashes.taskId(block.chainid, address(this), requester, $.nonces[requester]);
    }

    /// @inheritdoc ITaskMarket
    function escrowFor(uint256 bounty, VerificationMode mode) public view returns (uint256) {
        uint256 fee = Bps.share(bounty, _verifierFeeBps);
        // The platform fee and the audit reserve (three auditors' fees), plus two verifiers' fees if replicated.
        uint256 fees = Bps.share(bounty, _platformFeeBps) + 3 * fee;
        if (mode == VerificationMode.Replicated) fees += 2 * fee;
        return bounty + fees;
    }

    /// @inheritdoc ITaskMarket
    function pausedTime() external view returns (uint256) {
        return TaskRules.pausedTime($);
    }

    /// @inheritdoc ITaskMarket
    function auditWindowClosesAt(TaskId taskId) external view returns (uint256) {
        return TaskRules.auditClosesAt($, _ctx(), $.rounds[taskId]);
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

        uint256 nonce = $.nonces[requester]++;
        taskId = ProtocolHashes.taskId(block.chainid, address(this), requester, nonce);
        // The most verified work the task can count for: the type's cost model for the declared input. It bounds
        // how far the task can raise anyone's credit line, whatever its bounty.
        uint256 workMs = uint256(policy.workMsBase) + (uint256(policy.workMsPerMiB) * p.inputBytes) / (1 << 20);
        uint256 workValue = workMs / MS_PER_MCC;
        if (workValue > type(uint24).max) workValue = type(uint24).max;
        Task storage t = $.tasks[taskId];
        t.requester = requester;
        t.deadline = p.deadline;
        t.claimWindow = claimWindow;
        t.typeId = p.typeId;
        t.mode = p.mode;
        t.status = TaskStatus.Open;
        t.bounty = p.bounty;
        t.workValue = uint24(workValue);
        if (p.preferredWorker != address(0)) {
            t.preferredWorker = p.preferredWorker;
            uint256 preferredUntil = block.timestamp + claimWindow;
            t.preferredUntil = uint32(preferredUntil < p.deadline ? preferredUntil : p.deadline);
        }
        if (p.mode == VerificationMode.Zk) $.rounds[taskId].sealOrDigest[WORKER] = bytes32(p.zkInputCommitment);

        ledger.escrow(taskId, requester, escrowFor(p.bounty, p.mode));
        emit TaskPosted(
            taskId,
            requester,
            p.typeId,
            p.mode,
            p.bounty,
            p.deadline,
            claimWindow,
            p.inputBytes,
            workValue,
            p.preferredWorker,
            p.zkInputCommitment,
            p.inputCid,
            p.spec
        );
    }

    /// @inheritdoc ITaskMarket
    /// @dev A task whose result was revealed is never cancelled: the requester has seen work it must pay for.
    function cancel(TaskId taskId) external nonReentrant {
        Task storage t = TaskRules.existing($, taskId);
        if (_msgSender() != t.requester) revert NotRequester(taskId, _msgSender());
        TaskRules.requireStatus(taskId, t, TaskStatus.Open);
        if (t.revealed) revert AlreadyRevealed(taskId);
        t.status = TaskStatus.Cancelled;
        ledger.release(taskId, t.requester, new ICreditLedger.Settlement[](0), 0);
        emit TaskCancelled(taskId);
    }

    /// @inheritdoc ITaskMarket
    function expire(TaskId taskId) external nonReentrant {
        Task storage t = TaskRules.existing($, taskId);
        MarketContext memory c = _ctx();
        if (t.status == TaskStatus.Claimed && block.timestamp > t.claimDeadline) _expireClaim(c, taskId, t);
        TaskRules.requireStatus(taskId, t, TaskStatus.Open);
        if (block.timestamp <= t.deadline) revert DeadlineNotPassed(taskId, t.deadline);
        TaskRules.expireOpen(c, taskId, t);
    }

    // ================================================================ worker

    /// @inheritdoc ITaskMarket
    function claim(TaskId taskId) external whenNotPaused nonReentrant {
        Task storage t = TaskRules.existing($, taskId);
        address worker = _msgSender();
        uint256 active = _takeOpen(taskId, t, worker, true);
        $.activeClaimsPlusOne[worker] = active + 2;
        uint256 claimDeadline = block.timestamp + t.claimWindow;
        if (claimDeadline > t.deadline) claimDeadline = t.deadline;
        t.claimDeadline = uint32(claimDeadline);
        t.status = TaskStatus.Claimed;
        emit TaskClaimed(taskId, worker, claimDeadline);
    }

    /// @dev What a claim and a proof without a claim share: the task is open (a lapsed claim is expired first: a
    /// stale claim does not block the queue), within its deadline, and `worker` may take it (a claim also needs a
    /// free claim slot: `holdsClaim`, returning the worker's active claims). Locks the claim's stake and records the
    /// worker.
    function _takeOpen(TaskId taskId, Task storage t, address worker, bool holdsClaim) internal returns (uint256 active) {
        if (t.status == TaskStatus.Claimed && block.timestamp > t.claimDeadline) _expireClaim(_ctx(), taskId, t);
        TaskRules.requireStatus(taskId, t, TaskStatus.Open);
        if (block.timestamp > t.deadline) revert TaskPastDeadline(taskId, t.deadline);
        if (worker == t.requester) revert CannotWorkOwnTask(taskId);
        _requireCanWork(worker, t.typeId);
        if ($.excluded[taskId][worker]) revert WorkerExcluded(taskId, worker);
        if (holdsClaim) {
            active = activeClaims(worker);
            if (active >= _maxActiveClaims) revert TooManyClaims(worker, active);
        }
        if (t.preferredWorker != address(0) && worker != t.preferredWorker && block.timestamp < t.preferredUntil) {
            revert PreferredWorkerWindow(taskId, t.preferredWorker, t.preferredUntil);
        }
        ledger.lockStake(worker, Bps.share(t.bounty, _claimStakeBps));
        t.worker = worker;
    }

    /// @inheritdoc ITaskMarket
    /// @dev No penalty: a worker that cannot fetch or run the input should hand the task back early.
    function release(TaskId taskId) external nonReentrant {
        Task storage t = TaskRules.existing($, taskId);
        TaskRules.requireStatus(taskId, t, TaskStatus.Claimed);
        address worker = t.worker;
        if (_msgSender() != worker) revert NotClaimer(taskId, _msgSender());
        _endClaim(t);
        ledger.unlockStake(worker, Bps.share(t.bounty, _claimStakeBps));
        emit ClaimReleased(taskId, worker);
    }

    /// @inheritdoc ITaskMarket
    function expireClaim(TaskId taskId) external nonReentrant {
        Task storage t = TaskRules.existing($, taskId);
        TaskRules.requireStatus(taskId, t, TaskStatus.Claimed);
        if (block.timestamp <= t.claimDeadline) revert ClaimNotExpired(taskId, t.claimDeadline);
        _expireClaim(_ctx(), taskId, t);
    }

    /// @inheritdoc ITaskMarket
    function submitProof(TaskId taskId, uint256 outputCommitment, bytes calldata proof, bytes calldata outputCid)
        external
        nonReentrant
    {
        Task storage t = TaskRules.existing($, taskId);
        if (t.mode != VerificationMode.Zk) revert WrongMode(taskId, t.mode);
        address worker = _msgSender();
        if (t.status == TaskStatus.Claimed && worker == t.worker) {
            if (block.timestamp > t.claimDeadline) revert ClaimExpired(taskId, t.claimDeadline);
            $.activeClaimsPlusOne[worker] -= 1;
        } else {
            // Without a claim: the proof takes the task as a claim would (the same checks, the same stake lock, which
            // `finalize` releases), and the first valid proof wins. The proof binds the worker, so a copy of it sent
            // by anyone else does not verify.
            if (t.status == TaskStatus.Claimed && block.timestamp <= t.claimDeadline) revert NotClaimer(taskId, worker);
            _requireNotPaused();
            _takeOpen(taskId, t, worker, false);
        }
        if (outputCommitment == 0) revert ZeroCommitment();
        if (outputCid.length == 0 || outputCid.length > MAX_CID_BYTES) revert InvalidOutputCid(outputCid.length);

        ITaskProofVerifier verifier = ITaskProofVerifier(taskTypes.policyOf(t.typeId).zkVerifier);
        Round storage r = $.rounds[taskId];
        // The input commitment `post` kept in the worker's digest slot (see zkInputCommitment).
        if (!verifier.verifyTaskProof(taskId, worker, uint256(r.sealOrDigest[WORKER]), outputCommitment, proof)) {
            revert InvalidProof(taskId);
        }

        // Accepted, not Final, and not paid yet: the proof settles the computation but not the bytes behind
        // `outputCid`. Their digest is kept as the worker's result so that the requester's forced audit (a
        // data-availability dispute) compares it with the CID the auditors recompute, as for a replicated task.
        t.status = TaskStatus.Accepted;
        r.sealOrDigest[WORKER] = ProtocolHashes.cidDigest(outputCid);
        r.acceptedAt = uint32(block.timestamp);
        r.pauseMark = uint32(TaskRules.pausedTime($));
        registry.recordAcceptedWork(worker);
        emit TaskProved(taskId, worker, outputCommitment, outputCid);
    }

    // ================================================================ replication round (ReplicationRound)

    /// @inheritdoc ITaskMarket
    function commit(TaskId taskId, bytes32 commitment) external nonReentrant {
        ReplicationRound.commit($, _ctx(), taskId, commitment);
    }

    /// @inheritdoc ITaskMarket
    function reveal(TaskId taskId, bytes calldata cid, bytes32 salt) external nonReentrant {
        ReplicationRound.reveal($, _ctx(), taskId, cid, salt);
    }

    /// @inheritdoc ITaskMarket
    function drawVerifiers(TaskId taskId) external nonReentrant {
        ReplicationRound.drawVerifiers($, _ctx(), taskId);
    }

    /// @inheritdoc ITaskMarket
    function replaceSilentVerifiers(TaskId taskId) external nonReentrant {
        ReplicationRound.replaceSilentVerifiers($, _ctx(), taskId);
    }

    /// @inheritdoc ITaskMarket
    function settle(TaskId taskId) external nonReentrant {
        ReplicationRound.settle($, _ctx(), taskId);
    }

    // ================================================================ audit and payout (TaskAudit)

    /// @inheritdoc ITaskMarket
    function forceAudit(TaskId taskId) external whenNotPaused nonReentrant {
        TaskAudit.forceAudit($, _ctx(), taskId);
    }

    /// @inheritdoc ITaskMarket
    function decideAudit(TaskId taskId) external nonReentrant {
        TaskAudit.decideAudit($, _ctx(), taskId);
    }

    /// @inheritdoc ITaskMarket
    function drawAuditors(TaskId taskId) external nonReentrant {
        TaskAudit.drawAuditors($, _ctx(), taskId);
    }

    /// @inheritdoc ITaskMarket
    function finalizeAudit(TaskId taskId) external nonReentrant {
        TaskAudit.finalizeAudit($, _ctx(), taskId);
    }

    /// @inheritdoc ITaskMarket
    function finalize(TaskId taskId) external nonReentrant {
        TaskAudit.finalize($, _ctx(), taskId);
    }

    // ================================================================ governance

    /// @notice Stops the entry points that create new obligations (post, claim, forceAudit); the windows of work
    /// under way are extended by the time the pause lasts.
    function pause() external onlyOwner {
        $.pausedAt = uint64(block.timestamp);
        _pause();
    }

    function unpause() external onlyOwner {
        $.pausedBefore += uint64(block.timestamp) - $.pausedAt;
        $.pausedAt = 0;
        _unpause();
    }

    // ================================================================ internals

    function _ctx() internal view returns (MarketContext memory) {
        return MarketContext({
            ledger: ledger,
            registry: registry,
            taskTypes: taskTypes,
            sender: _msgSender(),
            p: ProtocolParams({
                genesisGrant: 0,
                genesisAccounts: 0,
                creditLimitBps: 0,
                creditLimitCap: 0,
                claimWindow: _claimWindow,
                maxActiveClaims: _maxActiveClaims,
                claimStakeBps: _claimStakeBps,
                rejectSlashBps: _rejectSlashBps,
                verifierFeeBps: _verifierFeeBps,
                platformFeeBps: _platformFeeBps,
                auditRateBps: _auditRateBps,
                fraudSlashMultiplier: _fraudSlashMultiplier,
                banDuration: _banDuration,
                auditorRewardBps: _auditorRewardBps,
                commitWindow: _commitWindow,
                revealWindow: _revealWindow,
                minVerifierStake: 0,
                auditWindow: _auditWindow,
                unstakeCooldown: 0,
                minBounty: _minBounty,
                expirySlashBps: _expirySlashBps,
                inputRejectedPayBps: _inputRejectedPayBps
            })
        });
    }

    function _requireCanWork(address worker, uint8 typeId) internal view {
        IWorkerRegistry.Worker memory w = registry.workerOf(worker);
        if (w.registeredAt == 0) revert WorkerNotRegistered(worker);
        if (w.bannedUntil > block.timestamp) revert WorkerBanned(worker, w.bannedUntil);
        if ((w.capabilities >> typeId) & 1 == 0) revert MissingCapability(worker, typeId);
    }

    function _endClaim(Task storage t) internal {
        $.activeClaimsPlusOne[t.worker] -= 1;
        t.worker = address(0);
        t.claimDeadline = 0;
        t.status = TaskStatus.Open;
    }

    /// @dev An expired claim costs the worker `expirySlashBps` of the bounty and reputation: holding tasks it does
    /// not finish is not free.
    function _expireClaim(MarketContext memory c, TaskId taskId, Task storage t) internal {
        address worker = t.worker;
        _endClaim(t);
        uint256 bounty = t.bounty;
        c.ledger.unlockAndSlash(worker, c.claimLock(bounty), Bps.share(bounty, c.p.expirySlashBps));
        c.registry.adjustReputation(worker, -1);
        emit ClaimExpiredReopened(taskId, worker);
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

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TaskId} from "../libraries/ProtocolHashes.sol";

/// @title Task market
/// @notice The task lifecycle of DESIGN §3:
/// Open -> Claimed -> Committed (replicated) | Final (zk) -> Revealing -> Accepted | Open (rejected)
/// -> Auditing -> Final | Fraudulent; Open -> Cancelled | Expired.
interface ITaskMarket {
    enum TaskStatus {
        None,
        Open,
        Claimed,
        Committed,
        Revealing,
        Accepted,
        Auditing,
        Final,
        Fraudulent,
        Cancelled,
        Expired
    }

    enum VerificationMode {
        Replicated,
        Zk
    }

    /// @notice Status of one contributor (worker, verifier or auditor) in a commit-reveal round.
    enum ContributionStatus {
        None,
        Drawn,
        Committed,
        Revealed
    }

    enum RejectReason {
        VerifiersDisagreed, // both verifiers agree against the worker: worker slashed and excluded
        WorkerSilent, // worker committed but never revealed: worker slashed and excluded
        NoConsensus // no two agree, or the round never got its verifiers: the worker loses the claim
    }

    struct Task {
        // slot 0
        address requester;
        uint32 deadline;
        uint32 claimWindow;
        uint8 typeId;
        VerificationMode mode;
        TaskStatus status;
        // slot 1
        address worker;
        uint32 claimDeadline;
        uint40 bounty;
        // slot 2, written only for a preferred worker
        address preferredWorker;
        uint32 preferredUntil;
    }

    struct Member {
        address account;
        ContributionStatus status;
    }

    /// @notice One commit-reveal round: the replicated round (worker = member 0, two verifiers) or an audit
    /// (three auditors).
    struct Round {
        uint32 commitDeadline; // 0 until every member is drawn
        uint32 revealDeadline;
        uint32 acceptedAt; // replicated round: when the task was accepted; audit round: when the audit started
        uint8 commits;
        uint8 reveals;
        uint8 replacements;
        bool forced; // audit round: forced (and paid) by the requester
        uint32 anchorBlock; // the block whose hash seeds the round's next draw (see TaskMarket._anchoredSeed)
        Member[3] members;
        bytes32[3] sealOrDigest; // the commitment, replaced by the digest on reveal
    }

    struct PostParams {
        uint8 typeId;
        VerificationMode mode;
        uint40 bounty;
        uint32 deadline;
        uint32 claimWindow; // 0 = the default claim window; never shorter than it
        address preferredWorker; // zero for none
        uint256 zkInputCommitment; // zk mode only: the circuit's commitment to the input
        bytes inputCid;
        bytes spec; // the task type's output spec, canonical JSON
    }

    error TaskNotFound(TaskId taskId);
    error WrongStatus(TaskId taskId, TaskStatus status);
    error WrongMode(TaskId taskId, VerificationMode mode);
    error TaskTypeInactive(uint8 typeId);
    error ModeNotAllowed(uint8 typeId, VerificationMode mode);
    error BountyTooSmall(uint256 bounty, uint256 minimum);
    error DeadlineTooSoon(uint256 deadline, uint256 earliest);
    error ClaimWindowTooShort(uint256 claimWindow, uint256 minimum);
    error InvalidInput(uint256 cidLength, uint256 specLength);
    error ZkCommitmentMismatch(VerificationMode mode, uint256 zkInputCommitment);
    error TaskPastDeadline(TaskId taskId, uint256 deadline);
    error NotRequester(TaskId taskId, address caller);
    error NotClaimer(TaskId taskId, address caller);
    error CannotWorkOwnTask(TaskId taskId);
    error WorkerNotRegistered(address worker);
    error WorkerBanned(address worker, uint256 until);
    error MissingCapability(address worker, uint8 typeId);
    error WorkerExcluded(TaskId taskId, address worker);
    error TooManyClaims(address worker, uint256 active);
    error PreferredWorkerWindow(TaskId taskId, address preferredWorker, uint256 until);
    error DeadlineNotPassed(TaskId taskId, uint256 deadline);
    error ClaimNotExpired(TaskId taskId, uint256 claimDeadline);
    error ClaimExpired(TaskId taskId, uint256 claimDeadline);
    error NotDrawn(TaskId taskId, address caller);
    error AlreadyCommitted(TaskId taskId, address caller);
    error CommitWindowClosed(TaskId taskId, uint256 commitDeadline);
    error RevealNotOpen(TaskId taskId);
    error RevealWindowClosed(TaskId taskId, uint256 revealDeadline);
    error NotCommitted(TaskId taskId, address caller);
    error RevealMismatch(TaskId taskId, address caller);
    error RoundNotOver(TaskId taskId);
    error RevealInThisBlock(TaskId taskId);
    error NothingToDraw(TaskId taskId);
    error CannotReplace(TaskId taskId);
    error AuditWindowClosed(TaskId taskId, uint256 closedAt);
    error AuditWindowOpen(TaskId taskId, uint256 closesAt);
    error InvalidProof(TaskId taskId);
    error ZeroCommitment();
    error InvalidOutputCid(uint256 cidLength);

    event TaskPosted(
        TaskId indexed taskId,
        address indexed requester,
        uint8 indexed typeId,
        VerificationMode mode,
        uint256 bounty,
        uint256 deadline,
        uint256 claimWindow,
        address preferredWorker,
        uint256 zkInputCommitment,
        bytes inputCid,
        bytes spec
    );
    event TaskClaimed(TaskId indexed taskId, address indexed worker, uint256 claimDeadline);
    event ClaimReleased(TaskId indexed taskId, address indexed worker);
    event ClaimExpiredReopened(TaskId indexed taskId, address indexed worker);
    event ResultCommitted(TaskId indexed taskId, address indexed account, uint256 member);
    event VerifierDrawn(TaskId indexed taskId, address indexed verifier, uint256 member);
    /// @notice Every member of a round (verifiers or auditors) is drawn: they may commit until `commitDeadline`.
    /// @notice The round's next draw (verifiers, auditors, or the audit decision at settle) will be seeded by
    /// the hash of `blockNumber`: call `drawVerifiers`, `drawAuditors` or `settle` from a later block.
    event RandomnessAnchored(TaskId indexed taskId, uint256 blockNumber);
    event CommitWindowOpened(TaskId indexed taskId, uint256 commitDeadline, uint256 revealDeadline);
    event VerifierReplaced(TaskId indexed taskId, address indexed silent, uint256 member);
    event ResultRevealed(TaskId indexed taskId, address indexed account, bytes32 digest, bytes cid);
    event TaskAccepted(TaskId indexed taskId, address indexed worker, bytes32 digest, bool audited);
    event TaskRejected(TaskId indexed taskId, address indexed worker, RejectReason reason);
    event TaskProved(TaskId indexed taskId, address indexed worker, uint256 outputCommitment, bytes outputCid);
    event AuditStarted(TaskId indexed taskId, bool forced);
    event AuditorDrawn(TaskId indexed taskId, address indexed auditor, uint256 member);
    event AuditClean(TaskId indexed taskId);
    event FraudProven(TaskId indexed taskId, address indexed worker, uint256 slashed, bytes32 auditedDigest);
    event TaskFinalized(TaskId indexed taskId);
    event TaskCancelled(TaskId indexed taskId);
    event TaskExpired(TaskId indexed taskId);

    function taskOf(TaskId taskId) external view returns (Task memory);
    function roundOf(TaskId taskId) external view returns (Round memory);
    function auditOf(TaskId taskId) external view returns (Round memory);
    function nonces(address requester) external view returns (uint256);
    function activeClaims(address worker) external view returns (uint256);
    function zkInputCommitment(TaskId taskId) external view returns (uint256);
    /// @notice The next task id of `requester`, known before its post transaction is mined.
    function nextTaskId(address requester) external view returns (TaskId);
    /// @notice Bounty + fees escrowed at post.
    function escrowFor(uint256 bounty, VerificationMode mode) external view returns (uint256);

    function post(PostParams calldata p) external returns (TaskId taskId);
    function cancel(TaskId taskId) external;
    function expire(TaskId taskId) external;
    function claim(TaskId taskId) external;
    function release(TaskId taskId) external;
    function expireClaim(TaskId taskId) external;
    /// @notice Commits `keccak256(abi.encode(taskId, sender, digest, salt))`: the worker while Claimed,
    /// a drawn verifier while Committed, a drawn auditor while Auditing.
    function commit(TaskId taskId, bytes32 commitment) external;
    function reveal(TaskId taskId, bytes calldata cid, bytes32 salt) external;
    /// @notice Draws the missing verifiers from the round's anchor block hash (after the worker's commit, from a
    /// later block). Anyone may call it; a short pool re-anchors and the call can be repeated.
    function drawVerifiers(TaskId taskId) external;
    function replaceSilentVerifiers(TaskId taskId) external;
    /// @notice Settles a replicated round once it is over. On acceptance the random audit is drawn from the hash
    /// of the last reveal's block; if that is over 256 blocks old the task is audited. Settling in the same
    /// block as the last reveal reverts RevealInThisBlock.
    function settle(TaskId taskId) external;
    /// @notice zk mode: pays the worker at once when the proof verifies. The task is then Accepted, not Final: the
    /// proof settles the computation, not whether `outputCid` holds the proven output, so the requester may
    /// dispute the published bytes with `forceAudit` within the audit window (auditors recompute the output and
    /// reveal its CID). No random audit is ever drawn for a zk task.
    function submitProof(TaskId taskId, uint256 outputCommitment, bytes calldata proof, bytes calldata outputCid)
        external;
    /// @notice The requester's dispute of an accepted task (replicated or zk), paying the three auditors' fees.
    function forceAudit(TaskId taskId) external;
    /// @notice Draws the missing auditors of an audit, from a later block than the one that started it.
    function drawAuditors(TaskId taskId) external;
    function finalizeAudit(TaskId taskId) external;
    function finalize(TaskId taskId) external;
}

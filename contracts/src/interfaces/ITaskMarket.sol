// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TaskId} from "../libraries/ProtocolHashes.sol";

/// @title Task market
/// @notice The task lifecycle of DESIGN §3:
/// Open -> Claimed -> Committed (replicated) | Accepted (zk) -> Revealing -> Accepted | Open (rejected)
/// -> Auditing -> Final | InputRejected | Fraudulent; Open -> Cancelled | Expired.
///
/// Soundness rules (DESIGN §3a), as this market applies them:
/// - Draws read a fixed pool. Verifiers and auditors are drawn from the hash of an anchor block fixed in an earlier
///   transaction, out of the verifier pool as it stood in that block (WorkerRegistry keeps its history). A draw
///   whose anchor hash is no longer readable (over 256 blocks) is never re-rolled: a verifier draw lapses against
///   the worker (slashed and excluded, reason DrawLapsed) unless the pool was too short to fill it (then nobody is
///   blamed), an audit's auditor draw lapses as a clean audit. Each
///   party's engine calls the draw as soon as it is due.
/// - Pay that an audit may reverse is pending. Acceptance moves no credit: the bounty and the fees stay in the
///   task's escrow, and the locks of the worker and verifiers stay, until the task is final (`finalize` after the
///   audit window, or a clean audit). Proven fraud returns the escrow to the requester as it was paid in, and
///   slashes; a reward is paid only out of what the slash recovered. The random audit is decided from the hash of
///   the settlement's block, in a later transaction (`decideAudit`): nobody in the round can see it first.
/// - Genesis stays genesis (CreditLedger), and work credit (the credit line) grows only by the task's work value,
///   computed at post from the type's cost model and the declared input size, when the task is final.
/// - Honest dissent is never a loss. A verifier that dissented from an accepted result keeps its stake locked
///   instead of being slashed at once; if an audit proves the result fraudulent and the dissenter revealed the
///   audited result, it is paid its fee and a share of the auditors' reward, and keeps its stake.
/// - A revealed result is paid for. Once any result of a task is revealed it cannot be cancelled, and if it
///   expires unaccepted its bounty goes to the treasury. A verifier that commits and never reveals is slashed,
///   and the round goes on with a replacement (at most MAX_REPLACEMENTS per round).
/// - Bad input is a result. Replicas that agree on the type's canonical "input cannot be processed" output end
///   the task as InputRejected once final: the worker is paid `inputRejectedPayBps` of the bounty, the verifiers
///   their fees, and the rest returns to the requester.
/// - Every audit is funded at posting: the escrow holds three auditor fees, refunded when unused.
/// - A pause extends every audit window it covers. A claim left to expire costs `expirySlashBps` of the bounty.
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
        Expired,
        InputRejected
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
        NoConsensus, // no two agree, or the pool was too short until the deadline: the worker loses the claim
        DrawLapsed // nobody drew the verifiers within 256 blocks of the anchor (pool not short): worker slashed and excluded
    }

    struct Task {
        // slot 0
        address requester;
        uint32 deadline;
        uint32 claimWindow;
        uint8 typeId;
        VerificationMode mode;
        TaskStatus status;
        bool revealed; // some result of this task was revealed on chain: it can no longer be cancelled
        // slot 1
        address worker;
        uint32 claimDeadline;
        uint40 bounty;
        uint24 workValue; // mCC of verified work the task counts for at most (cost model x declared input)
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
        bool forced; // audit round: forced by the requester
        uint32 anchorBlock; // the block whose hash seeds the round's next draw (see TaskRules.anchoredSeed)
        uint32 pauseMark; // the market's paused time when `acceptedAt` was set: pauses since then extend the window
        bool inputRejected; // replicated round: the accepted result is the type's canonical input-rejected output
        bool poolShort; // the last draw found too few eligible members: only then may the deadline end the round
        bool auditPending; // accepted; the random audit is still to be decided (decideAudit) from the anchor
        Member[3] members;
        // the commitment, replaced by the digest on reveal; a zk task's worker slot holds its input commitment
        // until the accepted proof writes the output CID's digest there
        bytes32[3] sealOrDigest;
    }

    struct PostParams {
        uint8 typeId;
        VerificationMode mode;
        uint40 bounty;
        uint32 deadline;
        uint32 claimWindow; // 0 = the default claim window; never shorter than it
        uint32 inputBytes; // size of the input; a worker's run checks it, and a mismatch is an input-rejected result
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
    error NothingToDraw(TaskId taskId);
    error CannotReplace(TaskId taskId);
    error AuditWindowClosed(TaskId taskId, uint256 closedAt);
    error AuditWindowOpen(TaskId taskId, uint256 closesAt);
    error InvalidProof(TaskId taskId);
    error ZeroCommitment();
    error InvalidOutputCid(uint256 cidLength);
    error AlreadyRevealed(TaskId taskId);
    /// @notice The anchor block's hash is not known yet: draw from a later block.
    error AnchorNotReady(TaskId taskId, uint256 anchorBlock);
    /// @notice The anchor block's hash is no longer readable; the draw is not re-rolled (see `settle`, `finalizeAudit`).
    error AnchorLapsed(TaskId taskId, uint256 anchorBlock);
    /// @notice The task's random audit is not decided yet: call `decideAudit` first.
    error AuditUndecided(TaskId taskId);

    event TaskPosted(
        TaskId indexed taskId,
        address indexed requester,
        uint8 indexed typeId,
        VerificationMode mode,
        uint256 bounty,
        uint256 deadline,
        uint256 claimWindow,
        uint256 inputBytes,
        uint256 workValue,
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
    /// @notice The round's next draw (verifiers, auditors, or the random audit decision) will be seeded by the hash of
    /// `blockNumber`: call `drawVerifiers`, `drawAuditors` or `decideAudit` from a later block.
    event RandomnessAnchored(TaskId indexed taskId, uint256 blockNumber);
    /// @notice Every member of a round (verifiers or auditors) is drawn: they may commit until `commitDeadline`.
    event CommitWindowOpened(TaskId indexed taskId, uint256 commitDeadline, uint256 revealDeadline);
    event VerifierReplaced(TaskId indexed taskId, address indexed silent, uint256 member);
    event ResultRevealed(TaskId indexed taskId, address indexed account, bytes32 digest, bytes cid);
    /// @notice The round agreed on the worker's result; nothing is paid until the task is final.
    event TaskAccepted(TaskId indexed taskId, address indexed worker, bytes32 digest, bool inputRejected);
    /// @notice The random audit of an accepted task was decided (drawn from the hash of its settlement's block).
    event AuditDecided(TaskId indexed taskId, bool audited);
    event TaskRejected(TaskId indexed taskId, address indexed worker, RejectReason reason);
    event TaskProved(TaskId indexed taskId, address indexed worker, uint256 outputCommitment, bytes outputCid);
    event AuditStarted(TaskId indexed taskId, bool forced);
    event AuditorDrawn(TaskId indexed taskId, address indexed auditor, uint256 member);
    event AuditClean(TaskId indexed taskId);
    event FraudProven(TaskId indexed taskId, address indexed worker, uint256 slashed, bytes32 auditedDigest);
    /// @notice The task is final (Final or InputRejected): its escrow is paid out and its locks released.
    event TaskFinalized(TaskId indexed taskId, uint256 workerPay);
    event TaskCancelled(TaskId indexed taskId);
    event TaskExpired(TaskId indexed taskId);

    function taskOf(TaskId taskId) external view returns (Task memory);
    function roundOf(TaskId taskId) external view returns (Round memory);
    function auditOf(TaskId taskId) external view returns (Round memory);
    function nonces(address requester) external view returns (uint256);
    function activeClaims(address worker) external view returns (uint256);
    /// @notice A zk task's input commitment (as posted) until a proof of it is accepted; 0 after that, and for
    /// replicated tasks. The TaskPosted event keeps it for good.
    function zkInputCommitment(TaskId taskId) external view returns (uint256);
    /// @notice The next task id of `requester`, known before its post transaction is mined.
    function nextTaskId(address requester) external view returns (TaskId);
    /// @notice Bounty + fees escrowed at post.
    function escrowFor(uint256 bounty, VerificationMode mode) external view returns (uint256);
    /// @notice Seconds the market has been paused so far; windows opened before a pause are extended by it.
    function pausedTime() external view returns (uint256);
    /// @notice When the audit window of an accepted task closes (its acceptance + the audit window + pauses since).
    function auditWindowClosesAt(TaskId taskId) external view returns (uint256);
    function excluded(TaskId taskId, address account) external view returns (bool);

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
    /// @notice After a commit window closed with members that never committed: they lose reputation and their
    /// place (no slash), and fresh verifiers are drawn. At most MAX_REPLACEMENTS per round, shared with `settle`.
    function replaceSilentVerifiers(TaskId taskId) external;
    /// @notice Settles a replicated round once it is over (all revealed, or the reveal window closed; or a draw
    /// lapsed; or, with a pool too short to draw from, the deadline passed).
    /// - worker + one verifier agree: Accepted (or Auditing if the random audit is drawn), nothing paid yet; a
    ///   silent verifier is slashed, a dissenting one stays locked until the task is final.
    /// - both verifiers agree against the worker, or the worker stayed silent, or its draw lapsed: the worker is
    ///   slashed and excluded, the verifiers that revealed are paid their fee out of its slash, and the task
    ///   returns to the queue. A lapsed draw of a pool that was too short is nobody's fault (NoConsensus).
    /// - the worker revealed but silent verifiers left no decision: they are slashed and replaced, and the round
    ///   goes on (the worker's reveal stands).
    /// - otherwise (no two agree): the task returns to the queue; nobody who revealed is blamed.
    /// On acceptance the random audit is not decided yet: settle anchors it to its own block, and `decideAudit`
    /// draws it from that block's hash later.
    function settle(TaskId taskId) external;
    /// @notice Decides the random audit of an accepted replicated task from the hash of its settlement's block, from a
    /// later block. Over 256 blocks later that hash is unreadable and the task is audited, so waiting it out gains
    /// nothing. Anyone may call it; the worker (to be paid) and the requester have a stake in it.
    function decideAudit(TaskId taskId) external;
    /// @notice zk mode: accepts the task at once when the proof verifies; the worker is paid at `finalize`, after the
    /// audit window. The worker either holds the task's claim (within its claim window), or proves it without one:
    /// then the proof takes the open task as `claim` would, with the same checks (registered, unbanned, capable,
    /// not the requester, not excluded, the preferred worker's window, the deadline, not paused; a lapsed claim of
    /// someone else is expired first) and the same stake lock, released at `finalize`, but no claim slot; the first
    /// valid proof wins, and a proof for a task someone else holds a live claim on reverts `NotClaimer`. The proof
    /// binds the task id and the sender (ITaskProofVerifier), so a copy of a pending proof sent by another account
    /// does not verify. Posting and proving are then the whole lifecycle to acceptance: two transactions. The task is Accepted, not Final: the proof settles the computation, not whether `outputCid`
    /// holds the proven output, so the requester may dispute the published bytes with `forceAudit` within the audit
    /// window (auditors recompute the output and reveal its CID). No random audit is ever drawn for a zk task.
    function submitProof(TaskId taskId, uint256 outputCommitment, bytes calldata proof, bytes calldata outputCid)
        external;
    /// @notice The requester's dispute of an accepted task (replicated or zk), within the audit window. The three
    /// auditors' fees come from the audit reserve the task escrowed at post.
    function forceAudit(TaskId taskId) external;
    /// @notice Draws the missing auditors of an audit, from a later block than the one that started it.
    function drawAuditors(TaskId taskId) external;
    /// @notice Ends an audit once it is over (all revealed, the reveal window closed, or its draw lapsed or found no
    /// auditors within the audit window). Two auditors agreeing on another result prove fraud: the worker is slashed
    /// fraudSlashMultiplier x bounty and banned, the escrow returns to the requester, the auditors and honest
    /// dissenting verifiers share auditorRewardBps of the bounty out of what the slash recovered. Otherwise the task
    /// is final and paid as by `finalize`, the auditors that revealed the accepted result paid their fee.
    function finalizeAudit(TaskId taskId) external;
    /// @notice Pays out an accepted task once its audit window has closed: the worker its bounty (or the
    /// input-rejected pay), the verifiers that agreed their fees, the platform fee to the treasury, the rest back
    /// to the requester; a verifier that dissented is slashed now. Anyone may call it.
    function finalize(TaskId taskId) external;
}

/**
 * Turns any failure of a contract call into plain words: custom errors are decoded against every ABI of ours
 * and explained with their values ("not enough credit: you have 3.2 CC, this needs 5.15 CC"); wallet and
 * network failures get a sentence too. Never shows raw revert data.
 */
import { type Abi, BaseError, type Hex, decodeErrorResult, isHex } from "viem";
import { formatCredits } from "../protocol/params.ts";
import { taskStatusName } from "../protocol/status.ts";

export type DecodedRevert = { name: string; args: readonly unknown[] };

const short = (a: unknown) => (typeof a === "string" && a.length > 12 ? `${a.slice(0, 6)}…${a.slice(-4)}` : String(a));
const cc = (v: unknown) => formatCredits(typeof v === "bigint" ? v : BigInt(String(v)));
const when = (v: unknown) => {
  const seconds = Number(v);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never";
};
const modeName = (v: unknown) => (Number(v) === 1 ? "zk" : "replicated");

type Explain = (args: readonly unknown[]) => string;

/** One sentence per custom error of our contracts (and the OpenZeppelin ones they inherit). */
export const revertMessages: Readonly<Record<string, Explain>> = {
  // CreditLedger
  InsufficientCredit: ([, available, needed]) => `not enough credit: you have ${cc(available)}, this needs ${cc(needed)}`,
  InsufficientTransferable: ([, have, needed]) =>
    `not enough transferable credit: you have ${cc(have)}, this needs ${cc(needed)} (genesis credit, and pay for work that is not final yet, cannot be transferred)`,
  InsufficientFreeStake: ([, free, needed]) => `not enough free stake: ${cc(free)} is free, this needs ${cc(needed)}`,
  InsufficientEscrow: ([, available, needed]) => `the task's escrow holds ${cc(available)}, but ${cc(needed)} is needed`,
  GenesisAlreadyGranted: () => "this account has already received its genesis credit",
  InvalidCycle: ([length]) => `that is not a closed cycle of debts (${String(length)} accounts)`,
  NoDebtOnEdge: ([debtor, creditor]) => `${short(debtor)} owes nothing to ${short(creditor)}, so this cycle cannot be cleared`,
  ZeroAmount: () => "the amount must be more than zero",
  NotOperator: ([caller]) => `${short(caller)} is not allowed to move credit directly`,
  // WorkerRegistry
  AlreadyRegistered: () => "this account is already registered",
  NotRegistered: () => "register this account first",
  Banned: ([, until]) => `this account is banned until ${when(until)}`,
  ZeroRate: () => "the benchmark rate must be more than zero",
  AlreadyInPool: () => "this account is already in the verifier pool",
  NotInPool: () => "this account is not in the verifier pool",
  StakeBelowVerifierMinimum: ([, stake, minimum]) =>
    `the verifier pool needs at least ${cc(minimum)} staked; you have ${cc(stake)} staked`,
  UnstakeNotRequested: () => "ask to unstake first; the stake is released after the cooldown",
  UnstakeCooldown: ([, at]) => `the unstake cooldown runs until ${when(at)}`,
  StakeStillLocked: ([, locked]) => `${cc(locked)} of the stake is still locked by open claims or verifier duties`,
  NotMarket: () => "only the task market may do that",
  // TaskTypeRegistry
  UnknownTaskType: ([typeId]) => `there is no task type #${String(typeId)}`,
  InvalidModes: ([modes]) => `invalid verification modes (${String(modes)})`,
  TooManyTaskTypes: () => "no more task types can be added",
  ZkModeNeedsVerifier: ([typeId]) => `task type #${String(typeId)} has no zk verifier`,
  // TaskMarket
  TaskNotFound: () => "there is no such task",
  WrongStatus: ([, status]) => `the task is ${taskStatusName(Number(status))}, so this cannot be done now`,
  WrongMode: ([, mode]) => `this task uses ${modeName(mode)} verification, so this cannot be done`,
  TaskTypeInactive: ([typeId]) => `task type #${String(typeId)} is switched off`,
  ModeNotAllowed: ([typeId, mode]) => `task type #${String(typeId)} does not allow ${modeName(mode)} verification`,
  BountyTooSmall: ([bounty, minimum]) => `the bounty ${cc(bounty)} is below the minimum of ${cc(minimum)}`,
  DeadlineTooSoon: ([, earliest]) => `the deadline is too soon: it must be after ${when(earliest)}`,
  ClaimWindowTooShort: ([window, minimum]) => `the claim window of ${String(window)} s is shorter than the minimum ${String(minimum)} s`,
  InvalidInput: ([cidLength, specLength]) =>
    `the input CID (${String(cidLength)} bytes) or the spec (${String(specLength)} bytes) is empty or too long`,
  ZkCommitmentMismatch: () => "a zk input commitment is given only (and always) for zk tasks",
  TaskPastDeadline: ([, deadline]) => `the task's deadline (${when(deadline)}) has passed`,
  NotRequester: () => "only the requester of this task can do that",
  NotClaimer: () => "only the worker who claimed this task can do that",
  CannotWorkOwnTask: () => "you cannot work on your own task",
  WorkerNotRegistered: () => "register as a worker first",
  WorkerBanned: ([, until]) => `this worker is banned until ${when(until)}`,
  MissingCapability: ([, typeId]) => `this worker cannot run task type #${String(typeId)}`,
  WorkerExcluded: () => "this worker was excluded from this task after a rejected result",
  TooManyClaims: ([, active]) => `this worker already holds ${String(active)} claims, the most allowed`,
  PreferredWorkerWindow: ([, worker, until]) => `the preferred worker ${short(worker)} has this task to itself until ${when(until)}`,
  DeadlineNotPassed: ([, deadline]) => `the deadline (${when(deadline)}) has not passed yet`,
  ClaimNotExpired: ([, at]) => `the claim runs until ${when(at)}`,
  ClaimExpired: ([, at]) => `the claim expired at ${when(at)}`,
  NotDrawn: () => "this account was not drawn for this task",
  AlreadyCommitted: () => "this account has already committed a result",
  CommitWindowClosed: ([, at]) => `the commit window closed at ${when(at)}`,
  RevealNotOpen: () => "results cannot be revealed yet",
  RevealWindowClosed: ([, at]) => `the reveal window closed at ${when(at)}`,
  NotCommitted: () => "this account has not committed a result",
  RevealMismatch: () => "the revealed result does not match the commitment",
  RoundNotOver: () => "the verification round is not over yet",
  AuditUndecided: () => "the task's random audit is not decided yet; decide it first",
  NothingToDraw: () => "there is nobody left to draw",
  CannotReplace: () => "the silent verifier cannot be replaced now",
  AuditWindowClosed: ([, at]) => `the audit window closed at ${when(at)}`,
  AuditWindowOpen: ([, at]) => `the audit window is open until ${when(at)}`,
  InvalidProof: () => "the proof is not valid",
  ZeroCommitment: () => "the commitment must not be zero",
  InvalidOutputCid: ([len]) => `a proof needs the CID of its published output (1 to 128 bytes, got ${String(len)})`,
  AlreadyRevealed: () => "a result of this task has been revealed, so it can no longer be cancelled; it stays in the queue until it is done or expires",
  AnchorNotReady: () => "the draw uses the hash of a block that is not mined yet; try again from the next block",
  AnchorLapsed: () => "the draw was not made within 256 blocks of its anchor, so it lapsed; settle the task to end the round",
  ReentrancyGuardReentrantCall: () => "a call came back into the contract while it was busy",
  // ProtocolConfig
  InvalidParam: ([name]) => `the parameter ${String(name)} is out of range`,
  // ComputeCreditForwarder (ERC-2771) and OpenZeppelin
  ERC2771ForwarderExpiredRequest: () => "the signed request expired; try again",
  ERC2771ForwarderInvalidSigner: () => "the signature does not match the account (or the request was already used); try again",
  ERC2771ForwarderMismatchedValue: () => "the request's value does not match what was sent",
  ERC2771ForwarderNoRefundReceiver: () => "a batch needs a refund receiver",
  ERC2771UntrustfulTarget: ([target]) => `${short(target)} does not trust the forwarder`,
  InvalidAccountNonce: () => "the request was already used; try again",
  FailedCall: () => "the forwarded call failed",
  InsufficientBalance: () => "not enough ETH for this call",
  OwnableUnauthorizedAccount: () => "only the owner may do that",
  OwnableInvalidOwner: () => "invalid owner",
  AccessControlUnauthorizedAccount: () => "this account lacks the role needed for that",
  AccessControlBadConfirmation: () => "bad role confirmation",
  EnforcedPause: () => "the contract is paused",
  ExpectedPause: () => "the contract is not paused",
  SafeCastOverflowedIntDowncast: () => "a number is too large",
  SafeCastOverflowedUintDowncast: () => "a number is too large",
  SafeCastOverflowedUintToInt: () => "a number is too large",
  InvalidShortString: () => "a text is too long",
  CheckpointUnorderedInsertion: () => "the verifier pool's history cannot be rewritten",
  StringTooLong: () => "a text is too long",
};

const humanize = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

export function explainRevert({ name, args }: DecodedRevert): string {
  const explain = Object.hasOwn(revertMessages, name) ? revertMessages[name] : undefined;
  if (explain) {
    try {
      return explain(args);
    } catch {
      // fall through to the generic sentence
    }
  }
  return `the contract refused: ${humanize(name)}`;
}

/** Decodes raw revert data against each ABI in turn. */
export function decodeRevertData(data: Hex, abis: readonly Abi[]): DecodedRevert | undefined {
  if (!isHex(data) || data.length < 10) return undefined;
  for (const abi of abis) {
    try {
      const decoded = decodeErrorResult({ abi, data });
      return { name: decoded.errorName, args: decoded.args ?? [] };
    } catch {
      // not in this ABI
    }
  }
  return undefined;
}

const PANIC: Record<number, string> = {
  0x01: "an internal check failed",
  0x11: "a number overflowed",
  0x12: "division by zero",
  0x21: "a value is out of range",
  0x32: "an index is out of range",
};

type ErrorLike = { name?: unknown; data?: unknown; raw?: unknown; reason?: unknown; signature?: unknown; shortMessage?: unknown; message?: unknown; code?: unknown; cause?: unknown };

function findRevert(error: unknown, abis: readonly Abi[]): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === "object" && depth < 12; depth++) {
    const x = e as ErrorLike;
    if (x.name === "ContractFunctionRevertedError") {
      const data = x.data as { errorName?: string; args?: readonly unknown[] } | undefined;
      if (data?.errorName === "Panic") return PANIC[Number(data.args?.[0])] ?? "the contract hit an internal error";
      if (data?.errorName === "Error") return `the contract refused: ${String(data.args?.[0] ?? "no reason given")}`;
      if (data?.errorName) return explainRevert({ name: data.errorName, args: data.args ?? [] });
      if (typeof x.raw === "string") {
        const decoded = decodeRevertData(x.raw as Hex, abis);
        if (decoded) return explainRevert(decoded);
      }
      if (typeof x.reason === "string" && x.reason) return `the contract refused: ${x.reason}`;
      return "the contract refused this call without a reason";
    }
    // Raw revert data on a JSON-RPC error (e.g. from eth_estimateGas or a relayed call).
    if (typeof x.data === "string" && isHex(x.data)) {
      const decoded = decodeRevertData(x.data, abis);
      if (decoded) return explainRevert(decoded);
    }
    e = x.cause;
  }
  return undefined;
}

function hasName(error: unknown, names: readonly string[]): boolean {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === "object" && depth < 12; depth++) {
    const x = e as ErrorLike;
    if (typeof x.name === "string" && names.includes(x.name)) return true;
    if (x.code === 4001 && names.includes("UserRejectedRequestError")) return true;
    e = x.cause;
  }
  return false;
}

/** One plain sentence for any error a contract call, a wallet or the network can throw. */
export function explainError(error: unknown, abis: readonly Abi[] = []): string {
  const revert = findRevert(error, abis);
  if (revert) return revert;
  if (hasName(error, ["UserRejectedRequestError"])) return "you declined the request in your wallet";
  if (hasName(error, ["InsufficientFundsError"])) return "this account has no ETH to pay for gas";
  if (hasName(error, ["HttpRequestError", "TimeoutError", "WebSocketRequestError"])) {
    return "the chain does not answer; is it running? (npm run dev)";
  }
  if (hasName(error, ["PositionOutOfBoundsError", "AbiDecodingDataSizeTooSmallError", "AbiDecodingZeroDataError", "ContractFunctionZeroDataError"])) {
    return "the contract's answer does not fit its ABI: the chain runs other contract code than the app expects (restart npm run dev to redeploy)";
  }
  if (hasName(error, ["ChainMismatchError"])) return "your wallet is on another chain; switch it to the app's chain";
  if (error instanceof BaseError) return stripHex(error.shortMessage);
  if (error instanceof Error) return stripHex(error.message);
  return "something went wrong";
}

/** Keeps messages readable: long hex strings (raw data, calldata) are cut. */
export function stripHex(message: string): string {
  return message.replace(/0x[0-9a-fA-F]{42,}/g, (h) => `${h.slice(0, 10)}…`).split("\n")[0]!.trim();
}

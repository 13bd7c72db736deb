import { test } from "node:test";
import assert from "node:assert/strict";
import { BaseError, ContractFunctionRevertedError, encodeErrorResult, parseAbi } from "viem";
import { decodeRevertData, explainError, explainRevert, revertMessages } from "./revert.ts";

const ledgerErrors = parseAbi([
  "error InsufficientCredit(address account, int256 available, uint256 needed)",
  "error WrongStatus(bytes32 taskId, uint8 status)",
]);
const marketErrors = parseAbi(["error BountyTooSmall(uint256 bounty, uint256 minimum)"]);
const account = "0x00000000000000000000000000000000000000aa";

test("InsufficientCredit reads as plain words with CC amounts", () => {
  assert.equal(
    explainRevert({ name: "InsufficientCredit", args: [account, 3200n, 5150n] }),
    "not enough credit: you have 3.2 CC, this needs 5.15 CC",
  );
  assert.equal(
    explainRevert({ name: "InsufficientCredit", args: [account, -500n, 100n] }),
    "not enough credit: you have -0.5 CC, this needs 0.1 CC",
  );
});

test("raw revert data is decoded against every ABI given", () => {
  const data = encodeErrorResult({ abi: marketErrors, errorName: "BountyTooSmall", args: [50n, 100n] });
  const decoded = decodeRevertData(data, [ledgerErrors, marketErrors]);
  assert.deepEqual(decoded, { name: "BountyTooSmall", args: [50n, 100n] });
  assert.equal(explainRevert(decoded!), "the bounty 0.05 CC is below the minimum of 0.1 CC");
  assert.equal(decodeRevertData("0xdeadbeef", [ledgerErrors]), undefined);
});

test("a viem ContractFunctionRevertedError inside a cause chain is explained", () => {
  const data = encodeErrorResult({ abi: ledgerErrors, errorName: "WrongStatus", args: [`0x${"11".repeat(32)}`, 9] });
  const inner = new ContractFunctionRevertedError({ abi: ledgerErrors, data, functionName: "cancel" });
  const outer = new BaseError("simulation failed", { cause: inner });
  assert.equal(explainError(outer, [ledgerErrors]), "the task is Cancelled, so this cannot be done now");
});

test("raw data on an RPC error (no ABI on the error) is decoded with our ABIs", () => {
  const data = encodeErrorResult({ abi: ledgerErrors, errorName: "InsufficientCredit", args: [account, 0n, 1000n] });
  const rpcError = Object.assign(new Error("execution reverted"), { data });
  assert.equal(explainError(new BaseError("call failed", { cause: rpcError }), [ledgerErrors]), "not enough credit: you have 0 CC, this needs 1 CC");
});

test("unknown errors and wallet rejections never show raw data", () => {
  assert.equal(explainRevert({ name: "SomethingOdd", args: [] }), "the contract refused: something odd");
  const rejected = Object.assign(new Error("User rejected the request."), { code: 4001 });
  assert.equal(explainError(rejected), "you declined the request in your wallet");
  const long = new Error(`bad data 0x${"ab".repeat(100)} here`);
  assert.ok(!explainError(long).includes("abababababababab"));
});

test("a read whose answer does not fit the ABI (stale chain) is explained", () => {
  const err = new BaseError("decode failed", { cause: Object.assign(new Error("Position `255` is out of bounds"), { name: "PositionOutOfBoundsError" }) });
  assert.match(explainError(err), /other contract code than the app expects/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { type Abi, encodeFunctionData, parseAbi } from "viem";
import type { ContractName, DeployedContract } from "./deployments.ts";
import { checkRelayRequest } from "./relay-policy.ts";
import { createRateLimiter } from "./rate-limit.ts";

const marketAbi = parseAbi(["function cancel(bytes32 taskId)", "function pause()"]) as Abi;
const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as const;
const contracts = Object.fromEntries(
  (["ComputeCreditForwarder", "ProtocolConfig", "CreditLedger", "WorkerRegistry", "TaskTypeRegistry", "TaskMarket"] as ContractName[]).map((n, i) => [
    n,
    { address: addr(i + 1), abi: n === "TaskMarket" ? marketAbi : ([] as Abi) },
  ]),
) as Record<ContractName, DeployedContract>;
const now = 1_700_000_000;
const cancel = encodeFunctionData({ abi: marketAbi, functionName: "cancel", args: [`0x${"00".repeat(32)}`] });
const body = (over: Record<string, unknown> = {}) => ({
  request: { from: addr(99), to: addr(6), value: "0", gas: "300000", deadline: String(now + 600), data: cancel, signature: `0x${"11".repeat(65)}`, ...over },
});

test("an allowlisted call to our market passes", () => {
  const r = checkRelayRequest(body(), contracts, now);
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.functionName, "cancel");
});

test("other targets, admin functions, ETH, huge gas, stale or far deadlines and junk are refused in words", () => {
  const err = (over: Record<string, unknown>) => {
    const r = checkRelayRequest(body(over), contracts, now);
    return r.ok ? "ok" : r.error;
  };
  assert.match(err({ to: addr(1) }), /only forwards calls to the ComputeCredit contracts/);
  assert.match(err({ to: addr(1234) }), /only forwards calls/);
  assert.match(err({ data: encodeFunctionData({ abi: marketAbi, functionName: "pause" }) }), /does not forward this TaskMarket function/);
  assert.match(err({ value: "1" }), /does not send ETH/);
  assert.match(err({ gas: "99999999" }), /gas limit/);
  assert.match(err({ deadline: String(now - 1) }), /expired/);
  assert.match(err({ deadline: String(now + 86_400) }), /too far/);
  assert.match(err({ signature: "0x12" }), /malformed/);
  assert.match(checkRelayRequest({ nope: 1 }, contracts, now).ok ? "" : "malformed", /malformed/);
});

test("the rate limiter allows `limit` hits per window per key", () => {
  const rl = createRateLimiter({ limit: 2, windowMs: 1000 });
  assert.ok(rl.take("a", 0).ok);
  assert.ok(rl.take("a", 10).ok);
  const third = rl.take("a", 20);
  assert.equal(third.ok, false);
  if (!third.ok) assert.equal(third.retryAfterMs, 980);
  assert.ok(rl.take("b", 20).ok);
  assert.ok(rl.take("a", 1001).ok);
});

test("every state-changing function of ITaskMarket is relayable: a tab without ETH can take each protocol step", async () => {
  const { readFileSync } = await import("node:fs");
  const { RELAYABLE } = await import("./relay-policy.ts");
  const source = readFileSync(new URL("../../contracts/src/interfaces/ITaskMarket.sol", import.meta.url), "utf8");
  // `function name(...) external [returns ...];` with no view/pure: the user-facing steps (admin ones live elsewhere).
  const steps = [...source.matchAll(/function (\w+)\(([^)]*)\)\s*external(?![^;{]*\b(?:view|pure)\b)[^;{]*;/g)].map((m) => m[1]!);
  assert.ok(steps.includes("decideAudit") && steps.includes("settle") && steps.length >= 15, `found ${steps.join(", ")}`);
  assert.deepEqual([...(RELAYABLE.TaskMarket ?? [])].sort(), [...new Set(steps)].sort());
});

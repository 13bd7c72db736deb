import assert from "node:assert/strict";
import { test } from "node:test";
import type { Hex } from "viem";
import type { ChainEvent } from "../../lib/client/events.ts";
import { toTimeline } from "./timeline.ts";

const ev = (eventName: string, args: Record<string, unknown>, logIndex: number): ChainEvent => ({
  eventName,
  args,
  blockNumber: 1n,
  logIndex,
  transactionHash: `0x${"ab".repeat(32)}` as Hex,
  contract: "TaskMarket",
});

test("timeline sentences carry amounts in CC", () => {
  const [entry] = toTimeline([ev("TaskPosted", { requester: "0x00000000000000000000000000000000000000aa", bounty: 1500n, deadline: 2_000_000_000n, mode: 0 }, 0)]);
  assert.match(entry!.detail, /bounty of 1\.5 CC/);
});

test("an input-rejected acceptance and a finalization say what happened to the pay", () => {
  const [accepted, final] = toTimeline([
    ev("TaskAccepted", { worker: "0x00000000000000000000000000000000000000bb", digest: "0x01", inputRejected: true }, 0),
    ev("TaskFinalized", { workerPay: 100n }, 1),
  ]);
  assert.equal(accepted!.title, "Input rejected");
  assert.match(accepted!.detail, /pay is held until the task is final/);
  assert.match(final!.detail, /paid 0\.1 CC/);
});

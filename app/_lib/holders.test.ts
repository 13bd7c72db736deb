import assert from "node:assert/strict";
import { test } from "node:test";
import { creditHolders } from "./holders.ts";

const A = "0x00000000000000000000000000000000000000Aa";
const B = "0x00000000000000000000000000000000000000bb";
const MARKET = "0x00000000000000000000000000000000000000cc";

test("the ledger lists the accounts credit moved for, not the contracts a role was granted to", () => {
  const events = [
    { eventName: "RoleGranted", args: { role: "0x01", account: MARKET, sender: A } },
    { eventName: "GenesisGranted", args: { account: A, amount: 10n } },
    { eventName: "Transferred", args: { from: A, to: B, amount: 1n } },
    { eventName: "StakeLocked", args: { account: MARKET, amount: 1n } },
    { eventName: "EscrowPaid", args: { to: A.toLowerCase(), amount: 1n } },
  ];
  assert.deepEqual(creditHolders(events), [A.toLowerCase(), B]);
});

test("junk in an address field is skipped", () => {
  assert.deepEqual(creditHolders([{ eventName: "Staked", args: { account: "0x12" } }, { eventName: "TaskPosted", args: { requester: 7 } }]), []);
});

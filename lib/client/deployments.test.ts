import { test } from "node:test";
import assert from "node:assert/strict";
import { CONTRACT_NAMES, selectDeployment } from "./deployments.ts";

const abi = [{ type: "function", name: "x", inputs: [], outputs: [], stateMutability: "view" }];
const contracts = Object.fromEntries(CONTRACT_NAMES.map((n, i) => [n, { address: `0x${String(i + 1).padStart(40, "0")}`, abi }]));

test("picks the configured chain and lower-cases addresses", () => {
  const upper = { ...contracts, TaskMarket: { address: "0xABCDEF0000000000000000000000000000000001", abi } };
  const r = selectDeployment({ "31337": { chainId: 31337, contracts: upper } }, 31337, "f.json");
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.deployment.contracts.TaskMarket.address, "0xabcdef0000000000000000000000000000000001");
});

test("says which chains exist when the configured one is missing", () => {
  const r = selectDeployment({ "1": { contracts } }, 31337, "f.json");
  assert.deepEqual(r.ok ? "" : r.reason, "no-chain");
  assert.match(r.ok ? "" : r.message, /no contracts for chain 31337 \(it has: 1\)/);
});

test("names missing contracts and rejects junk", () => {
  const { TaskMarket: _, ...rest } = contracts;
  const r = selectDeployment({ "31337": { contracts: rest } }, 31337, "f.json");
  assert.match(r.ok ? "" : r.message, /lacks TaskMarket/);
  assert.equal(selectDeployment([1, 2], 31337, "f.json").ok, false);
  assert.equal(selectDeployment({ "31337": { contracts: { TaskMarket: { address: "nope", abi } } } }, 31337, "f.json").ok, false);
});

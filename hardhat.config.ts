import { createRequire } from "node:module";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatViemAssertions from "@nomicfoundation/hardhat-viem-assertions";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);
// solc-js from npm: no compiler download, and the version cannot drift from the package.
const solcVersion: string = require("solc/package.json").version;

export default defineConfig({
  plugins: [hardhatViem, hardhatNodeTestRunner, hardhatNetworkHelpers, hardhatViemAssertions],
  solidity: {
    version: solcVersion,
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
      evmVersion: "cancun",
    },
  },
  paths: {
    // contracts/test/mocks is listed as a source too (sources take precedence over the tests path), so that the
    // test-only contracts get generated artifact types like the protocol's; under the tests path alone Hardhat
    // compiles them but emits no types, and `viem.deployContract("<Mock>")` returns an untyped contract.
    sources: ["contracts/src", "contracts/test/mocks"],
    tests: { solidity: "contracts/test", nodejs: "contracts/test" },
  },
  networks: {
    localhost: { type: "http", chainType: "l1", url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
  },
});

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Written by npm run circuits:build from circuits/artifacts.json; circuits:check keeps the two equal.
library ZkKeys {
    /// @notice True while the committed zkeys come from a development phase 2, whose proofs anyone can forge.
    bool internal constant DEVELOPMENT = true;
}

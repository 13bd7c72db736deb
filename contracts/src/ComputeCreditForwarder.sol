// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title ComputeCreditForwarder
/// @notice The trusted ERC-2771 forwarder: a relayer pays the gas, the signer of the request acts.
contract ComputeCreditForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("ComputeCreditForwarder") {}
}

/**
 * EIP-712 shape of a relayed call through ComputeCreditForwarder (OpenZeppelin's ERC2771Forwarder):
 * what the browser signs, what the relay checks and what the tests forge.
 */
export const FORWARDER_DOMAIN = { name: "ComputeCreditForwarder", version: "1" } as const;

export const forwardRequestTypes = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
} as const;

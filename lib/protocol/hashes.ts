/**
 * The protocol's hashes, mirroring contracts/src/libraries/ProtocolHashes.sol;
 * contracts/test/protocol-mirror.test.ts checks both agree on random inputs.
 */
import { type Address, type Hex, encodeAbiParameters, keccak256 } from "viem";

/** Task id: unique per chain, market, requester and the requester's nonce. */
export function computeTaskId(chainId: bigint, market: Address, requester: Address, nonce: bigint): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "address" }, { type: "uint256" }],
      [chainId, market, requester, nonce],
    ),
  );
}

/** Digest of a result: keccak256 of the output's binary CID. */
export function cidDigest(cidBytes: Uint8Array | Hex): Hex {
  return keccak256(cidBytes);
}

/** Commitment `keccak256(abi.encode(taskId, sender, digest, salt))` that a worker, verifier or auditor commits. */
export function computeCommitment(taskId: Hex, sender: Address, digest: Hex, salt: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
      [taskId, sender, digest, salt],
    ),
  );
}

/**
 * Typed errors of the IPFS client and node. `code` is stable and machine-readable (the node's
 * JSON error bodies carry the same codes); `message` is plain words for a person.
 */
export type IpfsErrorCode =
  | "bad_cid"
  | "bad_car"
  | "car_roots"
  | "root_mismatch"
  | "hash_mismatch"
  | "unsupported_codec"
  | "unsupported_hash"
  | "bad_block"
  | "incomplete_dag"
  | "unexpected_blocks"
  | "not_a_file"
  | "too_large"
  | "not_found"
  | "timeout"
  | "aborted"
  | "http_error"
  | "network_error";

export class IpfsError extends Error {
  override readonly name: string = "IpfsError";
  constructor(
    readonly code: IpfsErrorCode | (string & {}),
    message: string,
    /** HTTP status when the error came from (or is meant for) an HTTP answer. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The node refused an upload; `code`/`message` are the server's own words. */
export class UploadRejectedError extends IpfsError {
  override readonly name: string = "UploadRejectedError";
}

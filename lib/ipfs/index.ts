/** Shared IPFS client (browser + Node). See client.ts; the node's HTTP API is in ipfs/server.ts. */
export { addFile, uploadCar, fetchVerified, CAR_CONTENT_TYPE, RAW_CONTENT_TYPE, DEFAULT_MAX_BYTES, type AddedFile, type UploadResult, type FetchOptions } from "./client.ts";
export { IpfsError, UploadRejectedError, type IpfsErrorCode } from "./errors.ts";
export { parseCid, verifyBlock, walkDag, blockKey } from "./dag.ts";
export { buildCar, readCarVerified, type Block } from "./car.ts";

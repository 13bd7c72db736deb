/** Adding bytes to an IPFS node (ipfs/server.ts or any node with its /upload route): the CID is computed here, the node verifies every block. */
import { addFile, uploadCar } from "../ipfs/index.ts";

export type Published = { cid: string; cidBytes: Uint8Array; blocks: number };

export async function publishBytes(gatewayUrl: string, bytes: Uint8Array, onUploading: () => void = () => {}, signal?: AbortSignal): Promise<Published> {
  const added = await addFile(bytes);
  onUploading();
  const result = await uploadCar(gatewayUrl, added.cid, added.car, { signal });
  return { cid: added.cid.toString(), cidBytes: added.cid.bytes, blocks: result.blocks };
}

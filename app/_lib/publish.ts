/** Adding bytes to the IPFS node the app uses: the CID is computed here, the node verifies every block. */
import { addFile, uploadCar } from "../../lib/ipfs/index.ts";
import { appConfig } from "./config";

export type Published = { cid: string; cidBytes: Uint8Array; blocks: number };

export async function publishBytes(bytes: Uint8Array, onUploading: () => void = () => {}): Promise<Published> {
  const added = await addFile(bytes);
  onUploading();
  const result = await uploadCar(appConfig.ipfsGateway, added.cid, added.car);
  return { cid: added.cid.toString(), cidBytes: added.cid.bytes, blocks: result.blocks };
}

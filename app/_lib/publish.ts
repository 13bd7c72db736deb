/** Moved to lib/client/publish.ts; this binds it to the app's IPFS gateway. */
import { publishBytes as publishTo } from "../../lib/client/publish.ts";
import { appConfig } from "./config";

export type { Published } from "../../lib/client/publish.ts";

export const publishBytes = (bytes: Uint8Array, onUploading?: () => void) => publishTo(appConfig.ipfsGateway, bytes, onUploading);

/**
 * The IPFS port of `npm run worker` (workers/earn/ports.ts IpfsPort) over lib/ipfs: inputs are fetched from the
 * node's trustless gateway with every block checked against its CID; outputs are chunked here with the project's
 * one digest rule and uploaded to the same node as a CAR, which pins them for the requester.
 */
import { fetchVerified } from "../../lib/ipfs/index.ts";
import { publishBytes } from "../../lib/client/publish.ts";
import type { IpfsPort } from "../earn/ports.ts";

export type NodeIpfsOptions = {
  /** The node's base URL (gateway at /ipfs/, uploads at /upload), e.g. http://127.0.0.1:5050. */
  url: string;
  /** Largest input accepted. */
  maxBytes?: number;
  timeoutMs?: number;
};

export function createNodeIpfs(options: NodeIpfsOptions): IpfsPort {
  const url = options.url.replace(/\/+$/, "");
  return {
    fetch: (cid, signal) => fetchVerified(url, cid, { signal, maxBytes: options.maxBytes, timeoutMs: options.timeoutMs }),
    publish: async (bytes) => {
      const p = await publishBytes(url, bytes);
      return { cid: p.cid, cidBytes: p.cidBytes };
    },
  };
}

/**
 * Is there contract code, and the recorded build of it, at every address of the deployment the app was given?
 * (scaffold-eth's check: it catches a deployments file left stale after the chain was reset.)
 *
 * The code is read once per deployment, not on a timer: the six contracts are ~100 KB of bytecode, and a tab
 * re-reading them every 30 s costs 12 MB an hour against what may be a metered public RPC. Afterwards each
 * `check` costs one eth_blockNumber: the verdict is kept until the deployment changes (other addresses, code
 * hashes or deploy time: what a redeploy writes) or the chain goes back below the block where it was reached
 * (a reset chain).
 */
import { type Address, type Hex, keccak256 } from "viem";
import type { ChainDeployment } from "./deployments.ts";

/** The reads the check needs; `publicClient` satisfies it. */
export type CodeReader = {
  getBlockNumber(args: { cacheTime: number }): Promise<bigint>;
  getCode(args: { address: Address }): Promise<Hex | undefined>;
};

export type CodeVerdict =
  | { ok: true }
  | { ok: false; reason: "missing"; contracts: string[] }
  | { ok: false; reason: "changed"; contracts: string[] };

/** What identifies a deployment: chain, deploy time, and every contract's address and code hash. */
export function deploymentKey(d: ChainDeployment): string {
  const contracts = Object.entries(d.contracts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, c]) => `${name}=${c.address.toLowerCase()}:${c.codeHash ?? ""}`);
  return [d.chainId, d.deployedAt ?? "", ...contracts].join("|");
}

export class CodeCheck {
  private last: { key: string; block: bigint; verdict: CodeVerdict } | undefined;
  /** How many times the code was read (once per deployment); for tests and the curious. */
  codeReads = 0;

  constructor(private readonly reader: CodeReader) {}

  async check(d: ChainDeployment): Promise<CodeVerdict> {
    const key = deploymentKey(d);
    const block = await this.reader.getBlockNumber({ cacheTime: 0 });
    if (this.last && this.last.key === key && block >= this.last.block) return this.last.verdict;
    this.codeReads++;
    const entries = Object.entries(d.contracts);
    const codes = await Promise.all(entries.map(([, c]) => this.reader.getCode({ address: c.address }).catch(() => undefined)));
    const missing = entries.filter((_, i) => !codes[i] || codes[i] === "0x").map(([n]) => n);
    const changed = entries.filter(([, c], i) => codes[i] && codes[i] !== "0x" && c.codeHash && keccak256(codes[i]!) !== c.codeHash).map(([n]) => n);
    const verdict: CodeVerdict = missing.length > 0 ? { ok: false, reason: "missing", contracts: missing } : changed.length > 0 ? { ok: false, reason: "changed", contracts: changed } : { ok: true };
    // A failed verdict is kept too: what fixes it (a redeploy) writes a new deployment, which is read afresh.
    this.last = { key, block, verdict };
    return verdict;
  }
}

/**
 * One auditor duty on a disputed zk task (the requester's forced audit of a data-availability failure): the
 * auditor recomputes the task's bare output payload (deterministic, no proof needed: the proof already bound
 * the output commitment), publishes it, and commits to its CID, then reveals once every auditor has committed
 * or the commit window has closed. A worker that published other bytes than the proven ones ends up with a
 * different CID from two agreeing auditors, which the market treats as fraud.
 *
 * The salt is kept (by `saveSecret`) before the commitment is sent, so a reloaded tab can still reveal.
 */
import { type Hex, bytesToHex, toHex } from "viem";
import { cidDigest, computeCommitment } from "../../lib/protocol/hashes.ts";

export type ZkAuditTask = {
  id: Hex;
  typeName: string;
  inputCid: string;
  spec: unknown;
  /** This auditor's commitment is already on chain (a reloaded tab). */
  committed: boolean;
};

export type ZkAuditPhase = "computing" | "publishing" | "committing" | "waiting" | "revealing" | "revealed" | "failed";
export type ZkAuditUpdate = { phase: ZkAuditPhase; detail?: string };

export type AuditSecret = { cid: Hex; salt: Hex };

export type ZkAuditDeps = {
  auditor: Hex;
  fetchInput(cid: string): Promise<Uint8Array>;
  computePayload(typeName: string, input: Uint8Array, spec: unknown): Promise<Uint8Array>;
  publish(bytes: Uint8Array): Promise<{ cid: string; cidBytes: Uint8Array }>;
  saveSecret(taskId: Hex, secret: AuditSecret): Promise<void>;
  loadSecret(taskId: Hex): Promise<AuditSecret | undefined>;
  dropSecret(taskId: Hex): Promise<void>;
  commit(taskId: Hex, commitment: Hex): Promise<void>;
  /** Resolves when reveals are open for this audit (all committed, or the commit window closed). */
  revealsOpen(taskId: Hex): Promise<void>;
  reveal(taskId: Hex, cid: Hex, salt: Hex): Promise<void>;
  randomBytes(n: number): Uint8Array;
};

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function runZkAudit(task: ZkAuditTask, deps: ZkAuditDeps, onUpdate: (u: ZkAuditUpdate) => void): Promise<ZkAuditPhase> {
  try {
    let secret = task.committed ? await deps.loadSecret(task.id) : undefined;
    if (task.committed && !secret) throw new Error("this tab lost the salt of its commitment, so it cannot reveal");
    if (!secret) {
      onUpdate({ phase: "computing" });
      const payload = await deps.computePayload(task.typeName, await deps.fetchInput(task.inputCid), task.spec);
      onUpdate({ phase: "publishing" });
      const published = await deps.publish(payload);
      secret = { cid: bytesToHex(published.cidBytes), salt: toHex(deps.randomBytes(32)) };
      await deps.saveSecret(task.id, secret);
      onUpdate({ phase: "committing", detail: published.cid });
      await deps.commit(task.id, computeCommitment(task.id, deps.auditor, cidDigest(secret.cid), secret.salt));
    }
    onUpdate({ phase: "waiting" });
    await deps.revealsOpen(task.id);
    onUpdate({ phase: "revealing" });
    await deps.reveal(task.id, secret.cid, secret.salt);
    await deps.dropSecret(task.id);
    onUpdate({ phase: "revealed" });
    return "revealed";
  } catch (e) {
    onUpdate({ phase: "failed", detail: message(e) });
    return "failed";
  }
}

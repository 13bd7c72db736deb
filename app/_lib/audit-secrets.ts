/**
 * Salts of this browser's audit commitments, kept in IndexedDB until revealed (DESIGN §6: a reloaded tab
 * finishes its work). Keyed by auditor and task, so two accounts used in one browser never mix.
 */
import { openDB } from "idb";
import type { Hex } from "viem";
import type { AuditSecret } from "../../workers/earn/zk-audit.ts";

const db = () => openDB("computecredit-duties", 1, { upgrade: (d) => void d.createObjectStore("audit-secrets") });
const key = (auditor: Hex, taskId: Hex) => `${auditor.toLowerCase()}:${taskId.toLowerCase()}`;

export const auditSecrets = (auditor: Hex) => ({
  save: async (taskId: Hex, secret: AuditSecret) => void (await (await db()).put("audit-secrets", secret, key(auditor, taskId))),
  load: async (taskId: Hex) => (await (await db()).get("audit-secrets", key(auditor, taskId))) as AuditSecret | undefined,
  drop: async (taskId: Hex) => (await db()).delete("audit-secrets", key(auditor, taskId)),
});

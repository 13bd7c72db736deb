/**
 * Harness entry for e2e/task-code.spec.ts: the tab's check of its task code (wasm-tasks/code-cid-browser.ts), loaded
 * beside the harness page. `window.taskCode.verify(type)` fetches /task-code/<type>.json and the files the task code
 * loads (from /node_modules/ and public/, where the harness serves them) and returns the code CID.
 */
import { TaskCodeMismatchError, verifyTaskCode } from "../../wasm-tasks/code-cid-browser.ts";

export type TaskCodeResult = { cid?: string; verified?: string[]; unverified?: string[]; error?: string; mismatched?: string[] };

async function verify(typeName: string): Promise<TaskCodeResult> {
  try {
    const check = await verifyTaskCode(typeName);
    return check ? { cid: check.cid, verified: check.verified, unverified: check.unverified } : {};
  } catch (error) {
    return {
      error: error instanceof Error ? error.message : String(error),
      mismatched: error instanceof TaskCodeMismatchError ? error.mismatches.map((m) => m.path) : undefined,
    };
  }
}

declare global {
  interface Window {
    taskCode: { verify: typeof verify };
  }
}

window.taskCode = { verify };

import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { appConfig } from "./config";
import { type DeploymentsResult, selectDeployment } from "./deployments";

// Written by `npm run dev` beside the chain state it belongs to (scripts/deploy-local.ts).
const DEFAULT_FILE = ".data/deployments.json";

/** Read at run time (a `process.env.NEXT_PUBLIC_X` literal would be inlined at build time). */
const runtimeEnv = (name: string): string | undefined => process.env[name] || undefined;

/** Reads the deployments for the configured chain: NEXT_PUBLIC_CONTRACTS_JSON (inline JSON or a path) or the generated file. */
export async function loadDeployments(): Promise<DeploymentsResult> {
  const override = runtimeEnv("NEXT_PUBLIC_CONTRACTS_JSON") ?? appConfig.contractsJson;
  if (override?.trimStart().startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(override);
    } catch {
      return { ok: false, reason: "invalid", message: "NEXT_PUBLIC_CONTRACTS_JSON is not valid JSON." };
    }
    return selectDeployment(json, appConfig.chainId, "NEXT_PUBLIC_CONTRACTS_JSON");
  }
  const file = override ?? DEFAULT_FILE;
  const path = isAbsolute(file) ? file : join(/*turbopackIgnore: true*/ process.cwd(), file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return {
      ok: false,
      reason: "missing",
      message: override
        ? `The deployments file ${file} (NEXT_PUBLIC_CONTRACTS_JSON) cannot be read.`
        : `No contracts deployed yet: ${DEFAULT_FILE} is missing. Start the chain with "npm run dev".`,
    };
  }
  try {
    return selectDeployment(JSON.parse(text), appConfig.chainId, file);
  } catch {
    return { ok: false, reason: "invalid", message: `${file} is not valid JSON.` };
  }
}

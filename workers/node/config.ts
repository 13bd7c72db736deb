/** Reading what `npm run worker` is pointed at: the deployments file and the key file. Node only. */
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Hex, isHex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { type ChainDeployment, selectDeployment } from "../../lib/client/deployments.ts";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The deployment of `chainId` in a deployments file (as `npm run dev` writes it). */
export function readDeployments(file: string, chainId: number): ChainDeployment {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`cannot read the deployments file ${file}: is \`npm run dev\` running, or pass --deployments FILE`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${file} is not valid JSON`);
  }
  const r = selectDeployment(json, chainId, file);
  if (!r.ok) throw new ConfigError(r.message);
  return r.deployment;
}

export type KeyFile = { privateKey: Hex; created: boolean; warning?: string };

/** Reads the private key in `file`, or creates a new one there (mode 0600) when the file does not exist. */
export function loadOrCreateKey(file: string): KeyFile {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const privateKey = generatePrivateKey();
    // wx: never overwrite a key another process wrote meanwhile.
    try {
      writeFileSync(file, `${privateKey}\n`, { mode: 0o600, flag: "wx" });
      return { privateKey, created: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new ConfigError(`cannot write the key file ${file}: ${(error as Error).message}`);
    }
  }
  const text = readFileSync(file, "utf8").trim();
  const privateKey = (text.startsWith("0x") ? text : `0x${text}`) as Hex;
  if (!isHex(privateKey) || privateKey.length !== 66) throw new ConfigError(`${file} does not hold a private key (64 hex digits)`);
  const mode = statSync(file).mode & 0o777;
  const warning = mode & 0o077 ? `${file} can be read by other users (mode ${mode.toString(8)}); chmod 600 it` : undefined;
  return { privateKey, created: false, warning };
}

/**
 * Content-addressed names for the zk artifacts the app serves under /zk/: `zk-downscale.zkey` with SHA-256
 * 035fda53… is served as `zk-downscale.035fda53caae5a5a.zkey`, a name whose bytes never change, so browsers may keep
 * it for a year. `/zk/manifest.json` (revalidated on every load) maps each file to its hash, size and name.
 */
export type ZkManifestEntry = { sha256: string; bytes: number; url: string };
export type ZkManifest = { files: Record<string, ZkManifestEntry> };

const HASH_CHARS = 16;

export function hashedName(file: string, sha256: string): string {
  const dot = file.lastIndexOf(".");
  return dot <= 0 ? `${file}.${sha256.slice(0, HASH_CHARS)}` : `${file.slice(0, dot)}.${sha256.slice(0, HASH_CHARS)}${file.slice(dot)}`;
}

/** The file a content-addressed name stands for, and the hash prefix it carries. */
export function parseHashedName(name: string): { file: string; hash: string } | undefined {
  const m = /^(.+)\.([0-9a-f]{16})(\.[A-Za-z0-9]+)?$/.exec(name);
  return m ? { file: `${m[1]}${m[3] ?? ""}`, hash: m[2]! } : undefined;
}

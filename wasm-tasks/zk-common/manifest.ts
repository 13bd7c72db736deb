/**
 * Content-addressed names for the zk artifacts the app serves under /zk/: `zk-downscale.zkey` with SHA-256
 * 035fda53… is served as `zk-downscale.035fda53caae5a5a.zkey`, a name whose bytes never change, so browsers may keep
 * it for a year, and gzip-compressed as `zk-downscale.035fda53caae5a5a.zkey.gz` (Next's route handlers cannot set
 * Content-Encoding, so the client inflates it itself, with DecompressionStream). `/zk/manifest.json` (revalidated on
 * every load) maps each file to its hash, size and both names.
 */
export type ZkManifestEntry = { sha256: string; bytes: number; url: string; gzip: { url: string; bytes: number } };
export type ZkManifest = { files: Record<string, ZkManifestEntry> };

const HASH_CHARS = 16;

export function hashedName(file: string, sha256: string): string {
  const dot = file.lastIndexOf(".");
  return dot <= 0 ? `${file}.${sha256.slice(0, HASH_CHARS)}` : `${file.slice(0, dot)}.${sha256.slice(0, HASH_CHARS)}${file.slice(dot)}`;
}

/** The file a content-addressed name stands for, the hash prefix it carries, and whether it names the gzip copy. */
export function parseHashedName(name: string): { file: string; hash: string; gzip: boolean } | undefined {
  const gzip = name.endsWith(".gz");
  const m = /^(.+)\.([0-9a-f]{16})(\.[A-Za-z0-9]+)?$/.exec(gzip ? name.slice(0, -3) : name);
  return m ? { file: `${m[1]}${m[3] ?? ""}`, hash: m[2]!, gzip } : undefined;
}

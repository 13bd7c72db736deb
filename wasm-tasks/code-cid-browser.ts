/**
 * Browser side of the code CID (wasm-tasks/code-cid.ts): a tab fetches the manifest the app serves for a type
 * (public/task-code/<type>.json, written by `npm run code-cids -- --write` at dev start and before `next build`),
 * fetches every file the task code loads by URL, checks each against the manifest with the one digest rule, and
 * returns the CID of the manifest: the same CID Node computes from the files on disk (code-cid-node.ts).
 *
 * What this proves, and what it cannot (code-cid.ts says it in full): the wasm codecs, the ffmpeg core, the tfjs wasm
 * build and the zk circuit files this tab will load are the approved bytes. The wasm-tasks modules and the model the
 * bundler compiled into the tab's JavaScript cannot be hashed from inside a Turbopack bundle: for those the CID only
 * repeats the manifest the server generated from its checkout. And the bytes checked are the ones fetched here, with
 * the same URL and cache mode as the task code's own loads, not those loads themselves.
 * No Node, React or Next imports: the tab's earn ports and the e2e harness both use it.
 */
import { outputCidString } from "./digest.ts";
import { type TaskCodeManifest, codeCidOfManifest, parseTaskCodeManifest, servedPath } from "./code-cid.ts";

export type BrowserCodeOptions = {
  /** Where the manifests are served (default: `/task-code/` on the page's origin). */
  manifestBaseUrl?: string;
  /**
   * Where the task code loads a manifest file from. Default: `servedPath(path)` under `siteBaseUrl`, which is where
   * wasm-tasks loads them unless told otherwise (setCodecBaseUrl, setFfmpegAssetUrls, setTfjsAssetBaseUrl,
   * setZkBaseUrl): give the same mapping here when the app serves them elsewhere.
   */
  assetUrl?: (path: string) => string;
  /** Root the default `assetUrl` resolves under (default: the page's origin). */
  siteBaseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Also fetch and check every file the task code loads by URL (default true; false reads the manifest only). */
  assets?: boolean;
};

export type TaskCodeCheck = {
  typeName: string;
  /** The code CID: what TaskTypeRegistry.codeCid must hold for this tab to run the type. */
  cid: string;
  manifest: TaskCodeManifest;
  /** Files fetched here and found to have their manifest CID. */
  verified: string[];
  /** Files compiled into the bundle: taken on the manifest's word. */
  unverified: string[];
};

export type CodeMismatch = { path: string; url: string; expected: string; actual?: string; error?: string };

/** Some file the task code loads is not the one its manifest lists. */
export class TaskCodeMismatchError extends Error {
  override name = "TaskCodeMismatchError";
  constructor(
    readonly typeName: string,
    readonly mismatches: readonly CodeMismatch[],
  ) {
    super(
      `the ${typeName} code served to this tab is not its manifest's: ${mismatches
        .map((m) => `${m.path} (${m.error ?? `CID ${m.actual}, expected ${m.expected}`})`)
        .join("; ")}`,
    );
  }
}

const siteRoot = (options: BrowserCodeOptions): string => {
  const base = options.siteBaseUrl ?? new URL("/", globalThis.location.href).href;
  return base.endsWith("/") ? base : `${base}/`;
};

/** Where wasm-tasks loads a manifest file from by default: public/x at /x, node_modules/x at /node_modules/x. */
export const defaultAssetUrl = (path: string, siteBaseUrl: string): string => new URL(servedPath(path), siteBaseUrl).href;

/**
 * Checks the code this tab would run for `typeName` against its served manifest. Resolves to undefined when the app
 * serves no manifest for the type (404); rejects with TaskCodeMismatchError when a file differs or cannot be fetched,
 * and with an Error when the manifest is malformed, not canonical, or of another type.
 */
export async function verifyTaskCode(typeName: string, options: BrowserCodeOptions = {}): Promise<TaskCodeCheck | undefined> {
  const get = options.fetch ?? globalThis.fetch.bind(globalThis);
  const root = siteRoot(options);
  const manifestBase = options.manifestBaseUrl ?? new URL("task-code/", root).href;
  const manifestUrl = new URL(`${encodeURIComponent(typeName)}.json`, manifestBase.endsWith("/") ? manifestBase : `${manifestBase}/`).href;
  // Revalidated, so a tab open across a redeploy checks the new manifest.
  const response = await get(manifestUrl, { cache: "no-cache" });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`task code manifest ${manifestUrl}: HTTP ${response.status}`);
  const manifest = parseTaskCodeManifest(new Uint8Array(await response.arrayBuffer()));
  if (manifest.type !== typeName) throw new Error(`${manifestUrl} is the manifest of ${manifest.type}, not of ${typeName}`);

  const urlOf = options.assetUrl ?? ((path: string) => defaultAssetUrl(path, root));
  const verified: string[] = [];
  const unverified: string[] = [];
  const mismatches: CodeMismatch[] = [];
  // One at a time: the largest (a zkey, the ffmpeg wasm) are tens of MB.
  for (const file of manifest.files) {
    if (file.role !== "fetched" || options.assets === false) {
      unverified.push(file.path);
      continue;
    }
    const url = urlOf(file.path);
    try {
      // The default cache mode, as the task code's own fetches use: the check sees what the HTTP cache will give them.
      const asset = await get(url);
      if (!asset.ok) throw new Error(`HTTP ${asset.status}`);
      const actual = await outputCidString(new Uint8Array(await asset.arrayBuffer()));
      if (actual === file.cid) verified.push(file.path);
      else mismatches.push({ path: file.path, url, expected: file.cid, actual });
    } catch (error) {
      mismatches.push({ path: file.path, url, expected: file.cid, error: error instanceof Error ? error.message : String(error) });
    }
  }
  if (mismatches.length > 0) throw new TaskCodeMismatchError(typeName, mismatches);
  return { typeName, cid: await codeCidOfManifest(manifest), manifest, verified, unverified };
}

/**
 * The CodePort (workers/earn/ports.ts) of a tab: the verified code CID of each type, checked once per port (the
 * assets are tens of MB); a failed check is not kept, so the next call checks again. `onCheck` sees each result
 * (e.g. to show what was verified and what was taken on the manifest's word).
 */
export function browserCodePort(
  options: BrowserCodeOptions & { onCheck?: (typeName: string, result: TaskCodeCheck | undefined | Error) => void } = {},
): { codeCid(typeName: string): Promise<string | undefined>; verify(typeName: string): Promise<void> } {
  const cache = new Map<string, Promise<string | undefined>>();
  return {
    // What the served manifest says (one small fetch): enough to know whether to take the type at all.
    codeCid: async (typeName) => (await verifyTaskCode(typeName, { ...options, assets: false }))?.cid,
    // The files themselves, before the first run of the type (tens of MB, checked once).
    async verify(typeName) {
      let found = cache.get(typeName);
      if (!found) {
        found = verifyTaskCode(typeName, options).then(
          (check) => {
            options.onCheck?.(typeName, check);
            return check?.cid;
          },
          (error: unknown) => {
            cache.delete(typeName);
            options.onCheck?.(typeName, error instanceof Error ? error : new Error(String(error)));
            throw error;
          },
        );
        cache.set(typeName, found);
      }
      await found;
    },
  };
}

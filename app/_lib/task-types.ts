/**
 * Task types as the app sees them: the on-chain registry (id, name, allowed modes, active) joined by name with
 * the local wasm-tasks registry (spec schema, cost model, input limit). The wasm-tasks registry is loaded
 * lazily: it carries the codecs' glue code, which only the post page and the earn engine need.
 */
import type { TaskType } from "../../wasm-tasks/task-type.ts";
import type { ZkKit } from "../../wasm-tasks/index.ts";

export type ChainTaskType = {
  id: number;
  name: string;
  codeCid: string;
  modes: number;
  active: boolean;
  zkVerifier: string;
  /** The type's zk verifier holds development keys, whose proofs anyone can forge (contracts' ZkTaskProofVerifier). */
  developmentKeys: boolean;
};

/** The one view of a zk verifier adapter the app reads. */
export const developmentKeysAbi = [
  { type: "function", name: "developmentKeys", stateMutability: "view", inputs: [], outputs: [{ type: "bool" }] },
] as const;

/**
 * The type a versioned name is a version of: "image-resize@2" -> "image-resize". Versions share their spec and the
 * kind of their input and output (wasm-tasks/code-cid.ts, "Versions"), so the app's words and previews are per family.
 */
export const typeFamily = (name: string): string => name.replace(/@\d+$/, "");

const versionOf = (name: string): number => Number(/@(\d+)$/.exec(name)?.[1] ?? 1);

/**
 * The order types are offered in: families in the order their first version was registered, and in each family the
 * newest version first (a requester who does not choose gets the current code).
 */
export function offerOrder<T extends { id: number; name: string }>(types: readonly T[]): T[] {
  const firstId = new Map<string, number>();
  for (const t of types) firstId.set(typeFamily(t.name), Math.min(t.id, firstId.get(typeFamily(t.name)) ?? Infinity));
  return [...types].sort((a, b) => firstId.get(typeFamily(a.name))! - firstId.get(typeFamily(b.name))! || versionOf(b.name) - versionOf(a.name) || a.id - b.id);
}

/** Starting values of the post form per type family (every field still goes through the type's schema). */
export const exampleSpecs: Record<string, unknown> = {
  "image-resize": { width: 640, height: 480, fit: "contain", format: "jpeg" },
  "video-transcode": { codec: "h264", container: "mp4", resolution: "360p", fps: 25, preset: "veryfast", rate: { mode: "crf", crf: 28 }, audio: "drop" },
  "ml-inference": { topK: 3, decimals: 4 },
  benchmark: {},
  "zk-downscale": { width: 64, height: 64 },
  "zk-matmul": { m: 16, k: 16, n: 16 },
};

/** What the input file must be (per type family), where the file picker alone does not say it. */
export const inputHints: Record<string, string> = {
  "zk-downscale": "an image (scaled here to a 64×64 grayscale tile), or raw 64×64 8-bit grayscale pixels: exactly 4,096 bytes",
  "zk-matmul": "two 16×16 uint8 matrices A then B, row by row: exactly 512 bytes",
};

/** Types a requester can post: they need an input file. The benchmark is run by workers on themselves. */
export const isPostable = (t: TaskType<unknown>) => t.maxInputBytes > 0;

/**
 * The image decoders the input check runs fetch their .wasm from /node_modules/, as in the earn tab's Web Workers:
 * the app serves every file a task code manifest lists there (wasm-tasks/code-cid-node.ts copyServedPackageFiles).
 */
export async function loadLocalTaskTypes(): Promise<Readonly<Record<string, TaskType<unknown>>>> {
  const mod = await import("../../wasm-tasks/index.ts");
  return mod.taskTypes as Readonly<Record<string, TaskType<unknown>>>;
}

/** A zk type's helpers (input commitment, output check, bare output), loaded like the types themselves. */
export async function loadZkKit(typeName: string): Promise<ZkKit | undefined> {
  const mod = await import("../../wasm-tasks/index.ts");
  return mod.zkKits[typeName];
}

export const modeNames = ["replicated", "zk"] as const;
export const allowedModes = (modes: number) => modeNames.map((_, i) => i).filter((i) => (modes >> i) & 1);

/** What kind of preview a task type's input/output gets. */
export function mediaKind(name: string | undefined): "image" | "video" | "labels" | "gray-tile" | "matrix" | "bytes" {
  const typeName = name === undefined ? undefined : typeFamily(name);
  if (typeName === "image-resize") return "image";
  if (typeName === "video-transcode") return "video";
  if (typeName === "ml-inference") return "labels";
  if (typeName === "zk-downscale") return "gray-tile";
  if (typeName === "zk-matmul") return "matrix";
  return "bytes";
}

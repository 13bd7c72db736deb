/**
 * The durable store of `npm run worker` (workers/earn/ports.ts StorePort): one JSON file. Every change is written
 * to a temp file, flushed to disk, and renamed over the old file, so that the file on disk is always a whole
 * version: a crash or a power cut leaves the salt of a commitment either not yet sent (the store did not resolve)
 * or on disk. Writes are serialized; reads come from memory. Bigints survive the round trip.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { StorePort } from "../earn/ports.ts";

export class FileStore implements StorePort {
  private data: Record<string, unknown>;
  private writing: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.data = readJson(path);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return Object.hasOwn(this.data, key) ? (structuredClone(this.data[key]) as T) : undefined;
  }

  put(key: string, value: unknown): Promise<void> {
    this.data = { ...this.data, [key]: structuredClone(value) };
    return this.flush();
  }

  delete(key: string): Promise<void> {
    if (!Object.hasOwn(this.data, key)) return Promise.resolve();
    const { [key]: _, ...rest } = this.data;
    this.data = rest;
    return this.flush();
  }

  async keys(prefix: string): Promise<string[]> {
    return Object.keys(this.data).filter((k) => k.startsWith(prefix));
  }

  /** Writes the current version; resolves once it is on disk. */
  private flush(): Promise<void> {
    const text = `${JSON.stringify(this.data, (_, v: unknown) => (typeof v === "bigint" ? { $bigint: v.toString() } : v), 1)}\n`;
    const write = async () => {
      const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${++this.seq}.tmp`);
      const file = await open(temp, "w", 0o600);
      try {
        await file.writeFile(text);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
      // The rename itself is durable once the directory is flushed.
      const dir = await open(dirname(this.path), "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    };
    const next = this.writing.then(write, write);
    this.writing = next.catch(() => undefined);
    return next;
  }
}

function readJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text, (_, v: unknown) =>
    v && typeof v === "object" && Object.keys(v).length === 1 && typeof (v as { $bigint?: unknown }).$bigint === "string" ? BigInt((v as { $bigint: string }).$bigint) : v,
  );
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${path} is not a store file (a JSON object)`);
  return parsed as Record<string, unknown>;
}

/**
 * The Helia node behind ipfs/server.ts: createHeliaLight (no libp2p, no bitswap, no HTTP
 * routers, no bootstrap: nothing leaves the machine), blocks in blockstore-fs and pins in
 * datastore-fs under `<dataDir>/ipfs/`. It only serves what was uploaded to it; every read is
 * `offline: true`, so a missing block is an immediate error, never a network lookup.
 */
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { FsBlockstore } from "blockstore-fs";
import { FsDatastore } from "datastore-fs";
import type { Helia, HeliaInit } from "helia";
import type { CID } from "multiformats/cid";

export type IpfsNode = {
  helia: Helia;
  dir: string;
  /** Whole block bytes, or undefined when the block is not stored here. */
  getBlock(cid: CID, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  hasBlock(cid: CID, signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
};

/**
 * createHeliaLight() is `new Helia({name, version, ...init})`, but importing it from "helia" loads
 * that package's whole index: libp2p, WebRTC, the DHT, bitswap (~1,600 modules, 1 s of CPU and
 * 4-6 s of wall time on a busy 2-core machine). We load the Helia class from its own module
 * (helia/dist/src/helia.js, ~5x faster) and fall back to the public export if that file moves.
 */
async function loadCreateHeliaLight(): Promise<(init: HeliaInit) => Helia> {
  try {
    const index = import.meta.resolve("helia");
    const [{ Helia: HeliaClass }, { name, version }] = await Promise.all([import(new URL("helia.js", index).href), import(new URL("version.js", index).href)]);
    if (typeof HeliaClass !== "function" || typeof name !== "string") throw new Error("unexpected helia layout");
    return (init) => new HeliaClass({ name, version, ...init }) as Helia;
  } catch (err) {
    if (process.env.CC_IPFS_DEBUG) console.warn("[ipfs] loading helia's full index:", err);
    const { createHeliaLight } = await import("helia");
    return createHeliaLight;
  }
}

/** Helia's own router list must not be only a fallback router (it hangs); we give it one that finds nothing. */
const noRouter = {
  name: "no-router",
  async *findProviders() {},
  async provide() {},
  async cancelReprovide() {},
  async put() {},
  async get(): Promise<never> {
    throw Object.assign(new Error("offline node: no routing"), { name: "NotFoundError" });
  },
  async *getClosestPeers() {},
  async findPeer(): Promise<never> {
    throw Object.assign(new Error("offline node: no routing"), { name: "NotFoundError" });
  },
  toString: () => "no-router",
};

async function concatChunks(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of source) {
    parts.push(part);
    total += part.byteLength;
  }
  if (parts.length === 1) return new Uint8Array(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Refuses a data dir another live process (or this one) is serving; a stale lock is taken over. */
async function lockDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, "server.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
      let alive = Number.isInteger(pid) && pid > 0;
      if (alive) {
        try {
          process.kill(pid, 0);
        } catch (killErr) {
          alive = (killErr as NodeJS.ErrnoException).code === "EPERM";
        }
      }
      if (alive) throw new Error(`the IPFS data dir ${dir} is in use by process ${pid} (remove ${file} if that is wrong)`);
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dir}`);
}

export async function openIpfsNode(dataDir: string): Promise<IpfsNode> {
  const dir = resolve(dataDir, "ipfs");
  await mkdir(dir, { recursive: true });
  const unlock = await lockDir(dir);
  const blockstore = new FsBlockstore(join(dir, "blocks"));
  const datastore = new FsDatastore(join(dir, "datastore"));
  try {
    await blockstore.open();
    await datastore.open();
    const createHeliaLight = await loadCreateHeliaLight();
    const helia = createHeliaLight({ blockstore, datastore, routers: [noRouter as never], blockBrokers: [] });
    await helia.start();
    const node: IpfsNode = {
      helia,
      dir,
      async hasBlock(cid, signal) {
        return helia.blockstore.has(cid, { signal });
      },
      async getBlock(cid, signal) {
        if (!(await helia.blockstore.has(cid, { signal }))) return undefined;
        try {
          return await concatChunks(helia.blockstore.get(cid, { signal, offline: true }));
        } catch (err) {
          if ((err as Error).name === "NotFoundError" || (err as Error).name === "BlockNotFoundWhileOfflineError") return undefined;
          throw err;
        }
      },
      async close() {
        try {
          await helia.stop();
        } finally {
          await blockstore.close();
          await datastore.close();
          await unlock();
        }
      },
    };
    return node;
  } catch (err) {
    await unlock();
    throw err;
  }
}

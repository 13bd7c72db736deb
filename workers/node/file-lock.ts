/**
 * One account works from one place at a time (workers/earn/ports.ts LockPort), for `npm run worker`: a lock file
 * per chain and account holding the owner's pid. A second process for the same account is refused while the owner
 * lives; the lock of a process that died without removing it (a crash, kill -9) is taken over. The lock is removed
 * when released and when the process exits.
 *
 * Creating the file is atomic (a hard link of a whole file, which fails if the lock exists). Taking over a stale lock renames it away first and checks that what was
 * renamed is the stale lock that was read: of two processes taking it over at once, one wins.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "viem";
import type { LockPort } from "../earn/ports.ts";

export type LockOwner = { pid: number; startedAt: number; command: string };

/** Default place of the locks: one directory per machine. */
export const defaultLockDir = () => process.env.CC_LOCK_DIR ?? join(tmpdir(), "computecredit-locks");

export class FileLock implements LockPort {
  /** Who holds the lock, when acquire() was refused. */
  heldBy: LockOwner | undefined;

  constructor(
    private readonly dir: string,
    private readonly chainId: number,
  ) {}

  pathFor(account: Address): string {
    return join(this.dir, `${this.chainId}-${account.toLowerCase()}.lock`);
  }

  async acquire(account: Address): Promise<(() => void) | undefined> {
    mkdirSync(this.dir, { recursive: true });
    const path = this.pathFor(account);
    const me: LockOwner = { pid: process.pid, startedAt: Date.now(), command: process.argv.slice(1).join(" ").slice(0, 200) };
    const text = `${JSON.stringify(me)}\n`;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (create(path, text)) {
        this.heldBy = undefined;
        return this.releaser(path, text);
      }
      const held = read(path);
      if (held === undefined) continue; // removed meanwhile: try again
      if (typeof held !== "string" && held.pid !== process.pid && alive(held.pid)) {
        this.heldBy = held;
        return undefined;
      }
      if (typeof held !== "string" && held.pid === process.pid) {
        // Held by this very process (a second engine for the same account): refused as well.
        this.heldBy = held;
        return undefined;
      }
      // Stale (its process is gone) or unreadable: move it aside, then check it was the one judged stale.
      const aside = `${path}.stale-${process.pid}-${attempt}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = read(aside);
      const same = JSON.stringify(moved) === JSON.stringify(held);
      if (!same) {
        // Someone else's fresh lock was moved: put it back if the place is still free, and look again.
        try {
          linkSync(aside, path);
        } catch {
          // the place was taken again; the loop reads who holds it
        }
      }
      try {
        unlinkSync(aside);
      } catch {
        // already gone
      }
    }
    const held = read(path);
    this.heldBy = held && typeof held !== "string" ? held : undefined;
    return undefined;
  }

  private releaser(path: string, text: string): () => void {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off("exit", release);
      try {
        if (readFileSync(path, "utf8") === text) unlinkSync(path);
      } catch {
        // gone already
      }
    };
    process.on("exit", release);
    return release;
  }
}

/** Puts a whole lock file in place unless one exists (written aside, then hard-linked: never seen half-written). */
function create(path: string, text: string): boolean {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o644 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/** The owner in the lock file; a string when it cannot be parsed; undefined when there is no file. */
function read(path: string): LockOwner | string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : text;
  } catch {
    return text;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

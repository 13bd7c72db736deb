"use client";
/**
 * The earn engine of this tab (workers/earn/engine.ts), started and stopped from React and rendered from its
 * snapshot. All the work is in the engine; this hook only creates it for the account, remembers that the account
 * was earning (so a reload or a restart resumes), and hands the snapshot to the page.
 */
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { cheatsFrom } from "../../workers/earn/cheats.ts";
import { EarnEngine, type EngineSnapshot } from "../../workers/earn/engine.ts";
import type { Role } from "../../workers/earn/ports.ts";
import { tabEarnPorts } from "../_lib/earn-ports";
import { useDeployment, useWallet } from "./Providers";

const ALL_ROLES: readonly Role[] = ["worker", "verifier", "auditor"];
const noop = () => () => {};
const maxSlots = () => (typeof navigator !== "undefined" && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 1);
const earningKey = (a: string) => `computecredit-earning-${a.toLowerCase()}`;
const settingsKey = (a: string) => `computecredit-earn-settings-${a.toLowerCase()}`;

/**
 * The test-only cheat switch (workers/earn/cheats.ts), read in development builds only: `next build` replaces the
 * condition by false and drops the code.
 */
function devCheats() {
  if (process.env.NODE_ENV !== "production") {
    return cheatsFrom(typeof localStorage !== "undefined" ? localStorage.getItem("computecredit-test-cheats") : undefined);
  }
  return undefined;
}

type Settings = { slots: number; roles: readonly Role[] };

function loadSettings(account: string | undefined): Settings {
  const fallback: Settings = { slots: 1, roles: ALL_ROLES };
  if (!account || typeof localStorage === "undefined") return fallback;
  try {
    return { ...fallback, ...(JSON.parse(localStorage.getItem(settingsKey(account)) ?? "{}") as Partial<Settings>) };
  } catch {
    return fallback;
  }
}

export function useEarnEngine() {
  const d = useDeployment();
  const { signer } = useWallet();
  const me = signer?.address;
  const [settings, setSettings] = useState<Settings>(() => loadSettings(me));
  useEffect(() => setSettings(loadSettings(me)), [me]);
  // One engine per account and role set; slots change on the running engine.
  const engine = useMemo(
    () => (d && signer ? new EarnEngine(tabEarnPorts(d, signer, settings.slots, devCheats()), { roles: settings.roles }) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [d, signer, settings.roles.join(",")],
  );
  const snapshot: EngineSnapshot | undefined = useSyncExternalStore(engine?.subscribe ?? noop, () => engine?.getSnapshot(), () => undefined);

  // Resume after a reload when this account was earning; end (reversibly) when the app unmounts.
  useEffect(() => {
    if (!engine || !me) return;
    if (localStorage.getItem(earningKey(me)) === "1") void engine.start();
    return () => engine.dispose();
  }, [engine, me]);

  const save = (next: Settings) => {
    setSettings(next);
    if (me) localStorage.setItem(settingsKey(me), JSON.stringify(next));
  };

  const start = useCallback(async () => {
    if (!engine || !me) return;
    localStorage.setItem(earningKey(me), "1");
    await engine.start();
    if (engine.getSnapshot().status !== "running") localStorage.removeItem(earningKey(me));
  }, [engine, me]);

  const stop = useCallback(async () => {
    if (!engine || !me) return;
    localStorage.removeItem(earningKey(me));
    await engine.stop();
  }, [engine, me]);

  return {
    ready: Boolean(engine && snapshot),
    snapshot,
    running: snapshot?.status === "running" || snapshot?.status === "starting" || snapshot?.status === "benchmarking" || snapshot?.status === "registering",
    start,
    stop,
    slots: settings.slots,
    maxSlots: maxSlots(),
    setSlots: (n: number) => {
      const slots = Math.max(1, Math.min(n, maxSlots()));
      save({ ...settings, slots });
      engine?.setSlots(slots);
    },
    roles: settings.roles,
    setRoles: (roles: readonly Role[]) => save({ ...settings, roles }),
    rerunBenchmark: () => engine?.rerunBenchmark(),
  };
}

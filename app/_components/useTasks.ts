"use client";
import { useMemo } from "react";
import { foldTasks } from "../_lib/tasks";
import { useChainEvents } from "./Providers";

/** Every task, folded from the live TaskMarket events. */
export function useTasks() {
  const ev = useChainEvents();
  const tasks = useMemo(() => foldTasks(ev.events.filter((e) => e.contract === "TaskMarket")), [ev.events]);
  return { tasks, status: ev.status, error: ev.error, lastBlock: ev.lastBlock, refresh: ev.refresh };
}

"use client";
import { useState } from "react";
import { TaskStatus } from "../../../lib/protocol/status";
import { listTasks } from "../../_lib/tasks";
import { TaskList } from "../../_components/TaskList";
import { useTasks } from "../../_components/useTasks";
import { useChainTaskTypes } from "../../_components/useTaskTypes";
import { Empty, ErrorNote, Loading } from "../../_components/ui";

const STATUS_OPTIONS = Object.entries(TaskStatus).filter(([, v]) => v !== TaskStatus.None);

export function Queue() {
  const { tasks, status, error } = useTasks();
  const types = useChainTaskTypes();
  const [typeFilter, setTypeFilter] = useState("");
  const [statusFilter, setStatusFilter] = useState(String(TaskStatus.Open));
  const list = listTasks(tasks.values(), {
    typeId: typeFilter === "" ? undefined : Number(typeFilter),
    status: statusFilter === "" ? undefined : (Number(statusFilter) as TaskStatus),
  });
  return (
    <>
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor="f-type">Type</label>
          <select id="f-type" value={typeFilter} onChange={(e) => setTypeFilter(e.target.value)}>
            <option value="">all types</option>
            {(types.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={statusFilter} onChange={(e) => setStatusFilter(e.target.value)}>
            <option value="">any status</option>
            {STATUS_OPTIONS.map(([name, v]) => (
              <option key={v} value={v}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <p className="muted" aria-live="polite" style={{ margin: 0 }}>
          {status === "ready" ? `${list.length} task${list.length === 1 ? "" : "s"}, highest bounty first · live` : null}
        </p>
      </div>
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      {status === "loading" ? (
        <Loading what="tasks from the chain" />
      ) : status === "error" ? null : list.length === 0 ? (
        <Empty>{tasks.size === 0 ? "No tasks have been posted yet." : "No task matches these filters."}</Empty>
      ) : (
        <TaskList tasks={list} />
      )}
    </>
  );
}

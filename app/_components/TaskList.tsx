"use client";
import Link from "next/link";
import type { TaskView } from "../_lib/tasks";
import { useChainTaskTypes, typeName } from "./useTaskTypes";
import { Addr, StatusBadge, cc, dateTime } from "./ui";

export function TaskList({ tasks, showRequester = true }: { tasks: TaskView[]; showRequester?: boolean }) {
  const types = useChainTaskTypes();
  return (
    <ul className="tasks" data-testid="task-list">
      {tasks.map((t) => (
        <li key={t.id} className="task" data-task-id={t.id}>
          <div>
            <Link className="title" href={`/tasks/${t.id}`}>
              {typeName(types.data, t.typeId)} <span className="muted mono">{t.id.slice(0, 10)}…</span>
            </Link>
            <div className="muted" style={{ fontSize: "0.9rem" }}>
              <StatusBadge status={t.status} /> · deadline {dateTime(t.deadline)}
              {showRequester ? (
                <>
                  {" "}
                  · by <Addr a={t.requester} />
                </>
              ) : null}
              {t.worker ? (
                <>
                  {" "}
                  · worker <Addr a={t.worker} />
                </>
              ) : null}
            </div>
          </div>
          <div className="bounty" data-testid="bounty">
            {cc(t.bounty)}
          </div>
        </li>
      ))}
    </ul>
  );
}

import type { Metadata } from "next";
import { NeedsContracts } from "../../_components/ui";
import { TaskDetail } from "./_components/TaskDetail";

export const metadata: Metadata = { title: "Task" };

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const valid = /^0x[0-9a-fA-F]{64}$/.test(id);
  return (
    <>
      <h1>Task</h1>
      {valid ? (
        <NeedsContracts>
          <TaskDetail id={id.toLowerCase() as `0x${string}`} />
        </NeedsContracts>
      ) : (
        <p className="error" role="alert">
          “{id}” is not a task id (0x followed by 64 hex digits).
        </p>
      )}
    </>
  );
}

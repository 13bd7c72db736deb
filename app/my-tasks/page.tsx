import type { Metadata } from "next";
import { NeedsContracts } from "../_components/ui";
import { MyTasks } from "./_components/MyTasks";

export const metadata: Metadata = { title: "My tasks" };

export default function MyTasksPage() {
  return (
    <>
      <h1>My tasks</h1>
      <NeedsContracts>
        <MyTasks />
      </NeedsContracts>
    </>
  );
}

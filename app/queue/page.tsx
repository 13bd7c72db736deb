import type { Metadata } from "next";
import { NeedsContracts } from "../_components/ui";
import { Queue } from "./_components/Queue";

export const metadata: Metadata = { title: "Queue" };

export default function QueuePage() {
  return (
    <>
      <h1>Queue</h1>
      <NeedsContracts>
        <Queue />
      </NeedsContracts>
    </>
  );
}

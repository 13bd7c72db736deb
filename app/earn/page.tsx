import type { Metadata } from "next";
import { NeedsContracts } from "../_components/ui";
import { EarnTab } from "./_components/EarnTab";

export const metadata: Metadata = { title: "Earn" };

export default function EarnPage() {
  return (
    <>
      <h1>Earn</h1>
      <NeedsContracts>
        <EarnTab />
      </NeedsContracts>
    </>
  );
}

import type { Metadata } from "next";
import { NeedsContracts } from "../_components/ui";
import { Ledger } from "./_components/Ledger";

export const metadata: Metadata = { title: "Ledger" };

export default function LedgerPage() {
  return (
    <>
      <h1>Ledger</h1>
      <NeedsContracts>
        <Ledger />
      </NeedsContracts>
    </>
  );
}

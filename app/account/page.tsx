import type { Metadata } from "next";
import { NeedsContracts } from "../_components/ui";
import { WalletCard } from "./_components/WalletCard";
import { WorkerCard } from "./_components/WorkerCard";
import { BalancesCard } from "./_components/BalancesCard";
import { ParamsTable } from "./_components/ParamsTable";

export const metadata: Metadata = { title: "Account" };

export default function AccountPage() {
  return (
    <>
      <h1>Account</h1>
      <WalletCard />
      <NeedsContracts>
        <div className="grid">
          <BalancesCard />
          <WorkerCard />
        </div>
        <ParamsTable />
      </NeedsContracts>
    </>
  );
}

"use client";
import { explainError } from "../../_lib/revert";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Address, Hex } from "viem";
import { terminalStatuses } from "../../../lib/protocol/status";
import { iouPairs } from "../../_lib/cycles";
import { sameAddress } from "../../_lib/events";
import { foldTasks, pendingPay } from "../../_lib/tasks";
import { publicClient } from "../../_lib/wagmi";
import { useChainEvents, useDeployment, useWallet } from "../../_components/Providers";
import { useRead } from "../../_components/useRead";
import { ErrorNote, Loading, cc } from "../../_components/ui";

export type LedgerAccount = { balance: bigint; genesis: bigint; earned: bigint; stake: bigint; stakeGenesis: bigint; lockedStake: bigint };

export function BalancesCard() {
  const { signer } = useWallet();
  const d = useDeployment();
  const me = signer?.address;
  const args = me ? [me] : undefined;
  const account = useRead<LedgerAccount>("CreditLedger", "accountOf", args);
  const limit = useRead<bigint>("CreditLedger", "creditLimit", args);
  const spendable = useRead<bigint>("CreditLedger", "spendable", args);
  const events = useChainEvents();

  const { openTaskIds, pending } = useMemo(() => {
    if (!me) return { openTaskIds: [], pending: 0n };
    const tasks = [...foldTasks(events.events.filter((e) => e.contract === "TaskMarket")).values()];
    return {
      openTaskIds: tasks.filter((t) => sameAddress(t.requester, me) && !terminalStatuses.includes(t.status)).map((t) => t.id),
      // Pay for accepted work stays in the task's escrow until the task is final (after its audit window).
      pending: tasks.filter((t) => sameAddress(t.worker, me)).reduce((sum, t) => sum + pendingPay(t), 0n),
    };
  }, [events.events, me]);
  const counterparties = useMemo(() => {
    if (!me) return [];
    return iouPairs(events.events.filter((e) => e.contract === "CreditLedger")).filter(([dbt]) => sameAddress(dbt, me)).map(([, c]) => c);
  }, [events.events, me]);

  const ledger = d?.contracts.CreditLedger;
  const escrowed = useQuery({
    queryKey: ["escrowed", me, openTaskIds, events.lastBlock.toString()],
    enabled: Boolean(ledger && me),
    queryFn: async () => {
      const escrows = await Promise.all(
        openTaskIds.map((id: Hex) => publicClient.readContract({ address: ledger!.address, abi: ledger!.abi, functionName: "escrowOf", args: [id] }) as Promise<{ amount: bigint }>),
      );
      return escrows.reduce((s, e) => s + e.amount, 0n);
    },
  });
  const owed = useQuery({
    queryKey: ["owed", me, counterparties, events.lastBlock.toString()],
    enabled: Boolean(ledger && me),
    queryFn: async () => {
      const read = (dbt: Address, cr: Address) => publicClient.readContract({ address: ledger!.address, abi: ledger!.abi, functionName: "owed", args: [dbt, cr] }) as Promise<bigint>;
      const [iOwe, owedToMe] = await Promise.all([
        Promise.all(counterparties.map((c) => read(me!, c))),
        Promise.all(counterparties.map((c) => read(c, me!))),
      ]);
      return { iOwe: iOwe.reduce((s, v) => s + v, 0n), owedToMe: owedToMe.reduce((s, v) => s + v, 0n) };
    },
  });

  if (!me) return <section className="card"><Loading what="your account" /></section>;
  if (account.error) return <section className="card"><ErrorNote>Cannot read your balances: {explainError(account.error)}</ErrorNote></section>;
  const a = account.data;
  return (
    <section className="card" aria-labelledby="bal-h">
      <h2 id="bal-h">Credit</h2>
      {!a ? (
        <Loading what="balances" />
      ) : (
        <dl className="kv" data-testid="balances">
          <dt>Spend-only credit</dt>
          <dd data-testid="genesis">{cc(a.genesis)}</dd>
          <dt>Transferable balance</dt>
          <dd data-testid="balance">{cc(a.balance)}</dd>
          <dt>Pay pending (accepted work, not final yet)</dt>
          <dd data-testid="pending">{cc(pending)}</dd>
          <dt>Work credit (sets your credit limit)</dt>
          <dd>{cc(a.earned)}</dd>
          <dt>Staked</dt>
          <dd>
            {cc(a.stake)}
            {a.lockedStake > 0n ? <span className="muted"> ({cc(a.lockedStake)} locked)</span> : null}
          </dd>
          <dt>Escrowed in your open tasks</dt>
          <dd data-testid="escrowed">{escrowed.data === undefined ? "…" : cc(escrowed.data)}</dd>
          <dt>You owe (IOUs)</dt>
          <dd>{owed.data === undefined ? "…" : cc(owed.data.iOwe)}</dd>
          <dt>Owed to you (IOUs)</dt>
          <dd>{owed.data === undefined ? "…" : cc(owed.data.owedToMe)}</dd>
          <dt>Credit limit</dt>
          <dd>{limit.data === undefined ? "…" : cc(limit.data)}</dd>
          <dt>Available to spend</dt>
          <dd data-testid="spendable">
            <strong>{spendable.data === undefined ? "…" : cc(spendable.data)}</strong>
          </dd>
        </dl>
      )}
      <p className="muted" style={{ marginTop: 8, fontSize: "0.88rem" }}>
        1 CC = 1 CPU-hour on the reference machine. Spend-only credit is your genesis credit and any pay for tasks that were
        paid from genesis credit: it can be spent on tasks or staked, never transferred. Pay for accepted work is held in
        the task's escrow until the task is final, after its audit window. Your credit limit is half of your work credit:
        the value of verified, final work you did, by each task type's cost model, less what you transferred away. An IOU is a record, not a bill: a settled task's escrow paid
        its worker, and the IOU notes that you owe that worker the work (see the Ledger).
      </p>
    </section>
  );
}

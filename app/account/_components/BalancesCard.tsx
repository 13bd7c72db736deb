"use client";
import { explainError } from "../../_lib/revert";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Address, Hex } from "viem";
import { terminalStatuses } from "../../../lib/protocol/status";
import { iouPairs } from "../../_lib/cycles";
import { sameAddress } from "../../_lib/events";
import { foldTasks } from "../../_lib/tasks";
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

  const openTaskIds = useMemo(() => {
    if (!me) return [];
    const tasks = foldTasks(events.events.filter((e) => e.contract === "TaskMarket"));
    return [...tasks.values()].filter((t) => sameAddress(t.requester, me) && !terminalStatuses.includes(t.status)).map((t) => t.id);
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
          <dt>Genesis credit</dt>
          <dd data-testid="genesis">{cc(a.genesis)}</dd>
          <dt>Earned balance</dt>
          <dd data-testid="balance">{cc(a.balance)}</dd>
          <dt>Earned by work, all time</dt>
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
        1 CC = 1 CPU-hour on the reference machine. Genesis credit can be spent on tasks or staked, never transferred. An IOU is a
        record, not a bill: a settled task's escrow paid its worker, and the IOU notes that you owe that worker the work (see the Ledger).
      </p>
    </section>
  );
}

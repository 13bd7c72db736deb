"use client";
import { explainError } from "../../_lib/revert";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Address } from "viem";
import { type IouEdge, findCycles, iouPairs } from "../../_lib/cycles";
import { sameAddress } from "../../_lib/events";
import { publicClient } from "../../_lib/wagmi";
import { useChainEvents, useDeployment, useWallet } from "../../_components/Providers";
import { ActionButton } from "../../_components/useAction";
import { Addr, Empty, ErrorNote, Loading, cc } from "../../_components/ui";
import { IouGraph } from "./IouGraph";

type Account = { balance: bigint; genesis: bigint; earned: bigint; stake: bigint };

export function Ledger() {
  const d = useDeployment();
  const { signer } = useWallet();
  const ev = useChainEvents();
  const ledger = d?.contracts.CreditLedger;

  const accounts = useMemo(() => {
    const set = new Map<string, Address>();
    for (const e of ev.events) {
      for (const key of ["account", "requester", "debtor", "creditor", "worker"]) {
        const v = e.args[key];
        if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) && (e.eventName === "GenesisGranted" || e.eventName === "IouRecorded" || e.eventName === "TaskPosted" || e.eventName === "TaskAccepted")) {
          set.set(v.toLowerCase(), v.toLowerCase() as Address);
        }
      }
    }
    return [...set.values()];
  }, [ev.events]);
  const pairs = useMemo(() => iouPairs(ev.events.filter((e) => e.contract === "CreditLedger")), [ev.events]);

  const data = useQuery({
    queryKey: ["ledger", accounts, pairs.length, ev.lastBlock.toString()],
    enabled: Boolean(ledger) && ev.status === "ready",
    queryFn: async () => {
      const read = <T,>(functionName: string, args: readonly unknown[] = []) => publicClient.readContract({ address: ledger!.address, abi: ledger!.abi, functionName, args }) as Promise<T>;
      const [rows, owed, treasury, issued] = await Promise.all([
        Promise.all(accounts.map((a) => read<Account>("accountOf", [a]))),
        Promise.all(pairs.map(([dbt, cr]) => read<bigint>("owed", [dbt, cr]))),
        read<bigint>("treasury"),
        read<bigint>("genesisIssued"),
      ]);
      const edges: IouEdge[] = pairs.map(([debtor, creditor], i) => ({ debtor, creditor, amount: owed[i]! })).filter((e) => e.amount > 0n);
      return { rows: accounts.map((a, i) => ({ address: a, ...rows[i]! })), edges, treasury, issued };
    },
  });
  const cycles = useMemo(() => (data.data ? findCycles(data.data.edges) : []), [data.data]);

  if (ev.status === "loading") return <Loading what="ledger events" />;
  if (ev.status === "error") return <ErrorNote>{ev.error}</ErrorNote>;
  if (data.error) return <ErrorNote>Cannot read the ledger: {explainError(data.error)}</ErrorNote>;
  if (!data.data) return <Loading what="balances" />;
  const { rows, edges, treasury, issued } = data.data;

  return (
    <>
      <section className="card" aria-labelledby="bal-h">
        <h2 id="bal-h">Balances</h2>
        <p className="muted">
          Genesis issued {cc(issued)} · treasury {cc(treasury)}. Credits are never created except as genesis, so balances + escrow + stakes + treasury always add up to the genesis issued.
        </p>
        {rows.length === 0 ? (
          <Empty>No account has registered yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="ledger-balances">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col" className="num">Genesis</th>
                  <th scope="col" className="num">Earned balance</th>
                  <th scope="col" className="num">Staked</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.address}>
                    <td>
                      <Addr a={r.address} /> {signer && sameAddress(signer.address, r.address) ? <span className="muted">(you)</span> : null}
                    </td>
                    <td className="num">{cc(r.genesis)}</td>
                    <td className="num">{cc(r.balance)}</td>
                    <td className="num">{cc(r.stake)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="iou-h">
        <h2 id="iou-h">Who owes whom</h2>
        {edges.length === 0 ? (
          <Empty>No IOUs yet. Each settled task records one from the requester to the worker.</Empty>
        ) : (
          <>
            <IouGraph edges={edges} cycles={cycles} me={signer?.address} />
            <div className="table-wrap">
              <table>
                <caption className="muted" style={{ textAlign: "left" }}>
                  The same graph as a table
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Debtor</th>
                    <th scope="col">Creditor</th>
                    <th scope="col" className="num">Owed</th>
                  </tr>
                </thead>
                <tbody>
                  {edges.map((e) => (
                    <tr key={`${e.debtor}-${e.creditor}`}>
                      <td><Addr a={e.debtor} /></td>
                      <td><Addr a={e.creditor} /></td>
                      <td className="num">{cc(e.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
      <section className="card" aria-labelledby="cyc-h">
        <h2 id="cyc-h">Cycles</h2>
        {cycles.length === 0 ? (
          <Empty>No closed cycle of IOUs. When A owes B, B owes C and C owes A, anyone can clear the cycle by its smallest debt.</Empty>
        ) : (
          <ul className="tasks" data-testid="cycles">
            {cycles.map((c) => (
              <li key={c.path.join(">")} className="task">
                <div>
                  {c.path.map((a, i) => (
                    <span key={a}>
                      <Addr a={a} />
                      {" → "}
                      {i === c.path.length - 1 ? <Addr a={c.path[0]} /> : null}
                    </span>
                  ))}
                  <div className="muted">Clearing removes {cc(c.amount)} from every edge; net balances do not change.</div>
                </div>
                <div>
                  <ActionButton call={{ contract: "CreditLedger", functionName: "clearCycle", args: [c.path] }} label={`Clear cycle (${cc(c.amount)})`} doneText="Cleared." />
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

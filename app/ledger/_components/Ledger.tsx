"use client";
import { explainError } from "../../_lib/revert";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { type IouEdge, findCycles, iouPairs } from "../../_lib/cycles";
import { sameAddress } from "../../_lib/events";
import { creditHolders } from "../../_lib/holders";
import { foldTasks } from "../../_lib/tasks";
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

  const accounts = useMemo(() => creditHolders(ev.events), [ev.events]);
  const pairs = useMemo(() => iouPairs(ev.events.filter((e) => e.contract === "CreditLedger")), [ev.events]);
  // Escrow is held per task; the table shows it with the requester who posted (and pays) it.
  const tasks = useMemo(() => [...foldTasks(ev.events).values()].map((t) => ({ id: t.id, requester: t.requester.toLowerCase() })), [ev.events]);

  const data = useQuery({
    queryKey: ["ledger", accounts, pairs.length, tasks.length, ev.lastBlock.toString()],
    enabled: Boolean(ledger) && ev.status === "ready",
    queryFn: async () => {
      const read = <T,>(functionName: string, args: readonly unknown[] = []) => publicClient.readContract({ address: ledger!.address, abi: ledger!.abi, functionName, args }) as Promise<T>;
      const [rows, owed, escrows, treasury, issued] = await Promise.all([
        Promise.all(accounts.map((a) => read<Account>("accountOf", [a]))),
        Promise.all(pairs.map(([dbt, cr]) => read<bigint>("owed", [dbt, cr]))),
        Promise.all(tasks.map((t) => read<{ amount: bigint }>("escrowOf", [t.id]))),
        read<bigint>("treasury"),
        read<bigint>("genesisIssued"),
      ]);
      const escrowBy = new Map<string, bigint>();
      tasks.forEach((t, i) => escrowBy.set(t.requester, (escrowBy.get(t.requester) ?? 0n) + BigInt(escrows[i]!.amount)));
      const edges: IouEdge[] = pairs.map(([debtor, creditor], i) => ({ debtor, creditor, amount: owed[i]! })).filter((e) => e.amount > 0n);
      const table = accounts.map((a, i) => ({ address: a, ...rows[i]!, escrow: escrowBy.get(a) ?? 0n }));
      // Escrow of a requester not in the list (none is expected) still counts in the total.
      const escrowTotal = [...escrowBy.values()].reduce((x, y) => x + y, 0n);
      return { rows: table, edges, treasury, issued, escrowTotal };
    },
  });
  const cycles = useMemo(() => (data.data ? findCycles(data.data.edges) : []), [data.data]);

  if (ev.status === "loading") return <Loading what="ledger events" />;
  if (ev.status === "error") return <ErrorNote>{ev.error}</ErrorNote>;
  if (data.error) return <ErrorNote>Cannot read the ledger: {explainError(data.error)}</ErrorNote>;
  if (!data.data) return <Loading what="balances" />;
  const { rows, edges, treasury, issued, escrowTotal } = data.data;
  const sum = (f: (r: (typeof rows)[number]) => bigint) => rows.reduce((x, r) => x + BigInt(f(r)), 0n);
  const held = sum((r) => r.genesis) + sum((r) => r.balance) + sum((r) => r.stake) + escrowTotal + treasury;

  return (
    <>
      <section className="card" aria-labelledby="bal-h">
        <h2 id="bal-h">Balances</h2>
        <p className="muted">
          Credits are never created except as genesis, so genesis + earned balances + stakes + escrow + treasury always add up to the genesis
          issued: the last row below.
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
                  <th scope="col" className="num">In escrow</th>
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
                    <td className="num">{cc(r.escrow)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Sum</th>
                  <td className="num">{cc(sum((r) => r.genesis))}</td>
                  <td className="num">{cc(sum((r) => r.balance))}</td>
                  <td className="num">{cc(sum((r) => r.stake))}</td>
                  <td className="num">{cc(escrowTotal)}</td>
                </tr>
                <tr>
                  <th scope="row">Treasury</th>
                  <td className="num" colSpan={4}>{cc(treasury)}</td>
                </tr>
                <tr data-testid="ledger-total">
                  <th scope="row">All credit held</th>
                  <td className="num" colSpan={4}>
                    <strong>{cc(held)}</strong> {held === issued ? `= ${cc(issued)} of genesis issued` : <span className="error">≠ {cc(issued)} of genesis issued</span>}
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="iou-h">
        <h2 id="iou-h">Who owes whom</h2>
        <p className="muted" data-testid="iou-meaning">
          An IOU is a record, not a bill: when a task settles, its escrow pays the worker and the requester is noted as owing the worker that
          bounty in work, so that who has worked for whom stays visible (the reverse IOU is netted first, and a closed cycle can be cleared).
        </p>
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

"use client";
import { explainError } from "../../_lib/revert";
import { useState } from "react";
import { MCC_PER_CC } from "../../../lib/protocol/params";
import { useWallet } from "../../_components/Providers";
import { ActionButton, ActionStatus, useAction } from "../../_components/useAction";
import { useRead } from "../../_components/useRead";
import { ErrorNote, Loading, dateTime } from "../../_components/ui";

type Worker = { registeredAt: number; rateMilli: number; bannedUntil: number; reputation: number; poolIndex: number; capabilities: bigint };

/**
 * Registering here (for the genesis credit) records the reference rate; the earn tab measures this machine with the
 * benchmark task when it first starts and updates the registration with the measured rate.
 */
export const DEFAULT_RATE_MILLI = 1000;

export function WorkerCard() {
  const { signer } = useWallet();
  const me = signer?.address;
  const worker = useRead<Worker>("WorkerRegistry", "workerOf", me ? [me] : undefined);
  const typeCount = useRead<bigint>("TaskTypeRegistry", "typeCount");
  const stake = useAction();
  const [amount, setAmount] = useState("1");
  const [amountError, setAmountError] = useState<string>();

  if (worker.error) return <section className="card"><ErrorNote>Cannot read the worker registry: {explainError(worker.error)}</ErrorNote></section>;
  if (!worker.data || typeCount.data === undefined) return <section className="card"><Loading what="registration" /></section>;
  const w = worker.data;
  const registered = w.registeredAt > 0;
  const allTypes = (1n << typeCount.data) - 1n;

  const submitStake = () => {
    const n = Number(amount);
    if (!Number.isFinite(n) || n <= 0) return setAmountError("Enter an amount of CC above zero, e.g. 1 or 0.5.");
    const mcc = BigInt(Math.round(n * Number(MCC_PER_CC)));
    if (mcc <= 0n) return setAmountError("The smallest amount is 0.001 CC.");
    setAmountError(undefined);
    void stake.run({ contract: "WorkerRegistry", functionName: "stake", args: [mcc] });
  };

  return (
    <section className="card" aria-labelledby="worker-h">
      <h2 id="worker-h">Registration</h2>
      {!registered ? (
        <>
          <p>Register to receive your genesis credit (the first 1000 accounts get 10 CC) and to work or verify.</p>
          <p className="note">
            You register at the reference rate ({(DEFAULT_RATE_MILLI / 1000).toFixed(3)}) for all {typeCount.data.toString()} task types; the Earn
            page measures this machine with the benchmark task when it first starts and updates your rate and the types it can run.
          </p>
          <ActionButton call={{ contract: "WorkerRegistry", functionName: "register", args: [DEFAULT_RATE_MILLI, allTypes] }} label="Register" doneText="Registered." />
        </>
      ) : (
        <>
          <dl className="kv" data-testid="worker">
            <dt>Registered</dt>
            <dd>{dateTime(w.registeredAt)}</dd>
            <dt>Benchmark rate</dt>
            <dd>{(w.rateMilli / 1000).toFixed(3)} × reference</dd>
            <dt>Reputation</dt>
            <dd data-testid="reputation">{w.reputation}</dd>
            <dt>Verifier pool</dt>
            <dd>{w.poolIndex > 0 ? "member" : "not a member"}</dd>
            {w.bannedUntil * 1000 > Date.now() ? (
              <>
                <dt>Banned until</dt>
                <dd className="error">{dateTime(w.bannedUntil)}</dd>
              </>
            ) : null}
          </dl>
          <form
            style={{ marginTop: 12 }}
            onSubmit={(e) => {
              e.preventDefault();
              submitStake();
            }}
          >
            <div className="field">
              <label htmlFor="stake-amount">
                Stake (CC) <span className="hint">— workers lock 10% of a bounty per claim; the verifier pool needs 1 CC</span>
              </label>
              <input id="stake-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} aria-invalid={Boolean(amountError)} aria-describedby="stake-err" />
              <div id="stake-err" className="field-error">{amountError}</div>
            </div>
            <div className="actions">
              <button type="submit" disabled={stake.busy}>
                Stake
              </button>
              <ActionStatus state={stake.state} doneText="Staked." />
            </div>
          </form>
          <div className="actions" style={{ marginTop: 12 }}>
            {/* Two actions in one slot: the keys keep one's finished state ("Joined the pool.") off the other. */}
            {w.poolIndex > 0 ? (
              <ActionButton key="leave" className="secondary" call={{ contract: "WorkerRegistry", functionName: "leaveVerifierPool" }} label="Leave the verifier pool" doneText="Left the pool." />
            ) : (
              <ActionButton key="join" className="secondary" call={{ contract: "WorkerRegistry", functionName: "joinVerifierPool" }} label="Join the verifier pool" doneText="Joined the pool." />
            )}
          </div>
        </>
      )}
    </section>
  );
}

"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { type ContractCall, type SendResult, type SendStage, ActionError, sendCall, stageWords } from "../_lib/send";
import { useChainEvents, useDeployment, useWallet } from "./Providers";

export type ActionState = { stage?: SendStage; error?: string; done?: SendResult };

/** Runs contract calls for the current account and refreshes reads and events afterwards. */
export function useAction() {
  const d = useDeployment();
  const { signer } = useWallet();
  const { refresh } = useChainEvents();
  const qc = useQueryClient();
  const [state, setState] = useState<ActionState>({});
  const run = useCallback(
    async (call: ContractCall): Promise<SendResult | undefined> => {
      if (!d || !signer) {
        setState({ error: !d ? "the contracts are not available" : "no account yet" });
        return undefined;
      }
      setState({ stage: "checking" });
      try {
        const done = await sendCall(d, signer, call, (stage) => setState({ stage }));
        setState({ done });
        refresh();
        await qc.invalidateQueries();
        return done;
      } catch (error) {
        setState({ error: error instanceof ActionError ? error.message : String(error) });
        return undefined;
      }
    },
    [d, signer, refresh, qc],
  );
  return { run, state, busy: state.stage !== undefined && !state.error && !state.done, reset: () => setState({}) };
}

/** Inline status of an action, announced to screen readers. */
export function ActionStatus({ state, doneText = "Done." }: { state: ActionState; doneText?: string }) {
  return (
    <span aria-live="polite" className="action-status">
      {state.error ? (
        <span className="error" role="alert">
          {state.error}
        </span>
      ) : state.done ? (
        <span className="ok">
          {doneText} {state.done.via === "relay" ? "(gas paid by the relay)" : ""}
        </span>
      ) : state.stage ? (
        <span className="muted">{stageWords[state.stage]}</span>
      ) : null}
    </span>
  );
}

export function ActionButton({ call, label, doneText, disabled, className }: { call: ContractCall; label: string; doneText?: string; disabled?: boolean; className?: string }) {
  const { run, state, busy } = useAction();
  return (
    <span className="action">
      <button type="button" className={className} onClick={() => void run(call)} disabled={disabled || busy} aria-busy={busy}>
        {label}
      </button>
      <ActionStatus state={state} {...(doneText ? { doneText } : {})} />
    </span>
  );
}

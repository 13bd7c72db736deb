"use client";
/**
 * A proved zk task's result for its requester: the output bytes fetched from IPFS are checked against the
 * output commitment the proof bound on chain. A mismatch (or bytes nobody serves) is a data-availability
 * failure: the proof is valid but the published output is not the proven one. The requester disputes it with a
 * forced audit, in which three auditors recompute the output and the worker is slashed if its CID was wrong.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { fetchVerified } from "../../lib/ipfs/index.ts";
import { appConfig } from "../_lib/config";
import { grayTileUrl } from "../_lib/gray-tile";
import { cidString, specJson } from "../_lib/results";
import { loadZkKit, mediaKind } from "../_lib/task-types";
import type { TaskView } from "../_lib/tasks";
import { DisputeBox } from "./DisputeBox";
import { useChainTaskTypes, typeName } from "./useTaskTypes";
import { ErrorNote, Loading } from "./ui";

type Check = { bytes?: Uint8Array; ok: boolean; reason?: string };

export function ZkResult({ task }: { task: TaskView }) {
  const types = useChainTaskTypes();
  const name = typeName(types.data, task.typeId);
  const outCid = cidString(task.outputCid);
  const inCid = cidString(task.inputCid);
  const spec = useMemo(() => specJson(task.spec), [task.spec]);

  const check = useQuery({
    queryKey: ["zk-check", task.id, outCid, String(task.outputCommitment)],
    enabled: Boolean(outCid && task.outputCommitment !== undefined && types.data),
    staleTime: Infinity,
    retry: 1,
    queryFn: async (): Promise<Check> => {
      const kit = await loadZkKit(name);
      if (!kit) return { ok: false, reason: `this app cannot check ${name} outputs` };
      let bytes: Uint8Array;
      try {
        bytes = await fetchVerified(appConfig.ipfsGateway, outCid!, { timeoutMs: 20_000 });
      } catch (e) {
        return { ok: false, reason: `the output cannot be fetched: ${e instanceof Error ? e.message : String(e)}` };
      }
      try {
        const result = await kit.checkPayload(bytes, task.outputCommitment!, spec);
        return result.ok ? { bytes, ok: true } : { bytes, ok: false, reason: result.reason };
      } catch (e) {
        return { bytes, ok: false, reason: `the posted spec is unreadable: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
  });
  const input = useQuery({
    queryKey: ["ipfs", inCid],
    enabled: Boolean(inCid && mediaKind(name) === "gray-tile"),
    staleTime: Infinity,
    queryFn: () => fetchVerified(appConfig.ipfsGateway, inCid!),
  });

  const kind = mediaKind(name);
  const before = useMemo(() => (input.data && kind === "gray-tile" ? grayTileUrl(input.data, 64, 64) : undefined), [input.data, kind]);
  const after = useMemo(() => (check.data?.ok && check.data.bytes && kind === "gray-tile" ? grayTileUrl(check.data.bytes, 32, 32) : undefined), [check.data, kind]);
  const download = useMemo(() => (check.data?.bytes ? URL.createObjectURL(new Blob([check.data.bytes as BlobPart], { type: "application/octet-stream" })) : undefined), [check.data]);
  useEffect(() => () => {
    if (download) URL.revokeObjectURL(download);
  }, [download]);

  if (!outCid) return <ErrorNote>The output CID on chain is not readable.</ErrorNote>;

  return (
    <section className="card" aria-labelledby={`res-${task.id}`}>
      <h2 id={`res-${task.id}`}>Result</h2>
      <p className="muted">
        Output CID <code>{outCid}</code>; the proof on chain binds output commitment <code title={String(task.outputCommitment)}>{String(task.outputCommitment).slice(0, 12)}…</code>.
      </p>
      {check.isLoading ? <Loading what="the output and its check against the proof" /> : null}
      {check.data?.ok ? (
        <>
          <p className="ok" data-testid="zk-check">
            ✓ The output matches what the worker proved: its bytes hash to the proven output commitment.
          </p>
          {kind === "gray-tile" ? (
            <div className="compare">
              <figure>
                {before ? <img src={before} alt="Input tile, 64 by 64 (before)" style={{ imageRendering: "pixelated", width: 192 }} /> : <Loading what="the input" />}
                <figcaption>Before (64×64)</figcaption>
              </figure>
              <figure>
                {after ? <img src={after} alt="Downscaled tile, 32 by 32 (after)" style={{ imageRendering: "pixelated", width: 192 }} /> : null}
                <figcaption>After (32×32)</figcaption>
              </figure>
            </div>
          ) : kind === "matrix" && check.data.bytes ? (
            <p className="muted">
              C = A×B, 16×16 uint32; first row: {Array.from(new Uint32Array(check.data.bytes.slice(0, 64).buffer)).join(", ")}
            </p>
          ) : null}
          {download ? (
            <p className="actions" style={{ marginTop: 12 }}>
              {after ? (
                <a className="button secondary" href={after} download={`${outCid}.png`}>
                  Download as PNG
                </a>
              ) : null}
              <a className="button secondary" href={download} download={`${outCid}.bin`}>
                Download the {after ? "raw pixels" : "result"}
              </a>
            </p>
          ) : null}
        </>
      ) : check.data ? (
        <div role="alert" data-testid="zk-check">
          <p className="error">
            ✗ The published output is not what the worker proved: {check.data.reason}. The proof is valid, so the computation was done, but the
            bytes behind the output CID are not its result (a data-availability failure).
          </p>
          <DisputeBox task={task} what="A proof binds the computation, not the bytes you were given." />
        </div>
      ) : null}
    </section>
  );
}

"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { fetchVerified } from "../../lib/ipfs/index.ts";
import { appConfig } from "../_lib/config";
import { agreeingReplicas, agreementWords, cidString, extensionOf, parseLabels, sniffMime } from "../_lib/results";
import type { TaskView } from "../_lib/tasks";
import { hasResult } from "../_lib/tasks";
import { mediaKind } from "../_lib/task-types";
import { useChainTaskTypes, typeName } from "./useTaskTypes";
import { ErrorNote, Loading } from "./ui";
import { ZkResult } from "./ZkResult";
import { DisputeBox } from "./DisputeBox";

function useVerified(cid: string | undefined) {
  return useQuery({
    queryKey: ["ipfs", cid],
    enabled: Boolean(cid),
    staleTime: Infinity,
    retry: 1,
    queryFn: async () => {
      const bytes = await fetchVerified(appConfig.ipfsGateway, cid!);
      const mime = sniffMime(bytes);
      return { bytes, mime, url: URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime })) };
    },
  });
}

/** The accepted result in place: before/after images, a video player, or a bar chart of ML labels; plus download. */
export function TaskResult({ task }: { task: TaskView }) {
  const types = useChainTaskTypes();
  const kind = mediaKind(typeName(types.data, task.typeId));
  const outCid = cidString(task.outputCid);
  const inCid = cidString(task.inputCid);
  const replicated = task.mode !== 1;
  const out = useVerified(hasResult(task) && replicated ? outCid : undefined);
  const input = useVerified(hasResult(task) && replicated && kind === "image" ? inCid : undefined);
  const labels = useMemo(() => (out.data && kind === "labels" ? parseLabels(out.data.bytes) : undefined), [out.data, kind]);
  useEffect(() => () => {
    if (out.data) URL.revokeObjectURL(out.data.url);
  }, [out.data]);

  if (!hasResult(task)) return null;
  if (task.mode === 1) return <ZkResult task={task} />;
  if (!outCid) return <ErrorNote>The result's CID on chain is not readable.</ErrorNote>;
  return (
    <section className="card" aria-labelledby={`res-${task.id}`}>
      <h2 id={`res-${task.id}`}>Result</h2>
      <p className="muted">
        Output CID <code>{outCid}</code>, fetched from {appConfig.ipfsGateway} with every block checked against its hash.
      </p>
      {out.isLoading ? <Loading what="the result" /> : null}
      {out.error ? <ErrorNote>Cannot fetch the result: {out.error.message}</ErrorNote> : null}
      {out.data ? (
        <>
          {kind === "image" ? (
            <div className="compare">
              <figure>
                {input.data ? <img src={input.data.url} alt="Input image (before)" /> : input.error ? <ErrorNote>Input not available: {input.error.message}</ErrorNote> : <Loading what="the input" />}
                <figcaption>Before</figcaption>
              </figure>
              <figure>
                <img src={out.data.url} alt="Resized image (after)" />
                <figcaption>After</figcaption>
              </figure>
            </div>
          ) : kind === "video" ? (
            <video className="result" src={out.data.url} controls preload="metadata" aria-label="Transcoded video" />
          ) : kind === "labels" && labels ? (
            <div className="bars" role="img" aria-label={labels.map((l) => `${l.label} ${(l.p * 100).toFixed(1)}%`).join(", ")}>
              {labels.map((l) => (
                <div className="bar" key={l.label}>
                  <span>{l.label}</span>
                  <span className="track">
                    <span className="fill" style={{ width: `${(l.p * 100).toFixed(1)}%`, display: "block" }} />
                  </span>
                  <span className="num">{(l.p * 100).toFixed(1)}%</span>
                </div>
              ))}
            </div>
          ) : (
            <p className="muted">{out.data.bytes.byteLength} bytes ({out.data.mime}).</p>
          )}
          <p style={{ marginTop: 12 }}>
            <a className="button secondary" href={out.data.url} download={`${outCid}.${extensionOf(out.data.mime)}`}>
              Download the result
            </a>
          </p>
        </>
      ) : null}
      <DisputeBox task={task} what={agreementWords(agreeingReplicas(task.events, task.acceptedDigest))} />
    </section>
  );
}

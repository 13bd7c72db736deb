"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import { type Address, type Hex, isAddress, stringToHex, toHex, zeroAddress } from "viem";
import { UploadRejectedError, IpfsError } from "../../../lib/ipfs/index.ts";
import { type ProtocolParams, type VerificationMode, MCC_PER_CC, defaultParams, formatCredits } from "../../../lib/protocol/params";
import type { InputInfo } from "../../../wasm-tasks/task-type";
import { appConfig } from "../../_lib/config";
import { grayTileUrl, imageToGrayTile } from "../../_lib/gray-tile";
import { checkInputFile, sizeWords } from "../../_lib/input-check";
import { bountyHint, escrowWords } from "../../_lib/post-words";
import { publishBytes } from "../../_lib/publish";
import { canonicalJson, checkSpec, formModel, valuesFrom, type FormValues } from "../../_lib/spec-form";
import { allowedModes, exampleSpecs, inputHints, isPostable, loadLocalTaskTypes, loadZkKit, mediaKind, modeNames, offerOrder, typeFamily } from "../../_lib/task-types";
import { publicClient } from "../../_lib/wagmi";
import { capableWorkers, foldWorkers } from "../../_lib/workers";
import { useChainEvents, useDeployment, useWallet } from "../../_components/Providers";
import { ActionStatus, useAction } from "../../_components/useAction";
import { useRead } from "../../_components/useRead";
import { useChainTaskTypes } from "../../_components/useTaskTypes";
import { useChainTime } from "../../_components/useChainTime";
import { ErrorNote, Loading, cc } from "../../_components/ui";
import { SpecFields } from "./SpecFields";

type Upload =
  | { phase: "idle" }
  | { phase: "reading" | "checking" | "hashing" | "uploading"; file: File }
  | { phase: "done"; file: File; bytes: Uint8Array; cid: string; cidBytes: Uint8Array; info: InputInfo; blocks: number; converted?: string }
  | { phase: "error"; file?: File; error: string };

const DEADLINES = [
  { label: "1 hour", s: 3600 },
  { label: "6 hours", s: 6 * 3600 },
  { label: "1 day", s: 86_400 },
  { label: "3 days", s: 3 * 86_400 },
  { label: "7 days", s: 7 * 86_400 },
];

async function mediaInfo(file: File, kind: ReturnType<typeof mediaKind>): Promise<InputInfo> {
  const info: InputInfo = { bytes: file.size };
  try {
    if (kind === "image" || kind === "labels") {
      const bmp = await createImageBitmap(file);
      info.width = bmp.width;
      info.height = bmp.height;
      bmp.close();
    } else if (kind === "video") {
      const url = URL.createObjectURL(file);
      const v = document.createElement("video");
      v.preload = "metadata";
      v.src = url;
      await new Promise<void>((resolve, reject) => {
        v.onloadedmetadata = () => resolve();
        v.onerror = () => reject(new Error("not a video the browser can read"));
        setTimeout(() => reject(new Error("timeout")), 5000);
      });
      info.width = v.videoWidth;
      info.height = v.videoHeight;
      info.durationSeconds = v.duration;
      URL.revokeObjectURL(url);
    }
  } catch {
    // The cost model falls back to the byte size.
  }
  return info;
}

export function PostForm() {
  const d = useDeployment();
  const { signer } = useWallet();
  const chainTypes = useChainTaskTypes();
  const local = useQuery({ queryKey: ["localTaskTypes"], queryFn: loadLocalTaskTypes, staleTime: Infinity });
  const params = useRead<ProtocolParams>("ProtocolConfig", "params", [], { refetch: false });
  const spendable = useRead<bigint>("CreditLedger", "spendable", signer ? [signer.address] : undefined);
  const post = useAction();
  const { events } = useChainEvents();
  const workers = useMemo(() => foldWorkers(events), [events]);

  const postable = useMemo(
    () => offerOrder((chainTypes.data ?? []).filter((t) => t.active && local.data?.[t.name] && isPostable(local.data[t.name]!))),
    [chainTypes.data, local.data],
  );
  const [typeId, setTypeId] = useState<number>();
  const chainType = postable.find((t) => t.id === typeId) ?? postable[0];
  const localType = chainType ? local.data?.[chainType.name] : undefined;
  const postSchema = localType ? (localType.postSpecSchema ?? localType.specSchema) : undefined;
  const model = useMemo(() => (postSchema ? formModel(postSchema) : undefined), [postSchema]);
  const [values, setValues] = useState<FormValues>({});
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (model && chainType) {
      setValues(valuesFrom(model, exampleSpecs[typeFamily(chainType.name)] ?? {}));
      setTouched(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the type's identity, not the query's array
  }, [model, chainType?.id]);
  const check = model && postSchema ? checkSpec(postSchema, model, values) : undefined;

  const [upload, setUploadState] = useState<Upload>({ phase: "idle" });
  const [mode, setMode] = useState<VerificationMode>(0);
  const [deadlineS, setDeadlineS] = useState(86_400);
  const [bountyText, setBountyText] = useState("");
  const [bountyTouched, setBountyTouched] = useState(false);
  const [preferred, setPreferred] = useState("");
  const [postedId, setPostedId] = useState<Hex>();
  const [submitError, setSubmitError] = useState<string>();

  const p = params.data ?? defaultParams;
  const chainNow = useChainTime();
  // Who could claim a task of this type now (registered, not banned, capable), the requester left out.
  const takers = chainType ? capableWorkers(workers, chainType.id, Math.floor(chainNow ?? Date.now() / 1000), signer?.address) : [];
  const estimate = check?.ok && localType && upload.phase === "done" ? localType.estimateCost(upload.info, check.spec) : undefined;
  const inputError = check?.ok && localType && upload.phase === "done" ? localType.inputError?.(upload.info, check.spec) : undefined;
  const suggested = estimate ? (() => {
    const s = BigInt(Math.ceil(estimate.mcc * 1.5));
    return s < p.minBounty ? p.minBounty : s;
  })() : undefined;
  useEffect(() => {
    if (suggested !== undefined && !bountyTouched) setBountyText((Number(suggested) / 1000).toString());
  }, [suggested, bountyTouched]);
  const bounty = (() => {
    const n = Number(bountyText);
    return bountyText.trim() !== "" && Number.isFinite(n) && n > 0 ? BigInt(Math.round(n * Number(MCC_PER_CC))) : undefined;
  })();
  const escrow = bounty !== undefined ? escrowWords(bounty, mode, p) : undefined;
  const bountyError = bountyText.trim() === "" ? undefined : bounty === undefined ? "Enter an amount of CC, e.g. 0.25" : bounty < p.minBounty ? `The minimum bounty is ${formatCredits(p.minBounty)}.` : undefined;
  const preferredError = preferred.trim() && !isAddress(preferred.trim()) ? "Not an address (0x followed by 40 hex digits)." : undefined;
  const modes = chainType ? allowedModes(chainType.modes) : [0];
  useEffect(() => {
    if (!modes.includes(mode)) setMode((modes[0] ?? 0) as VerificationMode);
  }, [modes, mode]);

  // Each choice of a file is one attempt; an older one that finishes late must not overwrite a newer one.
  const attempt = useRef(0);
  const chooseFile = async (file: File | undefined) => {
    const mine = ++attempt.current;
    const setUpload = (u: Upload) => {
      if (attempt.current === mine) setUploadState(u);
    };
    if (!file) return setUpload({ phase: "idle" });
    const tile = chainType?.name === "zk-downscale" && file.type.startsWith("image/");
    if (localType && file.size > localType.maxInputBytes && !tile) {
      return setUpload({ phase: "error", file, error: `This file is ${sizeWords(file.size)}; ${chainType?.name} takes at most ${sizeWords(localType.maxInputBytes)}. Nothing was uploaded.` });
    }
    try {
      setUpload({ phase: "reading", file });
      // zk-downscale proves raw 64x64 grayscale tiles: an image is turned into one here, and that tile is the input.
      const bytes = tile ? await imageToGrayTile(file, 64).catch(() => Promise.reject(new Error("this image cannot be read by the browser"))) : new Uint8Array(await file.arrayBuffer());
      let info: InputInfo = { bytes: bytes.length, width: 64, height: 64 };
      if (!tile) {
        // The type's own sniffer and decoder, as a worker would run them first: refuse here, before any upload.
        setUpload({ phase: "checking", file });
        const checked = localType && chainType ? await checkInputFile(chainType.name, localType, bytes, file.name) : { ok: true as const, info: { bytes: bytes.length } };
        if (!checked.ok) return setUpload({ phase: "error", file, error: `${checked.reason} Nothing was uploaded.` });
        info = { ...(await mediaInfo(file, mediaKind(chainType?.name))), ...checked.info };
      }
      setUpload({ phase: "hashing", file });
      const published = await publishBytes(bytes, () => setUpload({ phase: "uploading", file }));
      setUpload({ phase: "done", file, bytes, info, ...published, ...(tile ? { converted: grayTileUrl(bytes, 64, 64) ?? "" } : {}) });
    } catch (e) {
      const why =
        e instanceof UploadRejectedError
          ? `The IPFS node refused the upload: ${e.message}`
          : e instanceof IpfsError && e.code === "network_error"
            ? `The IPFS node at ${appConfig.ipfsGateway} does not answer; is it running?`
            : `Could not add the file: ${e instanceof Error ? e.message : String(e)}`;
      setUpload({ phase: "error", file, error: why });
    }
  };

  // A file chosen for one type is checked again for another.
  const chosen = upload.phase === "idle" ? undefined : upload.file;
  useEffect(() => {
    if (chosen) void chooseFile(chosen);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a change of type re-runs the check
  }, [chainType?.name]);

  // A message belongs to the attempt that produced it: any change to what would be posted clears "Posted.", the
  // link and the last refusal.
  const attemptKey = JSON.stringify([chainType?.id, upload.phase === "done" ? upload.cid : upload.phase, values, bountyText, mode, deadlineS, preferred]);
  const resetPost = post.reset;
  useEffect(() => {
    resetPost();
    setSubmitError(undefined);
    setPostedId(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- resetPost is a new function each render
  }, [attemptKey]);

  const submit = async () => {
    setTouched(true);
    setSubmitError(undefined);
    if (!d || !signer || !chainType || !localType) return;
    if (upload.phase !== "done") return setSubmitError("Choose an input file and wait until it is uploaded.");
    if (upload.bytes.length > localType.maxInputBytes) return setSubmitError(`This file is too large for ${chainType.name} (at most ${sizeWords(localType.maxInputBytes)}).`);
    if (!check?.ok) return setSubmitError("Fix the spec fields marked above.");
    if (inputError) return setSubmitError(`This file cannot be the input: ${inputError}.`);
    if (bounty === undefined || bountyError) return setSubmitError(bountyError ?? "Enter a bounty.");
    if (preferredError) return setSubmitError(preferredError);
    let zkInputCommitment = 0n;
    if (mode === 1) {
      // The circuit's commitment to the input, computed here from the very bytes that were uploaded.
      const kit = await loadZkKit(chainType.name);
      if (!kit) return setSubmitError(`${chainType.name} has no zk input commitment in this app.`);
      setSubmitError(undefined);
      zkInputCommitment = await kit.inputCommitment(upload.bytes);
    }
    const market = d.contracts.TaskMarket;
    const nextId = (await publicClient.readContract({ address: market.address, abi: market.abi, functionName: "nextTaskId", args: [signer.address] })) as Hex;
    // The contract judges the deadline by block time, which need not be this browser's clock (a dev chain moved on).
    const chainNowS = Number((await publicClient.getBlock()).timestamp);
    const deadline = Math.max(chainNowS, Math.floor(Date.now() / 1000)) + deadlineS;
    const done = await post.run({
      contract: "TaskMarket",
      functionName: "post",
      args: [
        {
          typeId: chainType.id,
          mode,
          bounty,
          deadline,
          claimWindow: 0,
          // Workers check the fetched input has exactly this size: a mismatch is an input-rejected result.
          inputBytes: upload.bytes.length,
          preferredWorker: (preferred.trim() || zeroAddress) as Address,
          zkInputCommitment,
          inputCid: toHex(upload.cidBytes),
          spec: stringToHex(canonicalJson(check.spec)),
        },
      ],
    });
    if (done) setPostedId(nextId);
  };

  if (chainTypes.error || local.error) return <ErrorNote>Cannot load the task types: {(chainTypes.error ?? local.error)!.message}</ErrorNote>;
  if (!chainTypes.data || !local.data || !model) return <Loading what="task types" />;
  if (postable.length === 0) return <ErrorNote>No task type on this chain can be posted from the browser.</ErrorNote>;
  const errors = touched || Object.keys(values).length ? (check && !check.ok ? check.errors : {}) : {};

  return (
    <form
      className="card"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="field">
        <label htmlFor="task-type">Task type</label>
        <select id="task-type" value={chainType?.id} onChange={(e) => setTypeId(Number(e.target.value))}>
          {postable.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </div>

      <div className="field">
        <label htmlFor="input-file">
          Input file{" "}
          <span className="hint">
            ({chainType && inputHints[typeFamily(chainType.name)] ? inputHints[typeFamily(chainType.name)] : `at most ${sizeWords(localType!.maxInputBytes)}`}; its CID is computed here and the file is uploaded to the IPFS node)
          </span>
        </label>
        <input id="input-file" type="file" onChange={(e) => void chooseFile(e.target.files?.[0])} aria-describedby="upload-status" />
        <div id="upload-status" aria-live="polite" style={{ marginTop: 6 }}>
          {upload.phase === "reading" || upload.phase === "checking" || upload.phase === "hashing" || upload.phase === "uploading" ? (
            <>
              <progress className="progress" max={4} value={upload.phase === "reading" ? 1 : upload.phase === "checking" ? 2 : upload.phase === "hashing" ? 3 : 3.5} />
              <span className="muted">
                {upload.phase === "reading"
                  ? "Reading the file…"
                  : upload.phase === "checking"
                    ? `Checking it with ${chainType?.name}'s own decoder…`
                    : upload.phase === "hashing"
                      ? "Computing the CID in your browser…"
                      : `Uploading ${sizeWords(upload.file.size)} to the IPFS node…`}
              </span>
            </>
          ) : upload.phase === "done" ? (
            <>
              <span className="ok" data-testid="input-cid">
                Uploaded and verified by the node: <code>{upload.cid}</code> ({sizeWords(upload.bytes.length)}, {upload.blocks} block{upload.blocks === 1 ? "" : "s"})
              </span>
              {upload.converted !== undefined ? (
                <span className="muted" style={{ display: "flex", alignItems: "center", gap: 8, marginTop: 6 }}>
                  {upload.converted ? <img src={upload.converted} alt="The 64 by 64 grayscale tile made from your image" width={128} height={128} style={{ imageRendering: "pixelated" }} /> : null}
                  Your image was scaled to a 64×64 grayscale tile; that tile is the input the worker proves.
                </span>
              ) : null}
              {inputError ? (
                <span className="error" role="alert">
                  {" "}
                  But it cannot be the input: {inputError}.
                </span>
              ) : null}
            </>
          ) : upload.phase === "error" ? (
            <span className="error" role="alert">
              {upload.error}
            </span>
          ) : null}
        </div>
      </div>

      <fieldset>
        <legend>Output spec</legend>
        <SpecFields
          node={model}
          values={values}
          errors={errors}
          onChange={(path, v) => {
            setTouched(true);
            setValues((old) => ({ ...old, [path]: v }));
          }}
        />
        {errors[""] ? <p className="error">{errors[""]}</p> : null}
        {localType?.postSpecSchema && check?.ok ? (
          <p className="muted">The circuit fixes this spec: {canonicalJson(check.spec)}.</p>
        ) : null}
      </fieldset>

      <div className="row">
        <div className="field">
          <label htmlFor="bounty">
            Bounty (CC){" "}
            <span className="hint" data-testid="bounty-hint">
              {bountyHint({
                upload: upload.phase === "idle" ? "none" : upload.phase === "error" ? "refused" : upload.phase === "done" ? "done" : "busy",
                specOk: Boolean(check?.ok),
                inputError,
                suggested,
              })}
            </span>
          </label>
          <input
            id="bounty"
            inputMode="decimal"
            value={bountyText}
            onChange={(e) => {
              setBountyTouched(true);
              setBountyText(e.target.value);
            }}
            aria-invalid={Boolean(bountyError)}
            aria-describedby="bounty-err"
          />
          <div id="bounty-err" className="field-error">
            {bountyError}
          </div>
        </div>
        <div className="field">
          <label htmlFor="deadline">Deadline</label>
          <select id="deadline" value={deadlineS} onChange={(e) => setDeadlineS(Number(e.target.value))}>
            {DEADLINES.map((x) => (
              <option key={x.s} value={x.s}>
                in {x.label}
              </option>
            ))}
          </select>
        </div>
      </div>

      <fieldset>
        <legend>Verification</legend>
        <div className="radio">
          {modeNames.map((name, i) => (
            <label key={name}>
              <input type="radio" name="mode" value={i} checked={mode === i} disabled={!modes.includes(i)} onChange={() => setMode(i as VerificationMode)} />
              {name === "replicated" ? "replicated (2 verifiers re-compute)" : "zk proof"}
              {!modes.includes(i) ? <span className="muted"> — not offered by this type</span> : null}
            </label>
          ))}
        </div>
      </fieldset>

      <div className="field">
        <label htmlFor="preferred">
          Preferred worker <span className="hint">(optional; gets the task to itself for a first window)</span>
        </label>
        <input id="preferred" value={preferred} onChange={(e) => setPreferred(e.target.value)} placeholder="0x…" spellCheck={false} aria-invalid={Boolean(preferredError)} aria-describedby="preferred-err" />
        <div id="preferred-err" className="field-error">
          {preferredError}
        </div>
      </div>

      <div className="note" data-testid="cost">
        {estimate ? (
          <>
            Estimated work: <strong>{formatCredits(BigInt(estimate.mcc))}</strong> ({estimate.referenceSeconds.toFixed(1)} reference CPU-seconds).{" "}
          </>
        ) : null}
        {escrow !== undefined ? (
          <>
            Posting escrows <strong data-testid="escrow">{formatCredits(escrow.total)}</strong> ({escrow.parts}).{" "}
          </>
        ) : null}
        You have <strong>{cc(spendable.data)}</strong> available.
        {escrow !== undefined && spendable.data !== undefined && escrow.total > spendable.data ? <span className="error"> That is not enough for this bounty.</span> : null}
        {spendable.data === 0n ? (
          <>
            {" "}
            New here? <Link href="/account">Register on the Account page</Link> to receive your genesis credit.
          </>
        ) : null}
      </div>

      {chainType && takers.length === 0 ? (
        <p className="note warn" role="status" data-testid="no-takers">
          No registered worker {signer ? "other than you " : ""}can run {chainType.name} now (none has the capability, or all are banned), so
          nobody would claim this task yet: its escrow would wait until a worker registers for {chainType.name}, or come back to you at
          the deadline.
        </p>
      ) : null}

      <div className="actions" style={{ marginTop: 12 }}>
        <button type="submit" disabled={post.busy || upload.phase === "reading" || upload.phase === "checking" || upload.phase === "hashing" || upload.phase === "uploading"}>
          Post task
        </button>
        <ActionStatus state={post.state} doneText="Posted." />
        {submitError ? (
          <span className="error" role="alert">
            {submitError}
          </span>
        ) : null}
      </div>
      {postedId && post.state.done ? (
        <p>
          <Link href={`/tasks/${postedId}`}>Open the task page</Link> · <Link href="/my-tasks">My tasks</Link>
        </p>
      ) : null}
    </form>
  );
}

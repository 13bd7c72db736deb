"use client";
/**
 * The earn loop of one tab (DESIGN §6), zk tasks, run for the whole app by EarnProvider: watch the task events, pick what pays (workers/earn/policy),
 * run each job (workers/earn/zk-job) with a Web Worker per slot, and pick up a claim this account still holds
 * after a reload. Everything a zk job needs to resume is on chain (the claim); nothing is kept in the tab.
 * One account earns from one tab at a time: a Web Lock per address.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type Hex, bytesToHex } from "viem";
import { fetchVerified } from "../../lib/ipfs/index.ts";
import type { ProtocolParams } from "../../lib/protocol/params";
import { TaskStatus } from "../../lib/protocol/status";
import type { ProgressEvent } from "../../wasm-tasks/task-type.ts";
import { TaskRunner } from "../../workers/run-task.ts";
import { type WorkerState, pickTask, whyNotTake } from "../../workers/earn/policy.ts";
import { type ZkJobPhase, runZkJob } from "../../workers/earn/zk-job.ts";
import { type ZkAuditPhase, runZkAudit } from "../../workers/earn/zk-audit.ts";
import { auditSecrets } from "../_lib/audit-secrets";
import { publicClient } from "../_lib/wagmi";
import { appConfig } from "../_lib/config";
import { sameAddress } from "../_lib/events";
import { publishBytes } from "../_lib/publish";
import { cidString, specJson } from "../_lib/results";
import { sendCall } from "../_lib/send";
import { loadLocalTaskTypes, loadZkKit } from "../_lib/task-types";
import type { TaskView } from "../_lib/tasks";
import { useChainEvents, useDeployment, useWallet } from "./Providers";
import { useRead } from "./useRead";
import { useTasks } from "./useTasks";
import { typeName, useChainTaskTypes } from "./useTaskTypes";

export type Job = {
  /** A zk task proved for pay, or an audit duty on a disputed zk task. */
  kind: "prove" | "audit";
  taskId: Hex;
  typeName: string;
  bounty: bigint;
  phase: ZkJobPhase | ZkAuditPhase;
  progress?: ProgressEvent;
  detail?: string;
  startedAt: number;
  endedAt?: number;
};

type RegisteredWorker = { registeredAt: number; rateMilli: number; bannedUntil: number; capabilities: bigint };
type LedgerAccount = { stake: bigint; lockedStake: bigint };

const ENDED: readonly (ZkJobPhase | ZkAuditPhase)[] = ["accepted", "released", "failed", "revealed"];
const REVEAL_POLL_MS = 2_000;
const ZK = 1;
/** A task whose job failed in this tab is not picked again for this long (it may still be claimable). */
const RETRY_AFTER_MS = 60_000;

/** Turbopack bundles a worker only from this literal form. */
const createTaskWorker = () => new Worker(new URL("../../workers/task-worker.ts", import.meta.url), { type: "module", name: "task-worker" });

export function useEarnLoop() {
  const d = useDeployment();
  const { signer } = useWallet();
  const me = signer?.address;
  const { tasks } = useTasks();
  const { refresh } = useChainEvents();
  const qc = useQueryClient();
  const chainTypes = useChainTaskTypes();
  const [running, setRunning] = useState(false);
  // Every page runs this hook (EarnProvider): the task types' code loads only once the tab earns.
  const local = useQuery({ queryKey: ["localTaskTypes"], queryFn: loadLocalTaskTypes, staleTime: Infinity, enabled: running });
  const params = useRead<ProtocolParams>("ProtocolConfig", "params", [], { refetch: false });
  const worker = useRead<RegisteredWorker>("WorkerRegistry", "workerOf", me ? [me] : undefined);
  const account = useRead<LedgerAccount>("CreditLedger", "accountOf", me ? [me] : undefined);

  const [slots, setSlots] = useState(1);
  const [lockError, setLockError] = useState<string>();
  const [jobs, setJobs] = useState<Job[]>([]);
  const active = useRef(new Set<string>());
  const failedAt = useRef(new Map<string, number>());
  /** Jobs and duties that ended well: never started again, even while the event store lags behind. */
  const finished = useRef(new Set<string>());
  const runners = useRef<TaskRunner[]>([]);
  const busyRunners = useRef(new Set<TaskRunner>());
  const releaseLock = useRef<(() => void) | undefined>(undefined);
  const [tick, setTick] = useState(0);

  const registered = Boolean(worker.data && worker.data.registeredAt > 0);
  const banned = Boolean(worker.data && worker.data.bannedUntil * 1000 > Date.now());
  const freeStake = account.data ? account.data.stake - account.data.lockedStake : 0n;

  const workerState = useMemo((): WorkerState | undefined => {
    if (!me || !worker.data || !params.data || !local.data) return undefined;
    return {
      address: me,
      capabilities: BigInt(worker.data.capabilities),
      freeStake,
      claimStakeBps: Number(params.data.claimStakeBps),
      rateMilli: Number(worker.data.rateMilli),
      referenceCostMcc: (task) => {
        const type = local.data[typeName(chainTypes.data, task.typeId)];
        if (task.mode !== ZK || !type?.postSpecSchema) return undefined; // this tab proves zk tasks only
        return type.estimateCost({ bytes: type.maxInputBytes }, {} as never).mcc;
      },
    };
  }, [me, worker.data, params.data, local.data, chainTypes.data, freeStake]);

  const openZk = useMemo(() => [...tasks.values()].filter((t) => t.status === TaskStatus.Open && t.mode === ZK), [tasks]);
  const nowS = () => Math.floor(Date.now() / 1000);

  const update = useCallback((taskId: Hex, change: Partial<Job>) => {
    setJobs((old) => old.map((j) => (j.kind === "prove" && j.taskId === taskId ? { ...j, ...change } : j)));
  }, []);

  const startJob = useCallback(
    (task: TaskView, claimed: boolean, runner: TaskRunner) => {
      if (!d || !signer) return;
      const key = task.id.toLowerCase();
      active.current.add(key);
      busyRunners.current.add(runner);
      const name = typeName(chainTypes.data, task.typeId);
      setJobs((old) => [{ kind: "prove", taskId: task.id, typeName: name, bounty: task.bounty, phase: claimed ? "fetching" : "claiming", startedAt: Date.now() } as Job, ...old.filter((j) => !(j.kind === "prove" && j.taskId === task.id))].slice(0, 50));
      const spec = (specJson(task.spec) ?? {}) as Record<string, unknown>;
      const call = async (functionName: string, args: readonly unknown[]) => {
        await sendCall(d, signer, { contract: "TaskMarket", functionName, args });
        refresh();
      };
      void runZkJob(
        { id: task.id, typeName: name, inputCid: cidString(task.inputCid) ?? "", spec, claimed },
        {
          worker: signer.address,
          claim: (id) => call("claim", [id]),
          fetchInput: (cid) => fetchVerified(appConfig.ipfsGateway, cid),
          prove: async (type, input, runSpec, onProgress) => (await runner.run(type, input, runSpec, { onProgress, signal: lifetime.current?.signal })).output,
          publish: publishBytes,
          submitProof: (id, outputCommitment, proof, outputCid) => call("submitProof", [id, outputCommitment, bytesToHex(proof), bytesToHex(outputCid)]),
          release: (id) => call("release", [id]),
        },
        (u) => update(task.id, { phase: u.phase, progress: u.progress, detail: u.detail, ...(ENDED.includes(u.phase) ? { endedAt: Date.now() } : {}) }),
      ).then((end) => {
        active.current.delete(key);
        busyRunners.current.delete(runner);
        // The event store may still show the task as claimed by us for a moment: never resume a paid task.
        if (end === "accepted") finished.current.add(key);
        else failedAt.current.set(key, Date.now());
        void qc.invalidateQueries();
        setTick((n) => n + 1);
      });
    },
    [d, signer, chainTypes.data, refresh, update, qc],
  );

  /** An auditor duty on a disputed zk task: no Web Worker needed (the bare output is plain JS, no proof). */
  const startAudit = useCallback(
    (task: TaskView, committed: boolean) => {
      if (!d || !signer) return;
      const key = `audit:${task.id.toLowerCase()}`;
      active.current.add(key);
      const name = typeName(chainTypes.data, task.typeId);
      setJobs((old) => [{ kind: "audit", taskId: task.id, typeName: name, bounty: task.bounty, phase: committed ? "waiting" : "computing", startedAt: Date.now() } as Job, ...old.filter((j) => !(j.kind === "audit" && j.taskId === task.id))].slice(0, 50));
      const market = d.contracts.TaskMarket;
      const call = async (functionName: string, args: readonly unknown[]) => {
        await sendCall(d, signer, { contract: "TaskMarket", functionName, args });
        refresh();
      };
      const secrets = auditSecrets(signer.address);
      const updateAudit = (change: Partial<Job>) =>
        setJobs((old) => old.map((j) => (j.kind === "audit" && j.taskId === task.id ? { ...j, ...change } : j)));
      void runZkAudit(
        { id: task.id, typeName: name, inputCid: cidString(task.inputCid) ?? "", spec: specJson(task.spec), committed },
        {
          auditor: signer.address,
          fetchInput: (cid) => fetchVerified(appConfig.ipfsGateway, cid),
          computePayload: async (type, input, spec) => {
            const kit = await loadZkKit(type);
            if (!kit) throw new Error(`this tab cannot recompute ${type}`);
            return kit.computePayload(input, spec);
          },
          publish: publishBytes,
          saveSecret: secrets.save,
          loadSecret: secrets.load,
          dropSecret: secrets.drop,
          commit: (id, commitment) => call("commit", [id, commitment]),
          revealsOpen: async (id) => {
            for (;;) {
              const a = (await publicClient.readContract({ address: market.address, abi: market.abi, functionName: "auditOf", args: [id] })) as { commits: number; commitDeadline: number; revealDeadline: number };
              const now = Date.now() / 1000;
              if (a.commits >= 3 || (a.commitDeadline > 0 && now > a.commitDeadline)) return;
              if (lifetime.current?.signal.aborted) throw new Error("the app stopped before the reveal opened; it reveals when this account earns again");
              await new Promise((r) => setTimeout(r, REVEAL_POLL_MS));
            }
          },
          reveal: (id, cid, salt) => call("reveal", [id, cid, salt]),
          randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
        },
        (u) => updateAudit({ phase: u.phase, detail: u.detail, ...(ENDED.includes(u.phase) ? { endedAt: Date.now() } : {}) }),
      ).then((end) => {
        active.current.delete(key);
        if (end === "revealed") finished.current.add(key);
        else failedAt.current.set(key, Date.now());
        setTick((n) => n + 1);
      });
    },
    [d, signer, chainTypes.data, refresh],
  );

  // The loop: whenever something changes (events, stake, a job ending, the clock), fill the free slots.
  useEffect(() => {
    if (!running || !workerState || !me) return;
    // Audit duties first: a drawn auditor that stays silent is slashed.
    for (const t of tasks.values()) {
      const key = `audit:${t.id.toLowerCase()}`;
      if (t.status !== TaskStatus.Auditing || t.mode !== ZK || active.current.has(key) || finished.current.has(key)) continue;
      const failed = failedAt.current.get(key);
      if (failed !== undefined && Date.now() - failed < RETRY_AFTER_MS) continue;
      const byMe = (name: string, field: string) => t.events.some((e) => e.eventName === name && sameAddress(e.args[field], me));
      if (!byMe("AuditorDrawn", "auditor") || byMe("ResultRevealed", "account")) continue;
      startAudit(t, byMe("ResultCommitted", "account"));
    }
    while (runners.current.length < slots) runners.current.push(new TaskRunner({ workerUrl: createTaskWorker }));
    // One Web Worker per slot; a slot taken away while its job runs finishes that job first.
    const idleRunner = () => runners.current.slice(0, slots).find((r) => !busyRunners.current.has(r));
    // A claim this account holds and no job of this tab runs: a reloaded tab finishes its work first.
    const now = Date.now();
    const skip = new Set([...active.current, ...finished.current, ...[...failedAt.current].filter(([, at]) => now - at < RETRY_AFTER_MS).map(([k]) => k)]);
    const mine = [...tasks.values()].filter((t) => t.status === TaskStatus.Claimed && t.mode === ZK && sameAddress(t.worker, me) && !skip.has(t.id.toLowerCase()));
    for (const t of mine) {
      const runner = idleRunner();
      if (!runner) return;
      skip.add(t.id.toLowerCase());
      startJob(t, true, runner);
    }
    // Claims started here lock stake before the ledger read catches up: count them down locally.
    let freeStake = workerState.freeStake;
    for (let runner = idleRunner(); runner; runner = idleRunner()) {
      const next = pickTask(openZk, { ...workerState, freeStake }, nowS(), skip);
      if (!next) return;
      skip.add(next.id.toLowerCase());
      freeStake -= (next.bounty * BigInt(workerState.claimStakeBps)) / 10_000n;
      startJob(next, false, runner);
    }
  }, [running, workerState, me, tasks, openZk, slots, startJob, startAudit, tick]);

  // The clock: deadlines pass and retry pauses end without any event.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setTick((n) => n + 1), 5_000);
    return () => clearInterval(timer);
  }, [running]);

  // When the app unmounts (hot reload, an error boundary, the tab going away) the jobs in hand are cancelled:
  // each hands its claim back (no penalty) instead of hanging on a terminated worker until its window ends.
  const lifetime = useRef<AbortController>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    lifetime.current = controller;
    return () => {
      controller.abort();
      releaseLock.current?.();
      for (const r of runners.current) r.terminate();
    };
  }, []);

  const start = useCallback(async () => {
    if (!me) return;
    setLockError(undefined);
    if (!("locks" in navigator)) return setRunning(true);
    const granted = await new Promise<boolean>((resolve) => {
      void navigator.locks.request(`computecredit-earn-${me.toLowerCase()}`, { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(false);
        resolve(true);
        return new Promise<void>((release) => (releaseLock.current = release));
      });
    });
    if (!granted) return setLockError("Another tab is already earning for this account. One account works from one tab at a time.");
    setRunning(true);
  }, [me]);

  const stop = useCallback(() => {
    setRunning(false);
    releaseLock.current?.();
    releaseLock.current = undefined;
  }, []);

  /** Why the best open zk task is not being taken, for the empty state. */
  const waitingFor = useMemo(() => {
    if (!workerState) return undefined;
    if (openZk.length === 0) return "No open zk task in the queue.";
    const reasons = openZk.map((t) => whyNotTake(t, workerState, nowS())).filter(Boolean);
    return reasons.length === openZk.length ? `${openZk.length} open zk task${openZk.length === 1 ? "" : "s"}, none for you: ${[...new Set(reasons)].join("; ")}.` : undefined;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [workerState, openZk, tick]);

  return {
    ready: Boolean(d && me && worker.data && params.data),
    registered,
    banned,
    freeStake,
    stake: account.data?.stake,
    running,
    start,
    stop,
    slots,
    setSlots: (n: number) => setSlots(Math.max(1, Math.min(n, maxSlots()))),
    maxSlots: maxSlots(),
    lockError,
    jobs,
    waitingFor,
    paid: jobs.filter((j) => j.kind === "prove" && j.phase === "accepted").reduce((sum, j) => sum + j.bounty, 0n),
  };
}

const maxSlots = () => (typeof navigator !== "undefined" && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 1);

/**
 * Turning seconds measured on the development machine into reference CPU-seconds and mCC.
 * Every cost model in wasm-tasks/ is calibrated on the same machine and converts through here,
 * so that one documented factor links all of them to the i5-9400 reference (DESIGN §2).
 */
import type { CostEstimate } from "./task-type.ts";
import { DEV_MACHINE_RATE } from "./benchmark/reference.ts";

/** 1 mCC = 3.6 reference CPU-seconds (1 CC = 1 reference CPU-hour). */
export const REFERENCE_SECONDS_PER_MCC = 3.6;

/**
 * `devSeconds`: single-thread seconds measured on the development machine. Its benchmark rate
 * (reference time / its time) says how much longer the reference machine takes.
 */
export function toCostEstimate(devSeconds: number): CostEstimate {
  const referenceSeconds = devSeconds * DEV_MACHINE_RATE;
  return { referenceSeconds, mcc: Math.max(1, Math.ceil(referenceSeconds / REFERENCE_SECONDS_PER_MCC)) };
}

/**
 * A lower bound of what a task of a type costs, in reference CPU-milliseconds, from the declared input size alone:
 * `msBase + msPerMiB x input MiB`. The deploy step registers it on chain (TaskTypeRegistry), where it caps the
 * work credit a task can earn anyone (the credit line grows only from work that cost real compute). It must err
 * low: a high bound would let padded inputs buy credit lines.
 */
export type WorkModel = { msBase: number; msPerMiB: number };

/** `devSecondsBase`, `devSecondsPerMiB`: single-thread seconds on the development machine, floored to whole ms. */
export function toWorkModel(devSecondsBase: number, devSecondsPerMiB: number): WorkModel {
  return {
    msBase: Math.floor(devSecondsBase * DEV_MACHINE_RATE * 1000),
    msPerMiB: Math.floor(devSecondsPerMiB * DEV_MACHINE_RATE * 1000),
  };
}

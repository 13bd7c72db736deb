/** A dedicated worker for bench:zk in the harness page: { circuit, runs } in, ProverTimes (or { error }) out. */
import type { SampleCircuit } from "../wasm-tasks/zk-common/sample-inputs.ts";
import { compareProvers } from "./zk-provers.ts";

self.onmessage = async (e: MessageEvent<{ circuit: SampleCircuit; runs: number }>) => {
  try {
    self.postMessage(await compareProvers(e.data.circuit, e.data.runs));
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};

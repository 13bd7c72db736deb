/**
 * Golden vectors of `ml-inference`: committed images (fixtures/), a spec and the output CID
 * every honest run must produce with the pinned backend (wasm, SIMD, no threads). Recorded
 * from the first Node run and checked unchanged in Chromium (e2e/tasks-ml.spec.ts).
 */
import type { MlInferenceSpec } from "./index.ts";

export type GoldenVector = { name: string; fixture: string; spec: MlInferenceSpec; cid: string };

export const baseSpec: MlInferenceSpec = { model: "nsfwjs-mobilenet_v2", backend: "wasm", simd: true, topK: 3, decimals: 4 };

export const goldenVectors: GoldenVector[] = [
  { name: "png, top 3, 4 decimals", fixture: "testsrc2-128x96.png", spec: baseSpec, cid: "bafkreibjeuooazlgxm3tirvrl5bt47uuqi6xpzjokquh6p24nn4tfhxjxy" },
  { name: "jpeg, top 5, 6 decimals", fixture: "mandelbrot-160x120.jpg", spec: { ...baseSpec, topK: 5, decimals: 6 }, cid: "bafkreiafqogs5f7ewfwqj524zh57rtxppxg5r7czfjb6wlic5b5rqhuumi" },
];

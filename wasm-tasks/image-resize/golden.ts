/**
 * Golden vectors of `image-resize`: committed inputs (fixtures/), a spec, and the output CID
 * every honest run must produce. The CIDs were recorded from the first Node run and are
 * checked, unchanged, in Chromium: agreement is what the test proves, and any change to a
 * codec build, an encoder setting or the filter shows up here as a new CID. Shared by the Node tests and the Chromium tests so both
 * check against the same constants.
 */
import type { ImageResizeSpec } from "./index.ts";

export type GoldenVector = { name: string; fixture: string; spec: ImageResizeSpec; cid: string };

export const goldenVectors: GoldenVector[] = [
  { name: "jpeg -> cover 100x100 webp", fixture: "photo-320x240.jpg", spec: { width: 100, height: 100, fit: "cover", format: "webp", quality: 80 }, cid: "bafkreie7cyrcfhio2p2rbaqwlm6civqj77ccqxnkk7dqa4z3f3o3ncjfd4" },
  { name: "png with alpha -> contain 64x64 png", fixture: "alpha-200x150.png", spec: { width: 64, height: 64, fit: "contain", format: "png" }, cid: "bafkreihcpuvd3vizqkmysyeuwkigkrg7f6akt5cvyzkzqv4o63hegalh4u" },
  { name: "webp -> fill 160x90 jpeg", fixture: "photo-320x240.webp", spec: { width: 160, height: 90, fit: "fill", format: "jpeg", quality: 85 }, cid: "bafkreigvboz4mcjreixltame6oecgcmzrgntnxsdoexdkzoyy54o2ouc5q" },
  // Upscaled PNG over 256 KiB: the CID is a dag-pb root over several raw leaves.
  { name: "png with alpha -> fill 700x500 png (multi-block CID)", fixture: "alpha-200x150.png", spec: { width: 700, height: 500, fit: "fill", format: "png" }, cid: "bafybeifn7exzrtrpxxplzvermtcg5cux7zjsw5osl5hgr2w7v2cikyfjsu" },
  { name: "png with alpha -> cover 90x120 jpeg (flattened on white)", fixture: "alpha-200x150.png", spec: { width: 90, height: 120, fit: "cover", format: "jpeg", quality: 70 }, cid: "bafkreih5gq6fa24uk3glew7dz5k6gbg2oogepuule7ihpv4xknj6dhbb3m" },
];

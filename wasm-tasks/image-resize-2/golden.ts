/**
 * Golden vectors of `image-resize@2`: version 1's inputs and specs (image-resize/fixtures/), plus two that decode at a
 * reduced scale, with the output CID every honest run must produce. Recorded from the first Node run and checked,
 * unchanged, in Chromium (e2e/tasks-image.spec.ts): agreement is what the tests prove, and a change to the libvips
 * build, an option or the pipeline shows up here as a new CID, which is a new version of the type.
 */
import type { GoldenVector } from "../image-resize/golden.ts";

export const goldenVectors: GoldenVector[] = [
  { name: "jpeg -> cover 100x100 webp", fixture: "photo-320x240.jpg", spec: { width: 100, height: 100, fit: "cover", format: "webp", quality: 80 }, cid: "bafkreievrdyypzmc6qtxsj4djrithu53qh5k4gc4aequi5ddxa6m57p7tm" },
  { name: "png with alpha -> contain 64x64 png", fixture: "alpha-200x150.png", spec: { width: 64, height: 64, fit: "contain", format: "png" }, cid: "bafkreibtoo733jqgy3q2yopp7diafy6nau6fkzrkyqv5gfidpay6usa7ny" },
  { name: "webp -> fill 160x90 jpeg", fixture: "photo-320x240.webp", spec: { width: 160, height: 90, fit: "fill", format: "jpeg", quality: 85 }, cid: "bafkreib3sqgdepowvoytsy5xcinpwjffgeoirn5b6tzt2pmtgdrysrv6j4" },
  { name: "png with alpha -> fill 700x500 png (multi-block CID)", fixture: "alpha-200x150.png", spec: { width: 700, height: 500, fit: "fill", format: "png" }, cid: "bafybeid56n4r7udqftdthsv6dphmqx7muffh5tnpbkhblcxfsanxudlglu" },
  { name: "png with alpha -> cover 90x120 jpeg (flattened on white)", fixture: "alpha-200x150.png", spec: { width: 90, height: 120, fit: "cover", format: "jpeg", quality: 70 }, cid: "bafkreidyuokuw5ntsdy7nsmf36mbmks5q5bwyodxtb6k4xglxfaevbpzrq" },
  { name: "jpeg -> fill 40x30 png (decoded at 1/8 scale)", fixture: "photo-320x240.jpg", spec: { width: 40, height: 30, fit: "fill", format: "png" }, cid: "bafkreig5xwnr2rw6xb3df4bavc5tawoneaofjssbcqtqvg5mm7bafg2h5m" },
  { name: "webp -> contain 150x150 webp (decoded at 1/2 scale)", fixture: "photo-320x240.webp", spec: { width: 150, height: 150, fit: "contain", format: "webp", quality: 80 }, cid: "bafkreiecvi2km3lbputxk7y6olseo44nyafzlqq2dsadzucexisragy3r4" },
];

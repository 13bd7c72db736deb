/**
 * Grayscale tiles, the input and output of zk-downscale: raw 8-bit pixels, row by row. The post form turns an
 * image into one (in the requester's browser; the commitment is computed on the resulting bytes, so no other
 * browser needs to reproduce the conversion), and results are drawn from them.
 */

/** Rec. 601 luma in integers: (77 R + 150 G + 29 B) >> 8, alpha composited over white. */
export function rgbaToGray(rgba: Uint8ClampedArray | Uint8Array): Uint8Array {
  const out = new Uint8Array(rgba.length >> 2);
  for (let i = 0; i < out.length; i++) {
    const a = rgba[4 * i + 3]!;
    const over = (c: number) => Math.floor((c * a + 255 * (255 - a) + 127) / 255);
    out[i] = (77 * over(rgba[4 * i]!) + 150 * over(rgba[4 * i + 1]!) + 29 * over(rgba[4 * i + 2]!)) >> 8;
  }
  return out;
}

/** An image file scaled to `size` x `size` (aspect ratio not kept) and turned to grayscale pixels. */
export async function imageToGrayTile(file: Blob, size: number): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(file, { resizeWidth: size, resizeHeight: size, resizeQuality: "high" });
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser cannot draw images");
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return rgbaToGray(ctx.getImageData(0, 0, size, size).data);
}

/** A grayscale tile as a PNG data URL (pixel for pixel; CSS scales it up without smoothing). */
export function grayTileUrl(pixels: Uint8Array, width: number, height: number): string | undefined {
  if (typeof document === "undefined" || pixels.length !== width * height) return undefined;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (!ctx) return undefined;
  const image = ctx.createImageData(width, height);
  pixels.forEach((v, i) => image.data.set([v, v, v, 255], 4 * i));
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL("image/png");
}

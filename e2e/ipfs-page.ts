/**
 * Browser entry for e2e/ipfs.spec.ts: exposes `window.ipfsTest` so the spec can drive the shared
 * IPFS client (lib/ipfs) inside Chromium, exactly as the app bundles it.
 */
import { addFile, fetchVerified, uploadCar, IpfsError } from "../lib/ipfs/index.ts";

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(length, i + 65536)));
  return bytes;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

function describe(err: unknown): { name: string; code?: string; status?: number; message: string } {
  if (err instanceof IpfsError) return { name: err.name, code: err.code, status: err.status, message: err.message };
  return { name: (err as Error)?.name ?? "Error", message: String((err as Error)?.message ?? err) };
}

const ipfsTest = {
  /** add -> upload -> fetch verified, all in the page. */
  async roundTrip(nodeUrl: string, size: number) {
    const bytes = randomBytes(size);
    const started = performance.now();
    const { cid, car } = await addFile(bytes);
    const uploaded = await uploadCar(nodeUrl, cid, car);
    const back = await fetchVerified(nodeUrl, cid, { maxBytes: size });
    return { cid: cid.toString(), carBytes: car.byteLength, uploaded, same: equal(back, bytes), ms: Math.round(performance.now() - started) };
  },
  /** Uploads file A's CAR claiming file B's CID; returns the error the app would show. */
  async uploadWrongRoot(nodeUrl: string) {
    const a = await addFile(new TextEncoder().encode("file A " + Math.random()));
    const b = await addFile(new TextEncoder().encode("file B " + Math.random()));
    try {
      await uploadCar(nodeUrl, b.cid, a.car);
      return { error: undefined };
    } catch (err) {
      return { error: describe(err) };
    }
  },
  /** Uploads `size` random bytes' CAR, returning the result or the error the app would show. */
  async tryUpload(nodeUrl: string, size: number) {
    const { cid, car } = await addFile(randomBytes(size));
    try {
      return { result: await uploadCar(nodeUrl, cid, car), error: undefined };
    } catch (err) {
      return { result: undefined, error: describe(err) };
    }
  },
  /** fetchVerified against a gateway that answers with the wrong bytes. */
  async fetchFromLiar(gatewayUrl: string, cid: string) {
    try {
      await fetchVerified(gatewayUrl, cid, { timeoutMs: 10_000 });
      return { error: undefined };
    } catch (err) {
      return { error: describe(err) };
    }
  },
};

declare global {
  interface Window {
    ipfsTest: typeof ipfsTest;
  }
}
window.ipfsTest = ipfsTest;

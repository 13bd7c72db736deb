/**
 * Byte-level download progress for the zk artifacts (the downscale proving key is 37.9 MB, 24.6 MB gzipped: the
 * first thing a new earner waits for). Framework-free: `download` takes its `fetch`, reports `{loaded, total}`
 * after every chunk that arrives (bytes on the wire), inflates a gzip body itself when told to (DecompressionStream,
 * in browsers and Node), and checks the size and (when given) the SHA-256 of the file it ends with.
 */
export type DownloadProgress = { loaded: number; total: number | undefined };
export type DownloadOptions = {
  /** Bytes on the wire, when known (the manifest says); else the response's Content-Length, if it has one. */
  total?: number;
  /** The body is the file gzip-compressed: inflate it. */
  gzip?: boolean;
  /** The file's own size: the result must have exactly this many bytes. */
  size?: number;
  /** Lower-case hex SHA-256 the bytes must have. */
  sha256?: string;
  onProgress?: (progress: DownloadProgress) => void;
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
};

/** Reads a response body chunk by chunk, reporting progress; the result has exactly `total` bytes if it is given. */
export async function readBody(response: Response, total: number | undefined, onProgress?: (p: DownloadProgress) => void): Promise<Uint8Array> {
  if (total === undefined && !response.headers.get("content-encoding")) {
    const length = Number(response.headers.get("content-length") ?? NaN);
    if (Number.isSafeInteger(length) && length >= 0) total = length;
  }
  onProgress?.({ loaded: 0, total });
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ loaded: bytes.length, total });
    return checkLength(bytes, total);
  }
  const reader = response.body.getReader();
  let out = total !== undefined ? new Uint8Array(total) : new Uint8Array(64 * 1024);
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > out.length) {
      if (total !== undefined) {
        await reader.cancel();
        throw new Error(`expected ${total} bytes, got more`);
      }
      const bigger = new Uint8Array(Math.max(out.length * 2, loaded + value.length));
      bigger.set(out.subarray(0, loaded));
      out = bigger;
    }
    out.set(value, loaded);
    loaded += value.length;
    onProgress?.({ loaded, total });
  }
  return checkLength(out.subarray(0, loaded), total);
}

function checkLength(bytes: Uint8Array, total: number | undefined): Uint8Array {
  if (total !== undefined && bytes.length !== total) throw new Error(`expected ${total} bytes, got ${bytes.length}`);
  return bytes;
}

const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

export async function download(url: string | URL, options: DownloadOptions = {}): Promise<Uint8Array> {
  const response = await (options.fetch ?? globalThis.fetch)(url, options.signal ? { signal: options.signal } : {});
  if (!response.ok) throw new Error(`${String(url)}: HTTP ${response.status}`);
  let bytes: Uint8Array;
  if (options.gzip && response.body) {
    let total = options.total;
    if (total === undefined && !response.headers.get("content-encoding")) {
      const length = Number(response.headers.get("content-length") ?? NaN);
      if (Number.isSafeInteger(length)) total = length;
    }
    let loaded = 0;
    options.onProgress?.({ loaded, total });
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          loaded += chunk.length;
          options.onProgress?.({ loaded, total });
          controller.enqueue(chunk);
        },
      }),
    );
    bytes = await readBody(new Response(counted.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>)), options.size);
    if (total !== undefined && loaded !== total) throw new Error(`expected ${total} bytes on the wire, got ${loaded}`);
  } else {
    bytes = await readBody(response, options.size ?? options.total, options.onProgress);
  }
  // crypto.subtle exists in secure contexts only (https, localhost, 127.0.0.1); elsewhere the length check stands alone.
  if (options.sha256 && globalThis.crypto?.subtle) {
    const got = hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
    if (got !== options.sha256) throw new Error(`${String(url)}: SHA-256 ${got}, expected ${options.sha256}`);
  }
  return bytes;
}

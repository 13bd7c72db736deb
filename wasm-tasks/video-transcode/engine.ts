/**
 * What the transcoder needs from an ffmpeg instance. The implementations run an @ffmpeg/core wasm (the single-thread
 * core for video-transcode, the multi-thread one for video-transcode@2): in a browser through @ffmpeg/ffmpeg's own
 * Worker (ffmpeg-browser.ts), in Node in a worker_threads Worker (ffmpeg-node.ts). Both keep ffmpeg off the caller's
 * thread so a stuck or cancelled run is ended by terminating that worker, never by waiting on it.
 */
export type EngineLog = { type: string; message: string };
export type EngineProgress = { progress: number; time: number };

export interface FfmpegEngine {
  writeFile(path: string, data: Uint8Array): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  deleteFile(path: string): Promise<void>;
  /** The names in a directory of ffmpeg's file system, without "." and "..". */
  listDir(path: string): Promise<string[]>;
  /** Returns ffmpeg's exit code. */
  exec(args: string[]): Promise<number>;
  ffprobe(args: string[]): Promise<number>;
  /** Each returns its unsubscribe: an engine kept for the next run must not report to the last one. */
  onLog(listener: (log: EngineLog) => void): () => void;
  onProgress(listener: (progress: EngineProgress) => void): () => void;
  /**
   * Node: whether this engine's thread keeps the process alive. A warm engine waiting for its next run must not;
   * a running one must (its pthreads are not the process's to count). Browsers have no such notion.
   */
  keepAlive?(on: boolean): void;
  /** Ends the worker at once; pending calls reject. */
  terminate(): void;
}

export type EngineFactory = (loadSignal: AbortSignal) => Promise<FfmpegEngine>;

/**
 * What the transcoder needs from an ffmpeg instance. Two implementations run the same
 * @ffmpeg/core wasm: the browser one through @ffmpeg/ffmpeg's own Worker, the Node one in a
 * worker_threads Worker. Both keep ffmpeg off the caller's thread so a stuck or cancelled run
 * is ended by terminating that worker, never by waiting on it.
 */
export type EngineLog = { type: string; message: string };
export type EngineProgress = { progress: number; time: number };

export interface FfmpegEngine {
  writeFile(path: string, data: Uint8Array): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  /** Returns ffmpeg's exit code. */
  exec(args: string[]): Promise<number>;
  ffprobe(args: string[]): Promise<number>;
  onLog(listener: (log: EngineLog) => void): void;
  onProgress(listener: (progress: EngineProgress) => void): void;
  /** Ends the worker at once; pending calls reject. */
  terminate(): void;
}

export type EngineFactory = (loadSignal: AbortSignal) => Promise<FfmpegEngine>;

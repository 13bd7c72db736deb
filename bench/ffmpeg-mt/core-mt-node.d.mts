/** The part of the emscripten module bench/video-transcode.ts uses. */
export type CoreMt = {
  FS: { mkdir(path: string): void; writeFile(path: string, data: Uint8Array): void; readFile(path: string): Uint8Array; unlink(path: string): void };
  exec(...args: string[]): void;
  ret: number;
  reset(): void;
};
export function loadCoreMt(): Promise<CoreMt>;

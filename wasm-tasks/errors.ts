/** Typed task errors: every failure a task type reports is one of these codes. */
export type TaskErrorCode =
  | "invalid-spec"
  | "corrupt-input"
  | "unsupported-format"
  | "too-large"
  | "cancelled"
  | "timed-out"
  /** The task's own code or assets (a codec's .wasm, a model) could not be loaded here: a fault of this machine or
   *  its server, never of the input, so it must not become an input-rejected result. */
  | "unavailable";

export class TaskError extends Error {
  override readonly name = "TaskError";
  constructor(
    readonly code: TaskErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isTaskError = (error: unknown, code?: TaskErrorCode): error is TaskError =>
  error instanceof TaskError && (code === undefined || error.code === code);

/** Rejects with a `cancelled` TaskError if the signal is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TaskError("cancelled", "the task was cancelled");
}

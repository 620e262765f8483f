/**
 * The errors the notebook runner throws. A failing *cell* is not an error: it is a step result
 * (status "failed") and the run returns normally. These are for what stops a run before or
 * around the cells: a notebook that cannot be read, a bad --param, a kernel that will not start or
 * dies. Each carries a stable `code` and a `fix`, like the helpers' `Problem`s (src/problems.ts).
 *
 * Suggested exit codes for the CLI: NotebookFileError and ParameterError are bad usage (2);
 * KernelError is a failed run (1).
 */

export type NotebookErrorCode =
  | "notebook-not-found"
  | "notebook-invalid"
  | "parameter-invalid"
  | "parameter-unknown"
  | "parameters-cell-missing"
  | "selection-invalid"
  | "kernel-start-failed"
  | "kernel-start-timeout"
  | "kernel-died";

abstract class NotebookRunnerError extends Error {
  constructor(
    readonly code: NotebookErrorCode,
    message: string,
    /** What the user can do about it, one sentence. */
    readonly fix: string,
  ) {
    super(message);
  }
}

/** The notebook file is missing or is not an nbformat 4 notebook. */
export class NotebookFileError extends NotebookRunnerError {
  override readonly name = "NotebookFileError";
}

/** A --param, or a --step/--until selection, that does not fit the notebook. */
export class ParameterError extends NotebookRunnerError {
  override readonly name = "ParameterError";
}

/** The kernel did not start, or exited while the runner was still talking to it. */
export class KernelError extends NotebookRunnerError {
  override readonly name = "KernelError";
  constructor(
    code: NotebookErrorCode,
    message: string,
    fix: string,
    /** The last lines the kernel process wrote to its stderr, if any. */
    readonly stderr = "",
  ) {
    super(code, message, fix);
  }
}

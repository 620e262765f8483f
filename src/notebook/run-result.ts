/**
 * What a notebook run produced, step by step: the types the runner (run-notebook.ts) returns and
 * the reporters (reporter.ts) draw — here, so neither imports the other.
 */
import type { ExecuteStatus } from "./jupyter-client";
import type { Output } from "./notebook-file";
import type { ParameterValue } from "./parameters";

export type StepStatus = "passed" | "failed" | "skipped" | "interrupted" | "timed-out";

export interface StepResult {
  index: number;
  name: string;
  status: StepStatus;
  /** Only for "skipped": tagged skip-execution, outside --step/--until, or after the run stopped. */
  skipReason?: "skip-execution" | "not-selected" | "not-reached";
  seconds: number;
  outputs: Output[];
  /** Position in the executed notebook's cells (before the error banner is inserted). */
  cellIndex: number;
  injected: boolean;
  executionCount: number | null;
  /** The kernel's own verdict; "error" with status "passed" is an expected error (raises-exception). */
  replyStatus?: ExecuteStatus;
}

export interface StepFailure {
  index: number;
  name: string;
  /** Position of the failing cell in the executed notebook's cells (before the error banner is inserted). */
  cellIndex: number;
  status: "failed" | "interrupted" | "timed-out";
  /** One sentence: which step, what happened. */
  message: string;
  /** The cell's source around the error, numbered, the reported line marked with ">". */
  excerpt: string;
  /** 1-based line in the cell, when the kernel reported one ("line:col - message" for type errors). */
  line?: number;
  /** What the cell wrote to stderr and its error's traceback, plus the kernel's log if it died. */
  stderr: string;
}

export type RunStatus = "passed" | "failed" | "interrupted" | "timed-out";

export interface RunResult {
  status: RunStatus;
  notebookPath: string;
  /** The executed notebook, written whatever the status. */
  outputPath: string;
  steps: StepResult[];
  /** The step that stopped the run; absent when it passed, or was interrupted between steps. */
  failure?: StepFailure;
  parameters: Record<string, ParameterValue>;
  kernelStartSeconds: number;
  seconds: number;
}

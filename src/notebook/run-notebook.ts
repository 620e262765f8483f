/**
 * Running a notebook headless, papermill's recipe (papermill/execute.py): load → parameterize →
 * start the kernel → run the steps → write the executed notebook, always, even when a step fails
 * or the run is interrupted, with the failing cell marked → return what happened.
 *
 * A failing cell is a result, not an exception: `runNotebook` resolves with status "failed" and
 * the failing step. It throws only for what prevents a run (NotebookFileError, ParameterError,
 * KernelError; see errors.ts), after writing whatever notebook it has.
 *
 * Failure is read from the execute_reply's status; the cell's `error` output (the kernel sends one
 * for every failure: src/kernel/protocol/execute.cjs) is what the learner reads.
 */
import path from "node:path";
import { BUILD_DIR } from "../paths";
import { KernelError } from "./errors";
import type { ExecuteResult } from "./jupyter-client";
import { startKernel, type Kernel } from "./kernel";
import type { KernelSpec } from "../kernel/kernelspec";
import {
  cellSource,
  ERROR_BANNER_TAG,
  hasTag,
  RUN_METADATA_KEY,
  readNotebook,
  stripOutputs,
  writeNotebook,
  type Cell,
  type CodeCell,
  type MarkdownCell,
  type Notebook,
  type Output,
} from "./notebook-file";
import { INJECTED_PARAMETERS_TAG, parameterizeNotebook } from "./parameters";
import { collapseProgress } from "./progress-lines";
import { redactOutput } from "./redact-output";
import type { RunReporter } from "./reporter";
import type { RunResult, StepFailure, StepResult, StepStatus } from "./run-result";
import { isSelected, splitSteps, stepCount, validateSelection, type Step, type StepSelection } from "./steps";

export type { Step, StepSelection } from "./steps";
export type { RunReporter } from "./reporter";
export type { RunResult, RunStatus, StepFailure, StepResult, StepStatus } from "./run-result";

export interface RunNotebookOptions {
  /** The .ipynb to run. The kernel starts in its folder. */
  notebook: string;
  /** Where the executed notebook goes. Default: build/<notebook file name> (see defaultOutputPath). */
  out?: string;
  /** `name=value` strings as given to --param, or a name → value map. */
  parameters?: string[] | Record<string, string>;
  /** --step N / --until N. */
  selection?: StepSelection;
  /** Per-cell limit; a cell that runs longer is interrupted (SIGINT) and the run stops. */
  timeoutMs?: number;
  /** Extra environment for the kernel (e.g. the emulator's variables), over process.env. */
  env?: Record<string, string>;
  /** Abort (Ctrl-C) interrupts the running cell and stops the run; the result's status is "interrupted". */
  signal?: AbortSignal;
  reporter?: RunReporter;
  /** Applied to every output text before it is stored, returned or reported (secret redaction). */
  redact?: (text: string) => string;
  /**
   * Keep the values given to the notebook's secret parameters (its metadata's
   * kvq.secret_parameters) in what is saved and reported; by default they are redacted.
   */
  keepSecretValues?: boolean;
  /** Defaults to this project's kernelspec. */
  kernelSpec?: KernelSpec;
  /** How long an interrupted cell may take to stop before the kernel is killed. Default 3000 ms. */
  interruptGraceMs?: number;
  /** How long the kernel may take to start. Default 30 s. */
  startTimeoutMs?: number;
  /** Where the kernel's connection file goes (tests use a temp folder). */
  connectionDir?: string;
  /**
   * A kernel the caller already started in the notebook's folder with startKernel({ deferEnv: true })
   * (it boots while the caller does other work); it is given `env`, and closed like one started
   * here. The start options above then do not apply.
   */
  kernel?: Promise<Kernel>;
}

export const defaultOutputPath = (notebookPath: string): string => path.join(BUILD_DIR, path.basename(notebookPath));

/**
 * The notebook read, parameterized and split into steps, with the selection checked against them:
 * every mistake in the file, a --param or --step/--until, found before anything starts.
 */
export async function prepareNotebook(notebookPath: string, parameters: RunNotebookOptions["parameters"], selection: StepSelection = {}) {
  const { notebook: parameterized, values } = parameterizeNotebook(await readNotebook(notebookPath), parameters ?? []);
  const steps = splitSteps(parameterized);
  validateSelection(selection, steps);
  return { parameterized, values, steps };
}

/** The notebook metadata's list of parameters whose values are secret (the secrets quickstart's secretValue). */
export const SECRET_PARAMETERS_KEY = "secret_parameters";

/** The non-empty values given to the notebook's secret parameters, longest first. */
export function secretParameterValues(nb: Notebook, values: Record<string, unknown>): string[] {
  const declared = (nb.metadata?.[RUN_METADATA_KEY] as { [SECRET_PARAMETERS_KEY]?: unknown } | undefined)?.[SECRET_PARAMETERS_KEY];
  const names = Array.isArray(declared) ? declared.filter((n): n is string => typeof n === "string") : [];
  const found = names.map((n) => values[n]).filter((v) => v !== undefined && v !== null && v !== "").map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  return [...new Set(found)].sort((a, b) => b.length - a.length);
}

/** Redacts the secrets first (as they are, and as JSON writes them in the injected cell), then what `redact` does. */
function withSecrets(redact: (text: string) => string, secrets: string[]): (text: string) => string {
  if (secrets.length === 0) return redact;
  const forms = [...new Set(secrets.flatMap((s) => [JSON.stringify(s).slice(1, -1), s]))].sort((a, b) => b.length - a.length);
  return (text) => redact(forms.reduce((out, secret) => out.split(secret).join("[redacted]"), text));
}

/** The injected parameters cell's source, redacted: it holds the values as given. */
function redactSources(nb: Notebook, secrets: string[], redact: (text: string) => string): Notebook {
  if (secrets.length === 0) return nb;
  return { ...nb, cells: nb.cells.map((cell) => (hasTag(cell, INJECTED_PARAMETERS_TAG) ? { ...cell, source: redact(cellSource(cell)) } : cell)) };
}

export async function runNotebook(options: RunNotebookOptions): Promise<RunResult> {
  const started = performance.now();
  const notebookPath = path.resolve(options.notebook);
  const outputPath = path.resolve(options.out ?? defaultOutputPath(notebookPath));
  const reporter = options.reporter ?? {};

  // 1. Load and parameterize (errors here are the caller's to report; nothing was run).
  const selection = options.selection ?? {};
  const { parameterized, values: given, steps } = await prepareNotebook(notebookPath, options.parameters, selection);
  // A value the learner gave a secret parameter is shown in the live cell only: every text that
  // leaves the run (the executed notebook, its injected cell, reports, the result) has it redacted.
  const secrets = options.keepSecretValues ? [] : secretParameterValues(parameterized, given);
  const redact = withSecrets(options.redact ?? ((text: string) => text), secrets);
  const values = secrets.length === 0 ? given : (JSON.parse(redact(JSON.stringify(given))) as typeof given);
  // The executed notebook starts clean: no outputs from an earlier run, no stale banner.
  const executed = redactSources(stripOutputs(parameterized), secrets, redact);
  // What reports and failures show of each step: the injected cell with its secrets redacted.
  const shownSteps = secrets.length === 0 ? steps : steps.map((step) => (step.injected ? { ...step, source: redact(step.source) } : step));
  const total = stepCount(steps);
  reporter.runStart?.({ notebookPath, outputPath, steps: shownSteps, total });

  const results: StepResult[] = [];
  let failure: StepFailure | undefined;
  let kernel: Kernel | undefined;
  let kernelStartSeconds = 0;
  const finish = async (): Promise<RunResult> => {
    await writeNotebook(outputPath, markFailure(executed, failure));
    const result: RunResult = {
      status: failure?.status ?? (options.signal?.aborted ? "interrupted" : "passed"),
      notebookPath,
      outputPath,
      steps: results,
      ...(failure ? { failure } : {}),
      parameters: values,
      kernelStartSeconds,
      seconds: seconds(started),
    };
    reporter.runEnd?.(result);
    return result;
  };

  // 2. Start the kernel where Jupyter would: the notebook's folder.
  try {
    reporter.kernelStarting?.();
    if (options.kernel) {
      kernel = await options.kernel;
      kernel.provideEnv(options.env ?? {});
    } else {
      kernel = await startKernel({
        cwd: path.dirname(notebookPath),
        env: options.env,
        spec: options.kernelSpec,
        connectionDir: options.connectionDir,
        startTimeoutMs: options.startTimeoutMs,
        interruptGraceMs: options.interruptGraceMs,
        signal: options.signal,
      });
    }
    kernelStartSeconds = kernel.startupMs / 1000;
    reporter.kernelReady?.({ seconds: kernelStartSeconds });
  } catch (error) {
    reporter.kernelFailed?.(error as Error);
    if (!options.signal?.aborted) {
      await writeNotebook(outputPath, executed);
      throw error;
    }
  }

  // 3. Run the steps, in order, until one fails.
  try {
    for (const [i, step] of shownSteps.entries()) {
      const base = { index: step.index, name: step.name, cellIndex: step.cellIndex, injected: step.injected, outputs: [], executionCount: null };
      const skipReason: StepResult["skipReason"] =
        failure || options.signal?.aborted || !kernel ? "not-reached" : !isSelected(step, selection) ? "not-selected" : step.skip ? "skip-execution" : undefined;
      if (skipReason) {
        const result: StepResult = { ...base, status: "skipped", skipReason, seconds: 0 };
        results.push(result);
        reporter.stepEnd?.(step, result);
        continue;
      }
      reporter.stepStart?.(step);
      const stepStarted = performance.now();
      let reply: ExecuteResult | undefined;
      let died: Error | undefined;
      try {
        reply = await kernel!.execute(steps[i]!.source, {
          timeoutMs: options.timeoutMs === undefined ? undefined : options.timeoutMs + firstCellAllowance(results, options.timeoutMs, kernel!.startupMs),
          // An expected error (raises-exception) must not abort the cells after it, as nbclient sends it.
          stopOnError: !step.allowError,
          signal: options.signal,
          onOutput: (output) => reporter.stepOutput?.(step, redactOutput(output, redact)),
        });
      } catch (error) {
        died = error as Error;
      }
      // What is kept is what a terminal would show at the end: ora's start lines go (progress-lines.ts).
      // Redacted once its streams are joined: a private key printed in pieces is whole again here.
      const outputs = collapseProgress(reply?.outputs ?? []).map((o) => redactOutput(o, redact));
      const cell = executed.cells[step.cellIndex] as CodeCell;
      cell.outputs = outputs;
      cell.execution_count = reply?.executionCount ?? null;
      const status = stepStatus(step, reply, died);
      const result: StepResult = {
        ...base,
        status,
        seconds: seconds(stepStarted),
        outputs,
        executionCount: cell.execution_count,
        ...(reply && !reply.stoppedBy ? { replyStatus: reply.status } : {}),
      };
      results.push(result);
      if (status !== "passed") {
        failure = describeFailure(step, result, reply, died, options, kernel!, redact);
      }
      reporter.stepEnd?.(step, result);
      // A kernel that ignored the interrupt cannot run anything else: kill it now.
      if (reply?.kernelStuck) await kernel!.close({ graceMs: 0 });
    }
  } catch (error) {
    // Not a cell failure (those are results): still leave the notebook as far as it got.
    await writeNotebook(outputPath, markFailure(executed, failure)).catch(() => {});
    throw error;
  } finally {
    await kernel?.close();
  }
  return finish();
}

/**
 * What the first cell that runs gets on top of --timeout. The kernel answers kernel_info before it
 * builds its type-checker (kernel/start-up/warm-up.cjs), so that cell builds it; on a new clone it also
 * type-checks the SDK's declarations for the first time. Seconds on a loaded machine, none of it the
 * cell's own: the limit is doubled and the kernel's start is added, so that a --timeout chosen for
 * the cells' work does not interrupt a first cell that works. Later cells get exactly --timeout.
 */
export function firstCellAllowance(results: readonly Pick<StepResult, "status">[], timeoutMs: number, kernelStartupMs: number): number {
  return results.some((r) => r.status !== "skipped") ? 0 : timeoutMs + kernelStartupMs;
}

function stepStatus(step: Step, reply: ExecuteResult | undefined, died: Error | undefined): StepStatus {
  if (died || !reply) return "failed";
  if (reply.stoppedBy === "timeout") return "timed-out";
  if (reply.stoppedBy === "abort") return "interrupted";
  if (reply.status === "ok") return "passed";
  if (reply.status === "error" && step.allowError) return "passed";
  return "failed";
}

function describeFailure(
  step: Step,
  result: StepResult,
  reply: ExecuteResult | undefined,
  died: Error | undefined,
  options: RunNotebookOptions,
  kernel: Kernel,
  redact: (text: string) => string,
): StepFailure {
  const label = `Step ${step.index} "${step.name}"`;
  let stderr = stderrOf(result.outputs);
  let message: string;
  if (died) {
    message = `${label} failed: ${died.message}`;
    const log = died instanceof KernelError ? died.stderr : kernel.logTail();
    if (log.trim()) stderr += `${stderr ? "\n" : ""}Kernel log:\n${redact(log)}`;
  } else if (result.status === "timed-out") {
    message = `${label} did not finish within ${((options.timeoutMs ?? 0) / 1000).toFixed(1)} s and was interrupted${reply?.kernelStuck ? "; the kernel did not stop and was shut down" : ""}.`;
  } else if (result.status === "interrupted") {
    message = `${label} was interrupted${reply?.kernelStuck ? "; the kernel did not stop and was shut down" : ""}.`;
  } else if (reply?.status === "aborted") {
    message = `${label} was aborted by the kernel.`;
  } else {
    message = `${label} failed.`;
  }
  // Type errors come as "line:col - message" (the kernel's TypeScriptError), lines counted in the cell.
  const line = Number(/^(\d+):\d+ - /m.exec(stderr)?.[1]) || undefined;
  return {
    index: step.index,
    name: step.name,
    cellIndex: step.cellIndex,
    status: result.status as StepFailure["status"],
    message,
    excerpt: excerpt(step.source, line),
    ...(line ? { line } : {}),
    stderr,
  };
}

/** Up to 2 lines either side of `line` (or the first 8 lines), numbered, the line marked. */
export function excerpt(source: string, line?: number, context = 2): string {
  const lines = source.replace(/\n$/, "").split("\n");
  if (line !== undefined && (line < 1 || line > lines.length)) line = undefined;
  const from = line ? Math.max(1, line - context) : 1;
  const to = line ? Math.min(lines.length, line + context) : Math.min(lines.length, 8);
  const width = String(to).length;
  const shown: string[] = [];
  for (let n = from; n <= to; n++) shown.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${lines[n - 1]}`);
  if (!line && lines.length > to) shown.push(`  ${" ".repeat(width)} | … (${lines.length - to} more lines)`);
  return shown.join("\n");
}

function stderrOf(outputs: Output[]): string {
  return outputs
    .map((o) => (o.output_type === "stream" && o.name === "stderr" ? String(o.text) : o.output_type === "error" ? o.traceback.join("\n") : ""))
    .join("");
}

/**
 * papermill puts an error banner at the top and anchors on the failing cell; ours is smaller: a
 * markdown cell right before the failing cell (tagged so stripOutputs removes it) and the cell's
 * metadata.kvq.status.
 */
function markFailure(nb: Notebook, failure: StepFailure | undefined): Notebook {
  if (!failure) return nb;
  const cells: Cell[] = [...nb.cells];
  const cell = cells[failure.cellIndex]!;
  cells[failure.cellIndex] = { ...cell, metadata: { ...cell.metadata, [RUN_METADATA_KEY]: { status: failure.status } } };
  const banner: MarkdownCell = {
    cell_type: "markdown",
    ...(nb.nbformat_minor >= 5 ? { id: "kvq-error" } : {}),
    metadata: { tags: [ERROR_BANNER_TAG] },
    source: `**kvq run stopped here.** ${failure.message} The cell's output below shows the error.`,
  };
  cells.splice(failure.cellIndex, 0, banner);
  return { ...nb, cells };
}

const seconds = (since: number) => Math.round(performance.now() - since) / 1000;

/**
 * What a run looks like while it happens. The runner calls a RunReporter; the CLI picks one:
 *  - human: one ora spinner per step named by its heading, with the elapsed time, then the step's
 *    output; plain lines without escape codes when the stream is not a terminal, or NO_COLOR / CI
 *    is set, or TERM=dumb.
 *  - JSON lines (--json): one object per step, {index, name, status, seconds, outputs}.
 */
import type { Writable } from "node:stream";
import type { Ora, Options as OraOptions } from "ora";
import { t } from "../i18n";
import { joinMultiline, type Output } from "./notebook-file";
import type { RunResult, StepResult } from "./run-result";
import { resultsByStep, type Step } from "./steps";

export interface RunStartEvent {
  notebookPath: string;
  outputPath: string;
  steps: Step[];
  /** Number of step numbers (the injected-parameters cell shares one). */
  total: number;
}

/** Every method is optional: implement what you draw. Called in this order; stepEnd for every step, even skipped ones. */
export interface RunReporter {
  runStart?(event: RunStartEvent): void;
  kernelStarting?(): void;
  kernelReady?(event: { seconds: number }): void;
  /** The kernel did not start (runNotebook then throws), or the run was aborted while it started. */
  kernelFailed?(error: Error): void;
  stepStart?(step: Step): void;
  /** Each output as the kernel sends it (already redacted). */
  stepOutput?(step: Step, output: Output): void;
  stepEnd?(step: Step, result: StepResult): void;
  runEnd?(result: RunResult): void;
}

type Stream = Writable & { isTTY?: boolean; columns?: number };

/**
 * Plain lines: not a terminal, NO_COLOR (any non-empty value, no-color.org), CI, or TERM=dumb.
 * Also a terminal that reports no width (a pty nobody sized): ora redraws forever at 0 columns.
 */
export function wantsPlainOutput(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (name: string) => env[name] !== undefined && env[name] !== "" && env[name] !== "0" && env[name]!.toLowerCase() !== "false";
  return !stream.isTTY || !((stream.columns ?? 0) > 0) || !!env.NO_COLOR || set("CI") || env.TERM === "dumb";
}

export interface HumanReporterOptions {
  /** Default process.stdout. */
  stream?: Stream;
  /** Default: wantsPlainOutput(stream). */
  plain?: boolean;
  /** Print each step's output under its line. Default true. */
  showOutputs?: boolean;
  /** Print the failing step's excerpt and a summary line at the end. Default true. */
  summary?: boolean;
}

const SYMBOLS: Record<StepResult["status"], string> = {
  passed: "✔",
  failed: "✖",
  "timed-out": "✖",
  interrupted: "⚠",
  skipped: "↓",
};

export function createHumanReporter(options: HumanReporterOptions = {}): RunReporter {
  const stream = options.stream ?? process.stdout;
  const plain = options.plain ?? wantsPlainOutput(stream);
  const showOutputs = options.showOutputs ?? true;
  let total = 0;
  let spinner: Ora | undefined;
  // ora (with chalk, string-width, cli-spinners: 70 ms) loads with the first spinner, after the
  // kernel has been spawned, and not at all for output that is not a terminal.
  const ora = (spin: OraOptions) => (require("ora") as typeof import("ora")).default(spin);
  let ticker: NodeJS.Timeout | undefined;
  const write = (text: string) => stream.write(text);
  // The --param cell is drawn as part of its step (same number and name), never as a step of its own.
  const label = (step: Step) => `[${step.index}/${total}] ${step.name}${step.injected ? ` · ${t().runner.injectedParameters}` : ""}`;

  return {
    runStart(event) {
      total = event.total;
    },
    kernelStarting() {
      if (!plain) spinner = ora({ text: t().runner.kernelStarting, stream, discardStdin: false }).start();
    },
    kernelReady({ seconds }) {
      const text = t().runner.kernelReady(seconds.toFixed(1));
      if (spinner) spinner.succeed(text);
      else write(`✔ ${text}\n`);
      spinner = undefined;
    },
    kernelFailed() {
      if (spinner) spinner.fail(t().runner.kernelFailed);
      else write(`✖ ${t().runner.kernelFailed}\n`);
      spinner = undefined;
    },
    stepStart(step) {
      if (plain) return;
      const started = Date.now();
      // discardStdin would put stdin in raw mode, and Ctrl-C would no longer reach us as SIGINT.
      spinner = ora({ text: label(step), stream, discardStdin: false }).start();
      ticker = setInterval(() => {
        if (spinner) spinner.text = `${label(step)} ${dim(t().runner.elapsed(((Date.now() - started) / 1000).toFixed(1)))}`;
      }, 100);
      ticker.unref();
    },
    stepEnd(step, result) {
      clearInterval(ticker);
      // Skipped because of --step/--until or an earlier failure: the summary counts them.
      if (result.status === "skipped" && result.skipReason !== "skip-execution") return;
      if (step.injected && result.status === "passed") {
        // A passing --param cell is a line under its step: the values it set.
        if (spinner) spinner.stop();
        spinner = undefined;
        write(`    ${t().runner.injectedParameters}: ${injectedValues(step.source)}\n`);
        return;
      }
      const text = withTime(label(step), describe(result));
      if (spinner) {
        spinner.stopAndPersist({ symbol: colour(result.status, SYMBOLS[result.status]), text });
        spinner = undefined;
      } else {
        write(`${SYMBOLS[result.status]} ${text}\n`);
      }
      if (showOutputs) write(renderOutputs(result.outputs));
    },
    runEnd(result) {
      if (options.summary === false) return;
      if (result.failure) {
        write(`\n${result.failure.message}\n${result.failure.excerpt}\n`);
      }
      write(`\n${summaryLine(result)}\n`);
    },
  };

  function dim(text: string) {
    return plain ? text : `\x1b[2m${text}\x1b[22m`;
  }
  function colour(status: StepResult["status"], text: string) {
    if (plain) return text;
    const code = status === "passed" ? 32 : status === "skipped" ? 36 : status === "interrupted" ? 33 : 31;
    return `\x1b[${code}m${text}\x1b[39m`;
  }
}

/** "[1/10] Name (0.1s)", "[1/10] 名稱（0.1 秒）": a full-width parenthesis brings its own space. */
const withTime = (label: string, description: string) => `${label}${description.startsWith("（") ? "" : " "}${description}`;

function describe(result: StepResult): string {
  const time = t().runner.stepTime(result.seconds.toFixed(1));
  const words = t().runner.status;
  switch (result.status) {
    case "passed":
      return result.replyStatus === "error" ? `${time}, ${words.raisedAsExpected}` : time;
    case "skipped":
      return `(${words.skippedTagged})`;
    case "timed-out":
      return `${words.timedOut} ${time}`;
    case "interrupted":
      return `${words.interrupted} ${time}`;
    case "failed":
      return `${words.failed} ${time}`;
  }
}

/** "Steps: 6 passed, 1 failed, 2 not run in 12.3s (kernel start 2.1s). Executed notebook: …" */
export function summaryLine(result: RunResult): string {
  const steps = resultsByStep(result.steps);
  const count = (f: (s: StepResult) => boolean) => steps.filter(f).length;
  const counts = {
    passed: count((s) => s.status === "passed"),
    failed: count((s) => s.status === "failed"),
    timedOut: count((s) => s.status === "timed-out"),
    interrupted: count((s) => s.status === "interrupted"),
    skipped: count((s) => s.skipReason === "skip-execution"),
    notRun: count((s) => s.status === "skipped" && s.skipReason !== "skip-execution"),
  };
  const m = t().runner;
  return `${m.summary(counts, result.seconds.toFixed(1), result.kernelStartSeconds.toFixed(1))} ${m.executedNotebook(result.outputPath)}`;
}

/** `rsaKeySize = 1000, keyName = "k"`: the values an injected-parameters cell declares (parameters.ts writes it). */
export function injectedValues(source: string): string {
  return source
    .split("\n")
    .map((line) => /^(?:const|let|var)\s+([\w$]+)(?::[^=]+)?\s*=\s*(.*?);?\s*$/.exec(line))
    .flatMap((m) => (m ? [`${m[1]} = ${m[2]}`] : []))
    .join(", ");
}

/** Outputs as terminal text, indented under the step line. Rich outputs show their text form. */
export function renderOutputs(outputs: Output[], indent = "    "): string {
  const text = outputs
    .map((o) => {
      if (o.output_type === "stream") return joinMultiline(o.text);
      if (o.output_type === "error") return o.traceback.join("\n") + "\n";
      const data = o.data as Record<string, unknown>;
      for (const mime of ["text/plain", "text/markdown"]) if (data[mime] !== undefined) return ensureNewline(joinMultiline(data[mime] as string));
      return `[${Object.keys(data).join(", ")}]\n`;
    })
    .join("");
  if (!text) return "";
  return ensureNewline(text)
    .split("\n")
    .slice(0, -1)
    .map((line) => `${indent}${line}`)
    .join("\n") + "\n";
}

const ensureNewline = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);

export interface JsonReporterOptions {
  /** Default process.stdout. */
  stream?: Writable;
}

/** --json: one line per step: {"index":1,"name":"…","status":"passed","seconds":0.4,"outputs":[…]}. */
export function createJsonReporter(options: JsonReporterOptions = {}): RunReporter {
  const stream = options.stream ?? process.stdout;
  return {
    stepEnd(_step, result) {
      const line = {
        index: result.index,
        name: result.name,
        status: result.status,
        seconds: result.seconds,
        outputs: result.outputs,
        ...(result.skipReason ? { skipReason: result.skipReason } : {}),
        ...(result.injected ? { injected: true } : {}),
      };
      stream.write(`${JSON.stringify(line)}\n`);
    },
  };
}

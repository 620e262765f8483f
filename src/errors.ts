/**
 * The errors every command shares and the one mapping from an error to what the user sees and the
 * exit code: 0 success, 1 a failed run or check (including a vault that cannot be reached or
 * refuses), 2 bad usage or configuration, 130 interrupted. Commands throw; only src/cli.ts exits.
 */
import { CommanderError } from "commander";

// What reportError needs (the message catalogs, the SDK errors' explanations) is loaded when an
// error is reported: every command imports this file, and most end without one.
const friendlyErrors = () => require("./friendly-errors") as typeof import("./friendly-errors");
const i18n = () => require("./i18n") as typeof import("./i18n");
const vaultErrors = () => require("./vault-errors") as typeof import("./vault-errors");

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A mistake in how a command was called or configured: exit code 2, with the fix in the message. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Errors whose message already says what is wrong and how to fix it: shown as they are, exit code 2. */
const CONFIGURATION_ERRORS = new Set([
  "UsageError",
  "EmulatorStartError",
  "EmulatorStateError",
  "EmulatorCaError",
  "ConfigurationError",
  "KernelDependencyError",
  "LedgerError",
  "ParameterError",
  "NotebookFileError",
  "DocsError",
]);

export interface ErrorReport {
  exitCode: number;
  /** What to print on stderr (ends with a newline). */
  text: string;
}

/** The message, and the fix on its own line when the error carries one apart (the notebook runner's errors do). */
function withFix(error: Error & { fix?: unknown }): string {
  const fix = typeof error.fix === "string" && error.fix ? `${i18n().t().common.fixPrefix}${error.fix}\n` : "";
  return `kvq: ${error.message}\n${fix}`;
}

/**
 * What the CLI prints for an error that reached it, and the exit code. A configuration error is its
 * message; an error from the environment (network, sign-in, permissions, throttling: anything
 * vault-errors.ts explains) is its description with meaning and fix; only the rest is a bug.
 */
export function reportError(error: unknown): ErrorReport {
  const name = (error as Error)?.name;
  if (CONFIGURATION_ERRORS.has(name)) return { exitCode: EXIT.usage, text: withFix(error as Error) };
  // The kernel would not start or died: the machine's state (install, load), not a bug in kvq.
  if (name === "KernelError") return { exitCode: EXIT.failed, text: withFix(error as Error) };
  if (vaultErrors().explainError(error)) {
    return { exitCode: EXIT.failed, text: `${i18n().t().failures.environmentFailure(friendlyErrors().describeError(error))}\n` };
  }
  return {
    exitCode: EXIT.failed,
    text: `kvq: unexpected failure: ${(error as Error)?.stack ?? String(error)}\nThis is a bug in kvq; please report it with the lines above.\n`,
  };
}

/**
 * The exit code for an error that ended a command, its report written first. Commander has printed
 * its own message already: help is no failure, and everything else it reports is bad usage.
 */
export function exitCodeFor(error: unknown, write: (text: string) => void): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const report = reportError(error);
  write(report.text);
  return report.exitCode;
}

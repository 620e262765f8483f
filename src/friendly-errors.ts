/**
 * How errors from the Azure SDK print in a notebook. tslab prints a failed cell's error with
 * console.error, which for a RestError dumps the whole request (headers, TLS settings, hundreds of
 * lines). Importing the helpers makes SDK errors print as a learner needs them: the codes, the
 * service's message, what it means, and the fix (from vault-errors.ts), with secrets redacted.
 */
import { t } from "./i18n";
import { redact } from "./secrets";
import { errorCodes, explainError } from "./vault-errors";

/** The error in a few lines: "<name>: <codes>\n<message>\nWhat it means: …\nFix: …" (the labels in the current language). */
export function describeError(error: unknown): string {
  const e = error as Error;
  const codes = errorCodes(error);
  const explanation = explainError(error);
  const lines = [`${e?.name ?? "Error"}${codes ? ` (${codes})` : ""}: ${explanation?.summary ?? firstLines(e?.message ?? String(error))}`];
  if (explanation) lines.push(`${t().errors.meaningPrefix}${explanation.meaning}`, `${t().common.fixPrefix}${explanation.fix}`);
  return redact(lines.join("\n"));
}

/** Credential errors list every credential tried; the first lines are what matters. */
const firstLines = (message: string, max = 8) => {
  const lines = message.split("\n");
  return lines.length <= max ? message : `${lines.slice(0, max).join("\n")}\n…`;
};

/**
 * Which front end runs the kernel, when it is not a notebook: `kvq learn` sets "learn", and gives
 * its own advice for a missing name (the step to go back to), so the notebook menus' is left out.
 */
export const FRONTEND_VARIABLE = "KVQ_FRONTEND";

const SDK_ERRORS = new Set(["RestError", "AuthenticationError", "AggregateAuthenticationError", "CredentialUnavailableError", "VaultUnreachableError"]);

export const isSdkError = (value: unknown): value is Error => value instanceof Error && SDK_ERRORS.has(value.name);

/** tslab's own error for a cell stopped by an interrupt; its stack points into tslab, not the cell. */
const isTslabInterrupt = (value: unknown) => value instanceof Error && value.message === "Interrupted asynchronously";

/** tslab prints each type-check error as console.error("%s%d:%d - %s", file, line, column, message) (tslab 1.0.22, executor.js). */
const TSLAB_DIAGNOSTIC = "%s%d:%d - %s";
const missingName = (args: unknown[]) => (args[0] === TSLAB_DIAGNOSTIC && typeof args[4] === "string" ? /^Cannot find name '([^']+)'/.exec(args[4])?.[1] : undefined);

/**
 * A console whose error() prints SDK errors through describeError, and follows tslab's bare
 * "Cannot find name 'client'" (a cell run before the cell that defines client, typically after a
 * kernel restart) with what to do: run the cells above first. Once per cell: tslab prints a cell's
 * diagnostics in one synchronous loop, so the hint is reset on the next microtask.
 */
export function friendlyConsole<C extends { log: (...args: unknown[]) => void; error: (...args: unknown[]) => void }>(console: C): C {
  const show = (arg: unknown) => (isSdkError(arg) ? describeError(arg) : isTslabInterrupt(arg) ? t().common.interrupted : arg);
  let hinted = false;
  return {
    ...console,
    error: (...args: unknown[]) => {
      const name = missingName(args);
      console.error(...args.map(show));
      if (name && !hinted && process.env[FRONTEND_VARIABLE] !== "learn") {
        hinted = true;
        queueMicrotask(() => (hinted = false));
        console.error(t().failures.missingEarlierCell(name));
      }
    },
  };
}

let installed = false;

/**
 * tslab reports a failed cell with console.error(error). RestError defines its own
 * util.inspect.custom on each instance (non-configurable), so the printout can only be changed
 * where it is written: SDK errors passed to console.error are replaced by their description.
 */
export function installFriendlyErrorDisplay(): void {
  if (installed) return;
  installed = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => original(...args.map((arg) => (isSdkError(arg) ? describeError(arg) : arg)));
}

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
 * its own advice for a missing name (the step to go back to), so the kernel leaves out the notebook
 * menus' advice (src/kernel/protocol/cell-errors.cjs reads it).
 */
export const FRONTEND_VARIABLE = "KVQ_FRONTEND";

const SDK_ERRORS = new Set(["RestError", "AuthenticationError", "AggregateAuthenticationError", "CredentialUnavailableError", "VaultUnreachableError"]);

export const isSdkError = (value: unknown): value is Error => value instanceof Error && SDK_ERRORS.has(value.name);

/**
 * An SDK error as Jupyter's `error` message carries a failed cell's error: `evalue` holds its codes
 * and what happened ("409 Conflict / ObjectIsDeletedButRecoverable: …"), which nbconvert and
 * papermill print as `RestError: <evalue>`; the traceback is describeError's lines, what the
 * notebook shows. Undefined for anything else (the kernel describes those itself: src/kernel/protocol/cell-errors.cjs).
 */
export function sdkErrorReport(error: unknown): { ename: string; evalue: string; traceback: string[] } | undefined {
  if (!isSdkError(error)) return undefined;
  const codes = errorCodes(error);
  const what = explainError(error)?.summary ?? error.message.split("\n")[0] ?? "";
  return { ename: error.name, evalue: redact(codes ? `${codes}: ${what}` : what), traceback: describeError(error).split("\n") };
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

"use strict";
// What a failed cell's `error` message says (ename, evalue, traceback: messaging spec 5.3), for the
// three ways a cell fails: a thrown value, TypeScript's diagnostics, an interrupt. Front ends show
// the traceback (Notebook, JupyterLab, VS Code, kvq run); nbconvert and papermill end their message
// with `ename: evalue`, so evalue is one line that says what failed.
//
// - An SDK error: its codes and what happened in evalue ("409 Conflict / ObjectIsDeletedButRecoverable:
//   …"), and as traceback the codes, meaning and fix the notebook has always shown
//   (src/friendly-errors.ts), secrets redacted.
// - Any other error: `Name: message`, then the frames of the stack that are the learner's code or
//   the packages it called, not Node's, tslab's or this kernel's (tslab printed all of them).
// - TypeScript's diagnostics: ename "TypeScriptError", each as tslab printed it (`line:col - message`),
//   and after a "Cannot find name 'x'" what to do (run the cells above: the usual cause after a restart).
// - An interrupt (SIGINT, interrupt_request, tslab's "Interrupted asynchronously", Node's
//   ERR_SCRIPT_EXECUTION_INTERRUPTED for a loop stopped by breakOnSigint): ename "Interrupted" and one
//   line in the notebook's language that says the cell was stopped, no stack.
//
// The helpers' messages are TypeScript (tsx, registered by preload.cjs): loaded at the first failure,
// not before kernel_info.
const path = require("node:path");
const util = require("node:util");

const SRC = path.resolve(__dirname, "..", "..");
const i18n = () => require("../../i18n/index.ts");
const friendlyErrors = () => require("../../friendly-errors.ts");

/** Raised by interrupt.cjs for a cell interrupted before its code ran. */
class CellInterrupted extends Error {
  constructor() {
    super("The cell was interrupted.");
    this.name = "CellInterrupted";
  }
}

const isInterrupt = (value) =>
  value instanceof CellInterrupted ||
  (util.types.isNativeError(value) && (value.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" || value.message === "Interrupted asynchronously"));

/** A stack frame that is not the learner's: Node's own, tslab's, this kernel's. */
const TSLAB = `${path.sep}node_modules${path.sep}tslab${path.sep}`;
const internalFrame = (line) => /\((node:|internal\/)|at (node:|internal\/)/.test(line) || line.includes(TSLAB) || line.includes(`${SRC}${path.sep}kernel${path.sep}`) || /evalmachine\.<anonymous>/.test(line);

/** The error content of a thrown value. */
function errorContent(value) {
  if (isInterrupt(value)) return interruptedContent();
  const sdk = friendlyErrors().sdkErrorReport(value);
  if (sdk) return sdk;
  if (util.types.isNativeError(value) || value instanceof Error) {
    const name = value.name || "Error";
    const message = String(value.message ?? "");
    const frames = String(value.stack ?? "")
      .split("\n")
      .filter((line) => /^\s+at /.test(line) && !internalFrame(line));
    return { ename: name, evalue: message.split("\n")[0], traceback: [...`${name}: ${message}`.split("\n"), ...frames] };
  }
  const shown = util.inspect(value);
  return { ename: "Error", evalue: `Uncaught ${shown}`, traceback: [`Uncaught ${shown}`] };
}

function interruptedContent() {
  const text = i18n().t().common.interrupted;
  return { ename: "Interrupted", evalue: text, traceback: [text] };
}

/**
 * The error content of a cell TypeScript refused: `diagnostics` as tslab formats them
 * ({ line, column, message, file? }, 1-based), in order.
 */
function diagnosticsContent(diagnostics) {
  const lines = diagnostics.map((d) => `${d.file ? `${d.file} ` : ""}${d.line}:${d.column} - ${d.message}`);
  const missing = diagnostics.map((d) => /^Cannot find name '([^']+)'/.exec(d.message)?.[1]).find(Boolean);
  // kvq learn gives its own advice for a missing name (the step to go back to): not the notebook menus'.
  const hint = missing && process.env.KVQ_FRONTEND !== "learn";
  const traceback = hint ? [...lines, i18n().t().failures.missingEarlierCell(missing)] : lines;
  const more = lines.length > 1 ? ` (and ${lines.length - 1} more)` : "";
  return { ename: "TypeScriptError", evalue: `${lines[0] ?? "the cell does not compile"}${more}`, traceback };
}

module.exports = { CellInterrupted, errorContent, diagnosticsContent, interruptedContent, isInterrupt };

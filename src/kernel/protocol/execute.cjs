"use strict";
// Loaded by preload.cjs: execute_request answered as the messaging spec (5.3) says, which front ends
// and tools rely on. https://jupyter-client.readthedocs.io/en/latest/messaging.html#execute
//
// tslab 1.0.22 by itself:
// - sends no execute_input, so nbclient (nbconvert, papermill) saves every cell with execution_count null;
// - prints the value of a cell's last expression with console.log, as stdout text: no execute_result
//   (no Out[n], no rich value) — now cell-result.cjs;
// - prints a failed cell's error on stderr and replies {status: "error"} with no ename, evalue or
//   traceback, and sends no `error` message: nbconvert stopped with "<Error>: " and nothing else,
//   and front ends had no error to show — now the `error` message and the reply carry cell-errors.cjs's;
// - replies "abort", not the spec's "aborted", to a request it cancelled after a failure;
// - ignores stop_on_error: after a failed cell it cancels whatever arrives within 200 ms, so with
//   `nbconvert --allow-errors` (stop_on_error false) the cell after a failure was silently not run.
//   Now a failure with stop_on_error false cancels nothing; with it true, the queued requests and
//   those within tslab's 200 ms are "aborted" as before (tslab#19: Run All sends them all at once).
//
// The cell being executed (cell.cjs) is what the parts share: the console tslab reports failures
// and results on (cellConsole) writes into it; interrupt.cjs marks it stopped.
const jupyter = require("tslab/dist/jupyter");
const { TaskCanceledError } = require("tslab/dist/util");
const { diagnosticsContent, errorContent } = require("./cell-errors.cjs");
const { resultContent } = require("./cell-result.cjs");
const { enter, newCell, running } = require("./cell.cjs");

/** tslab's window after a failure in which new requests are cancelled (its jupyter.ts, tslab#19). */
const ABORT_WINDOW_MS = 200;

/** tslab prints each diagnostic as console.error(DIAGNOSTIC, file, line, column, message) (executor.js). */
const DIAGNOSTIC = "%s%d:%d - %s";

/** Cells by their request's content, from the request's arrival to its reply. */
const cells = new WeakMap();

/**
 * The console tslab's executor is given (createExecutor's third argument; preload.cjs wraps it):
 * what it reports goes into the running cell instead of onto stdout and stderr.
 */
function cellConsole(console) {
  return {
    ...console,
    log: (...args) => {
      const cell = running();
      if (!cell || args.length !== 1) return console.log(...args);
      // Never throws: tslab has already taken the cell as done.
      try {
        if (!cell.silent) cell.publish("execute_result", resultContent(args[0], cell.count));
      } catch {
        console.log(...args);
      }
    },
    error: (...args) => {
      const cell = running();
      if (!cell) return console.error(...args);
      if (args[0] === DIAGNOSTIC && args.length === 5) {
        const [, file, line, column, message] = args;
        cell.diagnostics.push({ file, line, column, message: String(message) });
      } else if (!cell.threw) {
        cell.threw = true;
        cell.thrown = args[0];
      }
    },
  };
}

/** A failure tslab did not report through the console: a kernel bug, named as such. */
const failureOfKernel = (error) => ({ ename: "KernelError", evalue: String(error?.message ?? error), traceback: [`The kernel failed: ${String(error?.stack ?? error)}`] });

function failureOf(cell, outcome) {
  try {
    if (cell.threw) return errorContent(cell.thrown);
    if (cell.diagnostics.length > 0) return diagnosticsContent(cell.diagnostics);
  } catch (error) {
    return failureOfKernel(error);
  }
  return failureOfKernel(outcome.kernelFailure ?? new Error("the cell failed without saying why"));
}

const diagnosticLines = (cell) => cell.diagnostics.map((d) => `${d.file ? `${d.file} ` : ""}${d.line}:${d.column} - ${d.message}\n`).join("");

// ZmqServer: the request arrives; the reply, and the error message before it.
jupyter.ZmqServer.prototype.handleExecute = async function handleExecuteBySpec(sock, msg) {
  const key = this.connInfo.key;
  const publish = (msgType, content) => {
    const out = msg.createReply();
    out.header.msg_type = msgType;
    out.content = content;
    out.signAndSend(key, this.iopub);
  };
  const cell = newCell(msg.content, publish);
  cells.set(msg.content, cell);
  const writeStream = (name, text) => publish("stream", { name, text });
  const writeDisplayData = (data, update) => publish(update ? "update_display_data" : "display_data", data);
  const outcome = await this.handler.handleExecute(msg.content, writeStream, writeDisplayData);
  let content;
  if (outcome.status === "ok") {
    // A @module cell is registered despite its type errors (tslab): they stay a warning on stderr.
    if (cell.diagnostics.length > 0 && !cell.silent) writeStream("stderr", diagnosticLines(cell));
    content = { status: "ok", execution_count: outcome.execution_count, payload: [], user_expressions: {} };
  } else if (outcome.status === "aborted") {
    content = { status: "aborted" };
  } else {
    const failure = failureOf(cell, outcome);
    if (!cell.silent) publish("error", failure);
    content = { status: "error", execution_count: outcome.execution_count ?? null, ...failure };
  }
  const reply = msg.createReply();
  reply.header.msg_type = "execute_reply";
  reply.content = content;
  reply.signAndSend(key, sock);
};

// JupyterHandlerImpl: the queue (stop_on_error, "aborted").
const isExecutionCount = (value) => value?.constructor?.name === "ExecutionCount" && typeof value.count === "number";

jupyter.JupyterHandlerImpl.prototype.handleExecute = async function handleExecuteInQueue(req, writeStream, writeDisplayData) {
  const stopOnError = req.stop_on_error !== false;
  try {
    const done = await this.execQueue.add(async () => {
      try {
        return { count: await this.handleExecuteImpl(req, writeStream, writeDisplayData) };
      } catch (failure) {
        // tslab throws the failed cell's ExecutionCount; a rejected task cancels those behind it.
        if (!stopOnError && isExecutionCount(failure)) return { failed: failure };
        throw failure;
      }
    });
    return done.failed ? { status: "error", execution_count: done.failed.count } : { status: "ok", execution_count: done.count.count };
  } catch (failure) {
    if (failure instanceof TaskCanceledError) return { status: "aborted" };
    this.execQueue.reset(ABORT_WINDOW_MS);
    if (isExecutionCount(failure)) return { status: "error", execution_count: failure.count };
    return { status: "error", execution_count: null, kernelFailure: failure };
  }
};

// JupyterHandlerImpl: the cell starts (its count, execute_input) and ends.
const handleExecuteImpl = jupyter.JupyterHandlerImpl.prototype.handleExecuteImpl;
jupyter.JupyterHandlerImpl.prototype.handleExecuteImpl = async function handleExecuteImplInCell(req, ...rest) {
  const cell = cells.get(req) ?? newCell(req, () => {});
  // tslab counts the cell as it starts (++execCount in handleExecuteImpl).
  cell.count = this.execCount + 1;
  if (!cell.silent) cell.publish("execute_input", { code: req.code, execution_count: cell.count });
  const leave = enter(cell);
  try {
    return await handleExecuteImpl.call(this, req, ...rest);
  } finally {
    leave();
  }
};

module.exports = { cellConsole };

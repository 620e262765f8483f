"use strict";
// The cell being executed: what execute.cjs (the request and its reply), the console tslab reports
// on (execute.cjs's cellConsole) and interrupt.cjs share. One per execute_request, from its arrival
// to its reply; `running()` is the one whose code runs now. No tslab module here: interrupt.cjs
// loads this before tslab's converter may load (warm-up.cjs must come first).
let current;

/** A cell for `request` (an execute_request's content), publishing on iopub with `publish(type, content)`. */
function newCell(request, publish) {
  return {
    request,
    publish,
    silent: request.silent === true,
    /** Its execution count, once it has started. */
    count: undefined,
    /** Set by interrupt.cjs: stop it, or do not start its code. */
    interrupted: false,
    /** What tslab reported as thrown (the first value only), and TypeScript's diagnostics. */
    threw: false,
    thrown: undefined,
    diagnostics: [],
  };
}

/** The cell whose code runs now (undefined between cells). */
const running = () => current;

/** `cell` runs now; returns what ends it. */
function enter(cell) {
  current = cell;
  return () => {
    if (current === cell) current = undefined;
  };
}

module.exports = { newCell, running, enter };

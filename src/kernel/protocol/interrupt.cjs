"use strict";
// Loaded by preload.cjs: an interrupt stops the running cell the first time, however it comes —
// SIGINT to the kernel or its process group (jupyter_client, the Notebook server, kvq run), or
// interrupt_request on the control channel (control.cjs raises SIGINT for it) — whether the cell
// awaits or spins, and whenever it lands.
//
// tslab 1.0.22 by itself answers SIGINT by rejecting the promise it races an awaiting cell
// against, and runs a cell's code under Node's `breakOnSigint`, which stops a loop. Neither helped
// when the signal came while the kernel was busy with something else, which in a new kernel is
// most of its first seconds: after Kernel → Restart the Notebook's ■ was ignored and the cell ran
// on (issue 25). The Notebook server signals the kernel as jupyter_client does (os.killpg of its
// process group); what mattered was when the signal came:
// 1. The kernel converts (type-checks) a cell before it runs it, synchronously; the first cell of
//    a kernel takes seconds. A SIGINT in that time waits in libuv's signal pipe, unread. Then tslab
//    runs the code with breakOnSigint, and Node's vm takes every SIGINT listener off for the call
//    (sigintHandlersWrap), which closes the signal's handle: the waiting signal is dropped.
// 2. A cell that arrives while the kernel is busy between cells (the idle warm-up, warm-up.cjs) is
//    read after that work, and a SIGINT that came meanwhile is still waiting when the cell starts:
//    dropped the same way.
// jupyter_client's own interrupt seemed to work because it was tried on a warm kernel; sent during
// the first cell's type-check it was lost too (test/kernel/conformance.py, FirstInterrupt).
//
// Now, for each cell: the loop turns through its poll phase (afterNextPoll), so a waiting SIGINT is
// read; the cell is converted ahead under breakOnSigint (a SIGINT then ends the type-check at
// once); the loop turns again; and only then does tslab run the code, with nothing left waiting.
// The conversion ahead is the one tslab then asks for (kept in the converter below, by the
// declarations of the cells before and the source). A listener of ours, there from the preload
// on (before tslab's, which Node's default would otherwise precede: a SIGINT then ended the kernel),
// is the only one that acts: it marks the running cell interrupted and rejects tslab's race.
//
// What still cannot be stopped: a loop after the cell's first await (its code runs outside any vm
// call, and the event loop never turns); kvq run's grace period ends such a kernel.
// What can still be lost: a SIGINT that lands after the last turn of the loop below and before
// tslab's vm call starts its own watch (a few synchronous microseconds per cell; about 1 in 130
// interrupts aimed at that instant, none otherwise). A second interrupt stops the cell: kvq's
// client sends one again while the cell has not answered (src/notebook/jupyter-client.ts), and in
// the Notebook a second click of ■ does.
//
// Loaded right after fast-start.cjs, before tslab: the listener is there from then on. What wraps
// tslab's converter and executor is installed by preload.cjs once warm-up.cjs has run
// (installConversionAhead, withConversionAhead).
const vm = require("node:vm");
const { CellInterrupted } = require("./cell-errors.cjs");
const { running } = require("./cell.cjs");

/** tslab's own interrupt: rejects the promise an awaiting cell is raced against. */
let interruptTslab = () => {};

/** Stops the running cell; with none running there is nothing to stop (as in ipykernel). */
function interrupt() {
  const cell = running();
  if (!cell) return;
  cell.interrupted = true;
  interruptTslab();
}

process.on("SIGINT", interrupt);

/**
 * Resolves once the event loop has been through its poll phase, where libuv reads the signals that
 * came while the thread was busy: one setImmediate runs in the check phase of the turn in
 * progress, before that turn's poll has seen them; the second, after the next turn's poll.
 */
const afterNextPoll = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * tslab's converters with a conversion ahead: `convertAhead(prevDecl, src)` converts now, and the
 * executor's next `convert` with the same arguments gets that result. The declarations tslab passes
 * (the cells before) are followed from the conversions it takes (see withConversionAhead).
 *
 * The conversion ahead runs under Node's breakOnSigint, as tslab runs a cell's code: a SIGINT
 * during it ends it at once (CellInterrupted), wherever TypeScript was. TypeScript keeps its parser
 * and binder in module state, which a conversion stopped halfway can leave in mid-state (seen: a
 * later cell's lib types went missing); so the converter is dropped and TypeScript itself loaded
 * anew (lazy-typescript.cjs), and the next cell converts as the first of a new kernel would: the
 * cost of stopping a type-check. Nothing of the stopped conversion was kept. Without
 * lazy-typescript.cjs (KVQ_KERNEL_FAST_START=0) TypeScript cannot be loaded anew, and the
 * conversion ahead runs to its end: the cell stops right after it.
 */
function installConversionAhead() {
  loadNodeWatchers();
  const converter = require("tslab/dist/converter");
  const createConverter = converter.createConverter;
  converter.createConverter = (options) => (options?.isBrowser ? createConverter(options) : withAhead(() => createConverter(options)));
}

/**
 * Node loads fs.watch's and fs.watchFile's internals (internal/fs/watchers) the first time either is
 * called, and TypeScript first calls them in the middle of a type-check. A SIGINT that stops the
 * check during that first load leaves Node holding the module half-made, and every later watch in
 * the kernel fails ("watchers.StatWatcher is not a constructor": seen once in CI). Loading TypeScript
 * anew cannot mend Node's own modules, so they are loaded here, before any check can be stopped: a
 * watch of nothing, at once removed.
 */
function loadNodeWatchers() {
  const fs = require("node:fs");
  const nothing = require("node:path").join(require("node:os").tmpdir(), "kvq-no-such-file");
  const listener = () => undefined;
  fs.watchFile(nothing, { persistent: false, interval: 3_600_000 }, listener);
  fs.unwatchFile(nothing, listener);
}

const lazyTypescript = require("../start-up/lazy-typescript.cjs");

const { conversionLog } = require("../start-up/conversion-log.cjs");

/** How the conversion ahead is called from a vm script (breakOnSigint applies to what the script runs). */
const AHEAD = Symbol.for("kvq.convertAhead");
const runAhead = new vm.Script(`globalThis[Symbol.for("kvq.convertAhead")]()`, { filename: "kvq-convert-ahead" });

function withAhead(create) {
  let real = create();
  let ahead;
  let taken;
  const dropConverter = () => {
    const old = real;
    try {
      old.close();
    } catch {
      // Already broken: it is dropped either way.
    }
    lazyTypescript.reload();
    real = create();
  };
  return {
    convert(prevDecl, src) {
      const kept = ahead;
      ahead = undefined;
      if (kept && kept.prevDecl === prevDecl && kept.src === src) return (taken = kept.result);
      let result = real.convert(prevDecl, src);
      // Converted ahead with other declarations: tslab's converter emits a local module a cell
      // imports once, so the modules of the conversion ahead go with this one.
      if (kept?.src === src && kept.result.sideOutputs?.length) {
        const paths = new Set((result.sideOutputs ?? []).map((side) => side.path));
        result = { ...result, sideOutputs: [...kept.result.sideOutputs.filter((side) => !paths.has(side.path)), ...(result.sideOutputs ?? [])] };
      }
      return (taken = result);
    },
    convertAhead(prevDecl, src) {
      ahead = undefined;
      if (!lazyTypescript.installed()) {
        ahead = { prevDecl, src, result: real.convert(prevDecl, src) };
        return;
      }
      globalThis[AHEAD] = () => real.convert(prevDecl, src);
      try {
        ahead = { prevDecl, src, result: runAhead.runInThisContext({ breakOnSigint: true }) };
      } catch (error) {
        if (error?.code !== "ERR_SCRIPT_EXECUTION_INTERRUPTED") throw error;
        conversionLog("type-check interrupted");
        // The cell is stopped whatever remaking the converter meets: an error from it would
        // otherwise pass for TypeScript's, and the cell would run on.
        try {
          dropConverter();
        } catch (remade) {
          conversionLog(`converter not remade: ${remade?.message ?? remade}`);
        }
        throw new CellInterrupted();
      } finally {
        delete globalThis[AHEAD];
      }
    },
    /** The conversion the executor took last, and forgets it. */
    takeLast() {
      const last = taken;
      taken = undefined;
      return last;
    },
    // tslab hands its declarations to these too: they correct what is followed.
    inspect(prevDecl, ...rest) {
      declarations.value = prevDecl;
      return real.inspect(prevDecl, ...rest);
    },
    complete(prevDecl, ...rest) {
      declarations.value = prevDecl;
      return real.complete(prevDecl, ...rest);
    },
    addModule: (...args) => real.addModule(...args),
    close: () => real.close(),
    cellStarting: () => real.cellStarting?.(),
  };
}

/** tslab's prevDecl (the cells before, as declarations), followed from outside: see withConversionAhead. */
const declarations = { value: "" };

/**
 * The executor with interrupts checked where a signal could be lost (see the top). tslab's
 * execute converts and runs; its prevDecl becomes the conversion's declOutput when it returns
 * true after a conversion, and stays as it was otherwise (executor.js), which is followed here.
 */
function withConversionAhead(executor, convs) {
  interruptTslab = executor.interrupt;
  // tslab's own SIGINT listener calls this; ours (above) does the work.
  executor.interrupt = () => {};
  const execute = executor.execute;
  executor.execute = async (src) => {
    const cell = running();
    const node = convs.node;
    // Before the loop turns: the idle warm-up must not take the turn (warm-up.cjs).
    node.cellStarting?.();
    const convertsAhead = cell && typeof node.convertAhead === "function" && isPlainCell(src);
    if (convertsAhead) {
      // A SIGINT that came while the kernel was busy (the warm-up, reading the request) waits in
      // libuv's pipe: read it now, before the vm call of the conversion ahead would drop it.
      await afterNextPoll();
    }
    if (convertsAhead && !cell.interrupted) {
      try {
        node.convertAhead(declarations.value, src);
      } catch (error) {
        // Interrupted: the cell is stopped below. Anything else: tslab's own conversion fails the
        // same way, and reports it.
        if (error instanceof CellInterrupted) cell.interrupted = true;
      }
      await afterNextPoll();
    }
    if (cell?.interrupted) {
      cell.threw = true;
      cell.thrown = new CellInterrupted();
      return false;
    }
    node.takeLast?.();
    const ok = await execute(src);
    const taken = node.takeLast?.();
    if (ok && taken && taken.diagnostics.length === 0) declarations.value = taken.declOutput || "";
    return ok;
  };
  return executor;
}

/** A cell tslab converts as Node code (no @module, @browser metadata). */
function isPlainCell(src) {
  try {
    const meta = require("tslab/dist/metadata").getCodeMetadata(src);
    return !meta.module && meta.mode !== "browser";
  } catch {
    return false;
  }
}

module.exports = { installConversionAhead, withConversionAhead, interrupt };

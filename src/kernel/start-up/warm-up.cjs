"use strict";
// Loaded by preload.cjs (unless KVQ_KERNEL_FAST_START=0): tslab's type-checking work moved
// to where nobody waits for it, without checking less.
//
// 1. kernel_info first. tslab builds its TypeScript converter (a watch program over the standard
//    library and @types/node: about half of the kernel's start) before it opens its sockets, so
//    Jupyter shows "starting" for all of it. Here the converter is made on first use instead, and
//    once kernel_info has been quiet for a moment (QUIET_MS) the kernel makes it while idle.
// 2. Warm-up while idle: then it converts a hidden program that imports what the notebooks import
//    ("kvq", the SDK), so their declaration files are read, parsed and bound before the first cell.
//    It runs through the converter's own convert (same options, same resolution) and its result
//    is dropped: the declarations tslab carries from cell to cell live in the executor, which never
//    sees it, so no name of the warm-up exists for a cell, and it prints nothing. Once a cell has
//    started, what is left of the warm-up is skipped; a cell that arrives meanwhile waits for the
//    step in progress, as it would wait for its own type-check. An interrupt (SIGINT) that arrives
//    during a step is handled as one during a cell's type-check always was: Node delivers it once
//    the step is done (tslab interrupts the running cell, if any); one that lands just as the
//    next cell starts can be lost, as before (Node's vm drops a SIGINT still pending when a cell
//    runs with breakOnSigint), and the runner's grace period then ends the kernel.
// 3. Parsed declaration files are kept for the kernel's life. tslab makes a new program for every
//    cell, and TypeScript's watch drops a file as soon as one program does not include it (the SDK's
//    declarations between a cell that imports only "kvq" and the next), then parses it again. The
//    cache hands back the same parsed file while the file on disk is unchanged (size and mtime),
//    as TypeScript's language service does with its document registry; any change parses it again.
//
// 4. Conversions are kept between kernels (conversion-cache.cjs): a cell converted before,
//    with everything TypeScript read for it unchanged on the disk (conversion-inputs.cjs records it
//    through the system handed to the watch), is not converted again. Then the kernel builds no
//    program at all until a cell is new or something it read has changed.
//
// TypeScript's exports are read-only getters, so (3) and (4) are made by giving tslab's converter a view of
// the module with createWatchCompilerHost wrapped (through the stand-in of lazy-typescript.cjs,
// which fast-start.cjs installed; tslab's converter is not loaded yet: this file must load before it).
const fs = require("node:fs");
const path = require("node:path");
const { recordInputs } = require("./conversion-inputs.cjs");
const { conversionCacheDir, openConversionCache } = require("./conversion-cache.cjs");
const lazyTypescript = require("./lazy-typescript.cjs");

const { conversionLog: cacheLog } = require("./conversion-log.cjs");

/** KVQ_KERNEL_WARM_UP_LOG=1: the warm-up's start and end on stderr (outside any cell). */
const warmUpLog = (line) => process.env.KVQ_KERNEL_WARM_UP_LOG === "1" && process.stderr.write(`${line}\n`);

/** Files' stamps as (3) saw them during the current cell (cleared as each cell starts). */
const stampsThisCell = new Map();

/**
 * How long kernel_info must have been quiet before the warm-up begins (see handleKernelInfoThenWarmUp).
 * Long enough that a client running cells at once (nbconvert, Run All, kvq run) is not made to wait
 * for a warm-up its cells may not need (a second run finds them in the conversion cache); short
 * enough that it is done before a learner has read the first cell.
 */
const QUIET_MS = 1500;

/** What the notebooks import; a module that does not resolve only makes the warm-up's own errors. */
const WARM_UP_SOURCE = ['import type * as kvq from "kvq";', 'import type * as keys from "@azure/keyvault-keys";', 'import type * as identity from "@azure/identity";'].join("\n");

const tslabRoot = path.dirname(require.resolve("tslab/package.json"));
const typescriptPath = require.resolve("@tslab/typescript-for-tslab", { paths: [tslabRoot] });

/** (3): the compiler host's getSourceFile, with parsed declaration files kept while unchanged on disk. */
function keepParsedDeclarations(compilerHost) {
  const kept = new Map();
  // One stat per file and cell: tslab builds two programs for most cells, each asking for every file.
  const stamp = (fileName) => {
    if (stampsThisCell.has(fileName)) return stampsThisCell.get(fileName);
    let now;
    try {
      const stat = fs.statSync(fileName);
      now = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      now = undefined; // tslab's in-memory files (the cell, the previous cells' declarations)
    }
    stampsThisCell.set(fileName, now);
    return now;
  };
  const wrap = (getSourceFile, fileNameAt) =>
    function getKeptSourceFile(...args) {
      const fileName = args[0];
      const [languageVersionOrOptions, , shouldCreateNewSourceFile] = args.slice(fileNameAt + 1);
      if (typeof fileName !== "string" || !fileName.endsWith(".d.ts") || shouldCreateNewSourceFile) return getSourceFile.apply(this, args);
      const options = typeof languageVersionOrOptions === "object" ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
      const key = `${fileName}\0${options.languageVersion}\0${options.impliedNodeFormat}`;
      const now = stamp(fileName);
      const hit = kept.get(key);
      if (hit && now !== undefined && hit.stamp === now) return hit.sourceFile;
      const sourceFile = getSourceFile.apply(this, args);
      if (sourceFile && now !== undefined) kept.set(key, { stamp: now, sourceFile });
      else kept.delete(key);
      return sourceFile;
    };
  compilerHost.getSourceFile = wrap(compilerHost.getSourceFile, 0);
  // getSourceFileByPath(fileName, path, languageVersionOrOptions, onError, shouldCreateNewSourceFile)
  if (compilerHost.getSourceFileByPath) compilerHost.getSourceFileByPath = wrap(compilerHost.getSourceFileByPath, 1);
}

/** The input log of the converter being made (set by the host below, taken by the facade). */
let lastInputLog;

function installDeclarationCache() {
  // The module itself, not tslab's view of it (which gets the wrapper below).
  const ts = () => (lazyTypescript.installed() ? lazyTypescript.typescript() : require(typescriptPath));
  const createWatchCompilerHost = (rootFiles, options, system, ...rest) => {
    // (4): what TypeScript reads, for the conversion cache. rootFiles are tslab's in-memory files.
    const log = system ? recordInputs(system, rootFiles) : undefined;
    lastInputLog = log;
    const host = ts().createWatchCompilerHost(rootFiles, options, system, ...rest);
    const createProgram = host.createProgram;
    const wrapped = new WeakSet();
    host.createProgram = (rootNames, options, compilerHost, ...rest) => {
      if (compilerHost && !wrapped.has(compilerHost)) {
        keepParsedDeclarations(compilerHost);
        wrapped.add(compilerHost);
      }
      const builder = createProgram(rootNames, options, compilerHost, ...rest);
      if (log) log.program = builder.getProgram();
      return builder;
    };
    return host;
  };
  // With TypeScript loaded on first use (lazy-typescript.cjs), its stand-in takes the
  // replacement; a proxy over the stand-in would load it (a proxy's get checks its target's property).
  if (lazyTypescript.installed()) {
    lazyTypescript.override("createWatchCompilerHost", createWatchCompilerHost);
    return;
  }
  const cached = require.cache[typescriptPath];
  if (!cached) return;
  cached.exports = new Proxy(ts(), { get: (target, name) => (name === "createWatchCompilerHost" ? createWatchCompilerHost : target[name]) });
}

/** (1), (2) and (4): converters made on first use, the first one warmed up once kernel_info is quiet; conversions reused. */
function installLazyConverter() {
  const converter = require("tslab/dist/converter");
  const createConverter = converter.createConverter;
  let first;
  converter.createConverter = (options) => {
    let real;
    let inputs;
    const lazy = {
      cellStarted: false,
      real: () => {
        if (!real) {
          real = createConverter(options);
          inputs = lastInputLog;
        }
        return real;
      },
    };
    const onCell =
      (method) =>
      (...args) => {
        lazy.cellStarted = true;
        stampsThisCell.clear();
        return lazy.real()[method](...args);
      };
    // (4): a cell converted before, with everything TypeScript read for it unchanged, is not converted again.
    const cacheDir = conversionCacheDir();
    const cache = cacheDir && openConversionCache({ dir: cacheDir, cwd: process.cwd(), converterOptions: options, typescriptPath });
    const convert = onCell("convert");
    /**
     * The local files (tslab's sideOutputs: a .ts or .js module a cell imports, converted to
     * JavaScript that the executor loads from memory) handed to the executor so far in this kernel.
     * Part of a conversion's key: tslab hands each over once, so a later conversion that imports it
     * carries none and relies on it being there.
     */
    const emittedHere = new Set();
    const convertOrReuse = (prevDecl, src) => {
      const emitted = [...emittedHere].sort().join("\n");
      const kept = cache.lookup(prevDecl, src, emitted);
      if (kept) {
        lazy.cellStarted = true;
        for (const side of kept.sideOutputs ?? []) emittedHere.add(side.path);
        cacheLog("reused");
        return kept;
      }
      let result = convert(prevDecl, src);
      // tslab's converter hands a local file over once per kernel, but it does not know of those a
      // reused conversion handed over: its second copy would make the executor load the module
      // afresh (its state lost), which tslab alone never does. So it is dropped, as tslab would.
      const sideOutputs = result.sideOutputs?.filter((side) => !emittedHere.has(side.path));
      if (sideOutputs?.length !== result.sideOutputs?.length) result = { ...result, sideOutputs: sideOutputs.length > 0 ? sideOutputs : undefined };
      for (const side of result.sideOutputs ?? []) emittedHere.add(side.path);
      const notReusable = inputs ? inputs.whyNotReusable() : "no record of its inputs";
      if (!notReusable) cache.store(prevDecl, src, emitted, result, inputs.snapshot());
      cacheLog(notReusable ? `converted, not kept: ${notReusable}` : "converted, kept");
      return result;
    };
    const facade = {
      convert: cache ? convertOrReuse : convert,
      inspect: onCell("inspect"),
      complete: onCell("complete"),
      addModule: onCell("addModule"),
      close: () => real?.close(),
      // A cell has begun (interrupt.cjs says so before it lets the loop turn): what is left of the warm-up is skipped.
      cellStarting: () => {
        lazy.cellStarted = true;
      },
    };
    if (!first && !options?.isBrowser) first = lazy;
    return facade;
  };

  const jupyter = require("tslab/dist/jupyter");
  const handleKernelInfo = jupyter.ZmqServer.prototype.handleKernelInfo;
  let timer;
  jupyter.ZmqServer.prototype.handleKernelInfo = function handleKernelInfoThenWarmUp(...args) {
    const result = handleKernelInfo.apply(this, args);
    const lazy = first;
    if (!lazy || lazy.cellStarted || lazy.warmedUp) return result;
    // Clients repeat kernel_info until iopub delivers a status (a SUB socket misses what was
    // published before it joined: jupyter_client waits 0.2 s for it, kvq's client 50 ms): a warm-up
    // begun after the first reply would hold the second for a whole second. So it begins once
    // kernel_info has been quiet for QUIET_MS, each request starting the wait again.
    clearTimeout(timer);
    timer = setTimeout(() => {
      lazy.warmedUp = true;
      if (lazy.cellStarted) return;
      warmUpLog("kvq: kernel warm-up begins");
      lazy.real();
      // A turn of the event loop between the two steps, so a cell that came meanwhile goes before the second.
      setImmediate(() => {
        if (lazy.cellStarted) return;
        try {
          lazy.real().convert("", WARM_UP_SOURCE);
        } catch {
          // Only the warm-up is lost: the first cell does this work itself, as before.
        }
        warmUpLog("kvq: kernel warm-up done");
      });
    }, QUIET_MS);
    timer.unref?.();
    return result;
  };
}

installDeclarationCache();
installLazyConverter();

module.exports = { WARM_UP_SOURCE };

"use strict";
// Loaded by fast-start.cjs, before tsx registers: tslab's TypeScript (8 MB, about half of a
// kernel's start-up CPU: reading, decoding and compiling it) is loaded when a cell first needs a
// conversion, not at start. A kernel whose cells all come from the conversion cache
// (conversion-cache.cjs) never loads it; in a learner's Jupyter, the warm-up loads it while
// the kernel is idle (warm-up.cjs). What the kernel does is unchanged: the same TypeScript
// converts the same cells, only later.
//
// How: require's cache holds, under TypeScript's path, a stand-in whose properties load the real
// module on first use. Before that, three uses are answered without it:
// - `version`, from the package's package.json (the conversion cache's key; the same string);
// - tslab's converter, when it loads, sets `ts.sys.useCaseSensitiveFileNames = true`: kept and
//   applied to the real `sys` when it loads;
// - tslab runs `getCodeMetadata` on every cell (a leading /** @module ... */ or @jsx, @node,
//   @browser comment): a cell that does not open with a block comment has none, which is answered
//   here; one that does goes to tslab's own, as before.
// The stand-in says `__esModule`, so tslab's `__importStar` uses it as it is rather than copying
// every export (which would load it). The real module is loaded with Node's own .js loader (saved
// here, before tsx wraps it), so tsx does not scan its 8 MB for ESM syntax, and through
// src/util/compile-cache.cjs's code cache like any large file.
const Module = require("node:module");
const path = require("node:path");

const tslabRoot = path.dirname(require.resolve("tslab/package.json"));
const typescriptPath = require.resolve("@tslab/typescript-for-tslab", { paths: [tslabRoot] });
const typescriptVersion = require(require.resolve("@tslab/typescript-for-tslab/package.json", { paths: [tslabRoot] })).version;
const loadJavaScript = Module._extensions[".js"];

let real;
let installed = false;
/** Exports replaced for tslab (warm-up.cjs wraps createWatchCompilerHost). */
const overrides = new Map();
/** `sys` settings made before TypeScript loaded, applied once it does. */
const sysSettings = new Map();

function typescript() {
  if (!real) {
    const loaded = new Module(typescriptPath, module);
    loaded.filename = typescriptPath;
    loaded.paths = Module._nodeModulePaths(path.dirname(typescriptPath));
    loadJavaScript(loaded, typescriptPath);
    loaded.loaded = true;
    real = loaded.exports;
    for (const [name, value] of sysSettings) real.sys[name] = value;
  }
  return real;
}

/** `ts.sys` before TypeScript loads: settings are kept; anything else loads it. */
const pendingSys = new Proxy(
  {},
  {
    get: (_, name) => typescript().sys[name],
    set: (_, name, value) => {
      if (real) real.sys[name] = value;
      else sysSettings.set(name, value);
      return true;
    },
  },
);

const standIn = new Proxy(
  {},
  {
    get(_, name) {
      if (name === "__esModule") return true;
      if (overrides.has(name)) return overrides.get(name);
      if (!real && name === "version") return typescriptVersion;
      if (!real && name === "sys") return pendingSys;
      return typescript()[name];
    },
    has: (_, name) => name in typescript(),
    ownKeys: () => Reflect.ownKeys(typescript()),
    // TypeScript's exports are non-configurable getters; a proxy over an empty object may only
    // report configurable ones.
    getOwnPropertyDescriptor: (_, name) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(typescript(), name);
      return descriptor && { ...descriptor, configurable: true };
    },
  },
);

/** Whether a cell may carry tslab's metadata: its first token after spaces and line comments opens a block comment (or it starts with #!). */
function mayHaveMetadata(src) {
  let rest = src;
  for (;;) {
    rest = rest.replace(/^\s+/, "");
    if (!rest.startsWith("//")) break;
    const end = rest.indexOf("\n");
    rest = end < 0 ? "" : rest.slice(end + 1);
  }
  return rest.startsWith("/*") || src.startsWith("#!") || /^(<{7}|={7}|>{7}|\|{7})/m.test(src);
}

function install() {
  const stub = new Module(typescriptPath, module);
  stub.filename = typescriptPath;
  stub.loaded = true;
  stub.exports = standIn;
  require.cache[typescriptPath] = stub;
  installed = true;

  const metadata = require("tslab/dist/metadata");
  const getCodeMetadata = metadata.getCodeMetadata;
  metadata.getCodeMetadata = (src) => (mayHaveMetadata(src) ? getCodeMetadata(src) : {});
}

module.exports = {
  install,
  mayHaveMetadata,
  /** Whether tslab sees the stand-in (not for another tslab layout, or KVQ_KERNEL_FAST_START=0). */
  installed: () => installed,
  /** Whether TypeScript has been loaded in this process. */
  loaded: () => real !== undefined,
  /** The real module, loaded now if it was not. */
  typescript,
  /** Gives tslab `value` for TypeScript's export `name`, without loading TypeScript. */
  override: (name, value) => overrides.set(name, value),
  /**
   * Forgets the loaded TypeScript: the next use loads a new one (interrupt.cjs, after a conversion
   * stopped halfway, which can leave TypeScript's parser and binder, one per module, in mid-state).
   */
  reload: () => {
    real = undefined;
  },
};

"use strict";
// Preloaded first into the notebook kernel and the kvq CLI: keeps V8's compiled code for the big
// CommonJS files loaded on every start — tslab's TypeScript compiler above all (8 MB, about half of
// the kernel's start-up is compiling and then running it), the CLI's build — under the project's ignored .kvq/.
//
// Node ≥ 22.1 does this itself (module.enableCompileCache), and is used where present. Node 20 has
// no switch, and the maintained packages for it (v8-compile-cache and its forks) replace
// Module.prototype._compile with a copy of an old Node's, which breaks require(esm) and tsx's
// hooks; so this wraps _compile for the few large files only, compiles them with vm.Script and
// V8's cachedData, and leaves every other module to Node. The cache is written after the first turn
// of the event loop, once per file version, so it holds the functions start-up compiled lazily too (V8 checks the rest: a
// cache made by another V8 or with other flags is rejected and rewritten).
//
// Invalidation: the directory is named after Node's version and architecture; each entry after
// the file's path, size and modification time. An entry for an older version of the file is
// removed when the new one is written. KVQ_COMPILE_CACHE=0 turns it off (the bench's "before").
const Module = require("node:module");
const path = require("node:path");

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const CACHE_ROOT = path.join(PROJECT_ROOT, ".kvq", "compile-cache");
/** The kvq CLI's build (src/cli-build.cjs): one large file every command loads. */
const CLI_BUILD = path.join(PROJECT_ROOT, ".kvq", "cli") + path.sep;
/** Files smaller than this compile faster than their cache is read and checked. */
const MIN_BYTES = 32 * 1024;

function enable() {
  if (process.env.KVQ_COMPILE_CACHE === "0") return;
  if (typeof Module.enableCompileCache === "function") {
    Module.enableCompileCache(CACHE_ROOT);
    return;
  }
  const fs = require("node:fs");
  const vm = require("node:vm");
  const { createHash } = require("node:crypto");
  const dir = path.join(CACHE_ROOT, `node-${process.version}-${process.arch}`);
  const hash = (text) => createHash("sha1").update(text).digest("hex").slice(0, 16);
  /** Scripts to write a cache for at exit: those that had none, or whose cache V8 rejected. */
  const toWrite = [];

  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename, ...rest) {
    // The CLI's build, or a package's own CommonJS. rest[0] is the format Node ≥ 20.19 passes:
    // "module" for an ES module loaded by require() (marked), which vm.Script cannot compile.
    const cacheable =
      (rest[0] === undefined || rest[0] === "commonjs") &&
      content.length >= MIN_BYTES &&
      (filename.startsWith(CLI_BUILD) || (filename.includes(`${path.sep}node_modules${path.sep}`) && (filename.endsWith(".js") || filename.endsWith(".cjs"))));
    if (!cacheable) return compile.call(this, content, filename, ...rest);
    let stat;
    try {
      stat = fs.statSync(filename);
    } catch {
      return compile.call(this, content, filename, ...rest);
    }
    const prefix = hash(filename);
    const entry = path.join(dir, `${prefix}-${hash(`${content.length}:${stat.size}:${stat.mtimeMs}`)}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(entry);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cachedData === undefined || script.cachedDataRejected) toWrite.push({ script, entry, prefix });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };

  const flush = () => {
    for (const { script, entry, prefix } of toWrite.splice(0)) {
      try {
        fs.mkdirSync(dir, { recursive: true });
        const temp = `${entry}.${process.pid}.tmp`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, entry);
        for (const old of fs.readdirSync(dir)) if (old.startsWith(`${prefix}-`) && path.join(dir, old) !== entry) fs.rmSync(path.join(dir, old), { force: true });
      } catch {
        // A read-only project or a full disk: the next start compiles as before.
      }
    }
  };
  // Once the main module's first turn has run (tslab has built its compiler by then: a kernel killed
  // after its run still leaves a cache), and again at exit for what was loaded later.
  setImmediate(flush);
  process.once("exit", flush);
}

/** The `require` a module's code is handed, as Node builds it (lib/internal/modules/helpers.js). */
function requireFor(mod) {
  const require = (id) => mod.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

enable();

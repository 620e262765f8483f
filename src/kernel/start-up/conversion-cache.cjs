"use strict";
// tslab's conversions kept between kernels: a cell's type-check and its JavaScript, reused while
// nothing TypeScript read for it has changed on the disk.
//
// tslab converts every cell with a whole TypeScript program: the standard library, @types/node,
// the helpers' and the SDK's declarations (about 500 files). A new kernel parses and binds all of
// them again before its first cell can run (about 2 s of the 2 cores' time), then builds two
// programs per cell (about 0.1 s). The same notebook gives the same cells, so most of that work
// gives the same answer every run: a learner's second run, `kvq docs`, the test suite.
//
// The key is everything the conversion is a function of besides the disk: the cell, the previous
// cells' declarations (tslab's prevDecl), the local modules already handed to this kernel's
// executor (tslab converts a cell's local .ts import once and hands its JavaScript over with that
// cell's conversion, where a reused one hands it over too; the cells after it rely on it being
// there), the kernel's folder, the converter's options, and the versions of tslab, TypeScript,
// Node and this file's format. The disk's part is the log of what TypeScript read and probed
// (conversion-inputs.cjs), checked path by path before an entry is used, as TypeScript's incremental
// build checks its inputs: a changed declaration, a new package, a file appearing where resolution
// looked, and the conversion is made again. What TypeScript answers is kept as it was, type errors
// included, so a reused cell prints the same errors.
//
// The entries are in the project's ignored .kvq/kernel-cache (KVQ_KERNEL_CACHE_DIR elsewhere;
// KVQ_KERNEL_CACHE=0: none), readable by their owner only (they hold the cells' JavaScript), the
// newest MAX_ENTRIES kept. A cache that cannot be read or written only costs the conversion.
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { inputsUnchanged } = require("./conversion-inputs.cjs");

const FORMAT = 2;
const MAX_ENTRIES = 400;
const PRUNED_TO = 300;

const versionOf = (name, from) => {
  try {
    return require(require.resolve(`${name}/package.json`, { paths: [from] })).version;
  } catch {
    return "?";
  }
};

/**
 * `converterOptions` are those tslab's createConverter was given; `cwd` is the kernel's folder,
 * which tslab resolves the cell's imports from.
 */
function openConversionCache({ dir, cwd, converterOptions, typescriptPath }) {
  const tslabRoot = path.dirname(require.resolve("tslab/package.json"));
  const identity = JSON.stringify([
    FORMAT,
    versionOf("tslab", tslabRoot),
    require(typescriptPath).version,
    process.version,
    path.resolve(cwd),
    converterOptions ?? null,
  ]);
  const keyOf = (prevDecl, src, emitted) => crypto.createHash("sha256").update(identity).update("\0").update(prevDecl).update("\0").update(src).update("\0").update(emitted).digest("hex");
  const fileOf = (key) => path.join(dir, `${key}.json.gz`);
  let pruned = false;

  /**
   * The conversion kept for this cell, if every input is unchanged; else undefined. `emitted`: the
   * local modules handed to the executor so far in this kernel (tslab hands each over once, so a
   * conversion made after one was handed over relies on it being there), one path per line.
   */
  function lookup(prevDecl, src, emitted = "") {
    const file = fileOf(keyOf(prevDecl, src, emitted));
    try {
      const entry = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString("utf8"));
      if (!inputsUnchanged(entry.inputs)) return undefined;
      const now = new Date();
      fs.utimesSync(file, now, now); // the newest are kept
      return entry.result;
    } catch {
      return undefined; // none yet, or unreadable: converted as usual
    }
  }

  /** Keeps a conversion with what it read (a snapshot from conversion-inputs.cjs). */
  function store(prevDecl, src, emitted, result, inputs) {
    const file = fileOf(keyOf(prevDecl, src, emitted));
    const temp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(temp, zlib.gzipSync(JSON.stringify({ inputs, result }), { level: 1 }), { mode: 0o600 });
      fs.renameSync(temp, file);
      if (!pruned) prune();
    } catch {
      // Read-only, full, or another kernel's rename in the way: this conversion is not kept, and
      // no half-made file stays (pruning counts only entries).
      fs.rmSync(temp, { force: true });
    }
  }

  function prune() {
    pruned = true;
    const names = fs.readdirSync(dir).filter((n) => n.endsWith(".json.gz"));
    if (names.length <= MAX_ENTRIES) return;
    const byAge = names.map((n) => ({ n, t: fs.statSync(path.join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.t - b.t);
    for (const { n } of byAge.slice(0, names.length - PRUNED_TO)) fs.rmSync(path.join(dir, n), { force: true });
  }

  return { lookup, store };
}

/** Where the kernel keeps its conversions, or undefined when it keeps none. */
function conversionCacheDir(env = process.env) {
  if (env.KVQ_KERNEL_CACHE === "0") return undefined;
  return env.KVQ_KERNEL_CACHE_DIR || path.join(__dirname, "..", "..", "..", ".kvq", "kernel-cache");
}

module.exports = { openConversionCache, conversionCacheDir };

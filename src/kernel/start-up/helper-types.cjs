"use strict";
// The kvq helpers' declaration files, src/.types (src/package.json's "types"). With them, a cell
// that imports "kvq" is type-checked against declarations only, not against every helper's
// implementation and the modules it imports (about a second per kernel on a 2-core machine).
// scripts/build-types.cjs makes them at `npm install` and before `npm test`. Plain JavaScript:
// the kernel's preload and the build script both use it, before any TypeScript loader.
const fs = require("node:fs");
const path = require("node:path");

const SRC = path.resolve(__dirname, "..", "..");
const TYPES_DIR = path.join(SRC, ".types");
/**
 * Written last by the build: its time is the declarations' time. Not a declaration file, so the
 * declarations themselves keep their times while their content does not change (scripts/build-types.cjs),
 * and the kernels' conversion cache, which checks every file TypeScript read, stays valid.
 */
const STAMP = path.join(TYPES_DIR, ".built");

/**
 * Where a kernel puts stale declarations (dropStaleHelperTypes) until the next build, which moves
 * the folder back, times included, and replaces only the files whose content changed. Outside
 * src/: TypeScript must not find them.
 */
const SET_ASIDE = path.join(SRC, "..", ".kvq", "types-set-aside");

/**
 * The newest modification time of the sources the declarations are made from: each declaration's
 * own (src/X.ts for .types/X.d.ts). Other sources (the CLI's commands, the emulator) change no
 * declaration; a source newly imported by the helpers is imported by one that changed.
 */
function newestSource() {
  let newest = 0;
  for (const file of fs.readdirSync(TYPES_DIR, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".d.ts")) continue;
    const source = fs.statSync(path.join(SRC, `${file.slice(0, -".d.ts".length)}.ts`), { throwIfNoEntry: false });
    if (!source) return Infinity; // its source is gone
    newest = Math.max(newest, source.mtimeMs);
  }
  return newest;
}

/** True when src/.types exists and none of its sources is newer than it. */
function helperTypesFresh() {
  try {
    return fs.statSync(STAMP).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

/**
 * Moves src/.types aside when one of its sources changed after it was made (see the top of this
 * file): the kernel then checks cells against the sources, and the next build can put back the
 * declarations that did not change, so the conversions made against them stay valid. When there
 * is no setting aside (one already waits for a build), the declarations are removed.
 */
function dropStaleHelperTypes() {
  try {
    if (fs.existsSync(TYPES_DIR) && !helperTypesFresh()) setHelperTypesAside();
  } catch {
    // Not movable (read-only): TypeScript still finds the declarations; nothing better to do.
  }
}

function setHelperTypesAside() {
  try {
    fs.mkdirSync(path.dirname(SET_ASIDE), { recursive: true });
    fs.renameSync(TYPES_DIR, SET_ASIDE);
  } catch (error) {
    if (error.code === "ENOENT") return; // another kernel was first
    fs.rmSync(TYPES_DIR, { recursive: true, force: true });
  }
}

module.exports = { TYPES_DIR, STAMP, SET_ASIDE, helperTypesFresh, dropStaleHelperTypes, setHelperTypesAside };

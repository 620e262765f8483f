"use strict";
// The kvq helpers' declaration files, src/.types (src/package.json's "types"). With them, a cell
// that imports "kvq" is type-checked against declarations only, not against every helper's
// implementation and the modules it imports (about a second per kernel on a 2-core machine).
// scripts/build-types.cjs makes them at `npm install` and before `npm test`. Plain JavaScript:
// the kernel's preload and the build script both use it, before any TypeScript loader.
const fs = require("node:fs");
const path = require("node:path");

const SRC = path.resolve(__dirname, "..");
const TYPES_DIR = path.join(SRC, ".types");
/**
 * Written last by the build: its time is the declarations' time. Not a declaration file, so the
 * declarations themselves keep their times while their content does not change (scripts/build-types.cjs),
 * and the kernels' conversion cache, which checks every file TypeScript read, stays valid.
 */
const STAMP = path.join(TYPES_DIR, ".built");

/** The newest modification time of the helpers' TypeScript sources (src/, declarations aside). */
function newestSource() {
  let newest = 0;
  for (const entry of fs.readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue;
    const dir = entry.parentPath ?? entry.path;
    if (path.relative(SRC, dir).split(path.sep)[0] === ".types") continue;
    newest = Math.max(newest, fs.statSync(path.join(dir, entry.name)).mtimeMs);
  }
  return newest;
}

/** True when src/.types exists and no source is newer than it. */
function helperTypesFresh() {
  try {
    return fs.statSync(STAMP).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

/** Removes src/.types when a source changed after it was made (see the top of this file). */
function dropStaleHelperTypes() {
  try {
    if (fs.existsSync(TYPES_DIR) && !helperTypesFresh()) fs.rmSync(TYPES_DIR, { recursive: true, force: true });
  } catch {
    // Not removable (read-only): TypeScript still finds the declarations; nothing better to do.
  }
}

module.exports = { TYPES_DIR, STAMP, helperTypesFresh, dropStaleHelperTypes };

"use strict";
// What tslab's TypeScript read from the disk, recorded so that a conversion can be reused only
// while all of it is unchanged (conversion-cache.cjs).
//
// Every file, directory, link and listing TypeScript looks at goes through the `system` handed to
// createWatchCompilerHost (tslab's own object over ts.sys), so wrapping it sees them all: the files
// read (the standard library, @types, the SDK's and the helpers' declarations, package.json), and
// each place module resolution looked and found nothing. The latter matter as much: a file that
// appears where resolution looked before can change what an import means. This is what
// TypeScript's own watch program watches ("failed lookup locations").
//
// Each path is kept with what the disk said when TypeScript asked: a file as its size, mtime and
// ctime (taken before it is read, so an edit during the read is a difference later), "d" for a
// directory, "-" for nothing. Checking is asking again, one stat per path (about 2,400 paths, 10 ms,
// for the quickstart with the SDK).
const fs = require("node:fs");
const path = require("node:path");

/** What the disk says of a path now: "-", "d", or "size:mtime:ctime". */
function stateOf(file) {
  let stat;
  try {
    stat = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return "-"; // ENOTDIR and the like: nothing there either
  }
  if (!stat) return "-";
  if (stat.isDirectory()) return "d";
  return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

/**
 * Where tslab really reads a path: it serves `<cwd>/node_modules/tslab/...` from its own package
 * (its converter's forwardTslabPath: reads and existence checks; not realpath or listings), so that
 * a cell can import "tslab" in any folder. Those paths are recorded, and checked, at the files behind them.
 */
function onDisk(full) {
  const rel = path.relative(path.resolve("node_modules", "tslab"), full);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return full;
  return path.join(path.dirname(require.resolve("tslab/package.json")), rel);
}

const listingOf = (dir) => {
  try {
    return fs.readdirSync(dir).sort().join("/");
  } catch {
    return "-";
  }
};

const realpathOf = (file) => {
  try {
    return fs.realpathSync.native(file);
  } catch {
    return "-";
  }
};

/**
 * Wraps `system`'s file-system methods in place and returns the log of what they were asked.
 * `ownFiles` are the converter's in-memory files (the cell, the previous cells' declarations):
 * their content is in the cache's key, not on the disk. The host gives the log each program it
 * builds (`log.program`).
 *
 * `log.whyNotReusable()` says why the latest conversion cannot be reused, if it cannot: something
 * it read is not on the disk as read (an in-memory module), or a whole directory tree was listed.
 * A local module the cell imports is read like any other file, and its JavaScript is part of the
 * conversion (tslab's sideOutputs), so a change to it is a change to the conversion's inputs.
 */
function recordInputs(system, ownFiles) {
  const own = new Set(ownFiles.map((f) => path.resolve(f)));
  const read = new Map(); // path → state before the read; the latest read wins
  const seen = new Map(); // path → state when probed, for paths never read
  const listings = new Map();
  const realpaths = new Map();
  let notOnDisk;
  const log = {
    program: undefined,
    whyNotReusable() {
      if (notOnDisk) return notOnDisk;
      if (!log.program) return "no program was built";
      return undefined;
    },
  };

  const wrap = (name, around) => {
    const original = system[name];
    if (typeof original === "function") system[name] = around(original);
  };
  const probe = (file) => {
    const full = onDisk(path.resolve(file));
    if (!read.has(full) && !own.has(full)) seen.set(full, stateOf(full));
  };

  wrap("readFile", (original) =>
    function readFile(file, ...rest) {
      if (own.has(path.resolve(file))) return original.call(this, file, ...rest);
      const full = onDisk(path.resolve(file));
      const before = stateOf(full);
      const content = original.call(this, file, ...rest);
      read.set(full, before);
      seen.delete(full);
      if (content !== undefined && (before === "-" || before === "d")) notOnDisk ??= `${file} is not on the disk as read`;
      return content;
    },
  );
  for (const name of ["fileExists", "directoryExists"]) {
    wrap(name, (original) =>
      function exists(file, ...rest) {
        const answer = original.call(this, file, ...rest);
        probe(file);
        return answer;
      },
    );
  }
  wrap("realpath", (original) =>
    function realpath(file, ...rest) {
      const answer = original.call(this, file, ...rest);
      realpaths.set(path.resolve(file), realpathOf(file));
      return answer;
    },
  );
  wrap("getDirectories", (original) =>
    function getDirectories(dir, ...rest) {
      const answer = original.call(this, dir, ...rest);
      listings.set(path.resolve(dir), listingOf(dir));
      return answer;
    },
  );
  wrap("readDirectory", (original) =>
    function readDirectory(...args) {
      notOnDisk ??= "a directory tree was listed";
      return original.apply(this, args);
    },
  );

  /** Everything read or looked at so far, as plain data (see inputsUnchanged). */
  log.snapshot = () => ({
    paths: Object.fromEntries([...read, ...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    listings: Object.fromEntries(listings),
    realpaths: Object.fromEntries(realpaths),
  });
  return log;
}

/** Whether the disk still says, of every path in `inputs`, what it said when they were recorded. */
function inputsUnchanged(inputs) {
  for (const [file, state] of Object.entries(inputs.paths)) if (stateOf(file) !== state) return false;
  for (const [dir, listing] of Object.entries(inputs.listings)) if (listingOf(dir) !== listing) return false;
  for (const [file, real] of Object.entries(inputs.realpaths)) if (realpathOf(file) !== real) return false;
  return true;
}

module.exports = { recordInputs, inputsUnchanged, stateOf };

"use strict";
// KVQ_KERNEL_CACHE_LOG=<file>: a line for each cell's conversion there ("reused", "converted, kept",
// "type-check interrupted" …), for the tests (warm-up.cjs, protocol/interrupt.cjs). Not on stderr,
// which tslab gives to the running cell. A log that cannot be written is no log: it never fails a cell.
const fs = require("node:fs");

function conversionLog(what) {
  if (!process.env.KVQ_KERNEL_CACHE_LOG) return;
  try {
    fs.appendFileSync(process.env.KVQ_KERNEL_CACHE_LOG, `${what}\n`);
  } catch {
    // A folder that is gone, a full disk: the cell goes on.
  }
}

module.exports = { conversionLog };

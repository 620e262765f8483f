"use strict";
// Loaded first in the notebook kernel (preload.cjs requires it before anything else): the
// parts of the kernel's start-up that can be made cheaper without changing what the kernel does.
//
// 1. V8's code cache for the big CommonJS files (src/util/compile-cache.cjs).
// 2. tslab's TypeScript is loaded only when a cell first needs a conversion
//    (lazy-typescript.cjs), and then without tsx's scan for ESM syntax (about a quarter of
//    a second on its 8 MB): installed here, before tsx registers.
// 3. The helpers' declaration files (src/.types, made by scripts/build-types.cjs) are removed when
//    a source file is newer than they are, so a cell is never checked against stale types: without
//    them TypeScript reads src/index.ts, as before (slower, never wrong).
//
// KVQ_KERNEL_FAST_START=0 turns 1 and 2 off: the kernel starts as it did before, for the bench's
// comparison.
if (process.env.KVQ_KERNEL_FAST_START !== "0") {
  require("../../util/compile-cache.cjs");
  try {
    require("./lazy-typescript.cjs").install();
  } catch {
    // Another tslab layout: tslab loads its TypeScript itself, at start.
  }
}
require("./helper-types.cjs").dropStaleHelperTypes();

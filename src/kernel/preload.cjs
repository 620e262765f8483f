"use strict";
// Runs in the notebook kernel before tslab starts (the kernelspec starts `node --require <this file>`).
//
// 1. TypeScript for the helpers: cells import src/ as "kvq", and Node loads it through tsx (for the
//    project's files only: the SDK and other packages load as in plain Node, typescript-loader.cjs).
// 2. SDK errors as the learner needs them: tslab reports a failed cell with the console it was
//    handed at start-up (createExecutor's third argument), not the global one, so that console is
//    wrapped here to print a RestError or credential error as its codes, meaning and fix
//    (friendly-errors.ts) instead of a dump of the request. tslab 1.0.22: main.js calls
//    executor_1.createExecutor through the module's exports, which is what lets this wrap it.
//    friendly-errors.ts loads at the first failure, not before kernel_info (kernel ready: 448 →
//    370 ms, median of 36 starts, interleaved).
require("./fast-start.cjs"); // first: code cache, TypeScript before tsx (see that file)
require("../util/typescript-loader.cjs");
const executor = require("tslab/dist/executor");

/** The console tslab reports failures on; friendly-errors.ts (both languages' messages, the vault's error codes) loads at its first use. */
function friendlyConsole(console) {
  let friendly;
  return {
    ...console,
    error: (...args) => {
      friendly ??= require("../friendly-errors.ts").friendlyConsole(console);
      friendly.error(...args);
    },
  };
}

const { withDeferredEnv } = require("./deferred-env.cjs");

// 3. kernel_info before tslab's converter, which is then made and warmed while the kernel is idle
//    (warm-up.cjs; before kernel-info.cjs, which loads tslab's converter). Off with
//    KVQ_KERNEL_FAST_START=0, the kernel as before.
if (process.env.KVQ_KERNEL_FAST_START !== "0") {
  try {
    require("./warm-up.cjs");
  } catch (error) {
    // Another tslab layout: the kernel starts as before.
    process.stderr.write(`kvq: the kernel's warm-up is off: ${error.message}\n`);
  }
}

// 4. The runner may start the kernel before its environment is complete (deferred-env.cjs).
const createExecutor = executor.createExecutor;
executor.createExecutor = (rootDir, convs, console) => withDeferredEnv(createExecutor(rootDir, convs, friendlyConsole(console)));

// 5. kernel_info reports the TypeScript version tslab really compiles with (see kernel-info.cjs).
require("./kernel-info.cjs");

// 6. After shutdown_request, exit once the reply is out (see shutdown.cjs).
require("./shutdown.cjs");

// 7. A kernel that cannot open its ports exits at once (see bind.cjs).
require("./bind.cjs");

"use strict";
// Runs in the notebook kernel before tslab starts (the kernelspec starts `node --require <this file>`):
// installs the patches, in the order they need. README.md in this folder lists what each changes.
//
// 1. Start-up first: the code cache, TypeScript loaded when first needed (fast-start.cjs).
require("./start-up/fast-start.cjs");
// 2. The interrupt listener, before anything slow: a SIGINT from here on is the running cell's,
//    not the end of the kernel (interrupt.cjs).
const interrupts = require("./protocol/interrupt.cjs");
// 3. TypeScript for the helpers: cells import src/ as "kvq", and Node loads it through tsx (for the
//    project's files only: the SDK and other packages load as in plain Node, typescript-loader.cjs).
require("../util/typescript-loader.cjs");
const executor = require("tslab/dist/executor");

// 4. kernel_info before tslab's converter, which is then made and warmed while the kernel is idle
//    (warm-up.cjs; before anything that loads tslab's converter: tslab/dist/jupyter does). Off
//    with KVQ_KERNEL_FAST_START=0, the kernel as before.
if (process.env.KVQ_KERNEL_FAST_START !== "0") {
  try {
    require("./start-up/warm-up.cjs");
  } catch (error) {
    // Another tslab layout: the kernel starts as before.
    process.stderr.write(`kvq: the kernel's warm-up is off: ${error.message}\n`);
  }
}

// 5. Cells converted ahead of running, so an interrupt during the conversion is not lost
//    (interrupt.cjs); execute_request answered by the spec: execute_input, execute_result, error
//    (execute.cjs). tslab reports a cell's failure and its last value on the console it was handed
//    at start (createExecutor's third argument; tslab 1.0.22's main.js calls it through the
//    module's exports, which is what lets this wrap it). The environment may come after the
//    start (deferred-env.cjs).
interrupts.installConversionAhead();
const { cellConsole } = require("./protocol/execute.cjs");
const { withDeferredEnv } = require("./start-up/deferred-env.cjs");
const createExecutor = executor.createExecutor;
executor.createExecutor = (rootDir, convs, console) => interrupts.withConversionAhead(withDeferredEnv(createExecutor(rootDir, convs, cellConsole(console))), convs);

// 6. The other replies by the spec: kernel_info (and the TypeScript version tslab really compiles
//    with), shutdown, comm_info, history, interrupt_request.
require("./protocol/kernel-info.cjs");
require("./protocol/replies.cjs");

// 7. The control channel on a thread of its own, so interrupt_request reaches a cell that spins.
require("./protocol/control.cjs");

// 8. After shutdown_request, exit once the reply is out (see shutdown.cjs).
require("./protocol/shutdown.cjs");

// 9. A kernel that cannot open its ports exits at once (see bind.cjs).
require("./protocol/bind.cjs");

"use strict";
// Loaded by preload.cjs: after a shutdown_request the kernel exits once its reply is out, as
// a Jupyter kernel should, not when the last timer a cell left running fires.
//
// tslab (1.0.22) answers shutdown_request, closes its converters and sockets (ZmqServer.close, called
// for that request only) and leaves the exit to Node's event loop. A cell's pending timer then keeps
// the kernel alive: the SDK's pollers wait 2 s between polls, so a poller the notebook did not wait
// for held every `kvq run` 1.5 s after its last step, and Jupyter waits for the process or kills it.
// tslab has sent the reply and the idle status before it closes; the kernel's ZeroMQ context is
// blocky (its default: sockets linger), so what is still queued is sent before the process ends.
const jupyter = require("tslab/dist/jupyter");

const EXIT_AFTER_MS = 10;

const close = jupyter.ZmqServer.prototype.close;
jupyter.ZmqServer.prototype.close = function closeThenExit(...args) {
  const result = close.apply(this, args);
  setTimeout(() => process.exit(0), EXIT_AFTER_MS).unref();
  return result;
};

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
// A reply on the control channel goes out from the control thread (control.cjs): the exit waits
// for that thread to end (it sends what it holds first), a second at most.
const jupyter = require("tslab/dist/jupyter");

const EXIT_AFTER_MS = 10;
const CONTROL_THREAD_MS = 1000;

const close = jupyter.ZmqServer.prototype.close;
jupyter.ZmqServer.prototype.close = function closeThenExit(...args) {
  const result = close.apply(this, args);
  const exit = () => setTimeout(() => process.exit(0), EXIT_AFTER_MS).unref();
  const controlClosed = this.kvqControl?.closed;
  if (!controlClosed) exit();
  else {
    const limit = setTimeout(exit, CONTROL_THREAD_MS);
    limit.unref();
    void controlClosed.then(() => {
      clearTimeout(limit);
      exit();
    });
  }
  return result;
};

"use strict";
// Loaded by preload.cjs: a kernel that cannot open its ports exits, with the reason, instead
// of running on deaf.
//
// The front end (the Notebook server, nbconvert, VS Code, kvq run) chooses the kernel's five ports
// and writes them in the connection file; the kernel binds them a moment later. Another program can
// take one in between: on a busy machine every outgoing connection takes a port from the same
// range. tslab (1.0.22) starts its server without waiting for the binds, and its own handler of
// unhandled rejections (there for cells) only prints the EADDRINUSE, so the kernel lived on and
// answered nothing: the front end waited out its 60 s start-up limit, and nothing could retry.
// Exiting lets the front end see the kernel die at once: the Notebook server starts it again on new
// ports (jupyter_client's restarter does that until the kernel is alive), kvq run does the same
// (src/notebook/kernel.ts), nbconvert reports that the kernel died.
const jupyter = require("tslab/dist/jupyter");

const init = jupyter.ZmqServer.prototype.init;
jupyter.ZmqServer.prototype.init = function initOrExit(...args) {
  return init.apply(this, args).catch((error) => {
    const reason = error && error.code === "EADDRINUSE" ? `${error.address ?? "a port"} is already in use (EADDRINUSE)` : String((error && error.message) || error);
    process.stderr.write(`kvq: the kernel could not open its ports: ${reason}. Start it again; Jupyter then chooses other ports.\n`);
    process.exit(1);
  });
};

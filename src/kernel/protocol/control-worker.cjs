"use strict";
// The kernel's control channel, on a thread of its own (control.cjs starts it, on POSIX): binds the
// control port, hands every message to the kernel's main thread, and sends what the main thread
// answers. An interrupt_request is acted on here, at once: the kernel signals itself SIGINT, which
// reaches a cell even while it spins (Node's breakOnSigint). Plain JavaScript, and only zeromq and
// the wire format: a worker starts without the kernel's preload.
const { parentPort, workerData } = require("node:worker_threads");
const zmq = require(workerData.zeromq);
const wire = require("./wire.cjs");

const socket = new zmq.Router();
// A send waits for the one before it: zeromq refuses a second while one is in progress.
let sending = Promise.resolve();

/**
 * Closes the socket; once what was pending on it (the bind, the receive) has settled, tells the
 * main thread through the shared flag (it may be waiting, blocked: control.cjs). A thread torn down
 * while zeromq still holds a pending operation aborts the process (a Napi::Error in its teardown).
 */
function closeSocket() {
  try {
    socket.close();
  } catch {
    // Closed already.
  }
  void receiving.then(() => {
    Atomics.store(workerData.closed, 0, 1);
    Atomics.notify(workerData.closed, 0);
  });
}

parentPort.on("message", (message) => {
  if (message.frames) {
    sending = sending.then(() => socket.send(message.frames)).catch(() => undefined);
  } else if (message.close === "now") {
    // The process is exiting.
    closeSocket();
  } else if (message.close) {
    // What was answered goes out before the socket closes (linger), then the thread ends.
    void sending.then(() => {
      closeSocket();
      void receiving.then(() => parentPort.close());
    });
  }
});

/** Settles when the socket no longer binds or receives (it was closed, or its bind failed), a turn of the loop later. */
const receiving = (async () => {
  // zeromq receives nothing on a socket until its bind is done.
  try {
    await socket.bind(workerData.address);
  } catch (error) {
    parentPort.postMessage({ bindError: { message: error.message, code: error.code, address: error.address ?? workerData.address } });
    return;
  }
  parentPort.postMessage({ bound: true });
  for await (const frames of socket) {
    if (wire.peekType(frames) === "interrupt_request" && !(wire.parse(workerData.key, frames) instanceof Error)) process.kill(process.pid, "SIGINT");
    parentPort.postMessage({ frames });
  }
})()
  .catch((error) => {
    if (!socket.closed) process.stderr.write(`kvq: the kernel's control channel stopped: ${error.message}\n`);
  })
  .then(() => new Promise((resolve) => setImmediate(resolve)));

"use strict";
// Loaded by preload.cjs: with interrupt_mode "message" on POSIX, the control channel is served from
// a thread of its own (control-worker.cjs), so that an interrupt_request reaches a cell that spins.
//
// tslab 1.0.22 reads the control channel on the kernel's one thread, like the shell: while a cell
// runs a loop nothing is read, and a front end that interrupts with a message (what the kernelspec
// asks for when its interrupt_mode is "message") could stop only a cell that awaits. The worker
// binds the control port, raises SIGINT for an interrupt_request itself (interrupt.cjs takes it
// from there), and hands every message, that one included, to tslab's own handling on the main
// thread, as before. It costs a thread and a second zeromq (about 0.1 s of CPU at start), so it
// runs only where the kernelspec says "message" (kernelspec.ts sets KVQ_INTERRUPT_MODE with it).
// On Windows no signal can reach the cell, so there is no worker: the main thread takes the
// interrupt_request when it reads it (replies.cjs), which stops a cell that awaits.
const path = require("node:path");
const { Worker } = require("node:worker_threads");
const jupyter = require("tslab/dist/jupyter");

const tslabRoot = path.dirname(require.resolve("tslab/package.json"));

const MODE_VARIABLE = "KVQ_INTERRUPT_MODE";
const onItsOwnThread = process.env[MODE_VARIABLE] === "message" && process.platform !== "win32";
// Cells and the processes they start never see the switch.
delete process.env[MODE_VARIABLE];

const bindSocket = jupyter.ZmqServer.prototype.bindSocket;
jupyter.ZmqServer.prototype.bindSocket = function bindSocketOrControlWorker(sock, port) {
  if (!onItsOwnThread || sock !== this.control || port !== this.connInfo.control_port) return bindSocket.call(this, sock, port);
  // tslab's own control socket stays unbound: it never receives, and close() closes it.
  this.kvqControl = startControlWorker(this);
  return this.kvqControl.bound;
};

const close = jupyter.ZmqServer.prototype.close;
jupyter.ZmqServer.prototype.close = function closeWithControlWorker(...args) {
  const result = close.apply(this, args);
  this.kvqControl?.close();
  return result;
};

/** The worker, bound to the control port: `bound` settles with the bind, `closed` once it has ended. */
function startControlWorker(server) {
  const { transport, ip, control_port: port, key } = server.connInfo;
  /** Set to 1 by the worker once its socket is closed. */
  const closedFlag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(path.join(__dirname, "control-worker.cjs"), {
    // Not the kernel's --require preload: the worker needs zeromq and the wire format only.
    execArgv: [],
    workerData: {
      address: `${transport}://${ip}:${port}`,
      key,
      zeromq: require.resolve("zeromq", { paths: [tslabRoot] }),
      closed: closedFlag,
    },
  });
  // zeromq aborts the process (a Napi::Error thrown in its teardown) when it exits while the
  // thread's socket still receives: a cell's process.exit(), bind.cjs's. So an exit waits, blocked,
  // until the thread has closed it (a second at most).
  const closeBeforeExit = () => {
    if (Atomics.load(closedFlag, 0) === 1) return;
    worker.postMessage({ close: "now" });
    Atomics.wait(closedFlag, 0, 0, 1000);
  };
  process.once("exit", closeBeforeExit);
  // The kernel's life is its sockets', not this thread's.
  worker.unref();
  /** What tslab answers on: the worker sends it. It has raised SIGINT for an interrupt_request already (replies.cjs). */
  const replies = { send: (frames) => worker.postMessage({ frames }), interruptsItself: true };
  const closed = new Promise((resolve) => worker.once("exit", resolve));
  void closed.then(() => process.off("exit", closeBeforeExit));
  const bound = new Promise((resolve, reject) => {
    worker.on("message", (message) => {
      if (message.bound) resolve();
      else if (message.bindError) reject(Object.assign(new Error(message.bindError.message), message.bindError));
      else if (message.frames) {
        void server.handleShellMessage(replies, ...message.frames.map((frame) => (typeof frame === "string" ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength))));
      }
    });
    worker.once("error", (error) => {
      process.stderr.write(`kvq: the kernel's control channel failed: ${error.message}\n`);
      reject(error);
    });
    void closed.then(() => reject(new Error("the control channel's thread ended before it bound")));
  });
  return {
    bound,
    closed,
    close: () => worker.postMessage({ close: true }),
  };
}

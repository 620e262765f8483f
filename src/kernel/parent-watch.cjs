// Preloaded into the kernel process (NODE_OPTIONS=--require, set by process.ts): ends the
// kernel, and the processes its cells started, once the runner that started it is gone — by any
// signal, even SIGKILL. ipykernel does this for JPY_PARENT_PID; tslab does not.
//
// Two things made an orphaned kernel live on (and spin a CPU for an hour): the old watch polled on
// the kernel's main event loop, which a busy cell (`while (true)`, a long synchronous loop) never
// lets run — the orphan then spun in that cell forever; and it asked whether the parent's PID was
// alive, which a reused PID answers "yes". So the watch now runs in a worker thread (an event loop
// of its own) and watches what cannot be reused: the runner holds one end of a pipe (fd
// KVQ_PARENT_FD), the operating system closes it when the runner dies, and the worker sees the
// close. Without that pipe (a kernel Jupyter started) it falls back to the parent PID, plus
// re-parenting when the parent was the direct one. Plain JavaScript: it loads before tsx.
"use strict";
const { isMainThread, Worker } = require("node:worker_threads");

const WATCH = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const net = require("node:net");
const { fd, parentPid, startPpid, connectionFile } = workerData;
function end() {
  if (connectionFile) try { fs.unlinkSync(connectionFile); } catch {}
  // The kernel leads its own process group (it is started in a new session): end the group, so a
  // process a cell started goes too; if it leads none, end the kernel alone.
  try { process.kill(-process.pid, "SIGKILL"); } catch {}
  process.kill(process.pid, "SIGKILL");
}
let pipe = false;
try { pipe = fd > 0 && fs.fstatSync(fd).isSocket(); } catch {}
if (pipe) {
  const socket = new net.Socket({ fd, readable: true, writable: false });
  socket.on("data", () => {});
  socket.on("error", end);
  socket.on("close", end);
} else if (parentPid > 0) {
  setInterval(() => {
    if (startPpid === parentPid && process.ppid !== startPpid) end();
    try { process.kill(parentPid, 0); } catch (error) { if (error && error.code === "ESRCH") end(); }
  }, 1000);
}
`;

if (isMainThread) {
  const fd = Number(process.env.KVQ_PARENT_FD);
  const parentPid = Number(process.env.JPY_PARENT_PID);
  const connectionFile = process.env.KVQ_CONNECTION_FILE;
  // Processes a cell starts inherit the environment but not the pipe: fd 3 is something else there.
  delete process.env.KVQ_PARENT_FD;
  delete process.env.KVQ_CONNECTION_FILE;
  if ((fd > 0 || parentPid > 0) && parentPid !== process.pid) {
    // execArgv: [] — a worker inherits the kernel's `--require preload.cjs`, which would load
    // TypeScript, tsx and tslab a second time in it (about 0.8 s of CPU per kernel start).
    const worker = new Worker(WATCH, { eval: true, execArgv: [], workerData: { fd, parentPid, startPpid: process.ppid, connectionFile }, stdout: true, stderr: true });
    worker.unref();
  }
}

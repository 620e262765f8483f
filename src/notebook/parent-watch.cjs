// Preloaded into the kernel process (NODE_OPTIONS=--require, set by kernel-process.ts): ends the
// kernel once the runner that started it is gone. ipykernel does this for JPY_PARENT_PID; tslab
// does not, and a kernel whose runner was killed (SIGKILL, a crash, a closed terminal) would
// otherwise wait on its sockets forever. Plain JavaScript: it loads before tsx.
"use strict";
const parent = Number(process.env.JPY_PARENT_PID);
if (parent > 0 && parent !== process.pid) {
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch (error) {
      if (error && error.code === "ESRCH") process.exit(0);
    }
  }, 1000).unref();
}

/**
 * Run by runner-interrupt.test.ts: starts a kernel, prints its pid, then waits to be killed. With
 * "busy" as the second argument it first starts a cell that never yields (a synchronous loop), so
 * the kernel's main event loop is blocked when the runner dies.
 */
import { startKernel } from "../../src/notebook/kernel";
import { FIXTURES } from "./runner-helpers";

void startKernel({ cwd: FIXTURES, connectionDir: process.argv[2] }).then(async (kernel) => {
  if (process.argv[3] === "busy") {
    void kernel.execute('console.log("spinning"); for (;;) {}').catch(() => undefined);
    // Give the kernel time to receive the cell and enter the loop.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  process.stdout.write(`${kernel.pid}\n`);
  setInterval(() => {}, 60_000);
});

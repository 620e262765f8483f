/**
 * Run by runner-interrupt.test.ts: starts a kernel, prints its pid, then waits to be killed. With
 * "busy" as the second argument it first starts a cell that never yields (a synchronous loop), so
 * the kernel's main event loop is blocked when the runner dies. With "child", a cell first starts a
 * process of its own (as a cell that runs a tool would), and that process's pid follows the kernel's.
 */
import { startKernel } from "../../src/notebook/kernel";
import { CELL_CHILD, cellChildPid, FIXTURES } from "./runner-helpers";

void startKernel({ cwd: FIXTURES, connectionDir: process.argv[2] }).then(async (kernel) => {
  const pids = [kernel.pid];
  if (process.argv[3] === "busy") {
    void kernel.execute('console.log("spinning"); for (;;) {}').catch(() => undefined);
    // Give the kernel time to receive the cell and enter the loop.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  if (process.argv[3] === "child") pids.push(cellChildPid(await kernel.execute(CELL_CHILD)));
  process.stdout.write(`${pids.join(" ")}\n`);
  setInterval(() => {}, 60_000);
});

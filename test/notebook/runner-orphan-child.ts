/** Run by runner-interrupt.test.ts: starts a kernel, prints its pid, then waits to be killed. */
import { startKernel } from "../../src/notebook/kernel";
import { FIXTURES } from "./runner-helpers";

void startKernel({ cwd: FIXTURES, connectionDir: process.argv[2] }).then((kernel) => {
  process.stdout.write(`${kernel.pid}\n`);
  setInterval(() => {}, 60_000);
});

/**
 * A cell that never finishes, on the real tslab kernel: the per-cell timeout and the AbortSignal
 * (Ctrl-C) both interrupt it with SIGINT, the first time, even while the kernel is still
 * type-checking the cell; the cell says it was stopped; the run stops, the notebook is written, the
 * kernel is shut down and nothing is left.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { parseNotebook, type CodeCell } from "../../src/notebook/notebook-file";
import { startKernel, type Kernel } from "../../src/notebook/kernel";
import { runNotebook } from "../../src/notebook/run-notebook";
import { CELL_CHILD, cellChildPid, fixture, FIXTURES, isAlive, leftovers, tempDir } from "./runner-helpers";

const STOPPED = "Stopped: this cell was interrupted before it finished.";
const errorsOf = (outputs: any[]) => outputs.filter((o) => o.output_type === "error").map((o) => o.traceback.join("\n"));

describe("a hanging cell", () => {
  test("the timeout interrupts it (SIGINT); the step is timed-out, says it was stopped, and the kernel shuts down cleanly", async () => {
    const connectionDir = tempDir("kvq-conn-");
    const out = path.join(tempDir(), "hang.ipynb");
    const result = await runNotebook({ notebook: fixture("hang.ipynb"), out, timeoutMs: 2500, connectionDir });

    assert.equal(result.status, "timed-out");
    assert.deepEqual(result.steps.map((s) => s.status), ["passed", "timed-out", "skipped"]);
    const hung = result.steps[1]!;
    assert.ok(hung.seconds >= 2.5, `not before the timeout (${hung.seconds}s)`);
    // Answered the SIGINT within the grace period: a kernel killed after it would add "the kernel did
    // not stop and was shut down" (checked by the outcome, not by a time, which a loaded machine stretches).
    assert.match(result.failure!.message, /^Step 2 "Waits forever" did not finish within 2\.5 s and was interrupted\.$/);
    assert.deepEqual(errorsOf(hung.outputs), [STOPPED], "the kernel says the cell was stopped, without a stack");
    assert.match(result.failure!.stderr, new RegExp(`^${STOPPED}$`, "m"));

    const nb = parseNotebook(readFileSync(out, "utf8"));
    const cell = nb.cells.find((c) => (c.metadata.kvq as any)?.status === "timed-out") as CodeCell;
    assert.ok(cell, "the timed-out cell is marked");
    assert.deepEqual(errorsOf(cell.outputs), [STOPPED]);
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  // A new kernel with no conversion cache type-checks the cell against the SDK's declarations for
  // seconds, in one synchronous stretch: Ctrl-C comes in the middle of it. tslab alone lost that
  // SIGINT (Node's vm drops one still pending when a cell's code starts; src/kernel/protocol/interrupt.cjs),
  // and the cell then waited forever: the kernel was killed after the grace period.
  test("Ctrl-C (aborting the signal) while the kernel still type-checks the cell stops it the first time; the run reports interrupted", { timeout: 120_000 }, async () => {
    const connectionDir = tempDir("kvq-conn-");
    const out = path.join(tempDir(), "hang.ipynb");
    const controller = new AbortController();
    // Generous for a loaded machine; a kernel that ignored the interrupt is still caught (the message below).
    const kernel = await startKernel({ cwd: FIXTURES, connectionDir, env: { KVQ_KERNEL_CACHE: "0" }, interruptGraceMs: 30_000, deferEnv: true });
    // Ctrl-C 0.2 s after the kernel took the hanging cell up (its second): while it type-checks it.
    let cells = 0;
    const watched: Kernel = {
      ...kernel,
      provideEnv: (env) => kernel.provideEnv(env),
      execute: (code, options) => kernel.execute(code, { ...options, onStarted: () => ++cells === 2 && setTimeout(() => controller.abort(), 200) }),
      close: (options) => kernel.close(options),
    };
    const result = await runNotebook({ notebook: fixture("hang.ipynb"), out, signal: controller.signal, kernel: Promise.resolve(watched) });
    assert.equal(result.status, "interrupted");
    assert.deepEqual(
      result.steps.map((s) => [s.status, s.skipReason]),
      [["passed", undefined], ["interrupted", undefined], ["skipped", "not-reached"]],
    );
    assert.equal(result.failure!.message, 'Step 2 "Waits forever" was interrupted.');
    const stopped = result.steps[1]!;
    assert.deepEqual(errorsOf(stopped.outputs), [STOPPED]);
    assert.doesNotMatch(JSON.stringify(stopped.outputs), /waiting/, "stopped before its code ran: the interrupt came during the type-check");
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  // One SIGINT can still be lost in the instant before a cell's code starts (interrupt.cjs). A cell
  // that swallows the first SIGINT stands for that lost one, deterministically: the client's second
  // interrupt, within the grace period, must stop the cell and leave the kernel usable.
  test("an interrupt the kernel lost is sent again within the grace period: the cell stops and the kernel goes on", async () => {
    const kernel = await startKernel({ cwd: FIXTURES, connectionDir: tempDir("kvq-conn-"), interruptGraceMs: 20_000 });
    try {
      // After an await: the code then runs outside tslab's vm call, which holds the listeners while it runs.
      const swallowFirst = [
        "await new Promise((resolve) => setTimeout(resolve, 10));",
        'const theKernels = process.listeners("SIGINT");',
        'process.removeAllListeners("SIGINT");',
        'process.once("SIGINT", () => { for (const listener of theKernels) process.on("SIGINT", listener); });',
        'console.log("waiting");',
        "await new Promise(() => {});",
      ].join("\n");
      const controller = new AbortController();
      const result = await kernel.execute(swallowFirst, {
        signal: controller.signal,
        onOutput: (o: any) => o.text?.includes("waiting") && controller.abort(),
      });
      assert.equal(result.stoppedBy, "abort");
      assert.equal(result.kernelStuck, false, "the second interrupt stopped the cell within the grace period");
      assert.deepEqual(errorsOf(result.outputs), [STOPPED]);
      assert.equal((await kernel.execute('console.log("still here")')).status, "ok");
    } finally {
      await kernel.close();
    }
  });

  test("a kernel that shuts down cleanly takes the process a cell started with it", { skip: process.platform === "win32" ? "process groups are POSIX" : undefined }, async () => {
    const kernel = await startKernel({ cwd: FIXTURES, connectionDir: tempDir("kvq-conn-") });
    const child = cellChildPid(await kernel.execute(CELL_CHILD));
    assert.ok(isAlive(child));
    const exit = await kernel.close();
    assert.equal(exit.code, 0, "a clean shutdown, not a kill");
    const closed = Date.now();
    while (Date.now() - closed < 5_000 && isAlive(child)) await new Promise((r) => setTimeout(r, 20));
    assert.equal(isAlive(child), false, "the process the cell started ended with the kernel");
  });

  for (const mode of ["idle", "busy", "child"] as const) {
    const title = { idle: "", busy: ", even while a cell spins in a synchronous loop", child: ", nor the process a cell started" }[mode];
    test(`a runner killed outright (SIGKILL) does not leave its kernel running${title}`, { skip: mode === "child" && process.platform === "win32" ? "process groups are POSIX" : undefined }, async () => {
      const connectionDir = tempDir("kvq-conn-");
      const args = ["--import", "tsx", path.join(__dirname, "runner-orphan-child.ts"), connectionDir, ...(mode === "idle" ? [] : [mode])];
      const runner = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
      const [line] = (await once(runner.stdout!, "data")) as [Buffer];
      const pids = line.toString().trim().split(" ").map(Number);
      for (const pid of pids) assert.ok(isAlive(pid), `${pid} runs`);
      runner.kill("SIGKILL");
      await once(runner, "exit");
      const killed = Date.now();
      // parent-watch.cjs's worker sees the runner's pipe close at once; the bound is for a loaded machine.
      while (Date.now() - killed < 20_000 && pids.some(isAlive)) await new Promise((r) => setTimeout(r, 50));
      assert.equal(isAlive(pids[0]!), false, `the kernel noticed its runner was gone and exited (waited ${Date.now() - killed} ms)`);
      if (mode === "child") assert.equal(isAlive(pids[1]!), false, "the process the cell started went with the kernel");
      // The watch also removed the connection file.
      assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
      rmSync(connectionDir, { recursive: true, force: true });
    });
  }
});

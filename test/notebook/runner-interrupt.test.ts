/**
 * A cell that never finishes, on the real tslab kernel: the per-cell timeout and the AbortSignal
 * (Ctrl-C) both interrupt it with SIGINT; the run stops, the notebook is written, the kernel is
 * shut down and nothing is left.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { parseNotebook, type CodeCell } from "../../src/notebook/notebook-file";
import { runNotebook } from "../../src/notebook/run-notebook";
import { fixture, isAlive, leftovers, tempDir } from "./runner-helpers";

describe("a hanging cell", () => {
  test("the timeout interrupts it (SIGINT); the step is timed-out and the kernel shuts down cleanly", async () => {
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
    assert.deepEqual(
      hung.outputs.filter((o) => o.output_type === "error").map((o) => (o as { traceback: string[] }).traceback),
      [["Stopped: this cell was interrupted before it finished."]],
      "the kernel says the cell was stopped (an error output), without a stack",
    );

    const nb = parseNotebook(readFileSync(out, "utf8"));
    const cell = nb.cells.find((c) => (c.metadata.kvq as any)?.status === "timed-out") as CodeCell;
    assert.ok(cell, "the timed-out cell is marked");
    assert.equal(cell.outputs[0]!.output_type, "stream");
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  // The bound: were no output ever reported, nothing would abort the cell and the test would wait forever.
  test("aborting the signal (Ctrl-C) interrupts the running cell; the run reports interrupted", { timeout: 120_000 }, async () => {
    const connectionDir = tempDir("kvq-conn-");
    const out = path.join(tempDir(), "hang.ipynb");
    const controller = new AbortController();
    const result = await runNotebook({
      notebook: fixture("hang.ipynb"),
      out,
      signal: controller.signal,
      connectionDir,
      // A loaded machine can take longer than the runner's 3 s to answer the interrupt; a kernel
      // that ignores it still fails here (kernel-stuck: runner-kernel.test.ts).
      interruptGraceMs: 30_000,
      reporter: {
        // Ctrl-C once the cell runs (it printed its first line), not while the kernel still
        // type-checks it: a fixed delay raced the type-check on a loaded machine. The fixture prints
        // after its first await: a SIGINT during a cell's synchronous part, which tslab runs with
        // Node's breakOnSigint, is taken by vm and lost once that part has ended.
        stepOutput: (step, output) => {
          if (step.index === 2 && /waiting/.test(JSON.stringify(output)) && !controller.signal.aborted) controller.abort();
        },
      },
    });
    assert.equal(result.status, "interrupted");
    assert.deepEqual(
      result.steps.map((s) => [s.status, s.skipReason]),
      [["passed", undefined], ["interrupted", undefined], ["skipped", "not-reached"]],
    );
    assert.equal(result.failure!.message, 'Step 2 "Waits forever" was interrupted.');
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  for (const busy of [false, true]) {
    test(`a runner killed outright (SIGKILL) does not leave its kernel running${busy ? ", even while a cell spins in a synchronous loop" : ""}`, async () => {
      const connectionDir = tempDir("kvq-conn-");
      const args = ["--import", "tsx", path.join(__dirname, "runner-orphan-child.ts"), connectionDir, ...(busy ? ["busy"] : [])];
      const runner = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
      const [line] = (await once(runner.stdout!, "data")) as [Buffer];
      const kernelPid = Number(line.toString().trim());
      assert.ok(isAlive(kernelPid));
      runner.kill("SIGKILL");
      await once(runner, "exit");
      const killed = Date.now();
      // parent-watch.cjs's worker sees the runner's pipe close at once; the bound is for a loaded machine.
      while (Date.now() - killed < 20_000 && isAlive(kernelPid)) await new Promise((r) => setTimeout(r, 50));
      assert.equal(isAlive(kernelPid), false, `the kernel noticed its runner was gone and exited (waited ${Date.now() - killed} ms)`);
      // The watch also removed the connection file.
      assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
      rmSync(connectionDir, { recursive: true, force: true });
    });
  }
});

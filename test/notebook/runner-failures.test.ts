/**
 * Failing cells on the real tslab kernel: detected from the execute_reply status, the run stops,
 * the executed notebook is still written with the failing cell marked and its error output visible.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { cellSource, parseNotebook, stripOutputs, type CodeCell } from "../../src/notebook/notebook-file";
import { createHumanReporter } from "../../src/notebook/reporter";
import { runNotebook } from "../../src/notebook/run-notebook";
import { captureStream, fixture, leftovers, tempDir } from "./runner-helpers";

describe("failing cells", () => {
  test("a TypeScript type error stops the run; later cells do not run; the notebook is written with the error", async () => {
    const dir = tempDir();
    const connectionDir = tempDir("kvq-conn-");
    const out = path.join(dir, "failing.ipynb");
    const human = captureStream();
    const result = await runNotebook({ notebook: fixture("failing.ipynb"), out, reporter: createHumanReporter({ stream: human }), connectionDir });

    assert.equal(result.status, "failed");
    assert.deepEqual(
      result.steps.map((s) => [s.index, s.status, s.skipReason]),
      [
        [1, "passed", undefined],
        [2, "failed", undefined],
        [3, "skipped", "not-reached"],
        [4, "skipped", "not-reached"],
      ],
    );
    assert.equal(result.steps[1]!.replyStatus, "error");
    const failure = result.failure!;
    assert.equal(failure.index, 2);
    assert.equal(failure.name, "Type mistake");
    assert.equal(failure.status, "failed");
    assert.equal(failure.line, 2);
    assert.match(failure.stderr, /^2:7 - Type 'string' is not assignable to type 'number'\./);
    assert.equal(failure.excerpt, '  1 | const label = "answer";\n> 2 | const total: number = "forty-two";\n  3 | console.log(label, total);');
    assert.equal(failure.message, 'Step 2 "Type mistake" failed.');

    const nb = parseNotebook(readFileSync(out, "utf8"));
    const bannerAt = nb.cells.findIndex((c) => c.metadata.tags?.includes("kvq-error"));
    assert.ok(bannerAt > 0, "an error banner cell");
    assert.match(cellSource(nb.cells[bannerAt]!), /Step 2 "Type mistake" failed/);
    const failed = nb.cells[bannerAt + 1] as CodeCell;
    assert.deepEqual(failed.metadata.kvq, { status: "failed" });
    assert.equal(failed.execution_count, 2);
    assert.deepEqual(failed.outputs, [
      { output_type: "error", ename: "TypeScriptError", evalue: "2:7 - Type 'string' is not assignable to type 'number'.", traceback: ["2:7 - Type 'string' is not assignable to type 'number'."] },
    ]);
    const later = nb.cells.slice(bannerAt + 2).filter((c): c is CodeCell => c.cell_type === "code");
    assert.deepEqual(later.map((c) => [c.execution_count, c.outputs.length]), [[null, 0], [null, 0]]);
    // Stripped, the executed notebook is the input again.
    assert.deepEqual(stripOutputs(nb), stripOutputs(parseNotebook(readFileSync(fixture("failing.ipynb"), "utf8"))));

    assert.match(human.text(), /^✖ \[2\/4\] Type mistake failed \(\d+\.\ds\)\n    2:7 - Type 'string'/m);
    assert.match(human.text(), /\nSteps: 1 passed, 1 failed, 2 not run in /);
    assert.doesNotMatch(human.text(), /\x1b/);
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  test("--step N runs that step alone; a runtime exception is detected from the reply", async () => {
    const connectionDir = tempDir("kvq-conn-");
    const out = path.join(tempDir(), "step3.ipynb");
    const result = await runNotebook({ notebook: fixture("failing.ipynb"), out, selection: { step: 3 }, connectionDir });

    assert.equal(result.status, "failed");
    assert.deepEqual(
      result.steps.map((s) => [s.index, s.status, s.skipReason]),
      [
        [1, "skipped", "not-selected"],
        [2, "skipped", "not-selected"],
        [3, "failed", undefined],
        [4, "skipped", "not-reached"],
      ],
    );
    const step3 = result.steps[2]!;
    assert.equal(step3.executionCount, 1, "the first cell this kernel ran");
    assert.deepEqual(step3.outputs[0], { output_type: "stream", name: "stdout", text: "before the throw\n" });
    assert.match(result.failure!.stderr, /Error: boom from step 3/);
    assert.equal(result.failure!.line, undefined);
    assert.match(result.failure!.excerpt, /^ {2}1 \| console\.log\("before the throw"\);\n {2}2 \| throw new Error/);
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  test("a kernel that exits mid-cell fails the step with its exit; nothing is left", async () => {
    const connectionDir = tempDir("kvq-conn-");
    // A committed fixture rather than one written to a temp folder: the kernel's folder is then the
    // same every run, so its cells come from the conversion cache (a new folder is a cache miss).
    const result = await runNotebook({ notebook: fixture("exits.ipynb"), out: path.join(tempDir(), "out.ipynb"), connectionDir });
    assert.equal(result.status, "failed");
    assert.deepEqual(result.steps.map((s) => s.status), ["failed", "skipped"]);
    assert.match(result.failure!.message, /^Step 1 "Leave" failed: The kernel exited \(exit code 3\)\.$/);
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });
});

/**
 * `runNotebook` end to end on the real tslab kernel: a passing notebook with parameters and
 * --until, the reporters' output, the executed notebook, and nothing left behind.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { cellSource, parseNotebook, type CodeCell } from "../../src/notebook/notebook-file";
import { parameterizeNotebook } from "../../src/notebook/parameters";
import { createHumanReporter, createJsonReporter, type RunReporter } from "../../src/notebook/reporter";
import { runNotebook, type RunResult } from "../../src/notebook/run-notebook";
import { captureStream, fixture, leftovers, tempDir } from "./runner-helpers";

/** Calls every reporter in turn. */
const tee = (...reporters: RunReporter[]): RunReporter =>
  new Proxy({} as RunReporter, { get: (_t, name) => (...args: unknown[]) => reporters.forEach((r) => (r as any)[name]?.(...args)) });

const text = (outputs: any[], name = "stdout") => outputs.filter((o) => o.name === name).map((o) => o.text).join("");

describe("a passing notebook, with --param and --until", () => {
  const dir = tempDir();
  const connectionDir = tempDir("kvq-conn-");
  const out = path.join(dir, "build", "passing.ipynb");
  const human = captureStream();
  const json = captureStream();
  let result: RunResult;

  before(async () => {
    result = await runNotebook({
      notebook: fixture("passing.ipynb"),
      out,
      parameters: ["greeting=hi there", "times=2"],
      selection: { until: 8 },
      env: { KVQ_FIXTURE_VALUE: "from-runner" },
      timeoutMs: 60_000,
      reporter: tee(createHumanReporter({ stream: human }), createJsonReporter({ stream: json })),
      connectionDir,
      redact: (t) => t.replaceAll("from-runner", "[redacted]"),
    });
  });

  test("every selected step passes; parameter values reach the kernel", () => {
    assert.equal(result.status, "passed", JSON.stringify(result.failure));
    assert.equal(result.failure, undefined);
    assert.deepEqual(result.parameters, { greeting: "hi there", times: 2 });
    const byName = Object.fromEntries(result.steps.map((s) => [s.name, s]));
    assert.equal(text(byName["Greet"]!.outputs), "hi there, notebook\nhi there, notebook\n");
    assert.equal(text(byName["Environment and folder"]!.outputs), "cwd: notebooks\nenv: [redacted]\ntimes is a number\n");
    assert.equal(text(byName["Helpers import as kvq"]!.outputs), "kvq helper: function\n");
    // The last expression's value, as Jupyter's Out[n] (execute_result), in the cell's count.
    assert.deepEqual(byName["Last value"]!.outputs, [{ output_type: "execute_result", execution_count: byName["Last value"]!.executionCount, data: { "text/plain": "42" }, metadata: {} }]);
  });

  test("rich output, stderr, tags and selection are honoured", () => {
    const [rich, expected, skipped, beyond] = ["Rich output", "Expected error", "Skipped", "Beyond --until"].map((n) => result.steps.find((s) => s.name === n)!);
    assert.deepEqual(rich!.outputs, [
      { output_type: "display_data", data: { "text/markdown": "**bold** text" }, metadata: {} },
      { output_type: "stream", name: "stderr", text: "a warning on stderr\n" },
      { output_type: "stream", name: "stdout", text: "after display\n" },
    ]);
    assert.equal(expected!.status, "passed");
    assert.equal(expected!.replyStatus, "error");
    assert.deepEqual(expected!.outputs, [{ output_type: "error", ename: "Error", evalue: "expected failure", traceback: ["Error: expected failure"] }]);
    assert.deepEqual([skipped!.status, skipped!.skipReason, skipped!.outputs], ["skipped", "skip-execution", []]);
    assert.deepEqual([beyond!.status, beyond!.skipReason], ["skipped", "not-selected"]);
  });

  test("the executed notebook has the outputs, execution counts and exactly one injected cell", () => {
    const nb = parseNotebook(readFileSync(out, "utf8"));
    assert.equal(result.outputPath, out);
    const injected = nb.cells.filter((c) => c.metadata.tags?.includes("injected-parameters"));
    assert.equal(injected.length, 1);
    assert.equal(nb.cells.indexOf(injected[0]!), 2, "right after the parameters cell");
    const code = nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
    assert.deepEqual(
      code.map((c) => c.execution_count),
      [1, 2, 3, 4, 5, 6, 7, null, 8, null],
    );
    assert.match(text(code[2]!.outputs), /hi there, notebook/);
    assert.match(text(code[3]!.outputs), /env: \[redacted\]/);
    assert.ok(!readFileSync(out, "utf8").includes("from-runner"), "redacted in the executed notebook");
    assert.ok(!nb.cells.some((c) => c.metadata.tags?.includes("kvq-error")), "no error banner on success");

    // Re-running the executed notebook replaces the injected cell; it never adds a second one.
    const again = parameterizeNotebook(nb, ["greeting=again"]).notebook;
    const cells = again.cells.filter((c) => c.metadata.tags?.includes("injected-parameters"));
    assert.equal(cells.length, 1);
    assert.match(cellSource(cells[0]!), /const greeting: string = "again";/);
  });

  test("the human reporter prints one plain line per step, named by its heading", () => {
    const lines = human.text().split("\n");
    assert.doesNotMatch(human.text(), /\x1b/, "no escape codes when not a terminal");
    assert.match(lines[0]!, /^✔ Kernel ready \(\d+\.\ds\)$/);
    for (const expected of [/^✔ \[1\/9\] Passing fixture \(\d+\.\ds\)$/, /^✔ \[2\/9\] Greet \(\d+\.\ds\)$/, /^↓ \[7\/9\] Skipped \(skipped: tagged skip-execution\)$/]) {
      assert.ok(lines.some((l) => expected.test(l)), `${expected} in:\n${human.text()}`);
    }
    assert.ok(lines.includes("    hi there, notebook"));
    assert.ok(lines.includes("    env: [redacted]"));
    assert.ok(!human.text().includes("Beyond --until"), "steps outside --until are only counted");
    assert.match(human.text(), /\nSteps: 7 passed, 1 skipped, 1 not run in \d+\.\ds \(kernel start \d+\.\ds\)\. Executed notebook: /);
  });

  test("the JSON reporter writes one parseable object per step", () => {
    const lines = json.text().trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, result.steps.length);
    assert.deepEqual(Object.keys(lines[2]), ["index", "name", "status", "seconds", "outputs"]);
    assert.deepEqual(
      lines.map((l) => [l.index, l.status]),
      [[1, "passed"], [1, "passed"], [2, "passed"], [3, "passed"], [4, "passed"], [5, "passed"], [6, "passed"], [7, "skipped"], [8, "passed"], [9, "skipped"]],
    );
  });

  test("no kernel process or connection file is left", () => {
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });
});

/**
 * The runner's pieces without a kernel: notebook files, parameters, steps, the protocol client
 * against a fake channel, reporters. Fast; the kernel tests are in the other runner-*.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Channels } from "@nteract/messaging";
import { Subject } from "rxjs";
import { createJupyterClient, type JupyterClientOptions } from "../../src/notebook/jupyter-client";
import {
  cellSource,
  parseNotebook,
  serializeNotebook,
  splitLines,
  stripOutputs,
  type CodeCell,
  type Notebook,
} from "../../src/notebook/notebook-file";
import { declaredType, parameterizeNotebook, parseDeclaredParameters, typedValue } from "../../src/notebook/parameters";
import { createHumanReporter, createJsonReporter, renderOutputs, wantsPlainOutput } from "../../src/notebook/reporter";
import { excerpt, firstCellAllowance, type RunResult, type StepResult } from "../../src/notebook/run-notebook";
import path from "node:path";
import { isSelected, lastHeading, splitSteps, validateSelection } from "../../src/notebook/steps";
import { runNotebook } from "../../src/notebook/run-notebook";
import { captureStream, fixture, leftovers, tempDir } from "./runner-helpers";

const load = (name: string) => parseNotebook(readFileSync(fixture(name), "utf8"), name);

describe("notebook files", () => {
  test("reads list-of-lines sources as strings and writes them back byte for byte (nbformat's layout)", () => {
    const text = readFileSync(fixture("failing.ipynb"), "utf8");
    const nb = parseNotebook(text);
    assert.equal(typeof nb.cells[2]!.source, "string");
    assert.equal(cellSource(nb.cells[2]!), 'const base = 40;\nconsole.log("setup done");');
    assert.equal(serializeNotebook(nb), text);
    assert.match(text, /^\{\n "cells": \[\n  \{\n   "cell_type"/, "one-space indent, sorted keys");
    assert.ok(text.endsWith("}\n"));
  });

  test("splitLines keeps newlines, as Python's splitlines(keepends=True)", () => {
    assert.deepEqual(splitLines("a\nb"), ["a\n", "b"]);
    assert.deepEqual(splitLines("a\n"), ["a\n"]);
    assert.deepEqual(splitLines(""), []);
  });

  test("stripOutputs clears outputs, execution counts, execution metadata and the runner's marks", () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", metadata: { tags: ["kvq-error"] }, source: "**stopped**" },
        {
          cell_type: "code",
          metadata: { execution: { "iopub.execute_input": "2024-01-01" }, kvq: { status: "failed" }, tags: ["x"] },
          source: "1",
          outputs: [{ output_type: "stream", name: "stdout", text: "1\n" }],
          execution_count: 3,
        },
      ],
    };
    const stripped = stripOutputs(nb);
    assert.equal(stripped.cells.length, 1);
    assert.deepEqual(stripped.cells[0], { cell_type: "code", metadata: { tags: ["x"] }, source: "1", outputs: [], execution_count: null });
    assert.equal((nb.cells[1] as CodeCell).outputs.length, 1, "the input is not modified");
  });

  test("rejects what is not an nbformat 4 notebook, with a fix", () => {
    assert.throws(() => parseNotebook("{", "x.ipynb"), { name: "NotebookFileError", code: "notebook-invalid" });
    assert.throws(() => parseNotebook('{"nbformat":3,"cells":[]}'), /not an nbformat 4 notebook/);
  });
});

describe("parameters", () => {
  test("parses the declarations of the parameters cell", () => {
    assert.deepEqual(parseDeclaredParameters('const a: string = "x";\nlet n = 2; // count\n  const inner = 1;\nexport const flag = false'), [
      { name: "a", keyword: "const", type: "string", defaultSource: '"x"' },
      { name: "n", keyword: "let", type: undefined, defaultSource: "2" },
      { name: "flag", keyword: "const", type: undefined, defaultSource: "false" },
    ]);
  });

  test("the injected declaration keeps the default's type, widened from a literal", () => {
    const decl = (defaultSource: string, type?: string) => declaredType({ name: "x", keyword: "const", type, defaultSource });
    assert.deepEqual(
      [decl('""'), decl("2048"), decl("-1.5"), decl("false"), decl("{ a: 1 }"), decl("2048", "2048 | 3072"), decl("f()")],
      ["string", "number", "number", "boolean", undefined, "2048 | 3072", undefined],
    );
  });

  test("types values like papermill's -p, keeping text for string parameters", () => {
    const untyped = { name: "v", keyword: "const", defaultSource: "1" } as const;
    assert.equal(typedValue("42", untyped), 42);
    assert.equal(typedValue("-1.5e3", untyped), -1500);
    assert.equal(typedValue("true", untyped), true);
    assert.deepEqual(typedValue('{"a":[1]}', untyped), { a: [1] });
    assert.equal(typedValue("null", untyped), null);
    assert.equal(typedValue("[not json", untyped), "[not json");
    assert.equal(typedValue("hello world", untyped), "hello world");
    assert.equal(typedValue("2024", { name: "s", keyword: "const", type: "string", defaultSource: '"x"' }), "2024");
    assert.equal(typedValue("2024", { name: "s", keyword: "const", defaultSource: "'x'" }), "2024");
  });

  test("injects a tagged cell after the parameters cell, and a re-run replaces it instead of adding one", () => {
    const nb = load("passing.ipynb");
    const first = parameterizeNotebook(nb, ["greeting=hi there", "times=2"]);
    assert.equal(first.injectedCellIndex, 2);
    const injected = first.notebook.cells[2] as CodeCell;
    assert.deepEqual(injected.metadata.tags, ["injected-parameters"]);
    assert.equal(
      cellSource(injected),
      '// Parameters injected by kvq run (--param); this cell is replaced on every run.\nconst greeting: string = "hi there";\nconst times: number = 2;',
    );
    assert.deepEqual(first.values, { greeting: "hi there", times: 2 });

    const again = parameterizeNotebook(first.notebook, { times: "5" });
    const tagged = again.notebook.cells.filter((c) => c.metadata.tags?.includes("injected-parameters"));
    assert.equal(tagged.length, 1);
    assert.equal(again.notebook.cells.length, nb.cells.length + 1);
    assert.match(cellSource(tagged[0]!), /const times: number = 5;/);
    assert.doesNotMatch(cellSource(tagged[0]!), /greeting/);

    assert.equal(parameterizeNotebook(nb, []).notebook, nb, "no parameters: the notebook as it is");
  });

  test("unknown names are an error naming the known parameters; bad names are refused", () => {
    const nb = load("passing.ipynb");
    assert.throws(() => parameterizeNotebook(nb, ["greting=hi"]), (error: any) => {
      assert.equal(error.name, "ParameterError");
      assert.equal(error.code, "parameter-unknown");
      assert.match(error.message, /Unknown parameter greting\. The notebook's parameters are: greeting, times, options\./);
      return true;
    });
    assert.throws(() => parameterizeNotebook(nb, ["2x=1"]), { code: "parameter-invalid" });
    assert.throws(() => parameterizeNotebook(nb, ["class=1"]), { code: "parameter-invalid" });
    assert.throws(() => parameterizeNotebook(nb, ["novalue"]), { code: "parameter-invalid" });
    assert.throws(() => parameterizeNotebook(load("failing.ipynb"), ["x=1"]), { code: "parameters-cell-missing" });
  });
});

describe("steps", () => {
  test("one step per code cell, named by the nearest heading, the injected cell sharing its number", () => {
    const { notebook } = parameterizeNotebook(load("passing.ipynb"), ["times=3"]);
    const steps = splitSteps(notebook);
    assert.deepEqual(
      steps.map((s) => [s.index, s.name, s.skip, s.allowError, s.injected]),
      [
        [1, "Passing fixture", false, false, false],
        [1, "Passing fixture", false, false, true],
        [2, "Greet", false, false, false],
        [3, "Environment and folder", false, false, false],
        [4, "Helpers import as kvq", false, false, false],
        [5, "Rich output", false, false, false],
        [6, "Expected error", false, true, false],
        [7, "Skipped", true, false, false],
        [8, "Last value", false, false, false],
        [9, "Beyond --until", false, false, false],
      ],
    );
    assert.equal(steps[2]!.cellIndex, 4);
  });

  test("headings: the last ATX heading outside code fences; none gives 'Step N'", () => {
    assert.equal(lastHeading("# Title\ntext\n### Sub ###\n```\n# not a heading\n```"), "Sub");
    assert.equal(lastHeading("just prose"), undefined);
    const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", metadata: {}, source: "1", outputs: [], execution_count: null }] };
    assert.equal(splitSteps(nb)[0]!.name, "Step 1");
  });

  test("--step N runs one step, --until N the first N; out-of-range numbers are refused", () => {
    const steps = splitSteps(load("failing.ipynb"));
    assert.deepEqual(steps.filter((s) => isSelected(s, { step: 3 })).map((s) => s.index), [3]);
    assert.deepEqual(steps.filter((s) => isSelected(s, { until: 2 })).map((s) => s.index), [1, 2]);
    assert.throws(() => validateSelection({ until: 5 }, steps), /--until 5 is out of range: the notebook has 4 steps/);
    assert.throws(() => validateSelection({ step: 0 }, steps), { code: "selection-invalid" });
    assert.throws(() => validateSelection({ step: 1, until: 2 }, steps), /cannot be combined/);
  });

  test("excerpt numbers the lines around the reported one", () => {
    assert.equal(excerpt("a\nb\nc\nd\ne\nf", 4), "  2 | b\n  3 | c\n> 4 | d\n  5 | e\n  6 | f");
    assert.equal(excerpt("a\nb", 9), "  1 | a\n  2 | b");
  });
});

/** A kernel on the other end of a channel, driven by the test. */
class FakeChannels extends Subject<any> {
  readonly sent: any[] = [];
  onSend: (msg: any) => void = () => {};
  override next(msg: any) {
    this.sent.push(msg);
    this.onSend(msg);
  }
  reply(parent: any, channel: string, msg_type: string, content: object) {
    super.next({ header: { msg_id: `m${Math.random()}`, msg_type }, parent_header: parent.header, content, channel, metadata: {} });
  }
}

/** Answers `req` as the kernel answers an interrupted cell, once `interrupted()` says so. */
function answerWhenInterrupted(channels: FakeChannels, req: any, interrupted: () => boolean) {
  const check = setInterval(() => {
    if (!interrupted()) return;
    clearInterval(check);
    channels.reply(req, "iopub", "error", { ename: "Interrupted", evalue: "Stopped: this cell was interrupted before it finished.", traceback: ["Stopped: this cell was interrupted before it finished."] });
    channels.reply(req, "shell", "execute_reply", { status: "error", ename: "Interrupted", evalue: "Stopped: this cell was interrupted before it finished.", traceback: [] });
    channels.reply(req, "iopub", "status", { execution_state: "idle" });
  }, 5);
}

function fakeClient(options: JupyterClientOptions = {}) {
  const channels = new FakeChannels();
  const client = createJupyterClient(channels as unknown as Channels, { iopubGraceMs: 200, interruptGraceMs: 200, ...options });
  return { channels, client };
}

test("--timeout: the first cell that runs gets it twice plus the kernel's start; every later cell gets it exactly", () => {
  assert.equal(firstCellAllowance([], 3000, 600), 3600);
  assert.equal(firstCellAllowance([{ status: "skipped" }, { status: "skipped" }], 3000, 600), 3600, "steps before --step are skipped");
  assert.equal(firstCellAllowance([{ status: "passed" }], 3000, 600), 0);
  assert.equal(firstCellAllowance([{ status: "skipped" }, { status: "failed" }], 3000, 600), 0);
});

describe("protocol client (fake kernel)", () => {
  test("collects outputs until both the reply and iopub idle arrived; merges consecutive streams", async () => {
    const { channels, client } = fakeClient();
    const seen: string[] = [];
    channels.onSend = (req) => {
      channels.reply(req, "iopub", "status", { execution_state: "busy" });
      channels.reply(req, "iopub", "stream", { name: "stdout", text: "a" });
      channels.reply(req, "iopub", "stream", { name: "stdout", text: "b\n" });
      channels.reply(req, "iopub", "stream", { name: "stderr", text: "warn\n" });
      channels.reply(req, "shell", "execute_reply", { status: "ok", execution_count: 7 });
      // Output published after the reply, on the other socket: still this cell's.
      setTimeout(() => {
        channels.reply(req, "iopub", "display_data", { data: { "text/plain": "shown" }, metadata: {} });
        channels.reply(req, "iopub", "stream", { name: "stdout", text: "late\n" });
        channels.reply(req, "iopub", "status", { execution_state: "idle" });
      }, 20);
    };
    const result = await client.execute("code", { onOutput: (o) => seen.push(o.output_type) });
    assert.equal(result.status, "ok");
    assert.equal(result.executionCount, 7);
    assert.equal(result.kernelStuck, false);
    assert.deepEqual(result.outputs, [
      { output_type: "stream", name: "stdout", text: "ab\n" },
      { output_type: "stream", name: "stderr", text: "warn\n" },
      { output_type: "display_data", data: { "text/plain": "shown" }, metadata: {} },
      { output_type: "stream", name: "stdout", text: "late\n" },
    ]);
    assert.deepEqual(seen, ["stream", "stream", "stream", "display_data", "stream"]);
    assert.equal(channels.sent[0].content.code, "code");
    assert.equal(channels.sent[0].content.allow_stdin, false);
  });

  test("the reply's status decides, never the text; tslab's own 'abort' is 'aborted'", async () => {
    const { channels, client } = fakeClient();
    let status = "error";
    channels.onSend = (req) => {
      channels.reply(req, "iopub", "stream", { name: "stdout", text: "Error: looks bad but is fine\n" });
      channels.reply(req, "shell", "execute_reply", { status });
      channels.reply(req, "iopub", "status", { execution_state: "idle" });
    };
    assert.equal((await client.execute("x")).status, "error");
    status = "ok";
    const started = Date.now();
    assert.equal((await client.execute("x")).status, "ok");
    assert.ok(Date.now() - started >= 200, "waits out tslab's 200 ms cancel window after a failure");
    status = "abort";
    assert.equal((await client.execute("x")).status, "aborted");
  });

  test("a timeout interrupts; the reply that follows ends the cell", async () => {
    let interrupts = 0;
    const { channels, client } = fakeClient({ interrupt: () => (interrupts++, true) });
    channels.onSend = (req) => answerWhenInterrupted(channels, req, () => interrupts > 0);
    const result = await client.execute("hang", { timeoutMs: 50 });
    assert.equal(interrupts, 1);
    assert.equal(result.stoppedBy, "timeout");
    assert.equal(result.status, "error");
    assert.equal(result.kernelStuck, false);
  });

  test("an interrupt is sent once: a kernel that does not answer it within the grace period is stuck", async () => {
    let interrupts = 0;
    const { channels, client } = fakeClient({ interrupt: () => (interrupts++, true), interruptGraceMs: 400 });
    // A kernel that would answer a second interrupt: the first one must do (src/kernel/protocol/interrupt.cjs).
    channels.onSend = (req) => answerWhenInterrupted(channels, req, () => interrupts >= 2);
    const result = await client.execute("hang", { timeoutMs: 20 });
    assert.equal(interrupts, 1);
    assert.equal(result.stoppedBy, "timeout");
    assert.equal(result.kernelStuck, true);
  });

  test("a failed cell's error: the reply's ename and evalue, the error output as it came", async () => {
    const { channels, client } = fakeClient();
    channels.onSend = (req) => {
      channels.reply(req, "iopub", "error", { ename: "RestError", evalue: "404 KeyNotFound: A key with (name/id) k was not found", traceback: ["RestError (404 KeyNotFound): …", "Fix: …"] });
      channels.reply(req, "shell", "execute_reply", { status: "error", execution_count: 3, ename: "RestError", evalue: "404 KeyNotFound: A key with (name/id) k was not found", traceback: [] });
      channels.reply(req, "iopub", "status", { execution_state: "idle" });
    };
    const result = await client.execute("await client.getKey('k')");
    assert.equal(result.status, "error");
    assert.deepEqual(result.error, { ename: "RestError", evalue: "404 KeyNotFound: A key with (name/id) k was not found" });
    assert.deepEqual(result.outputs, [{ output_type: "error", ename: "RestError", evalue: "404 KeyNotFound: A key with (name/id) k was not found", traceback: ["RestError (404 KeyNotFound): …", "Fix: …"] }]);
  });

  test("an expected error is sent with stop_on_error false, and does not hold the next cell", async () => {
    const { channels, client } = fakeClient();
    channels.onSend = (req) => {
      channels.reply(req, "shell", "execute_reply", { status: "error", ename: "Error", evalue: "expected", traceback: [] });
      channels.reply(req, "iopub", "status", { execution_state: "idle" });
    };
    await client.execute("throw new Error('expected')", { stopOnError: false });
    assert.equal(channels.sent[0].content.stop_on_error, false);
    const started = Date.now();
    await client.execute("1");
    assert.ok(Date.now() - started < 200, "no wait: the kernel aborts nothing after a failure with stop_on_error false");
    assert.equal(channels.sent[1].content.stop_on_error, true);
  });

  test("interruptRequest sends interrupt_request on the control channel (interrupt_mode message)", () => {
    const { channels, client } = fakeClient();
    assert.equal(client.interruptRequest(), true);
    assert.equal(channels.sent[0].header.msg_type, "interrupt_request");
    assert.equal(channels.sent[0].channel, "control");
    client.close();
    assert.equal(client.interruptRequest(), false);
  });

  test("no reply after the interrupt (or no way to interrupt) means the kernel is stuck", async () => {
    const { client } = fakeClient({ interrupt: () => true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const result = await client.execute("stuck", { signal: controller.signal });
    assert.equal(result.stoppedBy, "abort");
    assert.equal(result.status, "aborted");
    assert.equal(result.kernelStuck, true);

    const windows = fakeClient({ interrupt: () => false });
    const r2 = await windows.client.execute("stuck", { timeoutMs: 10 });
    assert.equal(r2.kernelStuck, true);
  });

  test("a dead kernel rejects what is pending", async () => {
    const { client } = fakeClient();
    const pending = client.execute("x");
    client.fail(new Error("kernel died"));
    await assert.rejects(pending, /kernel died/);
    await assert.rejects(client.execute("y"), /kernel died/);
  });
});

describe("reporters", () => {
  const step = { index: 2, name: "Create a key", cellIndex: 3, source: "", tags: [], skip: false, allowError: false, injected: false };
  const passed: StepResult = {
    index: 2,
    name: "Create a key",
    status: "passed",
    seconds: 1.25,
    outputs: [{ output_type: "stream", name: "stdout", text: "created\n" }],
    cellIndex: 3,
    injected: false,
    executionCount: 2,
    replyStatus: "ok",
  };

  test("plain when not a terminal, or NO_COLOR / CI / TERM=dumb", () => {
    const tty = { isTTY: true, columns: 80 } as any;
    assert.equal(wantsPlainOutput(tty, {}), false);
    assert.equal(wantsPlainOutput(tty, { NO_COLOR: "1" }), true);
    assert.equal(wantsPlainOutput(tty, { CI: "true" }), true);
    assert.equal(wantsPlainOutput(tty, { CI: "false" }), false);
    assert.equal(wantsPlainOutput(tty, { TERM: "dumb" }), true);
    assert.equal(wantsPlainOutput({ isTTY: false } as any, {}), true);
    assert.equal(wantsPlainOutput({ isTTY: true, columns: 0 } as any, {}), true, "ora cannot draw in a terminal of no width");
  });

  test("the human reporter writes plain lines without escape codes", () => {
    const out = captureStream();
    const reporter = createHumanReporter({ stream: out });
    reporter.runStart!({ notebookPath: "nb", outputPath: "out.ipynb", steps: [step], total: 5 });
    reporter.stepStart!(step);
    reporter.stepEnd!(step, passed);
    reporter.runEnd!({ status: "passed", notebookPath: "nb", outputPath: "out.ipynb", steps: [passed], parameters: {}, kernelStartSeconds: 1.5, seconds: 3 } as RunResult);
    assert.equal(out.text(), "✔ [2/5] Create a key (1.3s)\n    created\n\nSteps: 1 passed in 3.0s (kernel start 1.5s). Executed notebook: out.ipynb\n");
    assert.doesNotMatch(out.text(), /\x1b/);
  });

  test("the JSON reporter writes one object per step", () => {
    const out = captureStream();
    const reporter = createJsonReporter({ stream: out });
    reporter.stepEnd!(step, passed);
    reporter.stepEnd!(step, { ...passed, status: "skipped", skipReason: "not-selected", outputs: [] });
    const lines = out.text().trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], { index: 2, name: "Create a key", status: "passed", seconds: 1.25, outputs: passed.outputs });
    assert.equal(lines[1].skipReason, "not-selected");
  });

  test("renders rich outputs by their text form", () => {
    assert.equal(renderOutputs([{ output_type: "display_data", data: { "text/markdown": "**b**" }, metadata: {} }], "  "), "  **b**\n");
    assert.equal(renderOutputs([{ output_type: "display_data", data: { "image/png": "…" }, metadata: {} }], ""), "[image/png]\n");
  });
});

describe("kernel start failures (a fake kernelspec, no tslab)", () => {
  const spec = (script: string) => ({ argv: [process.execPath, "-e", script, "{connection_file}"], display_name: "Fake", language: "typescript", env: {} });

  test("a kernel that exits at once: KernelError with its stderr; the notebook is still written; nothing is left", async () => {
    const connectionDir = tempDir("kvq-conn-");
    const out = path.join(tempDir(), "out.ipynb");
    const events: string[] = [];
    await assert.rejects(
      runNotebook({
        notebook: fixture("failing.ipynb"),
        out,
        kernelSpec: spec('console.error("no zeromq here"); process.exit(7)'),
        connectionDir,
        reporter: { kernelStarting: () => events.push("starting"), kernelFailed: () => events.push("failed") },
      }),
      (error: any) => {
        assert.equal(error.name, "KernelError");
        assert.equal(error.code, "kernel-start-failed");
        assert.match(error.stderr, /no zeromq here/);
        assert.match(error.fix, /npm install/);
        return true;
      },
    );
    assert.deepEqual(events, ["starting", "failed"]);
    assert.equal(parseNotebook(readFileSync(out, "utf8")).cells.length, 9);
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  test("a kernel that never answers is killed after the start timeout", async () => {
    const connectionDir = tempDir("kvq-conn-");
    await assert.rejects(
      runNotebook({ notebook: fixture("failing.ipynb"), out: path.join(tempDir(), "out.ipynb"), kernelSpec: spec("setInterval(() => {}, 1000)"), connectionDir, startTimeoutMs: 500 }),
      { name: "KernelError", code: "kernel-start-timeout" },
    );
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });
});

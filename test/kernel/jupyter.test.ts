/**
 * The kernelspec in real Jupyter: `jupyter nbconvert --execute` starts tslab from it, in the fixture
 * notebook's folder (a subfolder of the repository, as notebooks/ is), and:
 * - `import … from "kvq/client-options"` reaches src/ (through npm's node_modules/kvq link);
 * - ora and console output stay plain text even when stdout is a terminal (the kernelspec's env);
 * - a type error in a cell is an `error` output, a TypeScriptError naming `line:col - message`, and
 *   the cell does not run; with --allow-errors the next cell runs;
 * - an exception stops nbconvert, whose message names the error: its name and message, and for an
 *   SDK error from the vault its status and code (`RestError: 404 KeyNotFound: …`), as papermill
 *   and nbclient in CI show it; the cells are numbered (execute_input).
 *
 * Each nbconvert run takes ~5 s (Python start-up, tslab's TypeScript compiling the first cell).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestVault, type TestVault } from "../helpers/emulator";
import {
  assertJupyter,
  buildNotebook,
  cellById,
  executeNotebooksWithNbconvert,
  executeWithNbconvert,
  needsJupyter,
  type NbconvertBatchResult,
  notebookWorkspace,
  PROJECT_ROOT,
  streamText,
  writeNotebook,
} from "../helpers/jupyter";

const ESC = "\u001b";

/**
 * The environment of a learner who starts Jupyter from a colourful terminal, so the test proves the
 * kernelspec's env does the work: CI (which ora also honours, and CI=true sets) is removed, and the
 * colour variables say the opposite of what the kernelspec sets.
 */
const TERMINAL_ENV = { CI: undefined, TERM: "xterm-256color", FORCE_COLOR: "3", NO_COLOR: undefined };

describe("the kvq-tslab kernel in real Jupyter", needsJupyter(), () => {
  let workspace: ReturnType<typeof notebookWorkspace>;
  /**
   * The first two tests' notebooks, executed by one nbconvert process (one Python start-up), each on
   * a kernel of its own: with --allow-errors (the type error's test needs the notebook written and
   * the next cell run), in a colourful terminal's environment (the output test's).
   */
  let batch: NbconvertBatchResult;
  before(async () => {
    assertJupyter();
    workspace = notebookWorkspace("kernel-jupyter");
    batch = await executeNotebooksWithNbconvert([importsAndOutputNotebook(workspace.dir), typeErrorNotebook(workspace.dir)], { env: TERMINAL_ENV, allowErrors: true, timeoutSeconds: 60 });
  });
  after(() => workspace?.remove());

  test('a notebook in a subfolder of the repository imports "kvq/client-options"; ora and console output are plain text', () => {
    assert.equal(batch.exitCode, 0, `nbconvert failed:\n${batch.stderr}`);
    const notebook = batch.notebooks[0]!.notebook!;
    assert.ok(notebook, `no executed notebook:\n${batch.notebooks[0]!.log}`);
    // --allow-errors: a failing cell does not fail nbconvert here, so none may have failed.
    assert.deepEqual(notebook.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => `${c.id}: ${o.ename}: ${o.evalue}`)), []);

    const imported = streamText(cellById(notebook, "import"), "stdout");
    assert.match(imported, /^emulator: true\nazure: false\n/);
    // The kernel runs in the notebook's folder (so tslab compiles files below it only).
    assert.equal(imported.match(/cwd: (.*)\n/)?.[1], workspace.dir);

    const spinner = cellById(notebook, "spinner");
    const output = streamText(spinner);
    assert.ok(!output.includes(ESC), `escape codes in the output: ${JSON.stringify(output)}`);
    assert.equal(
      streamText(spinner, "stdout"),
      "- Creating the key\n✔ Created the key\nspinner animated: false\n{ kty: 'RSA', size: 2048, ops: [ 'sign', 'verify' ] }\n",
    );
    assert.equal(streamText(spinner, "stderr"), "printed, not thrown\n");
    for (const cell of notebook.cells) {
      for (const out of cell.outputs ?? []) assert.ok(!JSON.stringify(out).includes("\\u001b"), `escape codes in ${cell.id}`);
    }
  });

  test("type errors are a TypeScriptError naming line:col - message, checked against the helpers' types; the cell does not run, the next one does (--allow-errors)", () => {
    const result = { ...batch.notebooks[1]!, exitCode: batch.exitCode, stderr: batch.notebooks[1]!.log };
    assert.equal(result.exitCode, 0, batch.stderr);
    const typo = cellById(result.notebook!, "typo");
    assert.deepEqual(typo.outputs, [
      {
        output_type: "error",
        ename: "TypeScriptError",
        evalue: "2:7 - Type 'string' is not assignable to type 'number'. (and 1 more)",
        traceback: ["2:7 - Type 'string' is not assignable to type 'number'.", "3:17 - Argument of type 'number' is not assignable to parameter of type 'string'."],
      },
    ]);
    assert.equal(typo.execution_count, 2);
    assert.equal(streamText(cellById(result.notebook!, "ok")), "before\n");
    // nbclient sends stop_on_error false with --allow-errors: tslab alone aborted the next cell anyway.
    assert.equal(streamText(cellById(result.notebook!, "after")), "after\n");
  });

  test("a cell that throws makes nbconvert fail, naming the error; the cells after it do not run", async () => {
    const file = writeNotebook(
      path.join(workspace.dir, "throws.ipynb"),
      buildNotebook([
        { id: "first", source: 'console.log("first");' },
        { id: "boom", source: 'throw new Error("the vault said no");' },
        { id: "never", source: 'console.log("never printed");' },
      ]),
    );
    const result = await executeWithNbconvert(file);
    assert.equal(result.exitCode, 1, result.stderr);
    // nbclient names the failing cell by its source, then the error's traceback and `ename: evalue`.
    assert.match(result.stderr, /CellExecutionError: An error occurred while executing the following cell:/);
    assert.ok(result.stderr.includes('throw new Error("the vault said no");'), result.stderr);
    assert.match(result.stderr, /\nError: the vault said no\n\s*$/, "the message ends with the error (tslab alone: `<Error>: `)");
    assert.ok(!result.stderr.includes("never printed"));
    assert.equal(result.notebook, undefined, "nbconvert writes no notebook when a cell fails");
  });
});

describe("an SDK error from the vault, in real Jupyter", needsJupyter(), () => {
  let vault: TestVault;
  let workspace: ReturnType<typeof notebookWorkspace>;
  before(async () => {
    assertJupyter();
    workspace = notebookWorkspace("kernel-jupyter-sdk");
    vault = await startTestVault();
  });
  after(async () => {
    await vault?.stop();
    workspace?.remove();
  });

  test("nbconvert --execute stops with a message that names the error and its status and code", async () => {
    const file = writeNotebook(
      path.join(workspace.dir, "sdk-error.ipynb"),
      buildNotebook([{ id: "get", source: 'import { openVaultClient } from "kvq/vault-client";\n\nconst { client } = openVaultClient();\nawait client.getKey("no-such-key");' }]),
    );
    // The emulator's variables are in this process's environment (startTestVault), which nbconvert and the kernel inherit.
    const result = await executeWithNbconvert(file, { env: { KVQ_ENV_FILE: "none" } });
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stderr, /\nRestError: 404 KeyNotFound: A key with \(name\/id\) no-such-key was not found in this key vault\.[^\n]*\n\s*$/, result.stderr);
    // The traceback above it is what the notebook shows: codes, meaning and fix, no request dump.
    assert.match(result.stderr, /RestError \(404 KeyNotFound\): [^\n]*\n.*\nFix: /);
    assert.doesNotMatch(result.stderr, /IDENTITY_HEADER|authorization|Bearer/i, "no secret of the request in the message");
  });
});

test("fixture workspaces are inside the repository and git-ignored (.kvq/)", () => {
  const workspace = notebookWorkspace();
  try {
    const relative = path.relative(PROJECT_ROOT, workspace.dir);
    assert.ok(!relative.startsWith("..") && !path.isAbsolute(relative), relative);
    assert.equal(relative.split(path.sep)[0], ".kvq");
  } finally {
    workspace.remove();
  }
});

/** The output test's notebook: an import from "kvq", an ora spinner on a TTY, console output. */
function importsAndOutputNotebook(dir: string): string {
  return writeNotebook(
    path.join(dir, "imports-and-output.ipynb"),
    buildNotebook([
      { type: "markdown", source: "# Fixture\nA markdown cell is left alone." },
      {
        id: "import",
        source: [
          'import { isLocalVaultUrl } from "kvq/client-options";',
          "",
          'console.log(`emulator: ${isLocalVaultUrl("https://127.0.0.1:47443")}`);',
          'console.log(`azure: ${isLocalVaultUrl("https://contoso.vault.azure.net")}`);',
          "console.log(`cwd: ${process.cwd()}`);",
        ].join("\n"),
      },
      {
        id: "spinner",
        source: [
          'import ora from "ora";',
          "",
          "// As if Jupyter had been started from a terminal: the kernel's stdout is then a TTY.",
          'Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });',
          'const spinner = ora({ text: "Creating the key", stream: process.stdout }).start();',
          "await new Promise((resolve) => setTimeout(resolve, 300));",
          'spinner.succeed("Created the key");',
          "console.log(`spinner animated: ${spinner.isEnabled}`);",
          'console.log({ kty: "RSA", size: 2048, ops: ["sign", "verify"] });',
          'console.error(new Error("printed, not thrown").message);',
        ].join("\n"),
      },
    ]),
  );
}

/** The type error's notebook: a cell before, one with two type errors, one after. */
function typeErrorNotebook(dir: string): string {
  return writeNotebook(
    path.join(dir, "type-error.ipynb"),
    buildNotebook([
      { id: "ok", source: 'console.log("before");' },
      {
        id: "typo",
        source: [
          'import { isLocalVaultUrl } from "kvq/client-options";',
          'const size: number = "2048";',
          "isLocalVaultUrl(47443);",
        ].join("\n"),
      },
      { id: "after", source: 'console.log("after");' },
    ]),
  );
}

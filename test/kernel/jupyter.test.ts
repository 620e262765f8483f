/**
 * The kernelspec in real Jupyter: `jupyter nbconvert --execute` starts tslab from it, in the fixture
 * notebook's folder (a subfolder of the repository, as notebooks/ is), and:
 * - `import … from "kvq/client-options"` reaches src/ (through npm's node_modules/kvq link);
 * - ora and console output stay plain text even when stdout is a terminal (the kernelspec's env);
 * - a type error in a cell is reported as `line:col - message`, and the cell does not run;
 * - an exception stops nbconvert (tslab replies status "error", with no ename or traceback).
 *
 * Each nbconvert run takes ~5 s (Python start-up, tslab's TypeScript compiling the first cell).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  assertJupyter,
  buildNotebook,
  cellById,
  executeWithNbconvert,
  needsJupyter,
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
  before(() => {
    assertJupyter();
    workspace = notebookWorkspace("kernel-jupyter");
  });
  after(() => workspace?.remove());

  test('a notebook in a subfolder of the repository imports "kvq/client-options"; ora and console output are plain text', async () => {
    const file = writeNotebook(
      path.join(workspace.dir, "imports-and-output.ipynb"),
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
    const result = await executeWithNbconvert(file, { env: TERMINAL_ENV, timeoutSeconds: 60 });
    assert.equal(result.exitCode, 0, `nbconvert failed:\n${result.stderr}`);
    const notebook = result.notebook!;

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

  test("type errors are reported as line:col - message, checked against the helpers' types, and the cell does not run", async () => {
    const file = writeNotebook(
      path.join(workspace.dir, "type-error.ipynb"),
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
      ]),
    );
    // --allow-errors, so nbconvert writes the notebook and the error text can be read.
    const result = await executeWithNbconvert(file, { allowErrors: true });
    assert.equal(result.exitCode, 0, result.stderr);
    const typo = cellById(result.notebook!, "typo");
    assert.equal(
      streamText(typo, "stderr"),
      "2:7 - Type 'string' is not assignable to type 'number'.\n" +
        "3:17 - Argument of type 'number' is not assignable to parameter of type 'string'.\n",
    );
    assert.equal(streamText(typo, "stdout"), "", "a cell with a type error does not run at all");
    // tslab never sends `error` outputs: Jupyter sees only stderr text (and the reply's status).
    assert.ok(!(typo.outputs ?? []).some((o) => o.output_type === "error"));
    assert.equal(streamText(cellById(result.notebook!, "ok")), "before\n");
    // Without --allow-errors it fails the run, as the throwing cell below does: tslab replies status "error" to both.
  });

  test("a cell that throws makes nbconvert fail; the cells after it do not run", async () => {
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
    // nbclient names the failing cell by its source; tslab gives it no ename/evalue/traceback.
    assert.match(result.stderr, /CellExecutionError: An error occurred while executing the following cell:/);
    assert.ok(result.stderr.includes('throw new Error("the vault said no");'), result.stderr);
    assert.ok(!result.stderr.includes("never printed"));
    assert.equal(result.notebook, undefined, "nbconvert writes no notebook when a cell fails");
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

/**
 * Real Jupyter for the tests: run a notebook with `jupyter nbconvert --execute` through this
 * project's kernelspec, installed into a temporary prefix (never the user's Jupyter folder), and
 * build small nbformat 4.5 notebooks as fixtures.
 *
 * Jupyter is Debian's jupyter-nbconvert (Python, no IPython; .ci/run installs it). Outside CI a
 * machine without it skips these tests with the reason; in CI (CI=true) a missing Jupyter fails them.
 *
 * Fixture notebooks must live inside the repository: the kernel starts in the notebook's folder,
 * and both tslab's TypeScript and Node find "kvq" by walking up from there to node_modules/kvq.
 * From the OS temp folder `import … from "kvq"` fails ("Cannot find module 'kvq'").
 * `notebookWorkspace()` gives a temp folder under .kvq/tmp/ (git-ignored) for them;
 * `notebookWorkspace(name)` the same folder each run (one name per test file).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import which from "which";
import { installKernelSpecs } from "../../src/kernel/install";
import { KERNEL_DISPLAY_NAME, KERNEL_NAME } from "../../src/kernel/kernelspec";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** The Jupyter command: KVQ_TEST_JUPYTER if set, else `jupyter` on PATH. */
export const JUPYTER = process.env.KVQ_TEST_JUPYTER || "jupyter";

const truthy = (value: string | undefined) => value !== undefined && !["", "0", "false", "no", "off"].includes(value.toLowerCase());

/** CI=true (GitHub Actions, .ci/run): tests that need Jupyter must run, not skip. */
export const IN_CI = truthy(process.env.CI);

let availability: { ok: true } | { ok: false; reason: string } | undefined;

/**
 * Whether `jupyter nbconvert` can start here: `jupyter` on the PATH and `jupyter-nbconvert` where
 * Jupyter looks for a subcommand (beside `jupyter`, then on the PATH). Found without starting
 * Python (`jupyter nbconvert --version` costs a second of CPU in every test file that asks); a
 * broken install still fails the test that runs nbconvert, with nbconvert's own error.
 */
export function jupyterAvailable(): { ok: true } | { ok: false; reason: string } {
  if (availability) return availability;
  const jupyter = which.sync(JUPYTER, { nothrow: true });
  if (!jupyter) {
    availability = { ok: false, reason: `\`${JUPYTER}\` is not on the PATH` };
  } else {
    const subcommandPath = [path.dirname(jupyter), process.env.PATH ?? ""].join(path.delimiter);
    availability = which.sync("jupyter-nbconvert", { path: subcommandPath, nothrow: true })
      ? { ok: true }
      : { ok: false, reason: `\`${JUPYTER} nbconvert\` cannot run (no jupyter-nbconvert beside ${jupyter} or on the PATH)` };
  }
  return availability;
}

const INSTALL_HINT =
  "install it with `apt-get install --no-install-recommends jupyter-nbconvert jupyter-client python3-nbclient jupyter-core` " +
  "(Debian/Ubuntu) or `pip install nbconvert`, or point KVQ_TEST_JUPYTER at a jupyter command";

/**
 * Options for a describe()/test() that needs Jupyter: `{ skip: reason }` when it is missing outside
 * CI. In CI it never skips; `executeWithNbconvert` (or `assertJupyter`) then fails with the reason.
 */
export function needsJupyter(): { skip: string | false } {
  const found = jupyterAvailable();
  if (found.ok || IN_CI) return { skip: false };
  return { skip: `Jupyter is not available: ${found.reason}; ${INSTALL_HINT}` };
}

/** Fails (never skips) when Jupyter is missing: for CI, and inside tests that needsJupyter() let run. */
export function assertJupyter(): void {
  const found = jupyterAvailable();
  assert.ok(found.ok, `Jupyter is required${IN_CI ? " in CI (CI=true)" : ""} but ${found.ok ? "" : found.reason}; ${INSTALL_HINT}.`);
}

// ---------------------------------------------------------------------------------------------
// Notebooks as data

export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  id: string;
  metadata: { tags?: string[]; [key: string]: unknown };
  source: string | string[];
  execution_count?: number | null;
  outputs?: NotebookOutput[];
}

export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: "stdout" | "stderr";
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

export type CellInput = string | { source: string; type?: "code" | "markdown"; tags?: string[]; id?: string };

/** nbformat's multiline strings: a list of lines, each but the last ending in "\n". */
const toLines = (text: string) => text.split(/(?<=\n)/);

/**
 * An nbformat 4.5 notebook for this project's kernel. A string is a code cell; ids are cell-1,
 * cell-2, … unless given (nbformat 4.5 requires them: 1–64 letters, digits, - and _).
 */
export function buildNotebook(cells: CellInput[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: KERNEL_NAME, display_name: KERNEL_DISPLAY_NAME, language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    cells: cells.map((input, index) => {
      const cell = typeof input === "string" ? { source: input } : input;
      const id = cell.id ?? `cell-${index + 1}`;
      assert.match(id, /^[a-zA-Z0-9_-]{1,64}$/, `invalid nbformat cell id: ${id}`);
      const metadata = cell.tags ? { tags: cell.tags } : {};
      return cell.type === "markdown"
        ? { cell_type: "markdown" as const, id, metadata, source: toLines(cell.source) }
        : { cell_type: "code" as const, id, metadata, source: toLines(cell.source), execution_count: null, outputs: [] };
    }),
  };
}

export function writeNotebook(file: string, notebook: Notebook): string {
  writeFileSync(file, `${JSON.stringify(notebook, null, 1)}\n`);
  return file;
}

/** The text of a cell's stream outputs (stdout, stderr or both, in order). */
export function streamText(cell: NotebookCell, name?: "stdout" | "stderr"): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === "stream" && (name === undefined || o.name === name))
    .map((o) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")))
    .join("");
}

export const cellById = (notebook: Notebook, id: string): NotebookCell => {
  const cell = notebook.cells.find((c) => c.id === id);
  assert.ok(cell, `no cell ${id} in the notebook`);
  return cell;
};

// ---------------------------------------------------------------------------------------------
// Folders

const WORKSPACES = path.join(PROJECT_ROOT, ".kvq", "tmp");

/**
 * A temp folder inside the repository, for fixture notebooks that import "kvq" (see the header):
 * .kvq/tmp/nb-XXXXXX, git-ignored with the rest of .kvq/. `remove()` deletes it, and .kvq/tmp when empty.
 */
export function notebookWorkspace(name?: string): { dir: string; remove(): void } {
  mkdirSync(WORKSPACES, { recursive: true });
  // A named workspace is the same folder on every run, made afresh: the kernels' conversion cache
  // (src/kernel/start-up/conversion-cache.cjs) is per folder, so a second run reuses the first's.
  const dir = name ? path.join(WORKSPACES, name) : mkdtempSync(path.join(WORKSPACES, "nb-"));
  if (name) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  }
  return {
    dir,
    remove() {
      rmSync(dir, { recursive: true, force: true });
      try {
        rmdirSync(WORKSPACES);
      } catch {
        // Another test's workspace is still there.
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Running nbconvert

export interface NbconvertOptions {
  /** Variables for nbconvert (and so the kernel) over process.env; undefined removes one. */
  env?: Record<string, string | undefined>;
  /** --ExecutePreprocessor.timeout: the limit for one cell. Default 60. */
  timeoutSeconds?: number;
  /** --allow-errors: keep going after a failing cell and write the notebook (nbconvert exits 0). */
  allowErrors?: boolean;
  /** The kernel to run; "from-notebook" leaves the choice to the notebook's metadata, as JupyterLab does. Default: KERNEL_NAME. */
  kernelName?: string;
}

export interface NbconvertResult {
  /** The executed copy (in a temp folder outside the repository, removed when the test process exits). */
  executedPath: string;
  /** The executed notebook, or undefined when nbconvert wrote none (it stops without writing on a cell error). */
  notebook: Notebook | undefined;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** The command line, for assertion messages. */
  command: string[];
}

const outputDirs: string[] = [];
process.once("exit", () => {
  for (const dir of outputDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Executes a notebook in real Jupyter with this project's kernel. The kernelspecs (one per edition) are installed with
 * src/kernel/install.ts into a temp prefix put first on JUPYTER_PATH, so the test runs this worktree's
 * tslab whatever the user has installed. Jupyter's runtime files (connection files) go to the same
 * temp folder. The kernel starts in the notebook's folder, as in JupyterLab.
 */
export async function executeWithNbconvert(notebookPath: string, options: NbconvertOptions = {}): Promise<NbconvertResult> {
  const { stdout, stderr, exitCode, command, notebooks } = await executeNotebooksWithNbconvert([notebookPath], options);
  const { executedPath, notebook } = notebooks[0]!;
  return { executedPath, notebook, stdout, stderr, exitCode, command };
}

export interface NbconvertBatchResult {
  /** One entry per notebook given, in order. */
  notebooks: {
    path: string;
    executedPath: string;
    notebook: Notebook | undefined;
    /** What nbconvert logged while it converted this notebook (from its "Converting notebook" line to the next one's). */
    log: string;
  }[];
  stdout: string;
  stderr: string;
  exitCode: number | null;
  command: string[];
}

/**
 * Executes several notebooks with ONE nbconvert process (one Python and Jupyter start-up), one after
 * another in the order given, each on a fresh kernel of its own, as `jupyter nbconvert --execute a b c`
 * does. nbconvert stops at the first notebook that fails unless `allowErrors`; a notebook it did not
 * get to has no executed copy (`notebook` undefined). Their file names must differ (one output folder).
 */
export async function executeNotebooksWithNbconvert(notebookPaths: string[], options: NbconvertOptions = {}): Promise<NbconvertBatchResult> {
  assertJupyter();
  const names = notebookPaths.map((p) => path.basename(p));
  assert.equal(new Set(names).size, names.length, `notebooks of one nbconvert run need different file names: ${names.join(", ")}`);
  const timeoutSeconds = options.timeoutSeconds ?? 60;
  const work = mkdtempSync(path.join(tmpdir(), "kvq-nbconvert-"));
  outputDirs.push(work);
  const prefix = path.join(work, "prefix");
  const outputDir = path.join(work, "out");
  const { jupyterPathEntry } = installKernelSpecs({ prefix })[0];

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...options.env })) if (value !== undefined) env[name] = value;
  env.JUPYTER_PATH = [jupyterPathEntry!, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  env.JUPYTER_RUNTIME_DIR = path.join(work, "runtime");

  const argsFor = (notebooks: string[]) => [
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    ...notebooks,
    ...(options.kernelName === "from-notebook" ? [] : [`--ExecutePreprocessor.kernel_name=${options.kernelName ?? KERNEL_NAME}`]),
    `--ExecutePreprocessor.timeout=${timeoutSeconds}`,
    "--ExecutePreprocessor.record_timing=False",
    "--output-dir",
    outputDir,
    ...(options.allowErrors ? ["--allow-errors"] : []),
  ];
  const cells = notebookPaths.reduce((sum, file) => sum + (readNotebook(file)?.cells.length ?? 10), 0);
  // nbconvert enforces the per-cell limit itself; this only stops a wedged Jupyter (kernel start-up is 60 s each).
  const hardLimitMs = (60 * notebookPaths.length + 30 + timeoutSeconds * cells) * 1000;
  const executedPathOf = (file: string) => path.join(outputDir, path.basename(file));
  let args = argsFor(notebookPaths);
  let result = await run(JUPYTER, args, { cwd: PROJECT_ROOT, env }, hardLimitMs);
  // Jupyter chooses the kernel's ports and another process can take one before the kernel binds it:
  // the kernel then exits saying so (kernel/protocol/bind.cjs). The Notebook server starts it again on new
  // ports by itself; nbclient has no such restarter, so the test starts nbconvert again, once, on
  // the notebooks it did not finish.
  if (result.exitCode !== 0 && PORT_RACE.test(result.stderr)) {
    const unfinished = notebookPaths.filter((file) => !existsSync(executedPathOf(file)));
    args = argsFor(unfinished);
    const again = await run(JUPYTER, args, { cwd: PROJECT_ROOT, env }, hardLimitMs);
    result = { stdout: result.stdout + again.stdout, stderr: `${result.stderr}\n[test helper] nbconvert started again (a kernel lost the race for a port)\n${again.stderr}`, exitCode: again.exitCode };
  }
  const { stdout, stderr, exitCode } = result;
  return {
    notebooks: notebookPaths.map((file) => ({ path: file, executedPath: executedPathOf(file), notebook: readNotebook(executedPathOf(file)), log: logOf(stderr, file) })),
    stdout,
    stderr,
    exitCode,
    command: [JUPYTER, ...args],
  };
}

/** nbconvert's log lines for one notebook: from its "Converting notebook <file>" line to the next such line. */
function logOf(stderr: string, file: string): string {
  const parts = stderr.split(/^(?=\[NbConvertApp\] Converting notebook )/m);
  return parts.filter((part) => part.startsWith(`[NbConvertApp] Converting notebook ${file} `)).join("");
}

/** What the kernel says when it lost the race for a port (src/kernel/protocol/bind.cjs). */
const PORT_RACE = /kvq: the kernel could not open its ports: .* \(EADDRINUSE\)/;

function readNotebook(file: string): Notebook | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Notebook) : undefined;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
  hardLimitMs: number,
): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // SIGINT first: nbclient then shuts its kernel down (the kernel runs in its own session, so
    // killing nbconvert alone would leave tslab running). SIGKILL if that does not end it.
    let killTimer: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => {
      stderr += `\n[test helper] nbconvert ran longer than ${hardLimitMs} ms; interrupting it.\n`;
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    }, hardLimitMs);
    child.on("error", (error) => {
      clearTimeout(limit);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(limit);
      clearTimeout(killTimer);
      resolve({ stdout, stderr, exitCode: code });
    });
  });
}

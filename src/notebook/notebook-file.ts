/**
 * Notebook files: the nbformat 4 shapes in wire casing, reading and writing them as Jupyter does,
 * and stripping outputs (nbstripout's job).
 *
 * Format: https://nbformat.readthedocs.io/en/latest/format_description.html
 * Writing mirrors nbformat's own writer (nbformat/v4/nbjson.py) so that a notebook saved by
 * JupyterLab and rewritten here does not churn in diffs: keys sorted, one-space indent, no ASCII
 * escaping, multi-line strings stored as lists of lines (rwbase.split_lines), a trailing newline.
 */
import { promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import { t } from "../i18n";
import { NotebookFileError } from "./errors";

/** A multi-line string: on disk either one string or a list of lines joined with "". */
export type MultilineString = string | string[];

/** MIME type → content, e.g. { "text/plain": "…", "text/markdown": "…" }. */
export type MimeBundle = Record<string, unknown>;

export interface CellMetadata {
  /** Tags drive the runner: parameters, injected-parameters, skip-execution, raises-exception. */
  tags?: string[];
  /** Timestamps JupyterLab records (iopub.execute_input, shell.execute_reply…); churns diffs. */
  execution?: Record<string, unknown>;
  [key: string]: unknown;
}

interface CellBase {
  /** Required from nbformat 4.5 on. */
  id?: string;
  source: MultilineString;
  metadata: CellMetadata;
}

export interface CodeCell extends CellBase {
  cell_type: "code";
  outputs: Output[];
  execution_count: number | null;
}

export interface MarkdownCell extends CellBase {
  cell_type: "markdown";
  attachments?: Record<string, MimeBundle>;
}

export interface RawCell extends CellBase {
  cell_type: "raw";
  attachments?: Record<string, MimeBundle>;
}

export type Cell = CodeCell | MarkdownCell | RawCell;

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}

export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface NotebookMetadata {
  kernelspec?: { name: string; display_name: string; language?: string };
  language_info?: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: NotebookMetadata;
  cells: Cell[];
}

/** Metadata key under which the runner marks cells of an executed notebook (stripOutputs removes it). */
export const RUN_METADATA_KEY = "kvq";
/** Tag of the markdown banner the runner puts before a failing cell (stripOutputs removes the cell). */
export const ERROR_BANNER_TAG = "kvq-error";

/** A multi-line string as one string. */
export const joinMultiline = (text: MultilineString | undefined): string =>
  Array.isArray(text) ? text.join("") : (text ?? "");

/** A string as nbformat stores it: lines, each keeping its "\n" (Python's splitlines(keepends=True) on "\n"). */
export function splitLines(text: string): string[] {
  const lines = text.split("\n").map((line, i, all) => (i < all.length - 1 ? line + "\n" : line));
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** A cell's source as one string, whichever way the file stored it. */
export const cellSource = (cell: Cell): string => joinMultiline(cell.source);

export const cellTags = (cell: Cell): string[] => (Array.isArray(cell.metadata?.tags) ? cell.metadata.tags : []);

export const hasTag = (cell: Cell, tag: string): boolean => cellTags(cell).includes(tag);

/** Parses notebook JSON, rejoining multi-line strings (as nbformat's reader does). */
export function parseNotebook(text: string, file = "notebook"): Notebook {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const m = t().runner.notebookFile;
    throw new NotebookFileError("notebook-invalid", m.invalidJson(file, (error as Error).message), m.invalidJsonFix);
  }
  const nb = data as Partial<Notebook> | null;
  if (!nb || typeof nb !== "object" || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    const m = t().runner.notebookFile;
    throw new NotebookFileError("notebook-invalid", m.notNbformat4(file, JSON.stringify(nb?.nbformat)), m.notNbformat4Fix);
  }
  const cells = nb.cells.map((raw, i): Cell => {
    const cell = raw as Partial<Cell> | null;
    if (!cell || (cell.cell_type !== "code" && cell.cell_type !== "markdown" && cell.cell_type !== "raw")) {
      const m = t().runner.notebookFile;
      throw new NotebookFileError("notebook-invalid", m.badCell(file, i + 1), m.badCellFix);
    }
    const base = { ...cell, source: joinMultiline(cell.source), metadata: { ...(cell.metadata ?? {}) } };
    if (cell.cell_type !== "code") return base as Cell;
    const code = cell as Partial<CodeCell>;
    return {
      ...base,
      cell_type: "code",
      outputs: (code.outputs ?? []).map(rejoinOutput),
      execution_count: code.execution_count ?? null,
    } as CodeCell;
  });
  return { ...(nb as Notebook), metadata: nb.metadata ?? {}, nbformat_minor: nb.nbformat_minor ?? 0, cells };
}

export async function readNotebook(file: string): Promise<Notebook> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw notFound(file);
    }
    throw error;
  }
  return parseNotebook(text, path.basename(file));
}

const notFound = (file: string) => new NotebookFileError("notebook-not-found", t().runner.notebookFile.notFound(file), t().runner.notebookFile.notFoundFix);

/** A notebook's text, or a NotebookFileError (exit 2, no stack trace) naming a file that is not there. */
export function readNotebookText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR") throw notFound(file);
    throw error;
  }
}

export interface SerializeOptions {
  /** nbformat writes with indent=1; pass 2 for the Node convention. */
  indent?: number;
}

/** The notebook as nbformat writes it. */
export function serializeNotebook(nb: Notebook, options: SerializeOptions = {}): string {
  return JSON.stringify(sortKeys(splitNotebookLines(nb)), null, options.indent ?? 1) + "\n";
}

/** Writes atomically (a reader never sees half a notebook), creating the folder if needed. */
export async function writeNotebook(file: string, nb: Notebook, options: SerializeOptions = {}): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFileAtomic(file, serializeNotebook(nb, options));
}

/**
 * nbstripout's job: outputs cleared, execution_count null, metadata.execution removed. Also removes
 * what the runner adds to an executed notebook (the error banner cell, metadata.kvq), so a stripped
 * executed notebook equals its parameterized input.
 */
export function stripOutputs(nb: Notebook): Notebook {
  const cells = nb.cells
    .filter((cell) => !(cell.cell_type === "markdown" && hasTag(cell, ERROR_BANNER_TAG)))
    .map((cell): Cell => {
      const { execution: _execution, [RUN_METADATA_KEY]: _run, ...metadata } = cell.metadata;
      if (cell.cell_type !== "code") return { ...cell, metadata };
      return { ...cell, metadata, outputs: [], execution_count: null };
    });
  return { ...nb, cells };
}

function rejoinOutput(output: Output): Output {
  switch (output.output_type) {
    case "stream":
      return { ...output, text: joinMultiline(output.text) };
    case "display_data":
    case "execute_result":
      return { ...output, data: mapTextMime(output.data, joinMultiline) };
    default:
      return output;
  }
}

/** nbformat's split_lines: sources, stream text and textual MIME data (not JSON) become lists of lines. */
function splitNotebookLines(nb: Notebook): Notebook {
  const split = (text: MultilineString) => splitLines(joinMultiline(text));
  return {
    ...nb,
    cells: nb.cells.map((cell): Cell => {
      if (cell.cell_type !== "code") return { ...cell, source: split(cell.source) };
      const outputs = cell.outputs.map((output): Output => {
        if (output.output_type === "stream") return { ...output, text: split(output.text) };
        if (output.output_type === "display_data" || output.output_type === "execute_result") {
          return { ...output, data: mapTextMime(output.data, split) };
        }
        return output;
      });
      return { ...cell, source: split(cell.source), outputs };
    }),
  };
}

function mapTextMime(data: MimeBundle, f: (text: MultilineString) => MultilineString): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(data ?? {})) {
    const isJson = mime === "application/json" || mime.endsWith("+json");
    const isText = typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
    out[mime] = !isJson && isText ? f(value as MultilineString) : value;
  }
  return out;
}

/** Python's json.dumps(sort_keys=True): object keys in code-unit order, arrays untouched. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) sorted[key] = sortKeys(v);
    }
    return sorted;
  }
  return value;
}

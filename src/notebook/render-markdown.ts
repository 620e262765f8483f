/**
 * An executed notebook as Markdown for docs/, a page for a reader rather than a notebook: markdown
 * cells as prose, code cells as ```ts fences, each output as a text block under an "Output" label
 * (ANSI codes stripped), and a block of the caller's (prerequisites) after the title cell. Honours
 * Jupyter Book's tags: remove-cell, remove-input, remove-output, hide-input, hide-output (hidden
 * parts go into <details>), and drops cells tagged kvq-notebook-only (how to work the notebook).
 *
 * The Markdown is what GitHub and MkDocs Material (mkdocs.yml) both render: ```mermaid fences become
 * diagrams in both, <details> works in both.
 */
import { cellSource, cellTags, joinMultiline, type Cell, type Notebook, type Output } from "./notebook-file";

export interface RenderOptions {
  /** Applied to every output text (normalising, redaction). */
  transformOutput?: (text: string) => string;
  /** A first line, e.g. "<!-- Generated from … by kvq docs; do not edit. -->". */
  header?: string;
  /** Summary text of hidden code, and the label of outputs. */
  labels?: { code: string; output: string };
  /** Markdown put after the first markdown cell (the title and introduction), e.g. prerequisites. */
  afterTitle?: string;
}

/** Prose about working the notebook itself (which keys run a cell, kernels): shown in Jupyter only. */
export const NOTEBOOK_ONLY_TAG = "kvq-notebook-only";

// CSI and OSC escape sequences: colours, cursor moves, spinner redraws, hyperlinks.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
export const stripAnsi = (text: string) => text.replace(ANSI, "");

export function renderMarkdown(notebook: Notebook, options: RenderOptions = {}): string {
  const labels = options.labels ?? { code: "Code", output: "Output" };
  const transform = options.transformOutput ?? ((t: string) => t);
  const blocks: string[] = options.header ? [options.header] : [];
  let titleDone = false;
  for (const cell of notebook.cells) {
    const tags = cellTags(cell);
    // The parameters a run injected are an artifact of that run, not part of the tutorial.
    if (tags.includes("remove-cell") || tags.includes("injected-parameters") || tags.includes("kvq-error") || tags.includes(NOTEBOOK_ONLY_TAG)) continue;
    if (cell.cell_type === "markdown") {
      blocks.push(cellSource(cell).trim());
      if (!titleDone && options.afterTitle) blocks.push(options.afterTitle.trim());
      titleDone = true;
      continue;
    }
    if (cell.cell_type !== "code") continue;
    if (!tags.includes("remove-input")) {
      const fence = codeFence(cellSource(cell).trim(), "ts");
      blocks.push(tags.includes("hide-input") ? details(labels.code, fence) : fence);
    }
    if (!tags.includes("remove-output")) {
      const text = outputText(cell, transform);
      if (text) {
        const fence = codeFence(text, "text");
        blocks.push(tags.includes("hide-output") ? details(labels.output, fence) : `**${labels.output}**\n\n${fence}`);
      }
    }
  }
  return `${blocks.filter((b) => b.length > 0).join("\n\n")}\n`;
}

function outputText(cell: Cell & { outputs?: Output[] }, transform: (t: string) => string): string {
  const parts: string[] = [];
  for (const output of cell.outputs ?? []) {
    if (output.output_type === "stream") parts.push(joinMultiline(output.text));
    // What the notebook shows of an error: its traceback (for an SDK error its codes, meaning and fix).
    else if (output.output_type === "error") parts.push(`${output.traceback.length > 0 ? output.traceback.join("\n") : `${output.ename}: ${output.evalue}`}\n`);
    else {
      const data = output.data as Record<string, unknown>;
      const plain = data["text/markdown"] ?? data["text/plain"];
      if (plain !== undefined) parts.push(`${joinMultiline(plain as string | string[])}\n`);
    }
  }
  return transform(stripAnsi(parts.join("")))
    .replace(/[ \t]+$/gm, "")
    .replace(/\n+$/, "");
}

/** A fence longer than any run of backticks inside, so outputs containing ``` stay intact. */
function codeFence(text: string, lang: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

const details = (summary: string, body: string) => `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;

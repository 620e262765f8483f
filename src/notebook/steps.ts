/**
 * A notebook as the runner sees it: one step per code cell, named by the nearest markdown heading
 * above it, numbered from 1, with the tags nbclient honours (skip-execution, raises-exception).
 *
 * Numbers are stable across --param: the injected-parameters cell is a step of its own but shares
 * the number of the parameters cell it follows, so `--step 4` means the same cell with or without
 * parameters (and the same number `kvq run` printed last time).
 */
import { cellSource, cellTags, type Notebook } from "./notebook-file";
import { ParameterError } from "./errors";
import { INJECTED_PARAMETERS_TAG } from "./parameters";

export const SKIP_TAG = "skip-execution";
export const RAISES_TAG = "raises-exception";

export interface Step {
  /** 1-based over code cells; an injected-parameters cell repeats the number of the cell before it. */
  index: number;
  /** The nearest markdown heading above the cell, without the #s; "Step N" when there is none. */
  name: string;
  /** Position in notebook.cells. */
  cellIndex: number;
  source: string;
  tags: string[];
  /** Tagged skip-execution: never run. */
  skip: boolean;
  /** Tagged raises-exception: an error is expected and does not stop the run. */
  allowError: boolean;
  /** The cell kvq run injected for --param. */
  injected: boolean;
}

export function splitSteps(nb: Notebook): Step[] {
  const steps: Step[] = [];
  let heading: string | undefined;
  let number = 0;
  nb.cells.forEach((cell, cellIndex) => {
    if (cell.cell_type === "markdown") {
      heading = lastHeading(cellSource(cell)) ?? heading;
      return;
    }
    if (cell.cell_type !== "code") return;
    const tags = cellTags(cell);
    const injected = tags.includes(INJECTED_PARAMETERS_TAG);
    if (!injected || number === 0) number++;
    steps.push({
      index: number,
      // The --param values are part of the parameters step: same number, same name.
      name: injected ? (steps.at(-1)?.name ?? "Parameters") : (heading ?? `Step ${number}`),
      cellIndex,
      source: cellSource(cell),
      tags,
      skip: tags.includes(SKIP_TAG),
      allowError: tags.includes(RAISES_TAG),
      injected,
    });
  });
  return steps;
}

/** The last ATX heading (`## Title`) of a markdown cell, outside code fences. */
export function lastHeading(markdown: string): string | undefined {
  let found: string | undefined;
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (f && (!fence || f.startsWith(fence))) {
      fence = fence ? undefined : f;
      continue;
    }
    if (fence) continue;
    const m = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (m?.[1]) found = m[1].trim();
  }
  return found;
}

/** `--step N` runs step N only; `--until N` runs steps 1 to N. */
export interface StepSelection {
  step?: number;
  until?: number;
}

/**
 * One result per step number, for counts that add up to the number of steps: the injected
 * parameters cell is part of its step, which failed when either cell failed.
 */
export function resultsByStep<R extends { index: number; status: string; skipReason?: string }>(results: readonly R[]): R[] {
  const byIndex = new Map<number, R>();
  for (const result of results) {
    const earlier = byIndex.get(result.index);
    // A cell that ran decides over one that was skipped; a failure decides over a pass.
    const decides = !earlier || (earlier.status === "skipped" && result.status !== "skipped") || (earlier.status === "passed" && result.status !== "passed" && result.status !== "skipped");
    if (decides) byIndex.set(result.index, result);
  }
  return [...byIndex.values()];
}

/** Number of distinct step numbers. */
export const stepCount = (steps: Step[]): number => steps.reduce((max, s) => Math.max(max, s.index), 0);

export function validateSelection(selection: StepSelection, steps: Step[]): void {
  const total = stepCount(steps);
  for (const [flag, n] of [["--step", selection.step], ["--until", selection.until]] as const) {
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 1 || n > total) {
      throw new ParameterError(
        "selection-invalid",
        `${flag} ${n} is out of range: the notebook has ${total} step${total === 1 ? "" : "s"}.`,
        `Pick a number from 1 to ${total} (kvq run prints each step's number).`,
      );
    }
  }
  if (selection.step !== undefined && selection.until !== undefined) {
    throw new ParameterError("selection-invalid", "--step and --until cannot be combined.", "Use --step N for one step, or --until N for steps 1 to N.");
  }
}

export function isSelected(step: Step, selection: StepSelection = {}): boolean {
  if (selection.step !== undefined) return step.index === selection.step;
  if (selection.until !== undefined) return step.index <= selection.until;
  return true;
}

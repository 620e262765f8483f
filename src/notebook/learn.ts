/**
 * `kvq learn`: the notebook experience in a terminal, for learners without Jupyter. Before each
 * step it shows the step's prose and code, then waits: Enter runs the cell in the real tslab kernel
 * and shows its output, `s` skips, `q` quits (cleaning up). At the key-name step it asks for a name
 * the way the seed's input() did — with the helpers' safe suggestion as the default — and explains
 * why a name is refused. Progress is remembered, so `kvq learn` can resume where the learner left
 * off (earlier steps are re-run quietly to rebuild the kernel's state).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { KeyClient } from "@azure/keyvault-keys";
import { cleanupRuns } from "../cleanup";
import { t, type Lang } from "../i18n";
import { chooseKeyName, checkKeyNameFree, keyNameProblem } from "../key-names";
import { WORK_DIR } from "../paths";
import { RunLedger } from "../run-ledger";
import { redact, secretValues } from "../secrets";
import { writeFileAtomicSync } from "../util/atomic-write";
import { startKernel } from "./kernel";
import { cellSource, readNotebook, type Notebook, type Output } from "./notebook-file";
import { findParametersCell, parseDeclaredParameters, renderInjectedSource } from "./parameters";
import { renderOutputs } from "./reporter";
import { splitSteps, type Step } from "./steps";
import { renderTerminalMarkdown } from "./terminal-markdown";
import type { TutorialTarget } from "./tutorial-target";

export type Choice = "run" | "skip" | "quit";

/** How the session talks to the learner: a terminal in `kvq learn`, scripted in tests. */
export interface LearnIO {
  write(text: string): void;
  /** Waits for Enter, s or q. */
  choose(prompt: string): Promise<Choice>;
  /** A line of text; an empty answer means the default. */
  ask(prompt: string): Promise<string>;
}

export interface LearnOptions {
  notebook: string;
  lang: Lang;
  target: TutorialTarget;
  io: LearnIO;
  /** Start at this step (earlier ones are re-run quietly). Default: where the last session stopped, if the learner agrees. */
  from?: number;
  progressFile?: string;
  /** Ends the session (the kernel is stopped and the session's keys cleaned up). */
  signal?: AbortSignal;
  /**
   * Ctrl-C, as the command hears it ("interrupt" events): while a cell runs it stops that cell, and
   * the learner chooses again (run it again, skip, quit); at any other moment it ends the session.
   */
  interrupts?: EventTarget;
}

const KEY_NAME_PARAMETER = "keyName";
/** Where the last session stopped; KVQ_LEARN_PROGRESS moves it (tests). */
export const defaultProgressFile = () => process.env.KVQ_LEARN_PROGRESS || path.join(WORK_DIR, "learn-progress.json");

interface Progress {
  notebook: string;
  /** The last step the learner finished (ran or skipped). */
  step: number;
  /** The key name the learner chose, so catching up in the next session uses it again. */
  keyName?: string;
}

/**
 * The notebook's prose speaks to a notebook user; the same words in a terminal, where Enter runs a
 * step. A table, so a phrase found in a new notebook is one line here.
 */
const TERMINAL_WORDING: [RegExp, string][] = [[/Shift\s*\+\s*Enter/g, "Enter"]];
export const forTerminal = (prose: string) => TERMINAL_WORDING.reduce((text, [phrase, words]) => text.replace(phrase, words), prose);

export async function learn(options: LearnOptions): Promise<{ lastStep: number; quit: boolean }> {
  const { io, target } = options;
  const m = t().runner.learn;
  const notebook = await readNotebook(options.notebook);
  const steps = splitSteps(notebook);
  const total = steps.reduce((n, s) => Math.max(n, s.index), 0);
  const progressFile = options.progressFile ?? defaultProgressFile();
  const saved = readProgress(progressFile, options.notebook);
  const from = options.from ?? (await offerResume(io, saved, total));
  const session: Session = { keyName: from > 1 ? saved?.keyName : undefined };
  if (from > total) throw new RangeError(m.fromTooLarge(from, total));

  const secrets = secretValues({ ...process.env, ...target.kernelEnv });
  const show = (text: string) => io.write(redact(text, secrets));
  // Ctrl-C stops the running cell (its own controller), or ends the session between cells.
  const ending = new AbortController();
  if (options.signal?.aborted) ending.abort();
  options.signal?.addEventListener("abort", () => ending.abort(), { once: true });
  let cell: AbortController | undefined;
  const onInterrupt = () => (cell ? cell.abort() : ending.abort());
  options.interrupts?.addEventListener("interrupt", onInterrupt);
  const runCell = async (code: string, onOutput?: (output: Output) => void) => {
    cell = new AbortController();
    try {
      return await kernel.execute(code, { signal: AbortSignal.any([ending.signal, cell.signal]), onOutput });
    } finally {
      cell = undefined;
    }
  };
  const kernel = await startKernel({ cwd: path.dirname(options.notebook), env: { ...target.kernelEnv, KVQ_LANG: options.lang }, signal: ending.signal });
  const started = Date.now();
  let lastStep = from - 1;
  let quit = false;
  try {
    show(`${m.welcome(total)}\n${m.keys}\n`);
    if (from > 1) {
      show(`\n${m.catchingUp(from)}\n`);
      for (const step of steps.filter((s) => s.index < from && !s.skip)) {
        for (const code of await cellsFor(step, notebook, target.client, io, session, true)) await kernel.execute(code, { signal: ending.signal });
      }
      show(`${m.caughtUp}\n`);
    }
    // Prose is shown from the end of the step before `from` (from the top for step 1).
    let shownUpTo = from === 1 ? 0 : (steps.filter((s) => s.index < from).at(-1)?.cellIndex ?? -1) + 1;
    for (const step of steps.filter((s) => s.index >= from && !s.injected)) {
      // The prose before this cell (every markdown cell since the last step shown).
      const prose = notebook.cells.slice(shownUpTo, step.cellIndex).filter((c) => c.cell_type === "markdown").map(cellSource).join("\n\n");
      shownUpTo = step.cellIndex + 1;
      show(`\n${"─".repeat(60)}\n${m.stepHeading(step.index, total, step.name)}\n\n`);
      if (prose.trim()) show(`${renderTerminalMarkdown(forTerminal(prose))}\n\n`);
      show(`${renderTerminalMarkdown(`\`\`\`ts\n${step.source}\n\`\`\``)}\n\n`);
      if (step.skip) continue;
      let done = false;
      while (!done) {
        if (ending.signal.aborted) {
          quit = true;
          break;
        }
        const choice = await io.choose(m.prompt);
        if (choice === "quit") {
          quit = true;
          break;
        }
        if (choice === "skip") {
          show(`${m.skipped}\n`);
          done = true;
          break;
        }
        done = true;
        let stopped = false;
        for (const code of await cellsFor(step, notebook, target.client, io, session, false)) {
          const result = await runCell(code, (output: Output) => show(renderOutputs([output])));
          if (result.kernelStuck) {
            // The cell ignored the interrupt (a loop after an await): the kernel was shut down.
            show(`\n${m.kernelStuck}\n`);
            quit = true;
          }
          if (result.status !== "ok") {
            done = false;
            stopped = result.stoppedBy === "abort";
            break;
          }
        }
        if (quit) break;
        if (!done && !ending.signal.aborted) show(`\n${stopped ? m.stoppedStep : m.failedStep}\n`);
      }
      if (quit) break;
      lastStep = step.index;
      saveProgress(progressFile, { notebook: options.notebook, step: lastStep, keyName: session.keyName });
    }
    if (!quit) {
      show(`\n${m.finished}\n`);
      saveProgress(progressFile, { notebook: options.notebook, step: 0 });
    }
  } finally {
    options.interrupts?.removeEventListener("interrupt", onInterrupt);
    await kernel.close();
    if (quit) show(`\n${m.quitting}\n`);
    // Whatever the notebook's own clean-up did not get to: this session's keys.
    const ledgers = RunLedger.list({ dir: target.ledgerDir, vaultUrl: target.vaultUrl }).ledgers.filter((l) => l.startedAt.getTime() >= started - 1000 && l.pendingKeys.length > 0);
    for (const run of await cleanupRuns(target.client, ledgers)) for (const r of run.results) show(`${t().runner.cleanedUp(r.message)}\n`);
  }
  return { lastStep, quit };
}

/** What the learner answered in this session (or the one it resumes). */
interface Session {
  keyName?: string;
}

/**
 * The code to run for a step, cell by cell. The parameters cell asks for the key name first and is
 * followed by the answer as an injected-parameters cell, as `kvq run --param` does (a cell of its
 * own: a later cell may redeclare a const, the same cell may not). Catching up asks nothing: it
 * injects the name the learner gave last time, if any.
 */
async function cellsFor(step: Step, notebook: Notebook, client: KeyClient, io: LearnIO, session: Session, quiet: boolean): Promise<string[]> {
  if (step.cellIndex !== findParametersCell(notebook)) return [step.source];
  const declared = parseDeclaredParameters(step.source).find((p) => p.name === KEY_NAME_PARAMETER);
  if (!declared || (quiet && session.keyName === undefined)) return [step.source];
  if (!quiet) session.keyName = await askKeyName(client, io);
  return [step.source, renderInjectedSource([{ declared, value: session.keyName! }])];
}

/** Asks until the learner gives a valid name that no live or soft-deleted key holds. */
async function askKeyName(client: KeyClient, io: LearnIO): Promise<string> {
  const m = t().runner.learn;
  const suggestion = (await chooseKeyName(client)).name;
  for (;;) {
    const answer = (await io.ask(m.namePrompt(suggestion))).trim() || suggestion;
    const invalid = keyNameProblem(answer);
    const status = invalid ? undefined : await checkKeyNameFree(client, answer);
    const why = invalid ?? (status && !status.free ? status.detail : undefined);
    if (!why) {
      io.write(`${m.nameAccepted(answer)}\n`);
      return answer;
    }
    io.write(`${m.nameRefused(why)}\n`);
  }
}

/** The last session's progress in this notebook, if there is any to read. */
function readProgress(file: string, notebook: string): Progress | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const progress = JSON.parse(readFileSync(file, "utf8")) as Progress;
    return progress.notebook === notebook ? progress : undefined;
  } catch {
    return undefined;
  }
}

async function offerResume(io: LearnIO, progress: Progress | undefined, total: number): Promise<number> {
  if (!progress || !(progress.step >= 1) || progress.step >= total) return 1;
  const answer = (await io.ask(t().runner.learn.resumeOffer(progress.step + 1))).trim().toLowerCase();
  return answer === "" || answer.startsWith("y") ? progress.step + 1 : 1;
}

function saveProgress(file: string, progress: Progress): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomicSync(file, `${JSON.stringify(progress)}\n`);
  } catch {
    // Progress is a convenience; a read-only folder must not stop the lesson.
  }
}

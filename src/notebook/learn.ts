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
import { chooseKeyName, checkKeyNameFree, keyNameProblem } from "../object-names";
import { WORK_DIR } from "../paths";
import { RunLedger, RUNNER_SESSION_VARIABLE } from "../run-ledger";
import { FRONTEND_VARIABLE } from "../friendly-errors";
import { randomUUID } from "node:crypto";
import { redact, secretValues } from "../secrets";
import { writeFileAtomicSync } from "../util/atomic-write";
import { startKernel } from "./kernel";
import { cellSource, joinMultiline, readNotebook, type Notebook, type Output } from "./notebook-file";
import { findParametersCell, parseDeclaredParameters, renderInjectedSource } from "./parameters";
import { secretParameterValues } from "./run-notebook";
import { tutorialNamed } from "./tutorial-run";
import { progressFilter } from "./progress-lines";
import { renderOutputs } from "./reporter";
import { splitSteps, type Step } from "./steps";
import { renderTerminalMarkdown, terminalWidth, wrapPlain } from "./terminal-markdown";
import type { TutorialTarget } from "./tutorial-target";

/** Enter runs, s skips, b goes back (to the step the stepper last pointed at, else the one before), a number goes to that step, q quits. */
export type Choice = "run" | "skip" | "quit" | "back" | { step: number };

/** How the session talks to the learner: a terminal in `kvq learn`, scripted in tests. */
export interface LearnIO {
  write(text: string): void;
  /** Waits for Enter, s, b, q or a step number. */
  choose(prompt: string): Promise<Choice>;
  /** A line of text; an empty answer means the default. */
  ask(prompt: string): Promise<string>;
  /** A terminal, where a line already written can be redrawn. */
  isTerminal?: boolean;
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
   * the learner chooses again (run it again, skip, go back, quit); at any other moment it ends the session.
   */
  interrupts?: EventTarget;
}

const KEY_NAME_PARAMETER = "keyName";
/** The session's ledgers carry it (run-ledger.ts): the keys this session is to clean. */
const sessionId = randomUUID();
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
  const steps = splitSteps(notebook).filter((s) => !s.injected);
  const total = steps.reduce((n, s) => Math.max(n, s.index), 0);
  const progressFile = options.progressFile ?? defaultProgressFile();
  const saved = readProgress(progressFile, options.notebook);
  const from = options.from ?? (await offerResume(io, saved, total));
  const session: Session = { keyName: from > 1 ? saved?.keyName : undefined };
  if (from > total) throw new RangeError(m.fromTooLarge(from, total));

  const secrets = secretValues({ ...process.env, ...target.kernelEnv });
  const show = (text: string) => io.write(redact(text, secrets));
  /** The stepper's own words, wrapped to the terminal as it is now (the prose is, by renderTerminalMarkdown). */
  const say = (text: string) => show(wrapPlain(text));
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
  const kernel = await startKernel({
    cwd: path.dirname(options.notebook),
    env: { ...target.kernelEnv, KVQ_LANG: options.lang, [FRONTEND_VARIABLE]: "learn", [RUNNER_SESSION_VARIABLE]: sessionId },
    signal: ending.signal,
  });
  const render = (markdown: string) => renderTerminalMarkdown(markdown, { linkBase: path.dirname(options.notebook) });
  /** What happened to each step in this session (or was caught up). */
  const outcome = new Map<number, "ran" | "skipped" | "failed">();
  let lastStep = from - 1;
  let quit = false;
  try {
    say(`${m.welcome(total)}\n${m.keys}\n`);
    if (from > 1) {
      say(`\n${m.catchingUp(from)}\n`);
      for (const step of steps.filter((s) => s.index < from && !s.skip)) {
        for (const code of await cellsFor(step, notebook, target.client, io, session, true)) await kernel.execute(code, { signal: ending.signal });
        outcome.set(step.index, "ran");
      }
      show(`${m.caughtUp}\n`);
    }
    let at = steps.findIndex((s) => s.index >= from);
    /** The step the stepper's advice pointed at (b goes there), if any. */
    let pointedAt: number | undefined;
    while (at >= 0 && at < steps.length) {
      const step = steps[at]!;
      say(`\n${"─".repeat(terminalWidth())}\n${m.stepHeading(step.index, total, step.name)}\n\n`);
      const prose = proseBefore(notebook, step);
      if (prose.trim()) show(`${render(forTerminal(prose))}\n\n`);
      show(`${render(`\`\`\`ts\n${step.source}\n\`\`\``)}\n\n`);
      if (step.skip) {
        at++;
        continue;
      }
      let next: number | undefined;
      while (next === undefined) {
        if (ending.signal.aborted) {
          quit = true;
          break;
        }
        const choice = await io.choose(m.prompt);
        if (choice === "quit") {
          quit = true;
          break;
        }
        if (choice === "back" || typeof choice === "object") {
          const wanted = choice === "back" ? (pointedAt ?? Math.max(1, step.index - 1)) : choice.step;
          const found = steps.findIndex((s) => s.index === wanted);
          if (found < 0) {
            say(`${m.noSuchStep(wanted, total)}\n`);
            continue;
          }
          pointedAt = undefined;
          next = found;
          break;
        }
        if (choice === "skip") {
          say(`${m.skipped}\n`);
          outcome.set(step.index, "skipped");
          next = at + 1;
          break;
        }
        let failed = false;
        let stopped = false;
        /** What the failing cell said: its stderr and its error (where a missing name is named). */
        let errorText = "";
        // ora's start lines: erased on a terminal when their end comes, else held (progress-lines.ts).
        const stdout = progressFilter((text) => show(renderOutputs([{ output_type: "stream", name: "stdout", text }])), { canErase: io.isTerminal === true });
        for (const code of await cellsFor(step, notebook, target.client, io, session, false)) {
          const result = await runCell(code, (output: Output) => {
            if (output.output_type === "stream" && output.name === "stdout") return stdout.write(joinMultiline(output.text));
            stdout.flush();
            if (output.output_type === "stream" && output.name === "stderr") errorText += joinMultiline(output.text);
            if (output.output_type === "error") errorText += `${output.ename}: ${output.evalue}\n${output.traceback.join("\n")}\n`;
            show(renderOutputs([output]));
          });
          stdout.flush();
          if (result.kernelStuck) {
            // The cell ignored the interrupt (a loop after an await): the kernel was shut down.
            say(`\n${m.kernelStuck}\n`);
            quit = true;
          }
          if (result.status !== "ok") {
            failed = true;
            stopped = result.stoppedBy === "abort";
            break;
          }
        }
        if (quit) break;
        if (!failed) {
          outcome.set(step.index, "ran");
          next = at + 1;
          break;
        }
        outcome.set(step.index, "failed");
        if (ending.signal.aborted) continue;
        const advice = stopped ? undefined : adviceForMissingName(errorText, steps, step, outcome);
        pointedAt = advice?.step;
        say(`\n${advice?.text ?? (stopped ? m.stoppedStep : m.failedStep)}\n`);
      }
      if (quit) break;
      if (outcome.has(step.index) && next === at + 1) {
        lastStep = step.index;
        saveProgress(progressFile, { notebook: options.notebook, step: lastStep, keyName: session.keyName });
      }
      at = next!;
    }
    if (!quit) {
      say(`\n${m.finished}\n`);
      saveProgress(progressFile, { notebook: options.notebook, step: 0 });
    }
  } finally {
    options.interrupts?.removeEventListener("interrupt", onInterrupt);
    await kernel.close();
    if (quit) say(`\n${m.quitting}\n`);
    // Whatever the notebook's own clean-up did not get to: this session's objects, of every kind.
    const ledgers = RunLedger.list({ dir: target.ledgerDir, session: sessionId }).ledgers.filter((l) => l.pending.length > 0);
    for (const run of await cleanupRuns(target.clients, ledgers)) for (const r of run.results) say(`${t().runner.cleanedUp(r.message)}\n`);
    const tutorial = tutorialNamed(options.notebook);
    if (quit) say(`${m.resumeHint(Math.min(lastStep + 1, total), tutorial && tutorial !== "quickstart" ? tutorial : "")}\n`);
  }
  return { lastStep, quit };
}

/** The prose before a step's cell: every markdown cell since the code cell before it. */
function proseBefore(notebook: Notebook, step: Step): string {
  let start = step.cellIndex;
  while (start > 0 && notebook.cells[start - 1]!.cell_type !== "code") start--;
  return notebook.cells.slice(start, step.cellIndex).filter((c) => c.cell_type === "markdown").map(cellSource).join("\n\n");
}

/**
 * The stepper's advice for a step that failed because a name an earlier step defines is missing
 * (tslab's "Cannot find name 'key'", or a ReferenceError): which step defines it and what happened
 * to that step in this session — skipped, failed, or not run — with the way back to it.
 */
export function adviceForMissingName(errorText: string, steps: Step[], failing: Step, outcome: ReadonlyMap<number, "ran" | "skipped" | "failed">): { text: string; step: number } | undefined {
  const name = /Cannot find name '([^']+)'/.exec(errorText)?.[1] ?? /ReferenceError: ([\w$]+) is not defined/.exec(errorText)?.[1];
  if (!name) return undefined;
  const definer = steps.filter((s) => s.index < failing.index && declaredNames(s.source).includes(name)).at(-1);
  if (!definer) return undefined;
  const m = t().runner.learn;
  const what = outcome.get(definer.index);
  const text = what === "skipped" ? m.skippedDefiner(definer.index, definer.name, name) : what === "failed" ? m.failedDefiner(definer.index, definer.name, name) : m.notRunDefiner(definer.index, definer.name, name);
  return { text, step: definer.index };
}

/** The names a cell declares at its top level: const/let/var (destructuring too), function, class, and imports. */
export function declaredNames(source: string): string[] {
  const names: string[] = [];
  for (const line of source.split(/\r?\n/)) {
    const declaration = /^(?:export\s+)?(?:const|let|var)\s+(?:([\w$]+)|[{[]([^=]*)[}\]])/.exec(line);
    if (declaration) names.push(...(declaration[1] ? [declaration[1]] : bindingNames(declaration[2]!)));
    const named = /^(?:export\s+)?(?:async\s+)?(?:function\*?|class)\s+([\w$]+)/.exec(line)?.[1];
    if (named) names.push(named);
    const imported = /^import\s+(?:type\s+)?(?:([\w$]+)\s*,?\s*)?(?:\{([^}]*)\}|\*\s+as\s+([\w$]+))?\s*from\s/.exec(line);
    if (imported) names.push(...[imported[1], imported[3]].filter((n): n is string => !!n), ...bindingNames(imported[2] ?? ""));
  }
  return names;
}

/** `a, b: c, d = 1, e as f` → a, c, d, f (the names bound). */
const bindingNames = (list: string) =>
  list
    .split(",")
    .map((part) => part.trim().split(/\s+as\s+|:/).at(-1)!.replace(/=.*$/, "").trim())
    .filter((n) => /^[\w$]+$/.test(n));

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
  // The secrets quickstart's own value, asked as the seed's input() did; it goes to the kernel only
  // (never into the progress file), and a value left empty keeps the notebook's made-up one.
  const secret = parseDeclaredParameters(step.source).find((p) => secretParameterValues(notebook, { [p.name]: "x" }).length > 0);
  if (secret) {
    const value = quiet ? "" : (await io.ask(t().runner.learn.secretValuePrompt)).trim();
    return value ? [step.source, renderInjectedSource([{ declared: secret, value }])] : [step.source];
  }
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
      io.write(`${wrapPlain(m.nameAccepted(answer))}\n`);
      return answer;
    }
    io.write(`${wrapPlain(m.nameRefused(why))}\n`);
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

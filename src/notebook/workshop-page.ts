/**
 * docs/workshop.md (and its zh-TW edition): the course as an instructor teaches it — the
 * quickstarts in order with their steps, the commands before, during and after a class, and how
 * long each notebook takes on the emulator. Built from the notebooks themselves (titles, steps),
 * the rehearsal flows (the limit each meets) and the runs `kvq docs` makes, so it cannot go stale:
 * `kvq docs --check` compares it as it compares the tutorials' pages.
 *
 * A time is a machine's, and on a shared machine the same run takes 1 s or 12 s: the page keeps its
 * time while a run agrees with it (within twice or half, give or take 3 s), so a regeneration
 * without changes is byte-identical, and `kvq docs` writes the new one when a run does not.
 * `--check` fails when a time is missing, never on a time alone: it says so, and a busy machine
 * cannot fail the check. A notebook that changes changes its steps here, so the page is
 * regenerated, and its times with it.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { messagesFor, type Lang } from "../i18n";
import { writeFileAtomic } from "../util/atomic-write";
import { FLOWS } from "../workshop/rehearsal-flows";
import { DOCS_DIR, docsFileFor, type DocsResult } from "./docs";
import { cellSource, parseNotebook, readNotebookText } from "./notebook-file";
import { splitSteps } from "./steps";
import { notebookFor, type TutorialName } from "./tutorial-run";

/** Where each tutorial goes on the page, in teaching order (a Record, so a new tutorial must be placed). */
const PLACE: Record<TutorialName, "quickstart" | "extra"> = {
  quickstart: "quickstart",
  "secrets-quickstart": "quickstart",
  "beyond-the-quickstart": "extra",
};
export const TEACHING_ORDER = Object.keys(PLACE) as TutorialName[];

/** The class size the page's rehearse commands name. */
const CLASS_SIZE = 30;

/** The times the page states, kept in a comment at its end: {"quickstart": 4, …}. */
const TIMES = /<!-- kvq-times (\{.*\}) -->/;

export type Times = Partial<Record<TutorialName, number>>;

export const workshopFileFor = (lang: Lang) => path.join(DOCS_DIR, `workshop${lang === "zh-TW" ? ".zh-TW" : ""}.md`);

/** A time as the page states it: whole seconds, at least 1. */
export const statedSeconds = (seconds: number) => Math.max(1, Math.round(seconds));

/** Whether a run's time agrees with the page's: noise, not a change. */
export const agrees = (stated: number, measured: number) => measured <= stated * 2 + 3 && measured >= stated / 2 - 3;

export function statedTimes(page: string): Times {
  const json = TIMES.exec(page)?.[1];
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).filter(([name, s]) => name in PLACE && typeof s === "number" && s > 0)) as Times;
  } catch {
    return {}; // a damaged comment is a page to regenerate, as any other difference
  }
}

interface TutorialFacts {
  tutorial: TutorialName;
  title: string;
  steps: string[];
}

/** A notebook's title (its first heading) and its steps as `kvq run` names them. */
function readTutorial(lang: Lang, tutorial: TutorialName): TutorialFacts {
  const file = notebookFor(lang, tutorial);
  const notebook = parseNotebook(readNotebookText(file), file);
  const firstMarkdown = notebook.cells.find((cell) => cell.cell_type === "markdown");
  const title = /^#\s+(.+)$/m.exec(firstMarkdown ? cellSource(firstMarkdown) : "")?.[1]?.trim() ?? tutorial;
  const steps = splitSteps(notebook)
    .filter((step) => !step.injected)
    .map((step) => step.name);
  return { tutorial, title, steps };
}

export function workshopMarkdown(lang: Lang, times: Times): string {
  const messages = messagesFor(lang);
  const m = messages.workshop;
  const langFlag = lang === "zh-TW" ? " --lang zh-TW" : "";
  const link = (file: string) => path.relative(DOCS_DIR, file).split(path.sep).join("/");
  const facts = TEACHING_ORDER.map((tutorial) => readTutorial(lang, tutorial));
  const quickstarts = facts.filter((f) => PLACE[f.tutorial] === "quickstart");
  const extras = facts.filter((f) => PLACE[f.tutorial] === "extra");
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const named = (f: TutorialFacts) => `[${cell(f.title)}](${link(notebookFor(lang, f.tutorial))}) · [${m.docsPage}](${link(docsFileFor(lang, f.tutorial))})`;

  const section = (f: TutorialFacts, heading: string) => {
    const flow = (FLOWS as Partial<Record<TutorialName, (typeof FLOWS)[keyof typeof FLOWS]>>)[f.tutorial];
    const tutorialArg = f.tutorial === "quickstart" ? "" : ` ${f.tutorial}`;
    const commands = [
      [`npx kvq learn${tutorialArg}${langFlag}`, m.commands.learn],
      [`npx kvq run${tutorialArg}${langFlag}`, m.commands.run],
      ...(flow
        ? [[`npx kvq rehearse --tutorial ${f.tutorial} --attendees ${CLASS_SIZE}${langFlag}`, m.commands.rehearse(CLASS_SIZE, messages.commands.rehearse.limit[flow.kind](flow.azureLimit))]]
        : []),
    ];
    const width = Math.max(...commands.map(([command]) => command!.length));
    return [
      heading,
      "",
      m.teaches[f.tutorial],
      "",
      m.stepsLabel,
      "",
      ...f.steps.map((step, i) => `${i + 1}. ${step}`),
      "",
      m.commandsLabel,
      "",
      "```sh",
      ...commands.map(([command, why]) => `${command!.padEnd(width)}  # ${why}`),
      "```",
      "",
    ];
  };

  const measured = Object.fromEntries(TEACHING_ORDER.filter((t) => times[t] !== undefined).map((t) => [t, times[t]]));
  return [
    m.header,
    "",
    m.title,
    "",
    m.intro,
    "",
    m.beforeHeading,
    "",
    ...m.before,
    "",
    m.orderHeading,
    "",
    `| ${m.columns.number} | ${m.columns.tutorial} | ${m.columns.steps} | ${m.columns.time} |`,
    "| ---: | --- | ---: | --- |",
    ...facts.map((f, i) => `| ${PLACE[f.tutorial] === "quickstart" ? i + 1 : "+"} | ${named(f)} | ${f.steps.length} | ${m.time(times[f.tutorial])} |`),
    "",
    m.timesNote,
    "",
    ...quickstarts.flatMap((f, i) => section(f, `### ${i + 1}. ${f.title}`)),
    m.extraHeading,
    "",
    ...extras.flatMap((f) => section(f, `### ${f.title}`)),
    m.afterHeading,
    "",
    m.after,
    "",
    `<!-- kvq-times ${JSON.stringify(measured)} -->`,
    "",
  ].join("\n");
}

export interface WorkshopPageResult extends DocsResult {
  /** Times this run found the page's wrong about, in words (with check, a note: not what made it stale). */
  staleTimes: string[];
}

/**
 * Writes (or, with check, compares) the workshop page of a language. `measured` holds the times of
 * the tutorials this `kvq docs` ran (seconds); the others keep the page's.
 */
export async function generateWorkshopPage(lang: Lang, measured: Times, options: { check?: boolean; file?: string } = {}): Promise<WorkshopPageResult> {
  const m = messagesFor(lang).workshop;
  const { check = false, file = workshopFileFor(lang) } = options;
  const old = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const times = old ? statedTimes(old) : {};
  const staleTimes: string[] = [];
  for (const tutorial of TEACHING_ORDER) {
    const seconds = measured[tutorial];
    if (seconds === undefined) continue;
    const stated = times[tutorial];
    if (stated !== undefined && agrees(stated, seconds)) continue;
    staleTimes.push(m.timeStale(tutorial, stated, statedSeconds(seconds)));
    // A missing time is stale; a differing one only when writing (see above).
    if (stated === undefined || !check) times[tutorial] = statedSeconds(seconds);
  }
  const markdown = workshopMarkdown(lang, times);
  const changed = old !== markdown;
  if (changed && !check) await writeFileAtomic(file, markdown);
  return { lang, file, changed, staleTimes };
}

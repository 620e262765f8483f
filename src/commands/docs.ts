/** `kvq docs`: regenerate docs/ from real runs of the notebooks; `--check` exits 1 when docs/ is stale. */
import path from "node:path";
import { UsageError } from "../errors";
import { LANGS, parseLang, t, type Lang } from "../i18n";
import { generateDocs, generateSetupPage } from "../notebook/docs";
import { notebookFor, TUTORIALS, tutorialNamed, type TutorialName } from "../notebook/tutorial-run";
import { generateWorkshopPage, type Times } from "../notebook/workshop-page";
import { PROJECT_ROOT } from "../paths";
import { startStep } from "./output";

export async function docsCommand(options: { check?: boolean; lang?: string; from?: string; notebook?: string }): Promise<number> {
  const langs: readonly Lang[] = options.lang === undefined || options.lang === "all" ? LANGS : [parseLang(options.lang) ?? badLang(options.lang)];
  if (options.from && langs.length !== 1) throw new UsageError(t().runner.docs.fromNeedsOneLang);
  const tutorials = options.notebook === undefined ? (options.from ? (["quickstart"] as const) : TUTORIALS) : [tutorialNamed(options.notebook) ?? badNotebook(options.notebook)];
  let stale = 0;
  const measured = new Map<Lang, Times>(langs.map((lang) => [lang, {}]));
  for (const tutorial of tutorials) for (const lang of langs) {
    const notebook = path.relative(PROJECT_ROOT, notebookFor(lang, tutorial)).split(path.sep).join("/");
    const step = startStep(t().runner.docs.running(notebook));
    // No per-step reporter: one line per file says what happened; a failed run raises DocsError with the step.
    const result = await generateDocs({ lang, tutorial, check: options.check, from: options.from });
    const file = path.relative(PROJECT_ROOT, result.file);
    if (result.seconds !== undefined) measured.get(lang)![tutorial as TutorialName] = result.seconds;
    if (!result.changed) step.end("succeed", t().runner.docs.unchanged(file));
    else if (options.check) {
      stale++;
      step.end("fail", t().runner.docs.stale(file));
    } else step.end("succeed", t().runner.docs.wrote(file));
  }
  // The instructor's page: every run above checks (or updates) its tutorial's time there.
  if (!options.from) {
    for (const lang of langs) {
      const result = await generateWorkshopPage(lang, measured.get(lang)!, { check: options.check });
      const file = path.relative(PROJECT_ROOT, result.file);
      const step = startStep(file);
      const notes = result.staleTimes.map((why) => `\n  ${why}`).join("");
      if (!result.changed) step.end("succeed", t().runner.docs.unchanged(file) + notes);
      else if (options.check) {
        stale++;
        step.end("fail", t().runner.docs.stale(file) + notes);
      } else step.end("succeed", t().runner.docs.wrote(file) + notes);
    }
  }
  // The setup pages the docs link to, copied into the site (no run needed).
  if (!options.from && options.notebook === undefined) {
    for (const lang of langs) {
      const result = await generateSetupPage(lang, options.check);
      const file = path.relative(PROJECT_ROOT, result.file);
      const step = startStep(file);
      if (!result.changed) step.end("succeed", t().runner.docs.unchanged(file));
      else if (options.check) {
        stale++;
        step.end("fail", t().runner.docs.stale(file));
      } else step.end("succeed", t().runner.docs.wrote(file));
    }
  }
  return stale > 0 ? 1 : 0;
}

const badNotebook = (value: string): never => {
  throw new UsageError(`${value} is not a notebook of this project: use one of ${TUTORIALS.join(", ")}.`);
};

const badLang = (value: string): never => {
  throw new UsageError(t().runner.usage.badLang(value));
};

/**
 * `kvq docs`: docs/<tutorial>.md (and the zh-TW edition) regenerated from a real run of the
 * notebook against an emulator of its own. Reproducible — seeded key names, a fixed attendee, and
 * normalised versions, times, ports and run ids make a regeneration without changes byte-identical —
 * and redacted: no secret value reaches the executed notebook or the docs.
 */
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { messagesFor, type Lang } from "../i18n";
import { BUILD_DIR, PROJECT_ROOT } from "../paths";
import { redact, secretValues } from "../secrets";
import { writeFileAtomic } from "../util/atomic-write";
import { createNormalizer } from "./normalize";
import { parseNotebook, readNotebookText, type Notebook } from "./notebook-file";
import { renderMarkdown } from "./render-markdown";
import type { RunReporter } from "./reporter";
import { notebookFor, runTutorial, type TutorialName } from "./tutorial-run";

export const DOCS_DIR = path.join(PROJECT_ROOT, "docs");
/** docs/<tutorial>.md, and docs/<tutorial>.zh-TW.md for the zh-TW edition. */
export const docsFileFor = (lang: Lang, tutorial: TutorialName = "quickstart") => path.join(DOCS_DIR, `${tutorial}${lang === "zh-TW" ? ".zh-TW" : ""}.md`);

/** What makes a docs run the same on every machine: a seed for names, one attendee, and no settings from the shell. */
const DOCS_PARAMETERS = ["nameSeed=docs"];
const DOCS_ENV: Record<string, string> = { ATTENDEE: "learner" };
/**
 * Settings a developer's shell may hold that would change what the notebook prints (warnings about
 * a service principal, another cloud). They are removed from this process, so the kernel it starts
 * does not inherit them: an empty value is not the same as none to the credential.
 */
const SHELL_SETTINGS = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLOUD", "AZURE_AUTHORITY_HOST", "KEYVAULT_URI", "KEY_VAULT_NAME", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_TOKEN_CREDENTIALS"];

export class DocsError extends Error {
  override readonly name = "DocsError";
}

export interface DocsResult {
  lang: Lang;
  file: string;
  /** Whether the file on disk differed from the generated text (before writing it, unless --check). */
  changed: boolean;
  /** How long the notebook's run took, from the start of its emulator to the end of its kernel (not with --from). */
  seconds?: number;
}

export interface DocsOptions {
  lang: Lang;
  /** Default: the quickstart. */
  tutorial?: TutorialName;
  /** Compare only; write nothing. */
  check?: boolean;
  /** Render this executed notebook instead of running one. */
  from?: string;
  reporter?: RunReporter;
  signal?: AbortSignal;
}

export async function generateDocs(options: DocsOptions): Promise<DocsResult> {
  const notebookPath = notebookFor(options.lang, options.tutorial);
  const relativeNotebook = path.relative(PROJECT_ROOT, notebookPath).split(path.sep).join("/");
  const started = performance.now();
  const executed = options.from ? readExecuted(options.from) : await executeForDocs(options, notebookPath, relativeNotebook);
  const seconds = options.from ? undefined : (performance.now() - started) / 1000;
  const markdown = docsMarkdown(executed, options.lang, options.tutorial);
  const file = docsFileFor(options.lang, options.tutorial);
  const changed = !existsSync(file) || readFileSync(file, "utf8") !== markdown;
  if (changed && !options.check) await writeFileAtomic(file, markdown);
  return { lang: options.lang, file, changed, seconds };
}

/**
 * The setup pages inside the site: docs/setup.md and docs/setup.zh-TW.md are setup.md and
 * setup.zh-TW.md with their relative links made relative to docs/, so the docs pages link to a page
 * of the site (MkDocs cannot reach a file outside docs/) and GitHub shows them as well.
 */
export const SETUP_PAGES: Record<Lang, string> = { en: "setup.md", "zh-TW": "setup.zh-TW.md" };

export function setupPageMarkdown(lang: Lang): string {
  const source = SETUP_PAGES[lang];
  const text = readFileSync(path.join(PROJECT_ROOT, source), "utf8");
  const pages = new Set(Object.values(SETUP_PAGES));
  const linked = text.replace(/\]\(([^)\s]+)\)/g, (whole, target: string) => {
    if (/^[a-z][a-z0-9+.-]*:|^#|^\//i.test(target)) return whole;
    const file = target.replace(/#.*$/, "");
    return pages.has(file) ? whole : `](../${target})`;
  });
  return `${messagesFor(lang).runner.docs.setupHeader(source)}\n\n${linked}`;
}

/** Writes (or, with check, compares) the setup page of a language; true when it changed. */
export async function generateSetupPage(lang: Lang, check = false): Promise<DocsResult> {
  const file = path.join(DOCS_DIR, SETUP_PAGES[lang]);
  const markdown = setupPageMarkdown(lang);
  const changed = !existsSync(file) || readFileSync(file, "utf8") !== markdown;
  if (changed && !check) await writeFileAtomic(file, markdown);
  return { lang, file, changed };
}

/** Links from a docs page to the setup pages go to their copies in docs/ (setupPageMarkdown). */
const toSetupPages = (markdown: string) => markdown.replace(/\]\(\.\.\/(setup(?:\.zh-TW)?\.md)(#[^)]*)?\)/g, (_, file: string, fragment = "") => `](${file}${fragment})`);

/** The docs page for an executed notebook: every output redacted, then normalised. */
export function docsMarkdown(executed: Notebook, lang: Lang, tutorial: TutorialName = "quickstart"): string {
  const m = messagesFor(lang);
  const relativeNotebook = path.relative(PROJECT_ROOT, notebookFor(lang, tutorial)).split(path.sep).join("/");
  const normalize = createNormalizer({ paths: { "<project>": PROJECT_ROOT } });
  const secrets = secretValues();
  return toSetupPages(
    renderMarkdown(executed, {
      header: m.runner.docs.header(relativeNotebook),
      labels: m.runner.docs.labels,
      afterTitle: m.runner.docs.prerequisites(relativeNotebook),
      transformOutput: (text) => normalize(redact(text, secrets)),
    }),
  );
}

async function executeForDocs(options: DocsOptions, notebookPath: string, relativeNotebook: string): Promise<Notebook> {
  const out = path.join(BUILD_DIR, "docs", path.basename(notebookPath));
  for (const name of SHELL_SETTINGS) delete process.env[name];
  const result = await runTutorial({
    lang: options.lang,
    notebook: notebookPath,
    embedded: true,
    parameters: DOCS_PARAMETERS,
    kernelEnv: DOCS_ENV,
    out,
    reporter: options.reporter,
    signal: options.signal,
  });
  if (result.run.status !== "passed") {
    const failure = result.run.failure;
    throw new DocsError(messagesFor(options.lang).runner.docs.runFailed(relativeNotebook, failure ? `${failure.index} (${failure.name})` : "?"));
  }
  return readExecuted(out);
}

const readExecuted = (file: string) => parseNotebook(readNotebookText(file), file);

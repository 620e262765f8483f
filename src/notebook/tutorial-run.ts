/**
 * The tutorial, run end to end: choose the vault (tutorial-target.ts), run the notebook in the
 * tslab kernel (run-notebook.ts), then make sure no key is left behind — the notebook's own
 * clean-up step does it when the run gets there; otherwise the runner cleans what the run's ledger
 * recorded. The result says what happened and how many keys were created and cleaned.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { cleanupRuns, type KeyCleanup } from "../cleanup";
import { redact as redactText, secretValues } from "../secrets";
import { NOTEBOOKS_DIR } from "../paths";
import { countRunKeys, RunLedger, RUNNER_SESSION_VARIABLE, type RunKeyCounts } from "../run-ledger";
import { detectLang, LANGS, messagesFor, type Lang } from "../i18n";
import { explainError, type Explanation } from "../vault-errors";
import { startKernel, type Kernel } from "./kernel";
import { readNotebook } from "./notebook-file";
import type { RunReporter } from "./reporter";
import { prepareNotebook, runNotebook, type RunResult, type StepSelection } from "./run-notebook";
import { splitSteps } from "./steps";
import { openTutorialTarget, type TargetOptions, type TutorialTarget } from "./tutorial-target";

/** Tag of the notebook's clean-up cell: --keep-keys stops the run before it. */
export const CLEANUP_TAG = "kvq-cleanup";

/** The project's notebooks, in the order a learner takes them; each has an English and a zh-TW edition. */
export const TUTORIALS = ["quickstart", "beyond-the-quickstart", "secrets-quickstart", "certificates-quickstart"] as const;
export type TutorialName = (typeof TUTORIALS)[number];

export const notebookFor = (lang: Lang, tutorial: TutorialName = "quickstart") => path.join(NOTEBOOKS_DIR, `${tutorial}${lang === "zh-TW" ? ".zh-TW" : ""}.ipynb`);

/** The tutorial a name or file names ("beyond-the-quickstart", "notebooks/quickstart.zh-TW.ipynb"), or undefined. */
export function tutorialNamed(text: string): TutorialName | undefined {
  const name = path.basename(text).replace(/\.ipynb$/i, "").replace(/\.zh-TW$/i, "");
  return (TUTORIALS as readonly string[]).includes(name) ? (name as TutorialName) : undefined;
}

/**
 * `--notebook`: a tutorial by name picks its edition in the run's language; anything else is a file.
 * A path to a project notebook is used as given (its edition stays the one named).
 */
export function resolveNotebook(given: string | undefined, lang: Lang): string {
  if (!given) return notebookFor(lang);
  const tutorial = tutorialNamed(given);
  if (tutorial && !given.toLowerCase().endsWith(".ipynb")) return notebookFor(lang, tutorial);
  return path.resolve(given);
}

export interface TutorialRunOptions extends TargetOptions {
  /** A tutorial's name or a notebook file (resolveNotebook). Default: the quickstart in the current language. */
  notebook?: string;
  lang?: Lang;
  parameters?: string[];
  selection?: StepSelection;
  timeoutMs?: number;
  out?: string;
  /** Leave the keys in the vault: stop before the clean-up step, and clean nothing afterwards. */
  keepKeys?: boolean;
  /** Keep the values of the notebook's secret parameters in what the run saves and reports (redacted by default). */
  keepSecretValues?: boolean;
  reporter?: RunReporter;
  signal?: AbortSignal;
  /** More variables for the kernel (over the target's). */
  kernelEnv?: Record<string, string>;
  /** Told where the run goes once the target is open, before the run waits for the kernel (started earlier). */
  onTarget?: (target: Pick<TutorialTarget, "kind" | "vaultUrl">) => void;
}

export interface TutorialRunResult {
  run: RunResult;
  target: Pick<TutorialTarget, "kind" | "vaultUrl">;
  /** The key names the run recorded: created (the vault held them), cleaned, left, and not created (refused). */
  keys: RunKeyCounts;
  /** The same for the secret names it recorded. */
  secrets: RunKeyCounts;
  /** The same for the certificate names it recorded (a certificate's key and secret are the certificate's, never counted apart). */
  certificates: RunKeyCounts;
  /** What the runner cleaned itself (when the notebook did not get to its clean-up step). */
  cleanup: KeyCleanup[];
  /** For a failure that matches a known Key Vault error and whose output did not already explain it. */
  fix?: Explanation;
}

export async function runTutorial(options: TutorialRunOptions = {}): Promise<TutorialRunResult> {
  const lang = options.lang ?? detectLang();
  const notebook = resolveNotebook(options.notebook, lang);
  const selection = options.keepKeys ? await untilBeforeCleanup(notebook, options.selection) : options.selection;
  // A wrong path, --param or --step is told before a kernel or an emulator starts or a vault is asked.
  await prepareNotebook(notebook, options.parameters, selection);
  // The kernel first, its environment to follow: it boots and warms up its type-checker while the
  // target opens (an emulator's port and sign-in endpoint are known only then).
  const stopStart = new AbortController();
  const kernel = startKernel({
    cwd: path.dirname(notebook),
    env: { ...options.kernelEnv, KVQ_LANG: lang },
    deferEnv: true,
    signal: options.signal ? AbortSignal.any([options.signal, stopStart.signal]) : stopStart.signal,
  });
  kernel.catch(() => undefined); // runNotebook reports a failed start; here it only must not go unhandled
  try {
    return await runWithKernel({ ...options, selection }, lang, notebook, kernel);
  } finally {
    // Every path closes it: a run closed it already (close is idempotent); a bad target or notebook stops its start.
    stopStart.abort();
    await kernel.then((k) => k.close(), () => undefined);
  }
}

async function runWithKernel(options: TutorialRunOptions, lang: Lang, notebook: string, kernel: Promise<Kernel>): Promise<TutorialRunResult> {
  const selection = options.selection;
  const target = await openTutorialTarget(options);
  // The kernel's ledgers carry this id: the run's own, whatever the clock or the URL's spelling.
  const session = randomUUID();
  try {
    options.onTarget?.({ kind: target.kind, vaultUrl: target.vaultUrl });
    const secrets = secretValues({ ...process.env, ...target.kernelEnv, ...options.kernelEnv });
    const run = await runNotebook({
      notebook,
      out: options.out,
      parameters: options.parameters,
      selection,
      timeoutMs: options.timeoutMs,
      env: { ...target.kernelEnv, ...options.kernelEnv, KVQ_LANG: lang, [RUNNER_SESSION_VARIABLE]: session },
      signal: options.signal,
      reporter: options.reporter,
      redact: (text) => redactText(text, secrets),
      keepSecretValues: options.keepSecretValues,
      kernel,
    });
    // This run's ledgers (the kernel writes them): anything still pending is the runner's to clean.
    const ledgers = () => RunLedger.list({ dir: target.ledgerDir, includeClosed: true, session }).ledgers;
    const pending = options.keepKeys ? [] : ledgers().filter((l) => l.pending.length > 0);
    // The runner's clients (and the SDK they load) are needed only when the notebook did not clean up.
    const cleanup = pending.length === 0 ? [] : (await cleanupRuns(target.clients, pending)).flatMap((r) => r.results);
    return {
      run,
      target: { kind: target.kind, vaultUrl: target.vaultUrl },
      keys: countRunKeys(ledgers(), "key"),
      secrets: countRunKeys(ledgers(), "secret"),
      certificates: countRunKeys(ledgers(), "certificate"),
      cleanup,
      fix: run.failure && !alreadyExplained(run.failure.stderr) ? explainError({ message: run.failure.stderr }) : undefined,
    };
  } finally {
    await target.close();
  }
}

/** The kernel's preload already printed an SDK error with its fix (friendly-errors.ts), in either language. */
const alreadyExplained = (stderr: string) => LANGS.some((lang) => stderr.includes(messagesFor(lang).common.fixPrefix.trim()));

/** --keep-keys: run up to the step before the one tagged kvq-cleanup (or the end, if it has none). */
async function untilBeforeCleanup(notebook: string, selection: StepSelection = {}): Promise<StepSelection> {
  const steps = splitSteps(await readNotebook(notebook));
  const cleanup = steps.find((s) => s.tags.includes(CLEANUP_TAG));
  if (!cleanup) return selection;
  const until = Math.min(selection.until ?? Infinity, cleanup.index - 1);
  return selection.step !== undefined ? selection : { until };
}

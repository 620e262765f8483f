/**
 * `kvq run` (= `npm start`): the quickstart notebook end to end in the tslab kernel, against the
 * embedded emulator or the configured vault, with a spinner per step and nothing left behind.
 * Exit codes: 0 all steps passed, 1 a step failed, 2 bad usage or configuration, 130 interrupted.
 */
import { UsageError } from "../errors";
import { parseDuration } from "../util/duration";
import { detectLang, parseLang, setLang, t } from "../i18n";
import { createHumanReporter, createJsonReporter, summaryLine } from "../notebook/reporter";
import { runTutorial, type TutorialRunResult, tutorialNamed } from "../notebook/tutorial-run";
import { indent } from "./output";

export interface RunCommandOptions {
  notebook?: string;
  param?: string[];
  step?: number;
  until?: number;
  out?: string;
  json?: boolean;
  keepKeys?: boolean;
  keepSecretValues?: boolean;
  timeout?: string;
  vault?: string;
  lang?: string;
}

/** Ctrl-C once: interrupt the kernel, clean up, exit 130. Twice: leave at once. */
function interruptOnSignals(controller: AbortController): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${t().runner.interruptedAgain}\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${t().runner.interrupted}\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/**
 * --lang, else the edition a notebook file names (quickstart.zh-TW.ipynb speaks zh-TW, as its kernel
 * does in Jupyter), else the language of the environment.
 */
export function resolveLang(value: string | undefined, notebook?: string) {
  if (value === undefined) {
    const isEdition = notebook?.toLowerCase().endsWith(".ipynb") && tutorialNamed(notebook);
    const edition = isEdition ? (/\.zh-tw\.ipynb$/i.test(notebook!) ? "zh-TW" : "en") : undefined;
    if (!edition) return detectLang();
    setLang(edition);
    return edition;
  }
  const lang = parseLang(value);
  if (!lang) throw new UsageError(t().runner.usage.badLang(value));
  setLang(lang);
  return lang;
}

export async function runCommand(options: RunCommandOptions): Promise<number> {
  const lang = resolveLang(options.lang, options.notebook);
  if (options.step !== undefined && options.until !== undefined) throw new UsageError(t().runner.usage.stepAndUntil);
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(/^\d+$/.test(options.timeout) ? `${options.timeout}s` : options.timeout);
  if (options.timeout !== undefined && !timeoutMs) throw new UsageError(t().runner.usage.timeout(options.timeout));

  const controller = new AbortController();
  const release = interruptOnSignals(controller);
  try {
    const result = await runTutorial({
      lang,
      notebook: options.notebook,
      vaultUrl: options.vault,
      parameters: options.param,
      selection: { step: options.step, until: options.until },
      timeoutMs,
      out: options.out,
      keepKeys: options.keepKeys,
      keepSecretValues: options.keepSecretValues,
      signal: controller.signal,
      reporter: options.json ? createJsonReporter() : createHumanReporter({ summary: false }),
      onTarget: (target) => {
        if (!options.json) process.stdout.write(`${target.kind === "vault" ? t().runner.target.vault(target.vaultUrl) : t().runner.target.embedded(target.vaultUrl)}\n`);
      },
    });
    if (options.json) process.stdout.write(`${JSON.stringify(jsonSummary(result))}\n`);
    else process.stdout.write(humanSummary(result));
    return result.run.status === "passed" ? 0 : result.run.status === "interrupted" ? 130 : 1;
  } finally {
    release();
  }
}

function humanSummary({ run, keys, secrets, certificates, cleanup, fix }: TutorialRunResult): string {
  const m = t().runner;
  const lines: string[] = [""];
  if (run.failure) {
    lines.push(m.failure.heading(run.failure.index, run.failure.name, run.failure.status), "", m.failure.source, run.failure.excerpt.trimEnd());
    const reported = run.failure.stderr.trim().split("\n").slice(-25).join("\n");
    if (reported) lines.push("", m.failure.reported, `  ${indent(reported)}`);
    if (fix) lines.push("", `${fix.meaning}`, `${t().common.fixPrefix}${fix.fix}`);
    lines.push("");
  }
  for (const c of cleanup) lines.push(m.cleanedUp(c.message));
  lines.push(summaryLine(run));
  const recorded = (c: typeof keys) => c.created.length + c.notCreated.length > 0;
  // A line per kind the run recorded (the keys line when it recorded none, as before secrets).
  if (recorded(keys) || (!recorded(secrets) && !recorded(certificates))) lines.push(m.keys(keys.created.length, keys.cleaned.length, keys.notCreated));
  if (recorded(secrets)) lines.push(m.secrets(secrets.created.length, secrets.cleaned.length, secrets.notCreated));
  if (recorded(certificates)) lines.push(m.certificates(certificates.created.length, certificates.cleaned.length, certificates.notCreated));
  if (keys.left.length > 0) lines.push(m.keysLeft(keys.left));
  if (secrets.left.length > 0) lines.push(m.secretsLeft(secrets.left));
  if (certificates.left.length > 0) lines.push(m.certificatesLeft(certificates.left));
  return `${lines.join("\n")}\n`;
}

const jsonSummary = ({ run, keys, secrets, certificates, target, fix }: TutorialRunResult) => ({
  run: {
    status: run.status,
    seconds: run.seconds,
    kernelStartSeconds: run.kernelStartSeconds,
    outputPath: run.outputPath,
    vault: target.vaultUrl,
    target: target.kind,
    failure: run.failure && { index: run.failure.index, name: run.failure.name, status: run.failure.status, stderr: run.failure.stderr, fix },
    keys,
    secrets,
    certificates,
  },
});

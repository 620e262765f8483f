/** What a notebook of each kind needs on a vault in Azure (docs pages' prerequisites). */
const VAULT_ACCESS = {
  key: "and the **Key Vault Crypto Officer** role on it\n  (or an access policy with the key permissions `get list create delete recover purge`)",
  secret: "and the **Key Vault Secrets Officer** role on it\n  (or an access policy with the secret permissions `get list set delete recover purge`)",
  certificate:
    "the **Key Vault Certificates Officer** role on it, and for reading the certificate's key and secret\n" +
    "  **Key Vault Crypto User** and **Key Vault Secrets User** (or an access policy with the certificate permissions\n" +
    "  `get list create delete recover purge`, the key permissions `get sign verify` and the secret permission `get`)",
};

/** The runner's messages (`kvq run`, `kvq learn`, `kvq docs`, `kvq strip`), in English. Part of the `en` catalog. */
export const runnerEn = {
  target: {
    embedded: (url: string) => `Vault: an emulator of its own at ${url} (no Azure account needed)`,
    vault: (url: string) => `Vault: ${url}`,
  },
  kernelStarting: "Starting the TypeScript kernel",
  kernelReady: (seconds: string) => `Kernel ready (${seconds}s)`,
  /** A step's time on its line: "(0.2s)". */
  stepTime: (seconds: string) => `(${seconds}s)`,
  /** The running time beside a spinner. */
  elapsed: (seconds: string) => `${seconds}s`,
  injectedParameters: "--param",
  kernelFailed: "The TypeScript kernel did not start",
  status: {
    failed: "failed",
    timedOut: "timed out",
    interrupted: "interrupted",
    skippedTagged: "skipped: tagged skip-execution",
    raisedAsExpected: "raised as expected",
  },
  summary: (counts: { passed: number; failed: number; timedOut: number; interrupted: number; skipped: number; notRun: number }, seconds: string, kernelSeconds: string) => {
    const parts = [`${counts.passed} passed`];
    if (counts.failed) parts.push(`${counts.failed} failed`);
    if (counts.timedOut) parts.push(`${counts.timedOut} timed out`);
    if (counts.interrupted) parts.push(`${counts.interrupted} interrupted`);
    if (counts.skipped) parts.push(`${counts.skipped} skipped`);
    if (counts.notRun) parts.push(`${counts.notRun} not run`);
    return `Steps: ${parts.join(", ")} in ${seconds}s (kernel start ${kernelSeconds}s).`;
  },
  executedNotebook: (path: string) => `Executed notebook: ${path}`,
  keys: (created: number, cleaned: number, notCreated: string[] = []) =>
    `Keys: ${created} created, ${cleaned} cleaned.${notCreated.length ? ` Not created (the vault did not make ${notCreated.length === 1 ? "it" : "them"}): ${notCreated.join(", ")}.` : ""}`,
  keysLeft: (names: string[]) => `Left in the vault on purpose (--keep-keys) or by a failed clean-up: ${names.join(", ")}. Remove them with: npx kvq cleanup --yes`,
  secrets: (created: number, cleaned: number, notCreated: string[] = []) =>
    `Secrets: ${created} set, ${cleaned} cleaned.${notCreated.length ? ` Not set (the vault did not make ${notCreated.length === 1 ? "it" : "them"}): ${notCreated.join(", ")}.` : ""}`,
  secretsLeft: (names: string[]) => `Secrets left in the vault on purpose (--keep-keys) or by a failed clean-up: ${names.join(", ")}. Remove them with: npx kvq cleanup --yes`,
  certificates: (created: number, cleaned: number, notCreated: string[] = []) =>
    `Certificates: ${created} created, ${cleaned} cleaned (each with its key and secret).${notCreated.length ? ` Not created (the vault did not make ${notCreated.length === 1 ? "it" : "them"}): ${notCreated.join(", ")}.` : ""}`,
  certificatesLeft: (names: string[]) => `Certificates left in the vault on purpose (--keep-keys) or by a failed clean-up, each with its key and secret: ${names.join(", ")}. Remove them with: npx kvq cleanup --yes`,
  cleanedUp: (message: string) => `Cleaned up: ${message}`,
  failure: {
    heading: (index: number, name: string, status: "failed" | "timed-out" | "interrupted") =>
      status === "failed" ? `Step ${index} (${name}) failed.` : status === "timed-out" ? `Step ${index} (${name}) ran past --timeout and was interrupted.` : `Step ${index} (${name}) was interrupted.`,
    source: "The cell:",
    reported: "What it reported:",
  },
  notebookFile: {
    notFound: (file: string) => `No notebook at ${file}.`,
    notFoundFix: "Check the path: a tutorial's name (quickstart, beyond-the-quickstart, secrets-quickstart, certificates-quickstart) or a .ipynb file.",
    invalidJson: (file: string, detail: string) => `${file} is not valid JSON: ${detail}`,
    invalidJsonFix: "Open it in Jupyter or an editor and fix the JSON, or restore it from git.",
    notNbformat4: (file: string, found: string) => `${file} is not an nbformat 4 notebook (found nbformat ${found}).`,
    notNbformat4Fix: "Save it from Jupyter 4+ (or `jupyter nbconvert --to notebook` it) and try again.",
    badCell: (file: string, cell: number) => `${file}: cell ${cell} has no valid cell_type.`,
    badCellFix: "Open the notebook in Jupyter and re-save it.",
  },
  interrupted: "Interrupted: stopping the kernel and cleaning up (Ctrl-C again to leave at once).",
  interruptedAgain: "Leaving without cleaning up. Remove what the run left with: npx kvq cleanup --yes",
  docs: {
    header: (notebook: string) => `<!-- Generated by \`npx kvq docs\` from ${notebook}. Do not edit this file: change the notebook, then regenerate. -->`,
    labels: { code: "Code", output: "Output" },
    /**
     * The section after the title of a docs page; links are relative to docs/. `kind`: what the
     * notebook works with, which decides the role it needs; `tutorial`: its name, for the commands.
     */
    prerequisites: (notebook: string, kind: "key" | "secret" | "certificate" = "key", tutorial = "") =>
      [
        "## Prerequisites",
        "",
        "- [Node.js](https://nodejs.org/) 20.19 or later, and this project with `npm install` run in its folder.",
        "- For the **local emulator**: nothing else — no Azure subscription, no network.",
        `- For **a vault in Azure**: an Azure subscription, a key vault, ${VAULT_ACCESS[kind]}, and the Azure CLI to sign in.`,
        "",
        "[setup.md](../setup.md) walks through both, and through opening the notebook in JupyterLab, Jupyter Notebook or VS Code.",
        `This page shows the code of [${notebook}](../${notebook}) with the output of one run against the emulator:`,
        `run it yourself in a notebook, step by step in a terminal with \`npm run learn${tutorial ? ` -- ${tutorial}` : ""}\`, or end to end with \`${tutorial ? `npx kvq run ${tutorial}` : "npm start"}\`.`,
      ].join("\n"),
    setupHeader: (source: string) => `<!-- Made by \`npx kvq docs\` from ${source}, so the site has it. Do not edit this file: change ${source}, then regenerate. -->`,
    running: (notebook: string) => `Running ${notebook} against an emulator of its own`,
    wrote: (file: string) => `Wrote ${file}`,
    unchanged: (file: string) => `${file} is up to date`,
    stale: (file: string) => `${file} is out of date: run \`npx kvq docs\` and commit the result.`,
    runFailed: (notebook: string, step: string) => `The docs come from a run that passes, and ${notebook} failed at step ${step}: fix the notebook first (npx kvq run shows why).`,
    fromNeedsOneLang: "--from takes one executed notebook: give --lang en or --lang zh-TW with it.",
  },
  strip: {
    cleaned: (file: string) => `Stripped ${file}`,
    clean: (file: string) => `${file} is already clean`,
    wouldChange: (file: string) => `${file} is not stripped (outputs, execution data, or a layout Jupyter would rewrite): run \`npx kvq strip ${file}\`.`,
    stdinTakesNoFiles: "--stdin reads one notebook from standard input: give no file names with it.",
    notInGit: "kvq strip --install configures git in this clone, and this folder is not in a git clone (or git is not installed). Run it inside your clone of the project.",
    installed: (filter: string, command: string) =>
      `git now strips outputs from notebooks as they are staged (filter ${filter}: ${command}). Your copies keep their outputs; commits and diffs do not show them.`,
  },
  learn: {
    welcome: (steps: number) => `The quickstart, one step at a time (${steps} steps). Before each step you read what it does and see its code.`,
    keys: "Enter: run it   s: skip it   b: go back   a number, then Enter: go to that step   q: quit (cleans up)",
    stepHeading: (index: number, total: number, name: string) => `Step ${index} of ${total} · ${name}`,
    prompt: "Run this step? [Enter/s/b/q, or a step number] ",
    secretValuePrompt: "The value of your secret (shown in this session only; Enter for a made-up one): ",
    namePrompt: (suggestion: string) => `Name for your key (Enter for ${suggestion}): `,
    nameRefused: (why: string) => `That name will not do: ${why}`,
    nameAccepted: (name: string) => `Using ${name}.`,
    skipped: "Skipped. Later steps may need what this one makes.",
    failedStep: "This step failed; read its output above. Enter tries it again, s skips it, b goes back a step, q quits.",
    skippedDefiner: (step: number, name: string, missing: string) => `You skipped step ${step} (${name}), which defines \`${missing}\`: press b to go back to it (or type ${step}), run it, then come back here.`,
    failedDefiner: (step: number, name: string, missing: string) => `Step ${step} (${name}) defines \`${missing}\`, and it did not finish: press b to go back to it (or type ${step}) and run it again.`,
    notRunDefiner: (step: number, name: string, missing: string) => `Step ${step} (${name}) defines \`${missing}\`, and it has not run in this session: press b to go back to it (or type ${step}).`,
    noSuchStep: (step: number, total: number) => `There is no step ${step}: the steps are 1 to ${total}.`,
    /** Ctrl-C while the step ran: the kernel stopped it. */
    stoppedStep: "You stopped this step. Enter runs it again, s skips it, b goes back a step, q quits.",
    /** Ctrl-C did not stop the step (a loop after an await), so the kernel was shut down. */
    kernelStuck: "The step did not stop, so its kernel was shut down. Run npm run learn again to continue from here.",
    catchingUp: (from: number) => `Catching up: running steps 1 to ${from - 1} again, quietly, so the kernel has what step ${from} needs…`,
    caughtUp: "Caught up.",
    resumeOffer: (next: number) => `Last time you got to step ${next - 1}. Continue from step ${next}? [Y/n] `,
    quitting: "Quitting: cleaning up what this session created…",
    /** `tutorial`: the notebook's name when it is not the quickstart (the default). */
    resumeHint: (next: number, tutorial = "") => `To go on later from step ${next}: npm run learn -- ${tutorial ? `${tutorial} ` : ""}--from ${next}`,
    finished: "That was the whole quickstart. Well done!",
    fromTooLarge: (from: number, total: number) => `--from ${from}: the notebook has ${total} steps.`,
  },
  usage: {
    badLang: (value: string) => `--lang "${value}" is not a language this tutorial has. Use en or zh-TW.`,
    stepAndUntil: "--step and --until cannot be combined: --step N runs step N only, --until N runs steps 1 to N.",
    timeout: (value: string) => `--timeout "${value}" is not a duration. Use e.g. 90s, 5m.`,
  },
};

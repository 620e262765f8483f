/** The runner's messages (`kvq run`, `kvq learn`, `kvq docs`, `kvq strip`), in English. Part of the `en` catalog. */
export const runnerEn = {
  target: {
    embedded: (url: string) => `Vault: an emulator of its own at ${url} (no Azure account needed)`,
    vault: (url: string) => `Vault: ${url}`,
  },
  kernelStarting: "Starting the TypeScript kernel",
  kernelReady: (seconds: string) => `Kernel ready (${seconds}s)`,
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
  keys: (created: number, cleaned: number) => `Keys: ${created} created, ${cleaned} cleaned.`,
  keysLeft: (names: string[]) => `Left in the vault on purpose (--keep-keys) or by a failed clean-up: ${names.join(", ")}. Remove them with: npx kvq cleanup --yes`,
  cleanedUp: (message: string) => `Cleaned up: ${message}`,
  failure: {
    heading: (index: number, name: string, status: "failed" | "timed-out" | "interrupted") =>
      status === "failed" ? `Step ${index} (${name}) failed.` : status === "timed-out" ? `Step ${index} (${name}) ran past --timeout and was interrupted.` : `Step ${index} (${name}) was interrupted.`,
    source: "The cell:",
    reported: "What it reported:",
  },
  interrupted: "Interrupted: stopping the kernel and cleaning up (Ctrl-C again to leave at once).",
  interruptedAgain: "Leaving without cleaning up. Remove what the run left with: npx kvq cleanup --yes",
  usage: {
    badLang: (value: string) => `--lang "${value}" is not a language this tutorial has. Use en or zh-TW.`,
    stepAndUntil: "--step and --until cannot be combined: --step N runs step N only, --until N runs steps 1 to N.",
    timeout: (value: string) => `--timeout "${value}" is not a duration. Use e.g. 90s, 5m.`,
  },
};

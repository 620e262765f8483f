import { displayWidth, t } from "./i18n";

/**
 * A problem a learner can fix: what is wrong, and exactly what to do about it. Every helper that
 * checks something reports these instead of throwing at the first mistake, so all of them can be
 * shown at once.
 */
export interface Problem {
  /** Stable identifier, for tests and --json output (e.g. "vault-name-too-short"). */
  code: string;
  /** The environment variable concerned, if any. */
  variable?: string;
  message: string;
  fix: string;
}

export const problem = (code: string, message: string, fix: string, variable?: string): Problem => ({ code, message, fix, variable });

/** "✖ message\n  Fix: fix" — one problem, ready to print; a fix's later lines line up under its first. */
export function formatProblem(p: Problem, mark = "✖"): string {
  const label = `  ${t().common.fixPrefix}`;
  return `${mark} ${p.message}\n${label}${p.fix.replace(/\n/g, `\n${" ".repeat(displayWidth(label))}`)}`;
}

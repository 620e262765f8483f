/** `kvq doctor`: the checklist, as ✔/⚠/✖ lines with spinners, or one JSON object per check. */
import { runDoctor } from "../workshop/doctor";
import type { CheckResult } from "../workshop/checks";
import { indent, startStep, type Step, type StepEnd } from "./output";

export async function doctorCommand(options: { json?: boolean }): Promise<number> {
  let current: Step | undefined;
  const results = await runDoctor({
    onStart: (check) => {
      if (!options.json) current = startStep(check.title);
    },
    onResult: (result) => {
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      render(current!, result);
    },
  });
  const failed = results.filter((r) => r.status === "fail").length;
  if (!options.json) {
    const warned = results.filter((r) => r.status === "warn").length;
    process.stdout.write(`\n${failed === 0 ? "Ready" : `${failed} check(s) failed`}${warned ? `, ${warned} warning(s)` : ""}.\n`);
  }
  // The exit code is the number of failed checks (kept below the codes shells reserve).
  return Math.min(failed, 100);
}

const END: Record<CheckResult["status"], StepEnd> = { pass: "succeed", warn: "warn", fail: "fail", skip: "info" };

function render(step: Step, result: CheckResult): void {
  const fix = result.fix && result.status !== "pass" ? `\n  Fix: ${indent(result.fix, "       ")}` : "";
  step.end(END[result.status], `${result.title} — ${indent(result.detail)}${fix}`);
}

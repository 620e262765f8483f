/** `kvq doctor`: the checklist, as ✔/⚠/✖ lines with spinners, or one JSON object per check. */
import { displayWidth, t } from "../i18n";
import { DOCTOR_TUTORIALS, runDoctor, type DoctorTutorial } from "../workshop/doctor";
import type { CheckResult } from "../workshop/checks";
import { indent, startStep, type Step, type StepEnd } from "./output";

export async function doctorCommand(options: { json?: boolean; tutorial?: DoctorTutorial }): Promise<number> {
  let current: Step | undefined;
  const results = await runDoctor({
    // One tutorial: the permissions of the kinds it makes; none given, every kind's.
    kinds: options.tutorial && DOCTOR_TUTORIALS[options.tutorial],
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
    process.stdout.write(`\n${t().commands.doctor.summary(failed, warned)}\n`);
  }
  return doctorExitCode(results);
}

/** The number of failed checks, 0 when ready (kept below the codes shells reserve for signals). */
export const doctorExitCode = (results: Pick<CheckResult, "status">[]) => Math.min(results.filter((r) => r.status === "fail").length, 100);

const END: Record<CheckResult["status"], StepEnd> = { pass: "succeed", warn: "warn", fail: "fail", skip: "info" };

function render(step: Step, result: CheckResult): void {
  const label = `  ${t().common.fixPrefix}`;
  const fix = result.fix && result.status !== "pass" ? `\n${label}${indent(result.fix, " ".repeat(displayWidth(label)))}` : "";
  step.end(END[result.status], t().commands.doctor.line(result.title, indent(result.detail)) + fix);
}

/** `kvq rehearse --attendees N`: run N attendees' flows at once against a throttled emulator and report. */
import { displayWidth, padDisplay, t } from "../i18n";
import { rehearse, type RehearsalReport } from "../workshop/rehearse";
import { parseFault } from "./fault-option";
import { startStep } from "./output";

export interface RehearseCommandOptions {
  attendees: number;
  throttle: number;
  purgeProtection?: boolean;
  fault?: string[];
  json?: boolean;
}

export async function rehearseCommand(options: RehearseCommandOptions): Promise<number> {
  const m = t().commands.rehearse;
  const faults = (options.fault ?? []).map(parseFault);
  const step = options.json ? undefined : startStep(m.starting(options.attendees, options.throttle));
  const report = await rehearse({
    attendees: options.attendees,
    throttle: options.throttle,
    purgeProtection: options.purgeProtection,
    faults,
    onAttendeeDone: (_, done) => step?.update(m.progress(done, options.attendees)),
  });
  const ok = report.finished === report.attendees && report.leftoverKeys.length === 0;
  step?.end(ok ? "succeed" : "fail", m.finished(report.finished, report.attendees, report.seconds.toFixed(1)));
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatReport(report));
  return ok ? 0 : 1;
}

/** The report for people, in the current language; the JSON report (--json) keeps the step ids. */
export function formatReport(r: RehearsalReport): string {
  const m = t().commands.rehearse;
  const row = (label: string, value: string) => `${padDisplay(label, 22)}${value}`;
  const names = r.steps.map((s) => m.steps[s.step]);
  const width = Math.max(displayWidth(m.columns.step), ...names.map(displayWidth));
  const column = Math.max(7, ...[m.columns.p50, m.columns.p95, m.columns.max].map(displayWidth));
  const cell = (text: string) => " ".repeat(Math.max(0, column - displayWidth(text))) + text;
  const rows = r.steps.map((s, i) => `  ${padDisplay(names[i], width)}  ${cell(s.p50.toFixed(2))}  ${cell(s.p95.toFixed(2))}  ${cell(s.max.toFixed(2))}`);
  return [
    "",
    row(m.finishedLabel, `${r.finished}/${r.attendees}`),
    m.retries(r.retries, r.busyInsteadOfConflict),
    row(m.timeLabel, m.seconds(r.seconds.toFixed(1))),
    row(m.leftoverLabel, m.leftover(r.leftoverKeys)),
    ...r.failed.map((f) => `✖ ${m.failedAttendee(f.attendee, f.error ?? "")}`),
    "",
    `  ${padDisplay(m.columns.step, width)}  ${cell(m.columns.p50)}  ${cell(m.columns.p95)}  ${cell(m.columns.max)}`,
    ...rows,
    "",
    m.onAzure,
    ...r.azure.map((line) => `  ${line}`),
    "",
  ].join("\n");
}

/** `kvq rehearse --attendees N`: run N attendees' flows of a tutorial at once against a throttled emulator and report. */
import { displayWidth, padDisplay, t } from "../i18n";
import { FLOWS, rehearse, type RehearsalReport, type RehearsalTutorial } from "../workshop/rehearse";
import { parseFault } from "./fault-option";
import { wrapPlain } from "../notebook/terminal-markdown";
import { startStep } from "./output";

export interface RehearseCommandOptions {
  attendees: number;
  /** Checked by the CLI's parser (one of REHEARSAL_TUTORIALS); default the keys quickstart. */
  tutorial?: RehearsalTutorial;
  /** Default: the Azure limit of the tutorial's kind. */
  throttle?: number;
  purgeProtection?: boolean;
  fault?: string[];
  json?: boolean;
}

export async function rehearseCommand(options: RehearseCommandOptions): Promise<number> {
  const m = t().commands.rehearse;
  const tutorial = options.tutorial ?? "quickstart";
  const flow = FLOWS[tutorial];
  const throttle = options.throttle ?? flow.azureLimit;
  const faults = (options.fault ?? []).map(parseFault);
  const step = options.json ? undefined : startStep(m.starting(tutorial, options.attendees, m.limit[flow.kind](throttle)));
  const report = await rehearse({
    attendees: options.attendees,
    tutorial,
    throttle,
    purgeProtection: options.purgeProtection,
    faults,
    onAttendeeDone: (_, done) => step?.update(m.progress(done, options.attendees)),
  });
  const ok = report.finished === report.attendees && report.leftovers.length === 0;
  step?.end(ok ? "succeed" : "fail", m.finished(report.finished, report.attendees, report.seconds.toFixed(1)));
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  // On a terminal, lines are wrapped at its width by words (zh-TW by characters): the advice runs long.
  else process.stdout.write(process.stdout.isTTY ? wrapPlain(formatReport(report)) : formatReport(report));
  return ok ? 0 : 1;
}

/** The report for people, in the current language; the JSON report (--json) keeps the step ids. */
export function formatReport(r: RehearsalReport): string {
  const m = t().commands.rehearse;
  // The values in one column, 22 wide or two past the longest label ("Key creates (certificates):").
  const labels = [m.finishedLabel, m.timeLabel, m.countedLabel[r.kind], m.leftoverLabel(r.kind)];
  const labelWidth = Math.max(22, ...labels.map((label) => displayWidth(label) + 2));
  const row = (label: string, value: string) => `${padDisplay(label, labelWidth)}${value}`;
  const names = r.steps.map((s) => m.steps[s.step]);
  const width = Math.max(displayWidth(m.columns.step), ...names.map(displayWidth));
  const column = Math.max(7, ...[m.columns.p50, m.columns.p95, m.columns.max].map(displayWidth));
  const cell = (text: string) => " ".repeat(Math.max(0, column - displayWidth(text))) + text;
  const rows = r.steps.map((s, i) => `  ${padDisplay(names[i], width)}  ${cell(s.p50.toFixed(2))}  ${cell(s.p95.toFixed(2))}  ${cell(s.max.toFixed(2))}`);
  const perAttendee = Math.round((r.countedRequests / r.attendees) * 10) / 10;
  return [
    "",
    row(m.finishedLabel, `${r.finished}/${r.attendees}`),
    m.retries(r.retries, r.busyInsteadOfConflict),
    row(m.timeLabel, m.seconds(r.seconds.toFixed(1))),
    row(m.countedLabel[r.kind], m.counted(r.countedRequests, perAttendee)),
    row(m.leftoverLabel(r.kind), m.leftover(r.kind, r.leftovers)),
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

/** `kvq rehearse --attendees N`: run N attendees' flows at once against a throttled emulator and report. */
import { rehearse, type RehearsalReport } from "../workshop/rehearse";
import { startStep } from "./output";

export async function rehearseCommand(options: { attendees: number; throttle: number; json?: boolean }): Promise<number> {
  const step = options.json ? undefined : startStep(`Rehearsing ${options.attendees} attendees against an emulator limited to ${options.throttle} creates per 10 s`);
  const report = await rehearse({
    attendees: options.attendees,
    throttle: options.throttle,
    onAttendeeDone: (_, done) => step?.update(`Rehearsing: ${done}/${options.attendees} attendees done`),
  });
  const ok = report.finished === report.attendees && report.leftoverKeys.length === 0;
  step?.end(ok ? "succeed" : "fail", `${report.finished}/${report.attendees} attendees finished in ${report.seconds.toFixed(1)} s`);
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatReport(report));
  return ok ? 0 : 1;
}

export function formatReport(r: RehearsalReport): string {
  const width = Math.max(...r.steps.map((s) => s.step.length));
  const rows = r.steps.map((s) => `  ${s.step.padEnd(width)}  ${s.p50.toFixed(2).padStart(7)}  ${s.p95.toFixed(2).padStart(7)}  ${s.max.toFixed(2).padStart(7)}`);
  return [
    "",
    `Attendees finished:   ${r.finished}/${r.attendees}`,
    `"Vault is busy" (429) retries: ${r.retries}${r.busyInsteadOfConflict ? ` (${r.busyInsteadOfConflict} saw "busy" instead of the 409 in the reuse step)` : ""}`,
    `Time to all done:     ${r.seconds.toFixed(1)} s`,
    `Leftover keys:        ${r.leftoverKeys.length}${r.leftoverKeys.length ? ` (${r.leftoverKeys.join(", ")})` : ""}`,
    ...r.failed.map((f) => `✖ ${f.attendee}: ${f.error}`),
    "",
    `  ${"step".padEnd(width)}  ${"p50 s".padStart(7)}  ${"p95 s".padStart(7)}  ${"max s".padStart(7)}`,
    ...rows,
    "",
    "On Azure:",
    ...r.azure.map((line) => `  ${line}`),
    "",
  ].join("\n");
}

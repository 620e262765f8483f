/** `kvq cleanup`: list what tutorial runs left behind, grouped by run; with --yes, delete and purge it. */
import { UsageError } from "../errors";
import { parseDuration } from "../util/duration";
import { padDisplay, t } from "../i18n";
import { KINDS } from "../kinds/index";
import { openVaultClient } from "../vault-client";
import { findLeftovers, sweep, type LeftoverObject, type RunGroup } from "../workshop/sweep";
import { startStep } from "./output";

export interface CleanupCommandOptions {
  yes?: boolean;
  run?: string;
  olderThan?: string;
  prefix?: string;
  attendee?: string;
  vault?: string;
  json?: boolean;
}

export async function cleanupCommand(options: CleanupCommandOptions): Promise<number> {
  const m = t().commands.cleanup;
  const olderThanMs = options.olderThan === undefined ? undefined : parseDuration(options.olderThan);
  if (olderThanMs === undefined && options.olderThan !== undefined) throw new UsageError(m.notADuration(options.olderThan));
  const { clients, config } = openVaultClient({ vaultUrl: options.vault });
  const step = options.json ? undefined : startStep(m.looking(config.vaultUrl));
  const { groups, unreadableLedgers } = await findLeftovers(clients, {
    filter: { runId: options.run, olderThanMs, prefix: options.prefix, attendee: options.attendee },
  }).catch((error: unknown) => {
    // The spinner stops on a ✖ line; the CLI prints what went wrong and how to fix it.
    step?.end("fail", m.looking(config.vaultUrl));
    throw error;
  });
  const all = groups.flatMap((g) => g.objects);
  const counted = KINDS.map((k) => [k.id, all.filter((o) => o.kind === k.id).length] as const).filter(([, n]) => n > 0);
  step?.end("info", m.found(counted.map(([kind, n]) => m.counted(kind, n)), groups.length, config.vaultUrl, !options.yes));
  for (const error of unreadableLedgers) process.stderr.write(`⚠ ${error.message}\n`);

  if (!options.yes) {
    if (options.json) process.stdout.write(`${JSON.stringify({ dryRun: true, runs: groups.map(toJson) })}\n`);
    else {
      for (const g of groups) printGroup(g);
      if (all.length > 0) process.stdout.write(`\n${m.nothingChanged}\n`);
    }
    return 0;
  }
  const results = await sweep(clients, groups, {
    onObject: (r) => {
      if (!options.json) process.stdout.write(`${r.outcome === "failed" ? "✖" : "✔"} ${r.message}\n`);
    },
  });
  const failed = results.filter((r) => r.outcome === "failed").length;
  if (options.json) process.stdout.write(`${JSON.stringify({ dryRun: false, results })}\n`);
  else process.stdout.write(`\n${m.done(results.length - failed, failed)}\n`);
  return failed > 0 ? 1 : 0;
}

const minutes = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16);

function printGroup(g: RunGroup): void {
  process.stdout.write(`\n${t().commands.cleanup.run(g.runId, g.attendee, g.startedAt && minutes(g.startedAt), g.ledger !== undefined)}\n`);
  for (const object of g.objects) process.stdout.write(`  ${describe(object)}\n`);
}

/** "<state>  <kind>  <name>  (<when>)", the states in a column 10 wide, the kinds 8. */
function describe(object: LeftoverObject): string {
  const m = t().commands.cleanup;
  const when = (d?: Date) => (d ? minutes(d) : "?");
  const note = object.state === "live" ? m.created(when(object.since)) : object.state === "deleted" ? m.deleted(when(object.since), when(object.scheduledPurgeDate)) : m.ledgerOnly;
  return `${padDisplay(m.states[object.state], 10)}${padDisplay(t().kinds[object.kind], 8)}${object.name}  ${note}`;
}

const toJson = (g: RunGroup) => ({ runId: g.runId, attendee: g.attendee, startedAt: g.startedAt, ledger: g.ledger?.file, objects: g.objects });

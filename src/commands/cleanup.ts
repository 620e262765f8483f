/** `kvq cleanup`: list what tutorial runs left behind, grouped by run; with --yes, delete and purge it. */
import { UsageError } from "../errors";
import { parseDuration } from "../util/duration";
import { displayWidth, padDisplay, t } from "../i18n";
import { KINDS, type KindId } from "../kinds/index";
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
  // Every kind, none left out (a JSON reader sees certificates: 0, not a missing field).
  const found = Object.fromEntries(KINDS.map((k) => [k.id, all.filter((o) => o.kind === k.id).length])) as Record<KindId, number>;
  const counted = KINDS.filter((k) => found[k.id] > 0).map((k) => m.counted(k.id, found[k.id]));
  step?.end("info", m.found(counted, groups.length, config.vaultUrl, !options.yes));
  for (const error of unreadableLedgers) process.stderr.write(`⚠ ${error.message}\n`);

  if (!options.yes) {
    if (options.json) process.stdout.write(`${JSON.stringify({ dryRun: true, found, runs: groups.map(toJson) })}\n`);
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
  if (options.json) {
    const cleaned = Object.fromEntries(KINDS.map((k) => [k.id, results.filter((r) => r.kind === k.id && r.outcome !== "failed").length]));
    process.stdout.write(`${JSON.stringify({ dryRun: false, found, cleaned, failed, results })}\n`);
  } else process.stdout.write(`\n${m.done(results.length - failed, failed)}\n`);
  return failed > 0 ? 1 : 0;
}

const minutes = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16);

function printGroup(g: RunGroup): void {
  process.stdout.write(`\n${t().commands.cleanup.run(g.runId, g.attendee, g.startedAt && minutes(g.startedAt), g.ledger !== undefined)}\n`);
  for (const object of g.objects) process.stdout.write(`  ${describeLeftover(object)}\n`);
}

/**
 * "<state>  <kind>  <name>  (<when>)": the states in a column 10 wide, the kinds in one as wide as
 * the widest kind's word and two spaces ("certificate", 「憑證」), whichever kinds are listed.
 */
export function describeLeftover(object: LeftoverObject): string {
  const m = t().commands.cleanup;
  const when = (d?: Date) => (d ? minutes(d) : "?");
  const note = object.state === "live" ? m.created(when(object.since)) : object.state === "deleted" ? m.deleted(when(object.since), when(object.scheduledPurgeDate)) : m.ledgerOnly;
  const kindColumn = Math.max(...KINDS.map((k) => displayWidth(t().kinds[k.id]))) + 2;
  return `${padDisplay(m.states[object.state], 10)}${padDisplay(t().kinds[object.kind], kindColumn)}${object.name}  ${note}`;
}

const toJson = (g: RunGroup) => ({ runId: g.runId, attendee: g.attendee, startedAt: g.startedAt, ledger: g.ledger?.file, objects: g.objects });

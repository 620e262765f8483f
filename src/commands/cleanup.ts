/** `kvq cleanup`: list what tutorial runs left behind, grouped by run; with --yes, delete and purge it. */
import { UsageError } from "../cli";
import { parseDuration } from "../emulator/clock";
import { openVaultClient } from "../vault-client";
import { findLeftovers, sweep, type LeftoverKey, type RunGroup } from "../workshop/sweep";
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
  const olderThanMs = options.olderThan === undefined ? undefined : parseDuration(options.olderThan);
  if (olderThanMs === undefined && options.olderThan !== undefined) throw new UsageError(`--older-than "${options.olderThan}" is not a duration. Use e.g. 2h, 30m, 1d.`);
  const { client, config } = openVaultClient({ vaultUrl: options.vault });
  const step = options.json ? undefined : startStep(`Looking for tutorial keys in ${config.vaultUrl}`);
  const { groups, unreadableLedgers } = await findLeftovers(client, {
    filter: { runId: options.run, olderThanMs, prefix: options.prefix, attendee: options.attendee },
  });
  const count = groups.reduce((n, g) => n + g.keys.length, 0);
  step?.end("info", `${count} tutorial key(s) in ${groups.length} run(s) at ${config.vaultUrl}${options.yes ? "" : " (dry run)"}.`);
  for (const error of unreadableLedgers) process.stderr.write(`⚠ ${error.message}\n`);

  if (!options.yes) {
    if (options.json) process.stdout.write(`${JSON.stringify({ dryRun: true, runs: groups.map(toJson) })}\n`);
    else {
      for (const g of groups) printGroup(g);
      if (count > 0) process.stdout.write("\nNothing was changed. Run again with --yes to delete and purge these keys.\n");
    }
    return 0;
  }
  const results = await sweep(client, groups, {
    onKey: (r) => {
      if (!options.json) process.stdout.write(`${r.outcome === "failed" ? "✖" : "✔"} ${r.message}\n`);
    },
  });
  const failed = results.filter((r) => r.outcome === "failed").length;
  if (options.json) process.stdout.write(`${JSON.stringify({ dryRun: false, results })}\n`);
  else process.stdout.write(`\n${results.length - failed} cleaned, ${failed} failed.\n`);
  return failed > 0 ? 1 : 0;
}

function printGroup(g: RunGroup): void {
  const started = g.startedAt ? `, started ${g.startedAt.toISOString().replace("T", " ").slice(0, 16)}` : "";
  process.stdout.write(`\nRun ${g.runId}${g.attendee ? ` (attendee ${g.attendee}${started})` : started}${g.ledger ? "" : " — no local ledger"}\n`);
  for (const key of g.keys) process.stdout.write(`  ${describe(key)}\n`);
}

function describe(key: LeftoverKey): string {
  const when = (d?: Date) => (d ? d.toISOString().replace("T", " ").slice(0, 16) : "?");
  if (key.state === "live") return `live      ${key.name}  (created ${when(key.since)})`;
  if (key.state === "deleted") return `deleted   ${key.name}  (deleted ${when(key.since)}, purge scheduled ${when(key.scheduledPurgeDate)})`;
  return `recorded  ${key.name}  (in the run's ledger, not in the vault: never created, or already purged)`;
}

const toJson = (g: RunGroup) => ({ runId: g.runId, attendee: g.attendee, startedAt: g.startedAt, ledger: g.ledger?.file, keys: g.keys });

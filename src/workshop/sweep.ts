/**
 * `kvq cleanup`: what tutorial runs left in a vault — live and soft-deleted keys carrying the
 * tutorial's tags, and the local ledgers of runs that stopped early — grouped by run, and then
 * (only when asked) deleted and purged. A key without the tutorial's tags is never listed, so it
 * is never touched.
 */
import type { KeyClient } from "@azure/keyvault-keys";
import { cleanupKey, type KeyCleanup } from "../cleanup";
import { ATTENDEE_TAG, isTutorialKey, RUN_TAG, RunLedger, type LedgerError } from "../run-ledger";

export interface LeftoverKey {
  name: string;
  /** "ledger-only": recorded by a run but neither live nor deleted in the vault (never created, or already purged). */
  state: "live" | "deleted" | "ledger-only";
  runId: string;
  attendee?: string;
  /** When the key was created (live) or deleted (deleted). */
  since?: Date;
  scheduledPurgeDate?: Date;
}

export interface RunGroup {
  runId: string;
  attendee?: string;
  startedAt?: Date;
  ledger?: RunLedger;
  keys: LeftoverKey[];
}

export interface SweepFilter {
  runId?: string;
  /** Only keys (and runs) older than this many milliseconds. */
  olderThanMs?: number;
  /** Only keys whose name starts with this. */
  prefix?: string;
  attendee?: string;
  now?: Date;
}

export interface Leftovers {
  groups: RunGroup[];
  unreadableLedgers: LedgerError[];
}

export async function findLeftovers(client: KeyClient, options: { ledgerDir?: string; filter?: SweepFilter } = {}): Promise<Leftovers> {
  const filter = options.filter ?? {};
  const now = (filter.now ?? new Date()).getTime();
  const keys: LeftoverKey[] = [];
  for await (const props of client.listPropertiesOfKeys()) {
    if (!isTutorialKey(props.tags)) continue;
    keys.push({ name: props.name, state: "live", runId: props.tags![RUN_TAG] ?? "unknown", attendee: props.tags![ATTENDEE_TAG], since: props.createdOn });
  }
  for await (const deleted of client.listDeletedKeys()) {
    if (!isTutorialKey(deleted.properties.tags)) continue;
    const tags = deleted.properties.tags!;
    keys.push({
      name: deleted.name,
      state: "deleted",
      runId: tags[RUN_TAG] ?? "unknown",
      attendee: tags[ATTENDEE_TAG],
      since: deleted.properties.deletedOn,
      scheduledPurgeDate: deleted.properties.scheduledPurgeDate,
    });
  }
  const { ledgers, unreadable } = RunLedger.list({ dir: options.ledgerDir, vaultUrl: client.vaultUrl });
  const groups = new Map<string, RunGroup>();
  const group = (runId: string) => {
    let g = groups.get(runId);
    if (!g) groups.set(runId, (g = { runId, keys: [] }));
    return g;
  };
  for (const ledger of ledgers) {
    const g = group(ledger.runId);
    Object.assign(g, { ledger, startedAt: ledger.startedAt, attendee: ledger.attendee });
    for (const name of ledger.pendingKeys) {
      const inVault = keys.some((k) => k.name.toLowerCase() === name.toLowerCase());
      if (!inVault) keys.push({ name, state: "ledger-only", runId: ledger.runId, attendee: ledger.attendee, since: ledger.startedAt });
    }
  }
  for (const key of keys) {
    if (filter.runId && key.runId !== filter.runId) continue;
    if (filter.prefix && !key.name.startsWith(filter.prefix)) continue;
    if (filter.attendee && key.attendee !== filter.attendee) continue;
    if (filter.olderThanMs !== undefined && (!key.since || now - key.since.getTime() < filter.olderThanMs)) continue;
    const g = group(key.runId);
    g.attendee ??= key.attendee;
    g.keys.push(key);
  }
  const result = [...groups.values()].filter((g) => g.keys.length > 0);
  result.sort((a, b) => a.runId.localeCompare(b.runId));
  return { groups: result, unreadableLedgers: unreadable };
}

export interface SweptKey extends KeyCleanup {
  runId: string;
}

/** Deletes and purges every listed key (each checked against its run's tag again), and closes finished ledgers. */
export async function sweep(client: KeyClient, groups: RunGroup[], options: { pollIntervalMs?: number; onKey?: (result: SweptKey) => void } = {}): Promise<SweptKey[]> {
  const results: SweptKey[] = [];
  for (const g of groups) {
    for (const key of g.keys) {
      const result = {
        ...(await cleanupKey(client, key.name, { runId: g.runId === "unknown" ? undefined : g.runId, pollIntervalMs: options.pollIntervalMs, graceMs: key.state === "ledger-only" ? 2000 : 0 })),
        runId: g.runId,
      };
      if (result.outcome !== "failed") g.ledger?.markCleaned(key.name, result.outcome);
      results.push(result);
      options.onKey?.(result);
    }
    g.ledger?.closeIfClean();
  }
  return results;
}

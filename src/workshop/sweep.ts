/**
 * `kvq cleanup`: what tutorial runs left in a vault — live and soft-deleted objects (keys,
 * secrets, certificates) carrying the tutorial's tags, and the local ledgers of runs that stopped
 * early — grouped by run, and then (only when asked) deleted and purged. An object without the
 * tutorial's tags is never listed, so it is never touched; nor is a certificate's own key or
 * secret (`managed`), which goes with its certificate. Every kind there is a client for is looked
 * at, the same way (kinds/).
 */
import { cleanupObject, type CleanupClients, type ObjectCleanup } from "../cleanup";
import { KINDS, kindOf, type KindId, type VaultObjectClient } from "../kinds/index";
import { ATTENDEE_TAG, isTutorialObject, RUN_TAG, RunLedger, type LedgerError } from "../run-ledger";

export interface LeftoverObject {
  name: string;
  kind: KindId;
  /** "ledger-only": recorded by a run but neither live nor deleted in the vault (never created, or already purged). */
  state: "live" | "deleted" | "ledger-only";
  runId: string;
  attendee?: string;
  /** When the object was created (live) or deleted (deleted). */
  since?: Date;
  scheduledPurgeDate?: Date;
}

export interface RunGroup {
  runId: string;
  attendee?: string;
  startedAt?: Date;
  ledger?: RunLedger;
  objects: LeftoverObject[];
}

export interface SweepFilter {
  runId?: string;
  /** Only objects (and runs) older than this many milliseconds. */
  olderThanMs?: number;
  /** Only objects whose name starts with this. */
  prefix?: string;
  attendee?: string;
  now?: Date;
}

export interface Leftovers {
  groups: RunGroup[];
  unreadableLedgers: LedgerError[];
}

/** One client per kind (or a single client: its kind only). */
const clientsOf = (clients: CleanupClients): Array<[KindId, VaultObjectClient]> =>
  typeof clients === "function"
    ? KINDS.flatMap((k) => {
        const client = clients(k.id);
        return client ? [[k.id, client] as [KindId, VaultObjectClient]] : [];
      })
    : [[kindOf(clients).id, clients]];

export async function findLeftovers(clients: CleanupClients, options: { ledgerDir?: string; filter?: SweepFilter } = {}): Promise<Leftovers> {
  const filter = options.filter ?? {};
  const now = (filter.now ?? new Date()).getTime();
  const found: LeftoverObject[] = [];
  /** A certificate's own keys and secrets seen, as "kind:name": a ledger naming one does not make it the sweep's. */
  const managed = new Set<string>();
  const present = clientsOf(clients);
  for (const [id, client] of present) {
    const kind = kindOf(client);
    for await (const live of kind.listLive(client)) {
      // A certificate's key and secret are listed with the keys and secrets: they are its, not the sweep's.
      if (live.managed) managed.add(`${id}:${live.name.toLowerCase()}`);
      if (live.managed || !isTutorialObject(live.tags)) continue;
      found.push({ name: live.name, kind: id, state: "live", runId: live.tags![RUN_TAG] ?? "unknown", attendee: live.tags![ATTENDEE_TAG], since: live.createdOn });
    }
    for await (const deleted of kind.listDeleted(client)) {
      if (deleted.managed || !isTutorialObject(deleted.tags)) continue;
      const tags = deleted.tags!;
      found.push({
        name: deleted.name,
        kind: id,
        state: "deleted",
        runId: tags[RUN_TAG] ?? "unknown",
        attendee: tags[ATTENDEE_TAG],
        since: deleted.deletedOn,
        scheduledPurgeDate: deleted.scheduledPurgeDate,
      });
    }
  }
  const { ledgers, unreadable } = RunLedger.list({ dir: options.ledgerDir, vaultUrl: present[0]?.[1].vaultUrl });
  const groups = new Map<string, RunGroup>();
  const group = (runId: string) => {
    let g = groups.get(runId);
    if (!g) groups.set(runId, (g = { runId, objects: [] }));
    return g;
  };
  for (const ledger of ledgers) {
    const g = group(ledger.runId);
    Object.assign(g, { ledger, startedAt: ledger.startedAt, attendee: ledger.attendee });
    for (const { name, kind } of ledger.pending) {
      if (!present.some(([id]) => id === kind)) continue; // no client of its kind: not this sweep's
      if (managed.has(`${kind}:${name.toLowerCase()}`)) continue; // a certificate's: cleaned with it
      const inVault = found.some((k) => k.kind === kind && k.name.toLowerCase() === name.toLowerCase());
      if (!inVault) found.push({ name, kind, state: "ledger-only", runId: ledger.runId, attendee: ledger.attendee, since: ledger.startedAt });
    }
  }
  for (const key of found) {
    if (filter.runId && key.runId !== filter.runId) continue;
    if (filter.prefix && !key.name.startsWith(filter.prefix)) continue;
    if (filter.attendee && key.attendee !== filter.attendee) continue;
    if (filter.olderThanMs !== undefined && (!key.since || now - key.since.getTime() < filter.olderThanMs)) continue;
    const g = group(key.runId);
    g.attendee ??= key.attendee;
    g.objects.push(key);
  }
  const result = [...groups.values()].filter((g) => g.objects.length > 0);
  result.sort((a, b) => a.runId.localeCompare(b.runId));
  return { groups: result, unreadableLedgers: unreadable };
}

export interface SweptObject extends ObjectCleanup {
  runId: string;
}

/** Deletes and purges every listed object (each checked against its run's tag again), and closes finished ledgers. */
export async function sweep(clients: CleanupClients, groups: RunGroup[], options: { pollIntervalMs?: number; onObject?: (result: SweptObject) => void } = {}): Promise<SweptObject[]> {
  const results: SweptObject[] = [];
  const byKind = new Map(clientsOf(clients));
  for (const g of groups) {
    for (const key of g.objects) {
      const client = byKind.get(key.kind);
      if (!client) continue;
      const result = {
        ...(await cleanupObject(client, key.name, { runId: g.runId === "unknown" ? undefined : g.runId, pollIntervalMs: options.pollIntervalMs, graceMs: key.state === "ledger-only" ? 2000 : 0 })),
        runId: g.runId,
      };
      if (result.outcome !== "failed") g.ledger?.markCleaned(key.name, result.outcome, key.kind);
      results.push(result);
      options.onObject?.(result);
    }
    g.ledger?.closeIfClean();
  }
  return results;
}

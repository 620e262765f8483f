/**
 * Cleaning up what the tutorial created, so nothing is left behind: delete (waiting for the
 * service to finish), then purge when the vault allows it. Safe to repeat — an object already
 * gone is fine — and it never touches one without the tutorial's tags. Purge protection is
 * explained, not treated as a failure; a name still "being deleted" is retried with backoff.
 * Written once for every kind (kinds/): the client says which. A certificate's key and secret
 * (`managed`) are the certificate's: cleaning the certificate cleans them, and they are never
 * deleted or purged on their own (the service refuses it, 403).
 */
import path from "node:path";
import type { KeyClient } from "@azure/keyvault-keys";
import type { SecretClient } from "@azure/keyvault-secrets";
import { t } from "./i18n";
import { kindOf, type DeletedFacts, type KindId, type ObjectKind, type VaultObjectClient } from "./kinds/index";
import { found, isNotFound } from "./object-state";
import { transitionOf, type Transition } from "./lifecycle-requests";
import { isTutorialObject, RunLedger } from "./run-ledger";
import { errorFacts, explainError } from "./vault-errors";

export type CleanupOutcome = "purged" | "already-gone" | "awaiting-purge" | "left-alone" | "failed";

export interface KeyCleanup {
  name: string;
  kind: KindId;
  outcome: CleanupOutcome;
  /** A sentence for the learner, in the current language: what happened and, when it matters, what it means. */
  message: string;
  /** Under purge protection: when the service will purge it. */
  scheduledPurgeDate?: Date;
}

/** The same record, for any kind. */
export type ObjectCleanup = KeyCleanup;

export interface CleanupOptions {
  /** Only objects tagged with this run are touched (besides the tutorial tag every one needs). */
  runId?: string;
  /** Delete poller interval; the SDK's default is 2 s. */
  pollIntervalMs?: number;
  /** How long to keep retrying a purge that meets "being deleted". Default 30 s. */
  maxWaitMs?: number;
  /**
   * How long a key that is neither live nor visibly deleted is looked for before it counts as gone:
   * one deleted moments ago (say by a run that crashed mid-delete) is invisible for a short while.
   * Default 2 s.
   */
  graceMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Deletes and purges one object the tutorial made (of the client's kind); never throws, the outcome says. */
export async function cleanupObject(client: VaultObjectClient, name: string, options: CleanupOptions = {}): Promise<ObjectCleanup> {
  const kind = kindOf(client);
  try {
    return await cleanupOrThrow(kind, client, name, options);
  } catch (error) {
    const explanation = explainError(error);
    const facts = errorFacts(error);
    return {
      name,
      kind: kind.id,
      outcome: "failed",
      message: explanation ? t().cleanup.explained(explanation.meaning, explanation.fix) : t().cleanup.failed(name, facts.message),
    };
  }
}

/** cleanupObject, for a KeyClient (its name since the keys quickstart). */
export const cleanupKey: (client: KeyClient, name: string, options?: CleanupOptions) => Promise<KeyCleanup> = cleanupObject;
/** cleanupObject, for a SecretClient. */
export const cleanupSecret: (client: SecretClient, name: string, options?: CleanupOptions) => Promise<ObjectCleanup> = cleanupObject;

async function cleanupOrThrow(kind: ObjectKind, client: VaultObjectClient, name: string, options: CleanupOptions): Promise<ObjectCleanup> {
  const sleep = options.sleep ?? defaultSleep;
  const outcome = (outcome: CleanupOutcome, message: string): ObjectCleanup => ({ name, kind: kind.id, outcome, message });
  const live = await kind.get(client, name).catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
  // A certificate's key or secret goes with its certificate, whatever its tags say: never on its own.
  if (live?.managed) return outcome("left-alone", t().cleanup.managedByCertificate(name, t().kinds[kind.id]));
  if (live) {
    if (!isTutorialObject(live.tags, options.runId)) return outcome("left-alone", t().cleanup.leftAlone(name));
    try {
      await kind.delete(client, name, { intervalInMs: options.pollIntervalMs });
    } catch (error) {
      if (!isNotFound(error)) throw error; // deleted meanwhile by someone else: carry on
    }
  }
  const deleted = await getDeletedPatiently(kind, client, name, live !== undefined, options, sleep);
  if (!deleted) {
    // Neither live nor deleted: gone, or on its way to one of them (a delete or recover not finished).
    const underWay = transitionOf(client.vaultUrl, kind.id, name) ?? (await purgeProbe(kind, client, name));
    if (underWay === "purged") return outcome("purged", t().cleanup.purged(name));
    if (!underWay) return outcome("already-gone", t().cleanup.alreadyGone(name, t().kinds[kind.id]));
    const waitMs = options.maxWaitMs ?? 30_000;
    if (!(await settles(kind, client, name, Date.now() + waitMs, sleep))) return outcome("failed", t().cleanup.stillBeingDeleted(name));
    return cleanupOrThrow(kind, client, name, { ...options, maxWaitMs: waitMs / 2 });
  }
  if (deleted.managed) return outcome("left-alone", t().cleanup.managedByCertificate(name, t().kinds[kind.id]));
  if (!isTutorialObject(deleted.tags, options.runId)) return outcome("left-alone", t().cleanup.leftAlone(name));

  const purgeDate = deleted.scheduledPurgeDate;
  const awaiting = (): ObjectCleanup => ({
    ...outcome("awaiting-purge", t().cleanup.awaitingPurge(name, purgeDate?.toISOString().slice(0, 10))),
    scheduledPurgeDate: purgeDate,
  });
  if (!deleted.recoveryLevel?.includes("Purgeable")) return awaiting();

  const deadline = Date.now() + (options.maxWaitMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    try {
      await kind.purge(client, name);
      return outcome("purged", t().cleanup.purged(name));
    } catch (error) {
      const facts = errorFacts(error);
      if (isNotFound(error)) return outcome("purged", t().cleanup.purged(name));
      if (explainError(error)?.id === "PurgeProtection") return awaiting();
      const beingDeleted = facts.statusCode === 409 && (facts.innerCode === "ObjectIsBeingDeleted" || /being deleted/.test(facts.message));
      if (!beingDeleted || Date.now() >= deadline) throw error;
      await sleep(Math.min(200 * 2 ** attempt, 2000));
    }
  }
}

/**
 * A purge tells an object still being deleted (409 ObjectIsBeingDeleted) from one that is gone
 * (404), which no read does. In another process than the one that deleted it (the runner cleaning
 * after an interrupted notebook) this is the only way to know. Should the delete finish in
 * between, the purge simply succeeds: the name is one this run recorded, and purging it is the
 * clean-up's job.
 */
async function purgeProbe(kind: ObjectKind, client: VaultObjectClient, name: string): Promise<Transition | "purged" | undefined> {
  try {
    await kind.purge(client, name);
    return "purged";
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (explainError(error)?.id === "ObjectIsBeingDeleted") return "being-deleted";
    throw error;
  }
}

/** Waits until an object under way shows up live or soft-deleted; false when the deadline passes first. */
async function settles(kind: ObjectKind, client: VaultObjectClient, name: string, deadline: number, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    if ((await found(kind.get(client, name))) || (await found(kind.getDeleted(client, name)))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(200 * 2 ** attempt, 2000));
  }
}

/** Right after a delete the service can answer 404 for the deleted object for a moment (FACTS.md §3). */
async function getDeletedPatiently(
  kind: ObjectKind,
  client: VaultObjectClient,
  name: string,
  justDeleted: boolean,
  options: CleanupOptions,
  sleep: (ms: number) => Promise<void>,
): Promise<DeletedFacts | undefined> {
  const deadline = Date.now() + (justDeleted ? (options.maxWaitMs ?? 30_000) : (options.graceMs ?? 2000));
  for (let attempt = 0; ; attempt++) {
    try {
      return await kind.getDeleted(client, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (Date.now() >= deadline) return undefined;
      await sleep(Math.min(200 * 2 ** attempt, 2000));
    }
  }
}

export interface RunCleanup {
  runId: string;
  results: KeyCleanup[];
}

/** The clients to clean with: the notebook's one client, or one per kind (the runner's). */
export type CleanupClients = VaultObjectClient | ((kind: KindId) => VaultObjectClient | undefined);

const clientFor = (clients: CleanupClients, kind: KindId): VaultObjectClient | undefined =>
  typeof clients === "function" ? clients(kind) : kindOf(clients).id === kind ? clients : undefined;

/**
 * Cleans every object a run recorded, and the leftovers of earlier runs against the same vault
 * that died before their cleanup — those of the kinds there is a client for (a notebook's
 * SecretClient cleans secrets; a key an earlier run left waits for a KeyClient). An object that
 * could not be cleaned stays in its ledger for next time.
 */
export async function cleanupRuns(clients: CleanupClients, ledgers: RunLedger[], options: Omit<CleanupOptions, "runId"> = {}): Promise<RunCleanup[]> {
  const report: RunCleanup[] = [];
  for (const ledger of ledgers) {
    const results: ObjectCleanup[] = [];
    for (const { name, kind } of ledger.pending) {
      const client = clientFor(clients, kind);
      if (!client) continue;
      const result = await cleanupObject(client, name, { ...options, runId: ledger.runId });
      if (result.outcome !== "failed") ledger.markCleaned(name, result.outcome, kind);
      results.push(result);
    }
    ledger.closeIfClean();
    report.push({ runId: ledger.runId, results });
  }
  return report;
}

/**
 * This run's ledger and every unfinished ledger of earlier runs for the same vault — but not of a
 * run still going in another process (a second notebook open beside this one).
 */
export function ledgersToClean(current: RunLedger, dir?: string): RunLedger[] {
  const earlier = RunLedger.list({ dir: dir ?? path.dirname(current.file), vaultUrl: current.vaultUrl }).ledgers;
  return [...earlier.filter((l) => l.runId !== current.runId && l.pending.length > 0 && !l.runsElsewhere), current];
}

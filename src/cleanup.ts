/**
 * Cleaning up what the tutorial created, so nothing is left behind: delete (waiting for the
 * service to finish), then purge when the vault allows it. Safe to repeat — a key already gone is
 * fine — and it never touches a key without the tutorial's tags. Purge protection is explained,
 * not treated as a failure; a name still "being deleted" is retried with backoff.
 */
import path from "node:path";
import type { DeletedKey, KeyClient } from "@azure/keyvault-keys";
import { t } from "./i18n";
import { isNotFound } from "./key-state";
import { transitionOf, type Transition } from "./lifecycle-requests";
import { isTutorialKey, RunLedger } from "./run-ledger";
import { errorFacts, explainError } from "./vault-errors";

export type CleanupOutcome = "purged" | "already-gone" | "awaiting-purge" | "left-alone" | "failed";

export interface KeyCleanup {
  name: string;
  outcome: CleanupOutcome;
  /** A sentence for the learner, in the current language: what happened and, when it matters, what it means. */
  message: string;
  /** Under purge protection: when the service will purge it. */
  scheduledPurgeDate?: Date;
}

export interface CleanupOptions {
  /** Only keys tagged with this run are touched (besides the tutorial tag every key needs). */
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

export async function cleanupKey(client: KeyClient, name: string, options: CleanupOptions = {}): Promise<KeyCleanup> {
  try {
    return await cleanupKeyOrThrow(client, name, options);
  } catch (error) {
    const explanation = explainError(error);
    const facts = errorFacts(error);
    return {
      name,
      outcome: "failed",
      message: explanation ? t().cleanup.explained(explanation.meaning, explanation.fix) : t().cleanup.failed(name, facts.message),
    };
  }
}

async function cleanupKeyOrThrow(client: KeyClient, name: string, options: CleanupOptions): Promise<KeyCleanup> {
  const sleep = options.sleep ?? defaultSleep;
  const live = await client.getKey(name).catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
  if (live) {
    if (!isTutorialKey(live.properties.tags, options.runId)) return leftAlone(name);
    try {
      await (await client.beginDeleteKey(name, { intervalInMs: options.pollIntervalMs })).pollUntilDone();
    } catch (error) {
      if (!isNotFound(error)) throw error; // deleted meanwhile by someone else: carry on
    }
  }
  const deleted = await getDeletedKeyPatiently(client, name, live !== undefined, options, sleep);
  if (!deleted) {
    // Neither live nor deleted: gone, or on its way to one of them (a delete or recover not finished).
    const underWay = transitionOf(client.vaultUrl, name) ?? (await purgeProbe(client, name));
    if (underWay === "purged") return { name, outcome: "purged", message: t().cleanup.purged(name) };
    if (!underWay) return { name, outcome: "already-gone", message: t().cleanup.alreadyGone(name) };
    const waitMs = options.maxWaitMs ?? 30_000;
    if (!(await settles(client, name, Date.now() + waitMs, sleep))) return { name, outcome: "failed", message: t().cleanup.stillBeingDeleted(name) };
    return cleanupKeyOrThrow(client, name, { ...options, maxWaitMs: waitMs / 2 });
  }
  if (!isTutorialKey(deleted.properties.tags, options.runId)) return leftAlone(name);

  const purgeDate = deleted.properties.scheduledPurgeDate;
  const awaiting = (): KeyCleanup => ({
    name,
    outcome: "awaiting-purge",
    scheduledPurgeDate: purgeDate,
    message: t().cleanup.awaitingPurge(name, purgeDate?.toISOString().slice(0, 10)),
  });
  if (!deleted.properties.recoveryLevel?.includes("Purgeable")) return awaiting();

  const deadline = Date.now() + (options.maxWaitMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    try {
      await client.purgeDeletedKey(name);
      return { name, outcome: "purged", message: t().cleanup.purged(name) };
    } catch (error) {
      const facts = errorFacts(error);
      if (isNotFound(error)) return { name, outcome: "purged", message: t().cleanup.purged(name) };
      if (explainError(error)?.id === "PurgeProtection") return awaiting();
      const beingDeleted = facts.statusCode === 409 && (facts.innerCode === "ObjectIsBeingDeleted" || /being deleted/.test(facts.message));
      if (!beingDeleted || Date.now() >= deadline) throw error;
      await sleep(Math.min(200 * 2 ** attempt, 2000));
    }
  }
}

/**
 * A purge tells a key still being deleted (409 ObjectIsBeingDeleted) from one that is gone (404),
 * which no read does. In another process than the one that deleted it (the runner cleaning after
 * an interrupted notebook) this is the only way to know. Should the delete finish in between, the
 * purge simply succeeds: the name is one this run recorded, and purging it is the clean-up's job.
 */
async function purgeProbe(client: KeyClient, name: string): Promise<Transition | "purged" | undefined> {
  try {
    await client.purgeDeletedKey(name);
    return "purged";
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (explainError(error)?.id === "ObjectIsBeingDeleted") return "being-deleted";
    throw error;
  }
}

/** Waits until a key under way shows up live or soft-deleted; false when the deadline passes first. */
async function settles(client: KeyClient, name: string, deadline: number, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  const found = (read: Promise<unknown>) => read.then(() => true, (error) => (isNotFound(error) ? false : Promise.reject(error)));
  for (let attempt = 0; ; attempt++) {
    if ((await found(client.getKey(name))) || (await found(client.getDeletedKey(name)))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(200 * 2 ** attempt, 2000));
  }
}

/** Right after a delete the service can answer 404 for the deleted key for a moment (FACTS.md §3). */
async function getDeletedKeyPatiently(client: KeyClient, name: string, justDeleted: boolean, options: CleanupOptions, sleep: (ms: number) => Promise<void>): Promise<DeletedKey | undefined> {
  const deadline = Date.now() + (justDeleted ? (options.maxWaitMs ?? 30_000) : (options.graceMs ?? 2000));
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.getDeletedKey(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (Date.now() >= deadline) return undefined;
      await sleep(Math.min(200 * 2 ** attempt, 2000));
    }
  }
}

const leftAlone = (name: string): KeyCleanup => ({
  name,
  outcome: "left-alone",
  message: t().cleanup.leftAlone(name),
});

export interface RunCleanup {
  runId: string;
  results: KeyCleanup[];
}

/**
 * Cleans every key a run recorded, and the leftovers of earlier runs against the same vault that
 * died before their cleanup. A key that could not be cleaned stays in its ledger for next time.
 */
export async function cleanupRuns(client: KeyClient, ledgers: RunLedger[], options: Omit<CleanupOptions, "runId"> = {}): Promise<RunCleanup[]> {
  const report: RunCleanup[] = [];
  for (const ledger of ledgers) {
    const results: KeyCleanup[] = [];
    for (const name of ledger.pendingKeys) {
      const result = await cleanupKey(client, name, { ...options, runId: ledger.runId });
      if (result.outcome !== "failed") ledger.markCleaned(name, result.outcome);
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
  return [...earlier.filter((l) => l.runId !== current.runId && l.pendingKeys.length > 0 && !l.runsElsewhere), current];
}

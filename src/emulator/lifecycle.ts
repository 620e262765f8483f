/**
 * The rules of a key's life that several operations share: when a name is free, when a
 * soft-deleted key is still "being deleted", and when retention has run out and the vault purges it.
 */
import { randomBytes } from "node:crypto";
import type { VaultContext } from "./context";
import { beingDeleted, beingRecovered, deletedButRecoverable, keyNotFound } from "./errors";
import type { StoredDeletedKey, StoredKey, StoredKeyVersion } from "./model";
import { currentVersion } from "./model";
import { VERSION_PATTERN } from "./validate";

/** Versions are 32 lowercase hex characters, made by the service. */
export const newVersionId = () => randomBytes(16).toString("hex");

export const isBeingDeleted = (ctx: VaultContext, deleted: StoredDeletedKey) => ctx.clock.nowMs() < deleted.deletingUntilMs;

/** A soft-deleted name cannot be reused until it is recovered or purged (FACTS.md §2). */
export function assertNameNotDeleted(ctx: VaultContext, name: string): void {
  const deleted = ctx.store.of("keys").deleted.get(name);
  if (!deleted) return;
  throw isBeingDeleted(ctx, deleted) ? beingDeleted(name) : deletedButRecoverable(name);
}

export const isBeingRecovered = (ctx: VaultContext, key: StoredKey) => key.recoveringUntilMs !== undefined && ctx.clock.nowMs() < key.recoveringUntilMs;

export function findKey(ctx: VaultContext, name: string): StoredKey {
  const key = ctx.store.of("keys").live.get(name);
  if (!key || isBeingRecovered(ctx, key)) throw keyNotFound(name);
  return key;
}

/** A new version cannot be added to a key that is still coming back. */
export function assertNotBeingRecovered(ctx: VaultContext, name: string): void {
  const key = ctx.store.of("keys").live.get(name);
  if (key && isBeingRecovered(ctx, key)) throw beingRecovered(key.name);
}

/** The named version, or the current one when `version` is empty (the SDK sends `/keys/{name}/`). */
export function findVersion(ctx: VaultContext, name: string, version: string | undefined): { key: StoredKey; version: StoredKeyVersion } {
  const key = findKey(ctx, name);
  if (!version) return { key, version: currentVersion(key) };
  const found = VERSION_PATTERN.test(version) ? key.versions.find((v) => v.version === version) : undefined;
  if (!found) throw keyNotFound(`${name}/${version}`);
  return { key, version: found };
}

/**
 * A purge takes a moment too: right after one, the service answers a restore of that name 409 Conflict
 * for a while (recorded: keys_client__restore_keys_and_recover_backups; the SDK's restore retries).
 * The moment lasts as long as a delete's (`deleteDelayMs`). In memory only, like the window itself;
 * keyed by the store, the one object every request's context shares.
 */
const purgedUntil = new WeakMap<object, Map<string, number>>();

export function notePurged(ctx: VaultContext, name: string): void {
  if (ctx.settings.deleteDelayMs <= 0) return;
  const names = purgedUntil.get(ctx.store) ?? new Map<string, number>();
  names.set(name.toLowerCase(), ctx.clock.nowMs() + ctx.settings.deleteDelayMs);
  purgedUntil.set(ctx.store, names);
}

export function isBeingPurged(ctx: VaultContext, name: string): boolean {
  const until = purgedUntil.get(ctx.store)?.get(name.toLowerCase());
  return until !== undefined && ctx.clock.nowMs() < until;
}

/** Purges soft-deleted keys whose retention has ended, as the service does on its own. */
export function purgeExpired(ctx: VaultContext): void {
  const now = ctx.clock.nowSeconds();
  for (const deleted of [...ctx.store.of("keys").deleted.values()]) {
    if (deleted.scheduledPurgeDate <= now) ctx.store.of("keys").deleted.remove(deleted.key.name);
  }
}

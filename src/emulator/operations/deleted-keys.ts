/** Soft-deleted keys: listing, reading, recovering and purging them. */
import { ok, type Operation, type VaultContext } from "../context";
import { beingDeleted, deletedKeyNotFound, keyNotFound, purgeProtected, purgeWhileBeingDeleted } from "../errors";
import { isBeingDeleted, notePurged } from "../lifecycle";
import type { StoredDeletedKey } from "../model";
import { checkKeyName } from "../validate";
import { paginate } from "./paging";

/**
 * A key still "being deleted" is not visible yet: the service answers 404 for it for a moment
 * after the delete (FACTS.md §3), which is why the SDK's delete poller polls.
 */
function findDeleted(ctx: VaultContext, name: string): StoredDeletedKey {
  const deleted = ctx.store.of("keys").deleted.get(checkKeyName(name));
  if (!deleted || isBeingDeleted(ctx, deleted)) throw deletedKeyNotFound(name);
  return deleted;
}

export const getDeletedKeys: Operation = (ctx, req) => {
  const visible = [...ctx.store.of("keys").deleted.values()]
    .filter((d) => !isBeingDeleted(ctx, d))
    .sort((a, b) => (a.key.name.toLowerCase() < b.key.name.toLowerCase() ? -1 : 1));
  return ok(paginate(ctx, req, "/deletedkeys", visible.map((d) => ({ sortKey: d.key.name.toLowerCase(), item: () => ctx.wire.deletedKeyItem(d) }))));
};

export const getDeletedKey: Operation = (ctx, req) => ok(ctx.wire.deletedKeyBundle(findDeleted(ctx, req.params.name)));

export const recoverDeletedKey: Operation = (ctx, req) => {
  const deleted = ctx.store.of("keys").deleted.get(checkKeyName(req.params.name));
  if (deleted && isBeingDeleted(ctx, deleted)) throw beingDeleted(deleted.key.name);
  // The service answers a recover of a name with no deleted key as it answers a missing key (recorded:
  // keys_client__restore_keys_and_recover_backups), not with GET /deletedkeys' "Deleted Key not found".
  if (!deleted) throw keyNotFound(req.params.name);
  const { key } = findDeleted(ctx, req.params.name);
  // Like a delete, a recover takes a moment: reads answer 404 until it is done, and the SDK's poller polls.
  key.recoveringUntilMs = ctx.clock.nowMs() + ctx.settings.recoverDelayMs;
  ctx.store.of("keys").deleted.remove(key.name);
  ctx.store.of("keys").live.put(key.name, key);
  return ok(ctx.wire.keyBundle(key));
};

export const purgeDeletedKey: Operation = (ctx, req) => {
  const deleted = ctx.store.of("keys").deleted.get(checkKeyName(req.params.name));
  if (deleted && isBeingDeleted(ctx, deleted)) throw purgeWhileBeingDeleted();
  const { key } = findDeleted(ctx, req.params.name);
  if (ctx.settings.purgeProtection) throw purgeProtected();
  ctx.store.of("keys").deleted.remove(key.name);
  notePurged(ctx, key.name);
  return { status: 204 };
};

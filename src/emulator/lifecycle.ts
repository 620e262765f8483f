/**
 * The life of a vault object, the same for every kind (the kind is a parameter): live → being
 * deleted → soft-deleted → being recovered → live again, or purged (by a client, or by the vault
 * when retention ends). Each kind's operations (operations/keys.ts, secrets.ts) hold only what is
 * their own and come here for the rest: the name rules, find-or-404, a new version, delete,
 * recover, purge, the listings and the retention sweep. Lowkey Vault's common/ lifecycle is the
 * model (/work/shared/STYLE.md, "Three object kinds, one shape").
 */
import { randomBytes } from "node:crypto";
import type { VaultContext } from "./context";
import { beingDeleted, beingRecovered, deletedButRecoverable, deletedNotFound, KIND_WORDS, managedObject, notFound, purgeProtected, purgeWhileBeingDeleted } from "./errors";
import { quotaExceeded } from "./limits";
import { currentVersion, deletedObject, deletedRecord, nameKey, type DeletedOf, type Deletion, type LiveOf, type ObjectKind, type StoredObject, type StoredVersion, type VersionOf } from "./model";
import { OBJECT_KINDS } from "./store/kinds";
import { checkAttributes, optionalAttributes, optionalTags, VERSION_PATTERN, type AttributesInput, type Json } from "./validate";

/** Versions are 32 lowercase hex characters, made by the service. */
export const newVersionId = () => randomBytes(16).toString("hex");

/** What every kind's new version takes from its request: attributes (checked) and tags. */
export function versionInput(kind: ObjectKind, body: Json): { attributes?: AttributesInput; tags?: Record<string, string> } {
  const attributes = optionalAttributes(body);
  checkAttributes(kind, attributes);
  return { attributes, tags: optionalTags(body, kind) };
}

/** The fields every kind's new version has, made now: a new id, enabled unless told otherwise. */
export function newVersionFields(ctx: VaultContext, { attributes, tags }: { attributes?: AttributesInput; tags?: Record<string, string> }): StoredVersion {
  const now = ctx.clock.nowSeconds();
  return { version: newVersionId(), enabled: attributes?.enabled ?? true, nbf: attributes?.nbf, exp: attributes?.exp, created: now, updated: now, tags };
}

const collection = <K extends ObjectKind>(ctx: VaultContext, kind: K) => ctx.store.of(kind);

/**
 * The objects of other kinds that live and die with an object of a kind, under its name: a
 * certificate's key and secret (the service makes them with it and deletes, recovers and purges them
 * with it). They are marked `managed`, and refused a delete, recover or purge of their own.
 */
export const BACKING: Partial<Record<ObjectKind, ObjectKind[]>> = { certificates: ["keys", "secrets"] };

/** Whether an object (live, or the object of a deleted record) backs a certificate. */
export const isManaged = (object: StoredObject) => currentVersion(object).managed === true;

function assertNotManaged(kind: ObjectKind, object: StoredObject | undefined, operation: string): void {
  if (object && isManaged(object)) throw managedObject(kind, object.name, operation);
}

export const isBeingDeleted = (ctx: VaultContext, deleted: Deletion) => ctx.clock.nowMs() < deleted.deletingUntilMs;

export const isBeingRecovered = (ctx: VaultContext, object: StoredObject) =>
  object.recoveringUntilMs !== undefined && ctx.clock.nowMs() < object.recoveringUntilMs;

/** A soft-deleted name cannot be reused until it is recovered or purged (FACTS.md §2). */
export function assertNameNotDeleted(ctx: VaultContext, kind: ObjectKind, name: string): void {
  const deleted = collection(ctx, kind).deleted.get(name);
  if (!deleted) return;
  throw isBeingDeleted(ctx, deleted) ? beingDeleted(kind, name) : deletedButRecoverable(kind, name);
}

/** A new version cannot be added to an object that is still coming back. */
export function assertNotBeingRecovered(ctx: VaultContext, kind: ObjectKind, name: string): void {
  const object = collection(ctx, kind).live.get(name);
  if (object && isBeingRecovered(ctx, object)) throw beingRecovered(kind, object.name);
}

/** The live object of that name, or the service's 404 (an object still being recovered is not there yet). */
export function findObject<K extends ObjectKind>(ctx: VaultContext, kind: K, name: string): LiveOf<K> {
  const object = collection(ctx, kind).live.get(name) as LiveOf<K> | undefined;
  if (!object || isBeingRecovered(ctx, object)) throw notFound(kind, name);
  return object;
}

/** The named version, or the current one when `version` is empty (the SDKs send `/{collection}/{name}/`). */
export function findVersion<K extends ObjectKind>(ctx: VaultContext, kind: K, name: string, version: string | undefined): { object: LiveOf<K>; version: VersionOf<K> } {
  const object = findObject(ctx, kind, name);
  const versions = object.versions as VersionOf<K>[];
  if (!version) return { object, version: versions[versions.length - 1] };
  const found = VERSION_PATTERN.test(version) ? versions.find((v) => v.version === version) : undefined;
  if (!found) throw notFound(kind, `${name}/${version}`);
  return { object, version: found };
}

/** The local bounds on objects of a kind (live and deleted) and versions of one object (limits.ts). */
export function assertRoomFor(ctx: VaultContext, kind: ObjectKind, name: string): void {
  const { limits } = ctx.settings;
  const existing = collection(ctx, kind).live.get(name);
  if (existing && existing.versions.length >= limits.versionsPerKey) throw quotaExceeded(`versions of one ${KIND_WORDS[kind].noun}`, limits.versionsPerKey);
  if (!existing && collection(ctx, kind).count() >= limits[kind]) throw quotaExceeded(`${kind} (live and deleted)`, limits[kind]);
}

/**
 * Adds a version to an object, making the object with its first version: the name must be free
 * (not soft-deleted, not being recovered) and have room. What the version holds is the kind's.
 */
export function addVersion<K extends ObjectKind>(ctx: VaultContext, kind: K, name: string, version: VersionOf<K>): LiveOf<K> {
  assertNameNotDeleted(ctx, kind, name);
  assertNotBeingRecovered(ctx, kind, name);
  assertRoomFor(ctx, kind, name);
  const live = collection(ctx, kind).live;
  const existing = live.get(name) as LiveOf<K> | undefined;
  if (existing) {
    (existing.versions as VersionOf<K>[]).push(version);
    live.changed(name);
    return existing;
  }
  const object = { name, versions: [version] } as unknown as LiveOf<K>;
  live.put(name, object);
  return object;
}

/**
 * Updates a version's attributes and tags from an update's body (what every kind's PATCH takes), then
 * what is the kind's own (`own`, run after the shared checks pass): nothing is changed if any check fails.
 */
export function updateVersion<K extends ObjectKind>(ctx: VaultContext, kind: K, object: LiveOf<K>, version: VersionOf<K>, body: Json, own?: () => void): void {
  const attributes = optionalAttributes(body);
  const tags = optionalTags(body, kind);
  checkAttributes(kind, { nbf: attributes?.nbf ?? version.nbf, exp: attributes?.exp ?? version.exp });
  if (attributes?.enabled !== undefined) version.enabled = attributes.enabled;
  if (attributes?.nbf !== undefined) version.nbf = attributes.nbf;
  if (attributes?.exp !== undefined) version.exp = attributes.exp;
  if (tags) version.tags = tags;
  own?.();
  version.updated = ctx.clock.nowSeconds();
  collection(ctx, kind).live.changed(object.name);
}

/** Soft-deletes an object: its versions and all move to the deleted records, "being deleted" for a moment. */
export function softDelete<K extends ObjectKind>(ctx: VaultContext, kind: K, name: string): DeletedOf<K> {
  const object = findObject(ctx, kind, name);
  assertNotManaged(kind, object, "delete");
  const nowMs = ctx.clock.nowMs();
  const deletedDate = Math.floor(nowMs / 1000);
  const deletion: Deletion = {
    deletedDate,
    scheduledPurgeDate: deletedDate + ctx.settings.retentionDays * 86_400,
    deletingUntilMs: nowMs + ctx.settings.deleteDelayMs,
  };
  const move = <B extends ObjectKind>(of: B, live: LiveOf<B>): DeletedOf<B> => {
    const record = deletedRecord(of, live, deletion);
    collection(ctx, of).live.remove(live.name);
    collection(ctx, of).deleted.put(live.name, record);
    return record;
  };
  for (const backing of BACKING[kind] ?? []) {
    const live = collection(ctx, backing).live.get(object.name);
    if (live && isManaged(live)) move(backing, live);
  }
  return move(kind, object);
}

/**
 * A soft-deleted object, once visible: right after a delete the service answers 404 for it for a
 * moment (FACTS.md §3), which is why the SDKs' delete pollers poll.
 */
export function findDeleted<K extends ObjectKind>(ctx: VaultContext, kind: K, name: string): DeletedOf<K> {
  const deleted = collection(ctx, kind).deleted.get(name) as DeletedOf<K> | undefined;
  if (!deleted || isBeingDeleted(ctx, deleted)) throw deletedNotFound(kind, name);
  return deleted;
}

/**
 * Recovers a soft-deleted object with all its versions. Like a delete, a recover takes a moment:
 * reads answer 404 until it is done, and the SDKs' pollers poll.
 */
export function recover<K extends ObjectKind>(ctx: VaultContext, kind: K, name: string): LiveOf<K> {
  const deleted = collection(ctx, kind).deleted.get(name) as DeletedOf<K> | undefined;
  if (deleted && isBeingDeleted(ctx, deleted)) throw beingDeleted(kind, deletedObject(kind, deleted).name);
  // The service answers a recover of a name with no deleted object as it answers a missing one (recorded:
  // keys_client__restore_keys_and_recover_backups, secret_client__restore_…/can_recover_a_deleted_secret_non_existing),
  // not with GET /deleted…' "Deleted … not found".
  if (!deleted) throw notFound(kind, name);
  assertNotManaged(kind, deletedObject(kind, deleted), "recover");
  const recoveringUntilMs = ctx.clock.nowMs() + ctx.settings.recoverDelayMs;
  const bringBack = <B extends ObjectKind>(of: B, record: DeletedOf<B>): LiveOf<B> => {
    const object = deletedObject(of, record);
    object.recoveringUntilMs = recoveringUntilMs;
    collection(ctx, of).deleted.remove(object.name);
    collection(ctx, of).live.put(object.name, object);
    return object;
  };
  for (const backing of BACKING[kind] ?? []) {
    const record = collection(ctx, backing).deleted.get(name);
    if (record && isManaged(deletedObject(backing, record))) bringBack(backing, record);
  }
  return bringBack(kind, deleted);
}

/** Purges a soft-deleted object for good (not while it is being deleted, nor under purge protection). */
export function purge(ctx: VaultContext, kind: ObjectKind, name: string): void {
  const pending = collection(ctx, kind).deleted.get(name);
  if (pending && isBeingDeleted(ctx, pending)) throw purgeWhileBeingDeleted(kind);
  const object = deletedObject(kind, findDeleted(ctx, kind, name));
  assertNotManaged(kind, object, "purge");
  if (ctx.settings.purgeProtection) throw purgeProtected();
  for (const backing of BACKING[kind] ?? []) {
    const record = collection(ctx, backing).deleted.get(name);
    if (record && isManaged(deletedObject(backing, record))) collection(ctx, backing).deleted.remove(name);
  }
  collection(ctx, kind).deleted.remove(object.name);
  notePurged(ctx, kind, object.name);
}

const byName = (a: { name: string }, b: { name: string }) => (nameKey(a.name) < nameKey(b.name) ? -1 : 1);

/** The live objects a listing shows (not those still being recovered), by name. */
export function listed<K extends ObjectKind>(ctx: VaultContext, kind: K): LiveOf<K>[] {
  return [...(collection(ctx, kind).live.values() as IterableIterator<LiveOf<K>>)].filter((o) => !isBeingRecovered(ctx, o)).sort(byName);
}

/**
 * The soft-deleted objects a listing shows (not those still being deleted), by name. A deleted
 * certificate's key and secret are not listed (they are its), though a get finds them (seen on the
 * service: james-gould/azure-keyvault-emulator#398).
 */
export function listedDeleted<K extends ObjectKind>(ctx: VaultContext, kind: K): { deleted: DeletedOf<K>; object: LiveOf<K> }[] {
  return [...(collection(ctx, kind).deleted.values() as IterableIterator<DeletedOf<K>>)]
    .filter((d) => !isBeingDeleted(ctx, d))
    .map((deleted) => ({ deleted, object: deletedObject(kind, deleted) }))
    .filter(({ object }) => !isManaged(object))
    .sort((a, b) => byName(a.object, b.object));
}

/**
 * A purge takes a moment too: right after one, the service answers a restore of that name 409 Conflict
 * for a while (recorded: keys_client__restore_keys_and_recover_backups; the SDK's restore retries).
 * The moment lasts as long as a delete's (`deleteDelayMs`). In memory only, like the window itself;
 * keyed by the store, the one object every request's context shares.
 */
const purgedUntil = new WeakMap<object, Map<string, number>>();

function notePurged(ctx: VaultContext, kind: ObjectKind, name: string): void {
  if (ctx.settings.deleteDelayMs <= 0) return;
  const names = purgedUntil.get(ctx.store) ?? new Map<string, number>();
  names.set(`${kind}/${nameKey(name)}`, ctx.clock.nowMs() + ctx.settings.deleteDelayMs);
  purgedUntil.set(ctx.store, names);
}

export function isBeingPurged(ctx: VaultContext, kind: ObjectKind, name: string): boolean {
  const until = purgedUntil.get(ctx.store)?.get(`${kind}/${nameKey(name)}`);
  return until !== undefined && ctx.clock.nowMs() < until;
}

/** Purges the soft-deleted objects of every kind whose retention has ended, as the service does on its own. */
export function purgeExpired(ctx: VaultContext): void {
  const now = ctx.clock.nowSeconds();
  for (const kind of OBJECT_KINDS) {
    const deletedRecords = collection(ctx, kind).deleted;
    for (const deleted of [...deletedRecords.values()]) {
      if (deleted.scheduledPurgeDate <= now) deletedRecords.remove(deletedObject(kind, deleted).name);
    }
  }
}

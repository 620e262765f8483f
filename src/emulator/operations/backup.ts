/**
 * Backup and restore, for every kind. A backup blob holds every version of the object, and the
 * objects that back it (lifecycle.ts's BACKING: a certificate's key and secret, under `backing`),
 * sealed with AES-256-GCM under a key only this emulator's state folder has: it can be restored here,
 * and it never carries key material or a secret's value in the clear. Each kind's blobs have their
 * own magic (and AAD), so a key's backup is no secret's. A restore brings the object and its backing
 * back together, or nothing.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ok, type Operation } from "../context";
import { malformedBackup, restoreConflict } from "../errors";
import type { VaultContext } from "../context";
import { assertNameNotDeleted, assertNotBeingRecovered, assertRoomFor, BACKING, findObject, isBeingPurged, isManaged } from "../lifecycle";
import { currentVersion, nameKey, type LiveOf, type ObjectKind, type StoredCertificate, type StoredObject, type StoredVersion } from "../model";
import { KINDS } from "../store/kinds";
import { bodyObject, checkName, isBase64url, NAME_PATTERN, requiredString } from "../validate";
import { asRestoredCertificate } from "./certificates";
import { ANSWERS, type KindAnswers } from "./objects";

/** "KVQBACKUP1" is the keys' magic since the first emulator (their blobs must stay restorable). */
const MAGIC: Record<ObjectKind, Buffer> = { keys: Buffer.from("KVQBACKUP1"), secrets: Buffer.from("KVQSECRET1"), certificates: Buffer.from("KVQCERTIF1") };

/**
 * The size of the service's backup of one version, which a learner sees ("about 7 KB"): an RSA-2048
 * key's is 10,032 base64url characters, 7,524 bytes (recorded: keys_client__restore_keys_and_recover_backups);
 * a short secret's 4,660 characters, 3,495 bytes (recorded: secret_client__restore_secrets_and_recover_backups/
 * can_backup_a_secret). The emulator pads its sealed JSON (with spaces, which JSON ignores) to as many
 * bytes per version. The service's sizes for other key types and longer values are not recorded.
 */
const SERVICE_BYTES_PER_VERSION: Record<ObjectKind, number> = {
  keys: 7524,
  secrets: 3495,
  // An RSA-2048 certificate's with its key and secret: 44,563 characters, 33,422 bytes (recorded:
  // certificates_client__restore_certificates_and_recover_backups/can_restore_a_certificate).
  certificates: 33422,
};
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** An object and the objects of other kinds that back it, as a backup holds them. */
export interface Backup<K extends ObjectKind> {
  object: LiveOf<K>;
  backing: Partial<Record<ObjectKind, StoredObject>>;
}

/** The live objects that back `object` (its managed key and secret), as BACKING names their kinds. */
function backingOf(ctx: VaultContext, kind: ObjectKind, name: string): Backup<ObjectKind>["backing"] {
  const backing: Backup<ObjectKind>["backing"] = {};
  for (const of of BACKING[kind] ?? []) {
    const live = ctx.store.of(of).live.get(name);
    if (live && isManaged(live)) backing[of] = live;
  }
  return backing;
}

export function sealBackup<K extends ObjectKind>(kind: K, { object, backing }: Backup<K>, secret: Buffer): Buffer {
  const magic = MAGIC[kind];
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", secret, iv);
  cipher.setAAD(magic);
  // A kind with no backing is sealed as the object alone, as its blobs always were.
  const json = JSON.stringify(BACKING[kind] ? { ...object, backing } : object);
  const plaintext = json.padEnd(SERVICE_BYTES_PER_VERSION[kind] * object.versions.length - magic.length - IV_BYTES - TAG_BYTES, " ");
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([magic, iv, cipher.getAuthTag(), ciphertext]);
}

/** The backing a blob carries, each of its kind's shape, of the object's name and managed; undefined if any is not. */
function readBacking(kind: ObjectKind, name: string, value: unknown): Backup<ObjectKind>["backing"] | undefined {
  const kinds = BACKING[kind] ?? [];
  if (kinds.length === 0) return value === undefined ? {} : undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const backing: Backup<ObjectKind>["backing"] = {};
  for (const [of, object] of Object.entries(value)) {
    if (!kinds.includes(of as ObjectKind) || !KINDS[of as ObjectKind].isLive(object)) return undefined;
    const live = object as StoredObject;
    if (nameKey(live.name) !== nameKey(name) || !isManaged(live)) return undefined;
    backing[of as ObjectKind] = live;
  }
  return backing;
}

export function openBackup<K extends ObjectKind>(kind: K, blob: Buffer, secret: Buffer): Backup<K> | undefined {
  const magic = MAGIC[kind];
  const head = magic.length + IV_BYTES + TAG_BYTES;
  if (blob.length < head || !blob.subarray(0, magic.length).equals(magic)) return undefined;
  try {
    const iv = blob.subarray(magic.length, magic.length + IV_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", secret, iv);
    decipher.setAAD(magic);
    decipher.setAuthTag(blob.subarray(magic.length + IV_BYTES, head));
    const plain = Buffer.concat([decipher.update(blob.subarray(head)), decipher.final()]);
    const { backing: backingValue, ...object } = JSON.parse(plain.toString("utf8")) as Record<string, unknown>;
    // The shape the store checks its own records for (store/kinds.ts), and a name the vault takes.
    if (!KINDS[kind].isLive(object) || !NAME_PATTERN.test((object as LiveOf<K>).name)) return undefined;
    const backing = readBacking(kind, (object as LiveOf<K>).name, backingValue);
    return backing ? { object: object as LiveOf<K>, backing } : undefined;
  } catch {
    return undefined;
  }
}

export function backupOperations<K extends ObjectKind>(kind: K): { backup: Operation; restore: Operation } {
  const answers = ANSWERS[kind] as KindAnswers<K>;
  return {
    backup: (ctx, req) => {
      const object = findObject(ctx, kind, checkName(kind, req.params.name));
      return ok({ value: sealBackup(kind, { object, backing: backingOf(ctx, kind, object.name) }, ctx.backupKey).toString("base64url") });
    },
    restore: (ctx, req) => {
      const value = requiredString(bodyObject(req.body), "value");
      const backup = isBase64url(value) ? openBackup(kind, Buffer.from(value, "base64url"), ctx.backupKey) : undefined;
      if (!backup) throw malformedBackup();
      const { object } = backup;
      const restored: [ObjectKind, StoredObject][] = [[kind, object], ...(Object.entries(backup.backing) as [ObjectKind, StoredObject][])];
      // The name must be free in every collection the object takes it in: its own and its backing's.
      for (const [of] of restored) {
        assertNameNotDeleted(ctx, of, object.name);
        assertNotBeingRecovered(ctx, of, object.name);
        if (ctx.store.of(of).live.get(object.name) || isBeingPurged(ctx, of, object.name)) {
          throw restoreConflict(kind, ctx.wire.id(kind, object.name, currentVersion<StoredVersion>(object).version));
        }
      }
      if (restored.some(([, o]) => o.versions.length > ctx.settings.limits.versionsPerKey)) throw malformedBackup();
      for (const [of] of restored) assertRoomFor(ctx, of, object.name);
      if (kind === "certificates") asRestoredCertificate(object as StoredCertificate);
      for (const [of, o] of restored) {
        delete o.recoveringUntilMs;
        ctx.store.of(of).live.put(o.name, o as never);
      }
      return ok(answers.recovered(ctx.wire, object));
    },
  };
}

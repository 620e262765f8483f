/**
 * Backup and restore, for every kind. A backup blob holds every version of the object, sealed with
 * AES-256-GCM under a key only this emulator's state folder has: it can be restored here, and it
 * never carries key material or a secret's value in the clear. Each kind's blobs have their own
 * magic (and AAD), so a key's backup is no secret's.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ok, type Operation } from "../context";
import { malformedBackup, restoreConflict } from "../errors";
import { assertNameNotDeleted, assertNotBeingRecovered, assertRoomFor, findObject, isBeingPurged } from "../lifecycle";
import { currentVersion, type LiveOf, type ObjectKind, type StoredVersion } from "../model";
import { KINDS } from "../store/kinds";
import { bodyObject, checkName, isBase64url, NAME_PATTERN, requiredString } from "../validate";
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
const SERVICE_BYTES_PER_VERSION: Record<ObjectKind, number> = { keys: 7524, secrets: 3495, certificates: 0 }; // certificates: no backup route yet
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealBackup<K extends ObjectKind>(kind: K, object: LiveOf<K>, secret: Buffer): Buffer {
  const magic = MAGIC[kind];
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", secret, iv);
  cipher.setAAD(magic);
  const json = JSON.stringify(object);
  const plaintext = json.padEnd(SERVICE_BYTES_PER_VERSION[kind] * object.versions.length - magic.length - IV_BYTES - TAG_BYTES, " ");
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([magic, iv, cipher.getAuthTag(), ciphertext]);
}

export function openBackup<K extends ObjectKind>(kind: K, blob: Buffer, secret: Buffer): LiveOf<K> | undefined {
  const magic = MAGIC[kind];
  const head = magic.length + IV_BYTES + TAG_BYTES;
  if (blob.length < head || !blob.subarray(0, magic.length).equals(magic)) return undefined;
  try {
    const iv = blob.subarray(magic.length, magic.length + IV_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", secret, iv);
    decipher.setAAD(magic);
    decipher.setAuthTag(blob.subarray(magic.length + IV_BYTES, head));
    const plain = Buffer.concat([decipher.update(blob.subarray(head)), decipher.final()]);
    const object: unknown = JSON.parse(plain.toString("utf8"));
    // The shape the store checks its own records for (store/kinds.ts), and a name the vault takes.
    return KINDS[kind].isLive(object) && NAME_PATTERN.test((object as LiveOf<K>).name) ? (object as LiveOf<K>) : undefined;
  } catch {
    return undefined;
  }
}

export function backupOperations<K extends ObjectKind>(kind: K): { backup: Operation; restore: Operation } {
  const answers = ANSWERS[kind] as KindAnswers<K>;
  return {
    backup: (ctx, req) => {
      const object = findObject(ctx, kind, checkName(kind, req.params.name));
      return ok({ value: sealBackup(kind, object, ctx.backupKey).toString("base64url") });
    },
    restore: (ctx, req) => {
      const value = requiredString(bodyObject(req.body), "value");
      const object = isBase64url(value) ? openBackup(kind, Buffer.from(value, "base64url"), ctx.backupKey) : undefined;
      if (!object) throw malformedBackup();
      assertNameNotDeleted(ctx, kind, object.name);
      assertNotBeingRecovered(ctx, kind, object.name);
      if (ctx.store.of(kind).live.get(object.name) || isBeingPurged(ctx, kind, object.name)) {
        throw restoreConflict(kind, ctx.wire.id(kind, object.name, currentVersion<StoredVersion>(object).version));
      }
      if (object.versions.length > ctx.settings.limits.versionsPerKey) throw malformedBackup();
      assertRoomFor(ctx, kind, object.name);
      delete object.recoveringUntilMs;
      ctx.store.of(kind).live.put(object.name, object);
      return ok(answers.recovered(ctx.wire, object));
    },
  };
}

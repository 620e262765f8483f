/**
 * Backup and restore. A backup blob holds every version of the key, sealed with AES-256-GCM under
 * a key only this emulator's state folder has: it can be restored here, and it never carries
 * private key material in the clear.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ok, type Operation } from "../context";
import { malformedBackup, restoreConflict } from "../errors";
import { assertNameNotDeleted, assertNotBeingRecovered, findKey, isBeingPurged } from "../lifecycle";
import { assertRoomFor } from "./keys";
import type { StoredKey } from "../model";
import { bodyObject, checkKeyName, isBase64url, KEY_NAME_PATTERN, requiredString } from "../validate";

const MAGIC = Buffer.from("KVQBACKUP1");

/**
 * The size of the service's backup of one RSA-2048 version: 10,032 base64url characters, 7,524 bytes
 * (recorded: keys_client__restore_keys_and_recover_backups). A learner sees it ("about 7 KB"), so the
 * emulator pads its sealed JSON (with spaces, which JSON ignores) to as many bytes per version. The
 * service's sizes for other key types and for several versions are not recorded; the same is used.
 */
const SERVICE_BYTES_PER_VERSION = 7524;
const SEAL_OVERHEAD = MAGIC.length + 12 + 16;

export function sealBackup(key: StoredKey, secret: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", secret, iv);
  cipher.setAAD(MAGIC);
  const json = JSON.stringify(key);
  const plaintext = json.padEnd(SERVICE_BYTES_PER_VERSION * key.versions.length - SEAL_OVERHEAD, " ");
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), ciphertext]);
}

export function openBackup(blob: Buffer, secret: Buffer): StoredKey | undefined {
  if (blob.length < MAGIC.length + 28 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  try {
    const iv = blob.subarray(MAGIC.length, MAGIC.length + 12);
    const tag = blob.subarray(MAGIC.length + 12, MAGIC.length + 28);
    const decipher = createDecipheriv("aes-256-gcm", secret, iv);
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(blob.subarray(MAGIC.length + 28)), decipher.final()]);
    const key = JSON.parse(plain.toString("utf8")) as StoredKey;
    return typeof key.name === "string" && KEY_NAME_PATTERN.test(key.name) && Array.isArray(key.versions) && key.versions.length > 0 ? key : undefined;
  } catch {
    return undefined;
  }
}

export const backupKey: Operation = (ctx, req) => {
  const key = findKey(ctx, checkKeyName(req.params.name));
  return ok({ value: sealBackup(key, ctx.backupKey).toString("base64url") });
};

export const restoreKey: Operation = (ctx, req) => {
  const value = requiredString(bodyObject(req.body), "value");
  const key = isBase64url(value) ? openBackup(Buffer.from(value, "base64url"), ctx.backupKey) : undefined;
  if (!key) throw malformedBackup();
  assertNameNotDeleted(ctx, key.name);
  assertNotBeingRecovered(ctx, key.name);
  if (ctx.store.of("keys").live.get(key.name) || isBeingPurged(ctx, key.name)) throw restoreConflict(ctx.wire.keyId(key.name, key.versions[key.versions.length - 1].version));
  if (key.versions.length > ctx.settings.limits.versionsPerKey) throw malformedBackup();
  assertRoomFor(ctx, key.name);
  delete key.recoveringUntilMs;
  ctx.store.of("keys").live.put(key.name, key);
  return ok(ctx.wire.keyBundle(key));
};

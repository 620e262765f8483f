/**
 * A key's life after creation: soft delete, reading and recovering the deleted key, purge, the
 * vault purging on its own when retention ends, and backup/restore (whose blob never carries the
 * private key in any readable form).
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, test } from "node:test";
import { DAY_MS, rawRequest, rejectsWith, startTestVault, type TestVault } from "../helpers/emulator";
import { toSdkJwk } from "../helpers/jwk";

let vault: TestVault;
before(async () => {
  vault = await startTestVault();
});
after(() => vault.stop());

const deleteKey = async (name: string) => (await vault.client.beginDeleteKey(name, { intervalInMs: 20 })).pollUntilDone();

test("soft-deletes a key: a deleted bundle with recovery id and dates, gone from get", async () => {
  const created = await vault.client.createEcKey("to-delete", { tags: { keep: "me" } });
  const deleted = await deleteKey("to-delete");
  assert.equal(deleted.id, created.id);
  assert.equal(deleted.properties.recoveryId, `${vault.emulator.url}/deletedkeys/to-delete`);
  assert.ok(Math.abs(deleted.properties.deletedOn!.getTime() - Date.now()) < 5000);
  assert.equal(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime(), 90 * DAY_MS);
  assert.deepEqual(deleted.properties.tags, { keep: "me" });

  await rejectsWith(vault.client.getKey("to-delete"), { status: 404, code: "KeyNotFound" });
  const got = await vault.client.getDeletedKey("to-delete");
  assert.equal(got.properties.recoveryId, deleted.properties.recoveryId);
  assert.deepEqual(got.key?.x, created.key?.x);
  // Deleting a key that is already deleted is a 404, as on the service.
  await rejectsWith(vault.client.beginDeleteKey("to-delete"), { status: 404, code: "KeyNotFound" });
});

test("right after a delete the deleted key is not visible yet; the poller waits for it", async () => {
  await vault.client.createEcKey("just-deleted");
  const token = await vault.token();
  const res = await rawRequest(vault.emulator, { method: "DELETE", path: "/keys/just-deleted?api-version=7.5", token });
  assert.equal(res.status, 200);
  // Hold the vault's clock inside the delete's short delay, however slow this machine is.
  vault.emulator.clock.advance(-60_000);
  try {
    const early = await rawRequest(vault.emulator, { path: "/deletedkeys/just-deleted?api-version=7.5", token });
    assert.equal(early.status, 404);
    assert.equal(early.body.error.code, "KeyNotFound");
  } finally {
    vault.emulator.clock.advance(60_000);
  }
  await new Promise((resolve) => setTimeout(resolve, vault.emulator.settings.deleteDelayMs + 20));
  assert.equal((await rawRequest(vault.emulator, { path: "/deletedkeys/just-deleted?api-version=7.5", token })).status, 200);
});

test("recovers a deleted key with all its versions", async () => {
  const v1 = await vault.client.createRsaKey("to-recover");
  const v2 = await vault.client.createRsaKey("to-recover");
  await deleteKey("to-recover");
  const recovered = await (await vault.client.beginRecoverDeletedKey("to-recover", { intervalInMs: 20 })).pollUntilDone();
  assert.equal(recovered.id, v2.id);
  assert.equal((await vault.client.getKey("to-recover", { version: v1.properties.version })).id, v1.id);
  await rejectsWith(vault.client.getDeletedKey("to-recover"), { status: 404, code: "KeyNotFound" });
  // Recovering a key that is not deleted: the poller sees the live key and is done at once.
  const again = await (await vault.client.beginRecoverDeletedKey("to-recover", { intervalInMs: 20 })).pollUntilDone();
  assert.equal(again.id, v2.id);
});

test("purges a deleted key, freeing its name", async () => {
  await vault.client.createEcKey("to-purge");
  await deleteKey("to-purge");
  await vault.client.purgeDeletedKey("to-purge");
  await rejectsWith(vault.client.getDeletedKey("to-purge"), { status: 404, code: "KeyNotFound" });
  await rejectsWith(vault.client.purgeDeletedKey("to-purge"), { status: 404, code: "KeyNotFound" });
  await rejectsWith(vault.client.purgeDeletedKey("never-existed"), { status: 404, code: "KeyNotFound" });
  const reborn = await vault.client.createEcKey("to-purge");
  assert.equal(reborn.properties.version?.length, 32);
});

test("the vault purges deleted keys itself when retention ends (on its clock)", async () => {
  await vault.client.createEcKey("expiring");
  const deleted = await deleteKey("expiring");
  vault.emulator.clock.advance(89 * DAY_MS);
  assert.equal((await vault.client.getDeletedKey("expiring")).properties.scheduledPurgeDate?.getTime(), deleted.properties.scheduledPurgeDate?.getTime());
  vault.emulator.clock.advance(1 * DAY_MS + 2000);
  try {
    await rejectsWith(vault.client.getDeletedKey("expiring"), { status: 404, code: "KeyNotFound" });
    await vault.client.createEcKey("expiring"); // the name is free
  } finally {
    vault.emulator.clock.advance(-(90 * DAY_MS + 2000));
  }
  // Back on real time: new keys carry it, and the vault still purges when the clock moves on again.
  const now = await vault.client.createEcKey("after-clock");
  assert.ok(Math.abs(now.properties.createdOn!.getTime() - Date.now()) < 5000);
  await deleteKey("after-clock");
  vault.emulator.clock.advance(91 * DAY_MS);
  try {
    await rejectsWith(vault.client.getDeletedKey("after-clock"), { status: 404, code: "KeyNotFound" });
  } finally {
    vault.emulator.clock.advance(-91 * DAY_MS);
  }
});

test("backs up and restores a key; the blob holds no private key material in any encoding", async () => {
  const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const imported = await vault.client.importKey("backed-up", toSdkJwk(jwk));
  const v2 = await vault.client.rotateKey("backed-up");
  const blob = Buffer.from((await vault.client.backupKey("backed-up"))!);
  assert.ok(blob.length > 100);

  const blobText = [blob.toString("latin1"), blob.toString("base64"), blob.toString("base64url"), blob.toString("hex")];
  for (const field of ["d", "p", "q", "dp", "dq", "qi"] as const) {
    const secret = Buffer.from(jwk[field]!, "base64url");
    assert.equal(blob.indexOf(secret), -1, `raw ${field}`);
    // A 16-byte slice of the secret, in each encoding a blob could carry it.
    const slice = secret.subarray(8, 24);
    for (const encoded of [slice.toString("hex"), slice.toString("hex").toUpperCase(), slice.toString("base64").slice(0, 20), slice.toString("base64url").slice(0, 20), jwk[field]!.slice(4, 28)]) {
      for (const text of blobText) assert.ok(!text.includes(encoded), `${field} found in the blob`);
    }
  }

  // The service's one conflict message, naming the backup's current version.
  const conflict = new RegExp(`^There was a conflict restoring the key '${vault.emulator.url}/keys/backed-up/${v2.properties.version}'\\. This can happen if either`);
  await rejectsWith(vault.client.restoreKeyBackup(blob), { status: 409, code: "Conflict", message: conflict });
  await deleteKey("backed-up");
  await rejectsWith(vault.client.restoreKeyBackup(blob), { status: 409, inner: "ObjectIsDeletedButRecoverable" });
  await vault.client.purgeDeletedKey("backed-up");
  // Right after a purge the service still refuses the name for a moment (the emulator: deleteDelayMs).
  await rejectsWith(vault.client.restoreKeyBackup(blob), { status: 409, code: "Conflict", message: conflict });
  await new Promise((resolve) => setTimeout(resolve, vault.emulator.settings.deleteDelayMs + 20));
  const restored = await vault.client.restoreKeyBackup(blob);
  assert.equal(restored.id, v2.id);
  assert.equal((await vault.client.getKey("backed-up", { version: imported.properties.version })).id, imported.id);

  const tampered = Buffer.from(blob);
  tampered[tampered.length - 1] ^= 1;
  // The service's answer to a blob it cannot read.
  const malformed = { status: 400, code: "Malformed backup blob", message: "Backup blob contains invalid or corrupt version." };
  await rejectsWith(vault.client.restoreKeyBackup(tampered), malformed);
  await rejectsWith(vault.client.restoreKeyBackup(Buffer.from("not a backup")), malformed);
  await rejectsWith(vault.client.backupKey("never-existed"), { status: 404, code: "KeyNotFound" });
});

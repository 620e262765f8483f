/** The quickstart's own path through the vault, with the real SDK: create, get, delete, conflict, recover, purge. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestVault, type TestVault } from "../helpers/emulator";

let vault: TestVault;
before(async () => {
  vault = await startTestVault();
});
after(() => vault.stop());

test("creates an RSA-2048 key shaped as the service returns it", async () => {
  const key = await vault.client.createRsaKey("flow-key", { keySize: 2048 });
  assert.match(key.id!, new RegExp(`^${vault.emulator.url}/keys/flow-key/[0-9a-f]{32}$`));
  assert.equal(key.keyType, "RSA");
  assert.deepEqual(key.keyOperations, ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]);
  assert.equal(key.key?.n?.length, 256);
  assert.equal(key.key?.d, undefined, "private material never leaves the vault");
  assert.equal(key.properties.recoveryLevel, "Recoverable+Purgeable");
  assert.equal(key.properties.recoverableDays, 90);
  assert.ok(Math.abs(key.properties.createdOn!.getTime() - Date.now()) < 5000);
});

test("gets the same key back", async () => {
  const created = await vault.client.createRsaKey("flow-get");
  const got = await vault.client.getKey("flow-get");
  assert.equal(got.id, created.id);
  assert.deepEqual(got.key?.n, created.key?.n);
});

test("soft-deletes, blocks the name with the service's 409, recovers and purges", async () => {
  await vault.client.createRsaKey("flow-delete");
  const poller = await vault.client.beginDeleteKey("flow-delete", { intervalInMs: 20 });
  const deleted = await poller.pollUntilDone();
  assert.equal(deleted.properties.recoveryId, `${vault.emulator.url}/deletedkeys/flow-delete`);
  const days = (deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime()) / 86_400_000;
  assert.equal(days, 90);

  await assert.rejects(vault.client.createRsaKey("flow-delete"), (error: any) => {
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, "Conflict");
    assert.equal(error.details.error.innerError.code, "ObjectIsDeletedButRecoverable");
    assert.match(error.message, /Key flow-delete is currently in a deleted but recoverable state/);
    return true;
  });

  const recovered = await (await vault.client.beginRecoverDeletedKey("flow-delete", { intervalInMs: 20 })).pollUntilDone();
  assert.equal(recovered.name, "flow-delete");
  await (await vault.client.beginDeleteKey("flow-delete", { intervalInMs: 20 })).pollUntilDone();
  await vault.client.purgeDeletedKey("flow-delete");
  await assert.rejects(vault.client.getDeletedKey("flow-delete"), { statusCode: 404, code: "KeyNotFound" });
  await vault.client.createRsaKey("flow-delete"); // the name is free again
});

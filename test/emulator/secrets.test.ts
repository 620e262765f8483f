/**
 * The secrets data plane through the real @azure/keyvault-secrets over verified TLS: set (a new
 * version each time), get (latest or a version), update properties, list secrets and versions with
 * paging, soft delete and its "being deleted" moment, deleted secrets (get, list, recover, purge),
 * backup and restore, the service's errors and limits, the throttle, injected faults, purge
 * protection, durability across a restart, and a value that never reaches the log.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import type { SecretClient } from "@azure/keyvault-secrets";
import { DAY_MS, identityPort, rawRequest, rejectsWith, startTestVault, tempDir, vaultPort, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let client: SecretClient;
const logLines: string[] = [];
before(async () => {
  vault = await startTestVault({ log: (line) => logLines.push(line) });
  client = vault.secretClient;
});
after(() => vault.stop());

const deleteSecret = async (c: SecretClient, name: string) => (await c.beginDeleteSecret(name, { intervalInMs: 20 })).pollUntilDone();
const names = async (iterable: AsyncIterable<{ name: string }>) => {
  const found: string[] = [];
  for await (const item of iterable) found.push(item.name);
  return found;
};

test("set makes a new version each time; get reads the latest or a named version", async () => {
  const v1 = await client.setSecret("db-password", "first-value", { contentType: "text/plain", tags: { env: "test" } });
  assert.equal(v1.value, "first-value");
  assert.equal(v1.properties.version?.length, 32);
  assert.equal(v1.properties.id, `${vault.emulator.url}/secrets/db-password/${v1.properties.version}`);
  assert.equal(v1.properties.contentType, "text/plain");
  assert.deepEqual(v1.properties.tags, { env: "test" });
  assert.equal(v1.properties.enabled, true);
  assert.equal(v1.properties.recoveryLevel, "Recoverable+Purgeable");
  const v2 = await client.setSecret("db-password", "second-value");
  assert.notEqual(v2.properties.version, v1.properties.version);
  // A new version is a new set of properties: it does not inherit the first one's tags or content type.
  assert.equal(v2.properties.contentType, undefined);
  assert.equal(v2.properties.tags, undefined);

  assert.equal((await client.getSecret("db-password")).value, "second-value");
  assert.equal((await client.getSecret("DB-PASSWORD")).value, "second-value", "names are case-insensitive");
  const old = await client.getSecret("db-password", { version: v1.properties.version });
  assert.equal(old.value, "first-value");
  assert.equal(old.properties.contentType, "text/plain");
  // An empty value is a value (the SDK's own test sets one).
  assert.equal((await client.setSecret("empty-one", "")).value, "");
  assert.equal((await client.getSecret("empty-one")).value, "");

  await rejectsWith(client.getSecret("never-set"), {
    status: 404,
    code: "SecretNotFound",
    message: /^A secret with \(name\/id\) never-set was not found in this key vault\. If you recently deleted this secret/,
  });
  await rejectsWith(client.getSecret("db-password", { version: "0".repeat(32) }), { status: 404, code: "SecretNotFound" });
});

test("update changes properties only: enabled, expiry, not-before, content type, tags; a disabled secret cannot be read", async () => {
  const set = await client.setSecret("to-update", "kept-value", { tags: { a: "1" } });
  const exp = new Date("2031-01-01T00:00:00Z");
  const nbf = new Date("2030-01-01T00:00:00Z");
  const updated = await client.updateSecretProperties("to-update", set.properties.version!, {
    enabled: false,
    expiresOn: exp,
    notBefore: nbf,
    contentType: "application/json",
    tags: { b: "2" },
  });
  assert.equal(updated.enabled, false);
  assert.equal(updated.expiresOn?.getTime(), exp.getTime());
  assert.equal(updated.notBefore?.getTime(), nbf.getTime());
  assert.equal(updated.contentType, "application/json");
  assert.deepEqual(updated.tags, { b: "2" });
  await rejectsWith(client.getSecret("to-update"), { status: 403, code: "Forbidden", inner: "SecretDisabled", message: "Operation get is not allowed on a disabled secret." });
  // Still listed, with its properties, and enabled again it reads back the value it kept.
  const listed = [];
  for await (const p of client.listPropertiesOfSecretVersions("to-update")) listed.push(p);
  assert.equal(listed[0].enabled, false);
  await client.updateSecretProperties("to-update", set.properties.version!, { enabled: true });
  const read = await client.getSecret("to-update");
  assert.equal(read.value, "kept-value");
  assert.equal(read.properties.contentType, "application/json");
  // Expiry and not-before are for the caller to heed: the service still answers the value.
  assert.equal((await client.getSecret("to-update")).properties.notBefore?.getTime(), nbf.getTime());
  await rejectsWith(client.updateSecretProperties("to-update", set.properties.version!, { notBefore: new Date("2032-01-01T00:00:00Z") }), { status: 400, code: "BadParameter" });
  await rejectsWith(client.updateSecretProperties("never-set", "0".repeat(32), { enabled: false }), { status: 404, code: "SecretNotFound" });
});

test("lists secrets and versions, following the service's pages; values are never listed", async () => {
  for (let i = 0; i < 7; i++) await client.setSecret(`paged-${i}`, `v-${i}`);
  for (let i = 0; i < 4; i++) await client.setSecret("many-versions", `version-${i}`);
  const all = await names(client.listPropertiesOfSecrets());
  for (let i = 0; i < 7; i++) assert.ok(all.includes(`paged-${i}`));
  const pages: number[] = [];
  for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 3 })) pages.push(page.length);
  assert.ok(pages.length >= 3 && pages.every((n) => n <= 3), `pages of at most 3: ${pages}`);
  assert.equal(pages.reduce((a, b) => a + b, 0), all.length);

  const versions = [];
  for await (const page of client.listPropertiesOfSecretVersions("many-versions").byPage({ maxPageSize: 2 })) versions.push(...page);
  assert.equal(versions.length, 4);
  assert.equal(new Set(versions.map((v) => v.version)).size, 4);
  // No name, no versions: the service answers an empty list, not 404.
  assert.deepEqual(await names(client.listPropertiesOfSecretVersions("never-set")), []);

  const token = await vault.token();
  const raw = await rawRequest(vault.emulator, { path: "/secrets?api-version=7.6&maxresults=25", token });
  assert.equal(raw.status, 200);
  assert.ok(raw.body.value.every((item: Record<string, unknown>) => !("value" in item)), "a listing carries no value");
  const item = raw.body.value.find((i: { id: string }) => i.id.endsWith("/secrets/paged-0"));
  assert.ok(item, "a list item's id has no version");
});

test("delete soft-deletes: 'being deleted', then visible, the name refused with 409 until recovered or purged", async () => {
  const set = await client.setSecret("to-delete", "gone-value", { tags: { keep: "me" } });
  const token = await vault.token();
  const res = await rawRequest(vault.emulator, { method: "DELETE", path: "/secrets/to-delete?api-version=7.6", token });
  assert.equal(res.status, 200);
  assert.equal(res.body.recoveryId, `${vault.emulator.url}/deletedsecrets/to-delete`);
  assert.equal(res.body.value, undefined, "a delete does not answer the value");
  assert.equal(res.body.scheduledPurgeDate - res.body.deletedDate, 90 * 86_400);
  vault.emulator.clock.advance(-60_000);
  try {
    // Inside the delete's moment: not yet visible, and the name is "being deleted".
    const early = await rawRequest(vault.emulator, { path: "/deletedsecrets/to-delete?api-version=7.6", token });
    assert.equal(early.status, 404);
    assert.equal(early.body.error.code, "SecretNotFound");
    assert.equal(early.body.error.message, "Deleted Secret not found: to-delete");
    await rejectsWith(client.setSecret("to-delete", "again"), { status: 409, inner: "ObjectIsBeingDeleted" });
  } finally {
    vault.emulator.clock.advance(60_000);
  }
  await new Promise((resolve) => setTimeout(resolve, vault.emulator.settings.deleteDelayMs + 20));
  const deleted = await client.getDeletedSecret("to-delete");
  assert.equal(deleted.properties.recoveryId, `${vault.emulator.url}/deletedsecrets/to-delete`);
  assert.deepEqual(deleted.properties.tags, { keep: "me" });
  assert.ok((await names(client.listDeletedSecrets())).includes("to-delete"));
  await rejectsWith(client.getSecret("to-delete"), { status: 404, code: "SecretNotFound" });
  await rejectsWith(client.setSecret("to-delete", "again"), {
    status: 409,
    code: "Conflict",
    inner: "ObjectIsDeletedButRecoverable",
    message: "Secret to-delete is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
  });
  // Deleting it again, or one never set, is the service's 404.
  await rejectsWith(client.beginDeleteSecret("to-delete"), { status: 404, code: "SecretNotFound" });

  const recovered = await (await client.beginRecoverDeletedSecret("to-delete", { intervalInMs: 20 })).pollUntilDone();
  assert.equal(recovered.version, set.properties.version);
  assert.equal((await client.getSecret("to-delete")).value, "gone-value");
  await rejectsWith(client.getDeletedSecret("to-delete"), { status: 404, code: "SecretNotFound" });
  await rejectsWith(client.beginRecoverDeletedSecret("never-set"), { status: 404, code: "SecretNotFound" });

  await deleteSecret(client, "to-delete");
  await client.purgeDeletedSecret("to-delete");
  await rejectsWith(client.getDeletedSecret("to-delete"), { status: 404, code: "SecretNotFound" });
  await rejectsWith(client.purgeDeletedSecret("to-delete"), { status: 404, code: "SecretNotFound" });
  await new Promise((resolve) => setTimeout(resolve, vault.emulator.settings.deleteDelayMs + 20));
  assert.equal((await client.setSecret("to-delete", "reborn")).value, "reborn");
});

test("a secret and a key of the same name are two objects", async () => {
  await vault.client.createEcKey("shared-name");
  await client.setSecret("shared-name", "secret-side");
  await (await vault.client.beginDeleteKey("shared-name", { intervalInMs: 20 })).pollUntilDone();
  assert.equal((await client.getSecret("shared-name")).value, "secret-side");
  await rejectsWith(vault.client.createEcKey("shared-name"), { status: 409, inner: "ObjectIsDeletedButRecoverable", message: /^Key shared-name is currently/ });
  assert.equal((await client.setSecret("shared-name", "still-free")).value, "still-free");
});

test("the vault purges deleted secrets itself when retention ends (on its clock)", async () => {
  await client.setSecret("expiring", "x");
  await deleteSecret(client, "expiring");
  vault.emulator.clock.advance(90 * DAY_MS + 2000);
  try {
    await rejectsWith(client.getDeletedSecret("expiring"), { status: 404, code: "SecretNotFound" });
    await client.setSecret("expiring", "free again");
  } finally {
    vault.emulator.clock.advance(-(90 * DAY_MS + 2000));
  }
});

test("backs up and restores a secret with all its versions; the blob never holds the value readably", async () => {
  const planted = "planted-VALUE-4f1c9e2a7b";
  const v1 = await client.setSecret("backed-up", planted);
  const v2 = await client.setSecret("backed-up", "second");
  const blob = Buffer.from((await client.backupSecret("backed-up"))!);
  // About the service's size: 3,495 bytes a version.
  assert.equal(blob.length, 2 * 3495);
  for (const text of [blob.toString("latin1"), blob.toString("base64"), blob.toString("base64url"), blob.toString("hex")]) {
    for (const encoded of [planted, Buffer.from(planted).toString("base64").slice(0, 16), Buffer.from(planted).toString("hex")]) {
      assert.ok(!text.includes(encoded), "the value is in the blob");
    }
  }
  const conflict = new RegExp(`^There was a conflict restoring the secret '${vault.emulator.url}/secrets/backed-up/${v2.properties.version}'`);
  await rejectsWith(client.restoreSecretBackup(blob), { status: 409, code: "Conflict", message: conflict });
  await deleteSecret(client, "backed-up");
  await rejectsWith(client.restoreSecretBackup(blob), { status: 409, inner: "ObjectIsDeletedButRecoverable" });
  await client.purgeDeletedSecret("backed-up");
  await new Promise((resolve) => setTimeout(resolve, vault.emulator.settings.deleteDelayMs + 20));
  const restored = await client.restoreSecretBackup(blob);
  assert.equal(restored.version, v2.properties.version);
  assert.equal((await client.getSecret("backed-up", { version: v1.properties.version })).value, planted);

  const malformed = { status: 400, code: "Malformed backup blob", message: "Backup blob contains invalid or corrupt version." };
  const tampered = Buffer.from(blob);
  tampered[tampered.length - 1] ^= 1;
  await rejectsWith(client.restoreSecretBackup(tampered), malformed);
  // A key's backup is no secret's.
  await vault.client.createEcKey("a-key-backup");
  const keyBlob = (await vault.client.backupKey("a-key-backup"))!;
  await rejectsWith(client.restoreSecretBackup(keyBlob), malformed);
  await rejectsWith(client.backupSecret("never-set"), { status: 404, code: "SecretNotFound" });
});

test("the service's limits: a value of at most 25 KB, at most 15 tags, names of letters, digits and dashes", async () => {
  assert.equal((await client.setSecret("big-ok", "x".repeat(25 * 1024))).value?.length, 25 * 1024);
  const tooBig = await rejectsWith(client.setSecret("too-big", "y".repeat(25 * 1024 + 1)), { status: 400, code: "BadParameter", message: /at most 25 KB/ });
  assert.ok(!tooBig.message.includes("yyyy"), "the error does not echo the value");
  const tags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, "v"]));
  await rejectsWith(client.setSecret("many-tags", "x", { tags }), { status: 400, code: "BadParameter", message: /at most 15 tags/ });
  const fifteen = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, "v"]));
  assert.equal(Object.keys((await client.setSecret("fifteen-tags", "x", { tags: fifteen })).properties.tags!).length, 15);
  await rejectsWith(client.setSecret("bad_name", "x"), { status: 400, code: "BadParameter", message: /Secret names are 1-127 characters/ });
  const token = await vault.token();
  // The service's answer to an empty name (recorded: cannot_create_a_secret_with_an_empty_name).
  const empty = await rawRequest(vault.emulator, { method: "PUT", path: "/secrets/?api-version=7.6", token, body: JSON.stringify({ value: "x" }) });
  assert.equal(empty.status, 405);
  assert.deepEqual(empty.body, { error: { code: "MethodNotAllowed", message: "HTTP PUT not allowed" } });
  const noValue = await rawRequest(vault.emulator, { method: "PUT", path: "/secrets/no-value?api-version=7.6", token, body: JSON.stringify({ contentType: "x" }) });
  assert.equal(noValue.status, 400);
});

test("an injected 403 names the secret permission and data action the route needs", async () => {
  const policy = vault.emulator.faults.inject({ operation: "setSecret", fault: "ForbiddenByPolicy", times: 1 });
  await rejectsWith(client.setSecret("forbidden", "x"), { status: 403, inner: "ForbiddenByPolicy", message: /does not have secrets set permission on key vault/ });
  policy.remove();
  const rbac = vault.emulator.faults.inject({ operation: "purgeDeletedSecret", fault: "ForbiddenByRbac", times: 1 });
  await rejectsWith(client.purgeDeletedSecret("whatever"), { status: 403, inner: "ForbiddenByRbac", message: /Action: 'Microsoft\.KeyVault\/vaults\/secrets\/purge\/action'/ });
  rbac.remove();
  const get = vault.emulator.faults.inject({ operation: "getSecret", fault: "ForbiddenByRbac", times: 1 });
  await rejectsWith(client.getSecret("anything"), { status: 403, message: /secrets\/getSecret\/action/ });
  get.remove();
  // Keys keep their own: "keys create".
  const keys = vault.emulator.faults.inject({ operation: "createKey", fault: "ForbiddenByPolicy", times: 1 });
  await rejectsWith(vault.client.createEcKey("forbidden-key"), { status: 403, message: /does not have keys create permission/ });
  keys.remove();
});

test("the throttle counts every secret transaction against its own limit, apart from key creates", async () => {
  const token = await vault.token();
  vault.emulator.faults.setThrottle({ secretTransactions: 3 });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const path = i % 2 === 0 ? "/secrets?api-version=7.6" : "/secrets/throttled/?api-version=7.6";
      statuses.push((await rawRequest(vault.emulator, { path, token })).status);
    }
    // Reads count too (a missing secret's 404 is a transaction); the fourth is refused.
    assert.deepEqual(statuses, [200, 404, 200, 429, 429]);
    const refused = await rawRequest(vault.emulator, { path: "/secrets?api-version=7.6", token });
    assert.equal(refused.body.error.code, "Throttled");
    assert.ok(Number(refused.headers["retry-after"]) >= 1);
    // Key creates are another limit: not touched.
    await vault.client.createEcKey("not-throttled");
  } finally {
    vault.emulator.faults.setThrottle({ secretTransactions: 0 });
  }
  assert.equal((await rawRequest(vault.emulator, { path: "/secrets?api-version=7.6", token })).status, 200);
});

test("purge protection: a deleted secret can be recovered, never purged", async () => {
  const guarded = await startTestVault({ purgeProtection: true });
  try {
    const c = guarded.secretClient;
    const set = await c.setSecret("guarded", "v");
    assert.equal(set.properties.recoveryLevel, "Recoverable");
    await deleteSecret(c, "guarded");
    await rejectsWith(c.purgeDeletedSecret("guarded"), { status: 403, message: /purge protection is enabled/ });
    await (await c.beginRecoverDeletedSecret("guarded", { intervalInMs: 20 })).pollUntilDone();
    assert.equal((await c.getSecret("guarded")).value, "v");
  } finally {
    await guarded.stop();
  }
});

test("secrets, their versions and soft-deleted secrets survive a restart", async () => {
  const stateDir = tempDir("kvq-secrets-persist-");
  let first: TestVault | undefined = await startTestVault({ stateDir });
  let second: TestVault | undefined;
  try {
    const v1 = await first.secretClient.setSecret("durable", "one", { contentType: "text/plain" });
    await first.secretClient.setSecret("durable", "two");
    await first.secretClient.setSecret("deleted-durable", "x");
    await deleteSecret(first.secretClient, "deleted-durable");
    const ports = { port: vaultPort(first.emulator), identityPort: identityPort(first.emulator) };
    await first.emulator.close();
    first = undefined;
    second = await startTestVault({ stateDir, ...ports });
    const c = second.secretClient;
    assert.equal((await c.getSecret("durable")).value, "two");
    const old = await c.getSecret("durable", { version: v1.properties.version });
    assert.equal(old.value, "one");
    assert.equal(old.properties.contentType, "text/plain");
    assert.equal((await c.getDeletedSecret("deleted-durable")).name, "deleted-durable");
    await rejectsWith(c.setSecret("deleted-durable", "again"), { status: 409, inner: "ObjectIsDeletedButRecoverable" });
  } finally {
    await first?.emulator.close();
    await second?.emulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test("a secret's value never reaches the emulator's log", async () => {
  const planted = "PLANTED-log-value-9d3b7c";
  await client.setSecret("logged", planted);
  await client.getSecret("logged");
  await client.updateSecretProperties("logged", (await client.getSecret("logged")).properties.version!, { tags: { t: "1" } });
  await rejectsWith(client.setSecret("logged-big", `${planted}${"z".repeat(26 * 1024)}`), { status: 400 });
  await client.backupSecret("logged");
  assert.ok(logLines.some((line) => line.includes("/secrets/logged")), "the log has the requests");
  for (const line of logLines) assert.ok(!line.includes(planted), `the value is in the log: ${line}`);
});

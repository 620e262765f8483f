/**
 * Errors exactly as the service reports them (FACTS.md §3): status, code, inner code and message,
 * seen through the SDK where the SDK can send the request, and raw where only a broken client could.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { EmulatorStartError, startEmulator } from "../../src/emulator/index";
import { MAX_BODY_BYTES } from "../../src/emulator/server";
import { assertErrorShape, DAY_MS, rawRequest, rejectsWith, startTestVault, tempDir, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let token: string;
before(async () => {
  vault = await startTestVault();
  token = await vault.token();
});
after(() => vault.stop());

const NOT_FOUND = (name: string) =>
  `A key with (name/id) ${name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`;
const DELETED_BUT_RECOVERABLE = (name: string) =>
  `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`;
const BEING_DELETED = (name: string) => `Key ${name} is currently being deleted and cannot be re-created; retry later.`;
const PURGE_PROTECTED =
  'Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.';

const raw = (method: string, path: string, body?: string | Buffer, headers?: Record<string, string | number>) =>
  rawRequest(vault.emulator, { method, path, token, body, headers });

test("404 KeyNotFound with the service's message, for a name and for a version", async () => {
  await rejectsWith(vault.client.getKey("missing-key"), { status: 404, code: "KeyNotFound", message: NOT_FOUND("missing-key") });
  const key = await vault.client.createEcKey("has-versions");
  const unknownVersion = "0123456789abcdef0123456789abcdef";
  await rejectsWith(vault.client.getKey("has-versions", { version: unknownVersion }), {
    status: 404,
    code: "KeyNotFound",
    message: NOT_FOUND(`has-versions/${unknownVersion}`),
  });
  await rejectsWith(vault.client.updateKeyProperties("has-versions", unknownVersion, { enabled: false }), { status: 404, code: "KeyNotFound" });
  await rejectsWith(vault.client.updateKeyProperties("missing-key", key.properties.version!, { enabled: false }), { status: 404, code: "KeyNotFound" });
  // The service names the key in this message too.
  await rejectsWith(vault.client.getDeletedKey("missing-key"), { status: 404, code: "KeyNotFound", message: "Deleted Key not found: missing-key" });
  // Versions of a name that never existed: an empty list, as the service answers (not a 404 the pager would throw).
  const versions = [];
  for await (const v of vault.client.listPropertiesOfKeyVersions("missing-key")) versions.push(v);
  assert.deepEqual(versions, []);
});

test("409 ObjectIsDeletedButRecoverable when a soft-deleted name is reused (create, import, rotate)", async () => {
  await vault.client.createRsaKey("reused-name");
  await (await vault.client.beginDeleteKey("reused-name", { intervalInMs: 20 })).pollUntilDone();
  const error = await rejectsWith(vault.client.createRsaKey("reused-name"), {
    status: 409,
    code: "Conflict",
    inner: "ObjectIsDeletedButRecoverable",
    message: DELETED_BUT_RECOVERABLE("reused-name"),
  });
  assert.equal(error.details.error.message, DELETED_BUT_RECOVERABLE("reused-name"));
  // Names are case-insensitive: another spelling is the same deleted key.
  await rejectsWith(vault.client.createEcKey("REUSED-NAME"), { status: 409, inner: "ObjectIsDeletedButRecoverable" });
  const res = await raw("PUT", "/keys/reused-name?api-version=7.5", JSON.stringify({ key: { kty: "EC", crv: "P-256", x: "AA", y: "AA", d: "AA" } }));
  assert.equal(res.status, 400, "the JWK is checked first");
  await rejectsWith(vault.client.rotateKey("reused-name"), { status: 404, code: "KeyNotFound" });
  await rejectsWith(vault.client.beginDeleteKey("reused-name"), { status: 404, code: "KeyNotFound", message: NOT_FOUND("reused-name") });
});

test("409 ObjectIsBeingDeleted while a delete is still in progress", async () => {
  const slow = await startTestVault({ deleteDelayMs: 60_000 });
  try {
    await slow.client.createEcKey("slow-delete");
    const poller = await slow.client.beginDeleteKey("slow-delete", { intervalInMs: 20 });
    assert.equal(poller.isDone(), false);
    await rejectsWith(slow.client.createEcKey("slow-delete"), {
      status: 409,
      code: "Conflict",
      inner: "ObjectIsBeingDeleted",
      message: BEING_DELETED("slow-delete"),
    });
    await rejectsWith(slow.client.purgeDeletedKey("slow-delete"), { status: 409, inner: "ObjectIsBeingDeleted", message: "Key is currently being deleted." });
    await rejectsWith(slow.client.getDeletedKey("slow-delete"), { status: 404, code: "KeyNotFound" });
    await rejectsWith((async () => (await slow.client.beginRecoverDeletedKey("slow-delete")).pollUntilDone())(), {
      status: 409,
      inner: "ObjectIsBeingDeleted",
    });

    // Once the delete completes (on the vault's clock) the poller finishes and the usual 409 follows.
    slow.emulator.clock.advance(61_000);
    const deleted = await poller.pollUntilDone();
    assert.equal(deleted.name, "slow-delete");
    await rejectsWith(slow.client.createEcKey("slow-delete"), { status: 409, inner: "ObjectIsDeletedButRecoverable" });
  } finally {
    await slow.stop();
  }
});

test("403 on purge under purge protection; the recovery level says Recoverable", async () => {
  const guarded = await startTestVault({ purgeProtection: true });
  try {
    const key = await guarded.client.createRsaKey("protected");
    assert.equal(key.properties.recoveryLevel, "Recoverable");
    assert.equal(key.properties.recoverableDays, 90);
    await (await guarded.client.beginDeleteKey("protected", { intervalInMs: 20 })).pollUntilDone();
    await rejectsWith(guarded.client.purgeDeletedKey("protected"), { status: 403, code: "Forbidden", message: PURGE_PROTECTED });
    // Recovery is still allowed.
    await (await guarded.client.beginRecoverDeletedKey("protected", { intervalInMs: 20 })).pollUntilDone();
    assert.equal((await guarded.client.getKey("protected")).id, key.id);
  } finally {
    await guarded.stop();
  }
});

test("a retention shorter than 90 days makes the level CustomizedRecoverable; 7 to 90 days only", async () => {
  const short = await startTestVault({ retentionDays: 7 });
  try {
    const key = await short.client.createEcKey("short-retention");
    assert.equal(key.properties.recoveryLevel, "CustomizedRecoverable+Purgeable");
    assert.equal(key.properties.recoverableDays, 7);
    const deleted = await (await short.client.beginDeleteKey("short-retention", { intervalInMs: 20 })).pollUntilDone();
    assert.equal(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime(), 7 * DAY_MS);
    await short.client.purgeDeletedKey("short-retention");
  } finally {
    await short.stop();
  }
  const both = await startTestVault({ retentionDays: 30, purgeProtection: true });
  try {
    assert.equal((await both.client.createEcKey("both")).properties.recoveryLevel, "CustomizedRecoverable");
  } finally {
    await both.stop();
  }
  for (const retentionDays of [6, 91, 7.5]) {
    const dir = tempDir();
    try {
      await assert.rejects(startEmulator({ port: 0, stateDir: dir, retentionDays }), (error: Error) => {
        assert.ok(error instanceof EmulatorStartError);
        assert.match(error.message, /7 to 90/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("400 BadParameter for invalid key names", async () => {
  await rejectsWith(vault.client.createRsaKey("bad_name"), { status: 400, code: "BadParameter", message: /invalid name: bad_name/ });
  await rejectsWith(vault.client.createRsaKey("a".repeat(128)), { status: 400, code: "BadParameter" });
  await rejectsWith(vault.client.getKey("dots.are.not.allowed"), { status: 400, code: "BadParameter" });
  assert.equal((await vault.client.createEcKey("a".repeat(127))).name, "a".repeat(127));
  for (const name of ["sp%20ace", "%C3%A9t%C3%A9", "slash%2Fname", "under_score"]) {
    const res = await raw("POST", `/keys/${name}/create?api-version=7.5`, JSON.stringify({ kty: "EC" }));
    assertErrorShape(res, 400, "BadParameter");
  }
  const escape = await raw("GET", "/keys/%E0%A4%A/?api-version=7.5");
  assertErrorShape(escape, 400, "BadParameter");
});

test("400 BadParameter for malformed JSON, unknown kty/curve/size, wrong types, oversized bodies", async () => {
  const create = (body: string | Buffer) => raw("POST", "/keys/bad-body/create?api-version=7.5", body);
  const cases: [string, string, RegExp][] = [
    ["{", "malformed JSON", /not valid JSON/],
    ['{"kty": "RSA",}', "trailing comma", /not valid JSON/],
    ["", "no body", /JSON object/],
    ["[]", "an array", /JSON object/],
    ['"RSA"', "a string", /JSON object/],
    ['{"kty": "DSA"}', "unknown kty", /Unsupported key type/],
    ['{"kty": "oct"}', "symmetric key in a standard vault", /standard/],
    ['{"kty": "RSA-HSM"}', "HSM key in a standard vault", /standard/],
    ['{"kty": "EC", "crv": "P-192"}', "unknown curve", /Unsupported curve: P-192/],
    ['{"kty": "RSA", "key_size": 1024}', "RSA-1024", /Unsupported RSA key size 1024/],
    ['{"kty": 5}', "kty a number", /'kty' must be a string/],
    ['{"kty": "RSA", "key_size": "2048"}', "key_size a string", /'key_size' must be an integer/],
    ['{"kty": "RSA", "key_ops": "sign"}', "key_ops a string", /'key_ops' must be an array/],
    ['{"kty": "RSA", "key_ops": ["fly"]}', "unknown key_op", /Unknown key operation/],
    ['{"kty": "RSA", "attributes": "on"}', "attributes a string", /'attributes' must be an object/],
    ['{"kty": "RSA", "attributes": {"enabled": "yes"}}', "enabled a string", /'enabled' must be true or false/],
    ['{"kty": "RSA", "attributes": {"exp": "tomorrow"}}', "exp a string", /'exp' must be an integer/],
    ['{"kty": "RSA", "tags": {"a": 1}}', "tag value a number", /Tag 'a'/],
    ['{"kty": "RSA", "tags": ["a"]}', "tags an array", /'tags' must be an object/],
    ['{"kty": "EC", "crv": "P-256", "key_size": 256}', "key_size on EC", /RSA keys only/],
  ];
  for (const [body, what, message] of cases) {
    const res = await create(body);
    assertErrorShape(res, 400, "BadParameter");
    assert.match(res.body.error.message, message, what);
  }
  const huge = await create(Buffer.alloc(MAX_BODY_BYTES + 1, "a"));
  assertErrorShape(huge, 400, "BadParameter");
  assert.match(huge.body.error.message, /larger than the 1024 KiB/);
  // None of them made a key.
  await rejectsWith(vault.client.getKey("bad-body"), { status: 404, code: "KeyNotFound" });
});

test("every api-version the SDKs send is accepted; others get 400", async () => {
  for (const version of ["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.6-preview.2", "2025-07-01", "2026-02-01-preview"]) {
    const res = await raw("GET", `/keys?api-version=${version}`);
    assert.equal(res.status, 200, version);
  }
  for (const version of ["", "7.7", "6.0", "2016-10-01", "2024-11-30", "latest", "7.4; drop"]) {
    const res = await raw("GET", `/keys?api-version=${encodeURIComponent(version)}`);
    assertErrorShape(res, 400, "BadParameter");
  }
  const missing = await raw("GET", "/keys");
  assertErrorShape(missing, 400, "BadParameter");
  assert.match(missing.body.error.message, /api-version/);
});

test("unknown routes and methods get a 4xx with the error shape", async () => {
  // Certificates are served now; the storage-account keys a vault once managed are not.
  assertErrorShape(await raw("GET", "/storage?api-version=7.5"), 404, "NotFound");
  assertErrorShape(await raw("GET", "/?api-version=7.5"), 404);
  assertErrorShape(await raw("GET", "/keys/a/b/c/d?api-version=7.5"), 404);
  assertErrorShape(await raw("PUT", "/deletedkeys/x?api-version=7.5", "{}"), 405, "MethodNotAllowed");
  assertErrorShape(await raw("POST", "/keys?api-version=7.5", "{}"), 405);
  assertErrorShape(await raw("OPTIONS", "/keys?api-version=7.5"), 405);
  const res = await raw("GET", "/keys?api-version=7.5");
  assert.match(String(res.headers["content-type"]), /^application\/json/);
  assert.ok(res.headers["x-ms-request-id"]);
});

test("requests Node's HTTP parser refuses still get the error shape", async () => {
  const unknownMethod = await raw("FOO", "/keys?api-version=7.5");
  assertErrorShape(unknownMethod, 400, "BadRequest");
  assert.equal(unknownMethod.headers.connection, "close");
  const hugeHeader = await rawRequest(vault.emulator, { path: "/keys?api-version=7.5", headers: { authorization: `Bearer ${"x".repeat(20_000)}` } });
  assertErrorShape(hugeHeader, 431, "BadRequest");
  // And the vault still answers on new connections.
  assert.equal((await raw("GET", "/keys?api-version=7.5")).status, 200);
});

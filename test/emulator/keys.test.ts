/**
 * Creating, importing, reading, updating and rotating keys with the real KeyClient, checked
 * against the shapes the service returns (FACTS.md §3): kid formats, attributes in Unix seconds,
 * public material only.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, test } from "node:test";
import { rawRequest, rejectsWith, startTestVault, type TestVault } from "../helpers/emulator";
import { toSdkJwk } from "../helpers/jwk";

let vault: TestVault;
before(async () => {
  vault = await startTestVault();
});
after(() => vault.stop());

const VERSIONED_KID = (name: string) => new RegExp(`^${vault.emulator.url}/keys/${name}/[0-9a-f]{32}$`);
const bytes = (b?: Uint8Array) => b?.length ?? 0;

test("creates RSA keys of 2048, 3072 and 4096 bits with the default operations", async () => {
  // One key of each size: 3072 and 4096 bits take a while to generate.
  for (const keySize of [2048, 3072, 4096]) {
    const key = await vault.client.createRsaKey(`rsa-${keySize}`, { keySize });
    assert.match(key.id!, VERSIONED_KID(`rsa-${keySize}`));
    assert.equal(key.keyType, "RSA");
    assert.equal(bytes(key.key?.n), keySize / 8);
    assert.deepEqual(Buffer.from(key.key!.e!), Buffer.from([1, 0, 1]));
    assert.deepEqual(key.keyOperations, ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]);
    for (const secret of ["d", "p", "q", "dp", "dq", "qi"] as const) assert.equal(key.key?.[secret], undefined, `${secret} never leaves the vault`);
  }
});

test("creates EC keys on P-256, P-384, P-521 and P-256K", async () => {
  const sizes = { "P-256": 32, "P-384": 48, "P-521": 66, "P-256K": 32 } as const;
  for (const [curve, size] of Object.entries(sizes)) {
    const name = `ec-${curve.toLowerCase()}`;
    const key = await vault.client.createEcKey(name, { curve: curve as keyof typeof sizes });
    assert.match(key.id!, VERSIONED_KID(name));
    assert.equal(key.keyType, "EC");
    assert.equal(key.key?.crv, curve);
    assert.equal(bytes(key.key?.x), size);
    assert.equal(bytes(key.key?.y), size);
    assert.equal(key.key?.d, undefined);
    assert.deepEqual(key.keyOperations, ["sign", "verify"]);
  }
});

test("the wire shape: attributes in Unix seconds, recovery level, tags, key_ops", async () => {
  const token = await vault.token();
  const created = await rawRequest(vault.emulator, {
    method: "POST",
    path: "/keys/wire-shape/create?api-version=7.4",
    token,
    body: JSON.stringify({ kty: "EC", crv: "P-256", key_ops: ["sign"], tags: { purpose: "unit test" }, attributes: { exp: 4102444800 } }),
  });
  assert.equal(created.status, 200, created.text);
  const { key, attributes, tags } = created.body;
  assert.match(key.kid, VERSIONED_KID("wire-shape"));
  assert.deepEqual(Object.keys(key).sort(), ["crv", "key_ops", "kid", "kty", "x", "y"]);
  assert.deepEqual(key.key_ops, ["sign"]);
  assert.deepEqual(tags, { purpose: "unit test" });
  assert.equal(attributes.enabled, true);
  assert.equal(attributes.exp, 4102444800);
  assert.ok(Number.isInteger(attributes.created) && Math.abs(attributes.created - Date.now() / 1000) < 10);
  assert.equal(attributes.updated, attributes.created);
  assert.equal(attributes.recoveryLevel, "Recoverable+Purgeable");
  assert.equal(attributes.recoverableDays, 90);
});

test("imports RSA and EC private keys and returns only their public part", async () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const imported = await vault.client.importKey("imported-rsa", toSdkJwk(rsa), { tags: { origin: "node" } });
  assert.match(imported.id!, VERSIONED_KID("imported-rsa"));
  assert.equal(Buffer.from(imported.key!.n!).toString("base64url"), rsa.n);
  assert.equal(imported.key?.d, undefined);
  assert.deepEqual(imported.properties.tags, { origin: "node" });

  const ec = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ format: "jwk" });
  const importedEc = await vault.client.importKey("imported-ec", { ...toSdkJwk(ec), keyOps: ["sign", "verify"] }, { enabled: false });
  assert.equal(importedEc.key?.crv, "P-384");
  assert.equal(Buffer.from(importedEc.key!.x!).toString("base64url"), ec.x);
  assert.equal(importedEc.properties.enabled, false);
  assert.deepEqual(importedEc.keyOperations, ["sign", "verify"]);

  // A public key alone cannot be imported: the vault needs the private part.
  const { d: _d, ...publicOnly } = ec;
  await rejectsWith(vault.client.importKey("public-only", toSdkJwk(publicOnly)), { status: 400, code: "BadParameter", message: /private part/ });
});

test("importing under an existing name adds a version", async () => {
  const first = await vault.client.createEcKey("import-over");
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  const second = await vault.client.importKey("import-over", toSdkJwk(ec));
  assert.notEqual(second.properties.version, first.properties.version);
  assert.equal((await vault.client.getKey("import-over")).properties.version, second.properties.version);
});

test("gets the latest version and each version by its id", async () => {
  const v1 = await vault.client.createEcKey("versioned");
  const v2 = await vault.client.createEcKey("versioned", { curve: "P-384" });
  const latest = await vault.client.getKey("versioned");
  assert.equal(latest.id, v2.id);
  assert.equal(latest.key?.crv, "P-384");
  const old = await vault.client.getKey("versioned", { version: v1.properties.version });
  assert.equal(old.id, v1.id);
  assert.equal(old.key?.crv, "P-256");
  // Names are case-insensitive and keep the case they were created with.
  assert.equal((await vault.client.getKey("VERSIONED")).id, v2.id);
});

test("updates enabled, exp, nbf, tags and key_ops of one version", async () => {
  const created = await vault.client.createRsaKey("updatable");
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const expiresOn = new Date(Math.floor(Date.now() / 1000) * 1000 + 86_400_000);
  const updated = await vault.client.updateKeyProperties("updatable", created.properties.version!, {
    enabled: false,
    notBefore,
    expiresOn,
    tags: { stage: "test" },
    keyOps: ["sign", "verify"],
  });
  assert.equal(updated.id, created.id);
  assert.equal(updated.properties.enabled, false);
  assert.equal(updated.properties.notBefore?.getTime(), notBefore.getTime());
  assert.equal(updated.properties.expiresOn?.getTime(), expiresOn.getTime());
  assert.deepEqual(updated.properties.tags, { stage: "test" });
  assert.deepEqual(updated.keyOperations, ["sign", "verify"]);
  assert.ok(updated.properties.updatedOn!.getTime() >= created.properties.updatedOn!.getTime());

  const got = await vault.client.getKey("updatable");
  assert.equal(got.properties.enabled, false);
  assert.deepEqual(got.keyOperations, ["sign", "verify"]);
  // Fields not sent stay as they were.
  const again = await vault.client.updateKeyProperties("updatable", created.properties.version!, { enabled: true });
  assert.deepEqual(again.properties.tags, { stage: "test" });
  assert.equal(again.properties.expiresOn?.getTime(), expiresOn.getTime());

  await rejectsWith(
    vault.client.updateKeyProperties("updatable", created.properties.version!, { notBefore: expiresOn, expiresOn: notBefore }),
    { status: 400, code: "BadParameter", message: /nbf/ },
  );
});

test("rotates a key now, and keeps a rotation policy", async () => {
  const original = await vault.client.createEcKey("rotating", { curve: "P-256K", tags: { team: "a" } });
  const defaultPolicy = await vault.client.getKeyRotationPolicy("rotating");
  assert.deepEqual(defaultPolicy.lifetimeActions, [{ action: "Notify", timeAfterCreate: undefined, timeBeforeExpiry: "P30D" }]);

  const policy = await vault.client.updateKeyRotationPolicy("rotating", {
    lifetimeActions: [
      { action: "Rotate", timeAfterCreate: "P90D" },
      { action: "Notify", timeBeforeExpiry: "P30D" },
    ],
    expiresIn: "P180D",
  });
  assert.equal(policy.id, `${vault.emulator.url}/keys/rotating/rotationpolicy`);
  assert.equal(policy.expiresIn, "P180D");
  assert.deepEqual(policy.lifetimeActions, [
    { action: "Rotate", timeAfterCreate: "P90D", timeBeforeExpiry: undefined },
    { action: "Notify", timeAfterCreate: undefined, timeBeforeExpiry: "P30D" },
  ]);
  assert.ok(policy.createdOn instanceof Date);
  assert.deepEqual((await vault.client.getKeyRotationPolicy("rotating")).lifetimeActions, policy.lifetimeActions);

  const rotated = await vault.client.rotateKey("rotating");
  assert.notEqual(rotated.properties.version, original.properties.version);
  assert.equal(rotated.key?.crv, "P-256K");
  assert.deepEqual(rotated.properties.tags, { team: "a" });
  // The policy's expiresIn sets the new version's expiry.
  const days = (rotated.properties.expiresOn!.getTime() - rotated.properties.createdOn!.getTime()) / 86_400_000;
  assert.equal(days, 180);
  assert.equal((await vault.client.getKey("rotating")).id, rotated.id);

  const rsa = await vault.client.createRsaKey("rotating-rsa");
  const rotatedRsa = await vault.client.rotateKey("rotating-rsa");
  assert.equal(bytes(rotatedRsa.key?.n), 256);
  assert.notDeepEqual(rotatedRsa.key?.n, rsa.key?.n);

  await rejectsWith(
    vault.client.updateKeyRotationPolicy("rotating", { lifetimeActions: [{ action: "Rotate", timeAfterCreate: "soon" }] }),
    { status: 400, code: "BadParameter" },
  );
  await rejectsWith(vault.client.rotateKey("never-made"), { status: 404, code: "KeyNotFound" });
});

test("gives random bytes, 1 to 128 at a time", async () => {
  const a = await vault.client.getRandomBytes(32);
  const b = await vault.client.getRandomBytes(32);
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
  assert.equal((await vault.client.getRandomBytes(128)).length, 128);
  await rejectsWith(vault.client.getRandomBytes(129), { status: 400, code: "BadParameter" });
  await rejectsWith(vault.client.getRandomBytes(0), { status: 400, code: "BadParameter" });
});

test("names every JavaScript object inherits are ordinary key names", async () => {
  for (const name of ["constructor", "Constructor", "toString", "valueOf"]) {
    await rejectsWith(vault.client.getKey(name), { status: 404, code: "KeyNotFound" });
    await rejectsWith(vault.client.getDeletedKey(name), { status: 404, code: "KeyNotFound" });
  }
  const key = await vault.client.createEcKey("constructor");
  assert.equal((await vault.client.getKey("constructor")).id, key.id);
  await (await vault.client.beginDeleteKey("constructor", { intervalInMs: 20 })).pollUntilDone();
  await vault.client.purgeDeletedKey("constructor");
});

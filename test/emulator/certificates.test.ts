/**
 * The certificates data plane through the real @azure/keyvault-certificates over verified TLS: create
 * as a long-running operation (202, pending, completed), the certificate as X.509 agreeing with its
 * policy, its backing key (signs; cannot be deleted alone) and secret (PKCS#12 or PEM with the private
 * key), get / versions / list with paging, properties and policy, soft delete, recover, purge, the
 * 409 on a soft-deleted name, errors, permissions, and durability across a restart.
 */
import assert from "node:assert/strict";
import { createHash, createPublicKey, verify as verifySignature, X509Certificate } from "node:crypto";
import { rmSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { after, before, test } from "node:test";
import { WellKnownIssuer, type CertificateClient, type CertificatePolicy } from "@azure/keyvault-certificates";
import { rawRequest, rejectsWith, startTestVault, tempDir, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let client: CertificateClient;
before(async () => {
  vault = await startTestVault({ issueDelayMs: 150, recoverDelayMs: 50 });
  client = vault.certificateClient;
});
after(() => vault.stop());

const POLL = { intervalInMs: 25 };
const DEFAULT_POLICY: CertificatePolicy = { issuerName: WellKnownIssuer.Self, subject: "cn=MyCert" };

const create = async (c: CertificateClient, name: string, policy: CertificatePolicy = DEFAULT_POLICY, options: Record<string, unknown> = {}) =>
  (await c.beginCreateCertificate(name, policy, { ...POLL, ...options })).pollUntilDone();
const remove = async (c: CertificateClient, name: string) => (await c.beginDeleteCertificate(name, POLL)).pollUntilDone();
const names = async (iterable: AsyncIterable<{ name?: string }>) => {
  const found: string[] = [];
  for await (const item of iterable) found.push(item.name!);
  return found;
};

test("create is a long-running operation: 202 with the pending operation, inProgress, then completed", async () => {
  const token = await vault.token();
  const res = await rawRequest(vault.emulator, {
    method: "POST",
    path: "/certificates/raw-lro/create?api-version=2025-07-01",
    token,
    body: JSON.stringify({ policy: { x509_props: { subject: "CN=raw" }, issuer: { name: "Self" } } }),
  });
  assert.equal(res.status, 202, res.text);
  assert.equal(res.body.id, `${vault.emulator.url}/certificates/raw-lro/pending`);
  assert.equal(res.body.status, "inProgress");
  assert.equal(res.body.issuer.name, "Self");
  assert.match(res.body.request_id, /^[0-9a-f]{32}$/);
  assert.equal(res.headers["retry-after"], "10");
  assert.match(String(res.headers.location), /\/certificates\/raw-lro\/pending\?api-version=/);
  // The CSR is the new key's, for the policy's subject.
  assert.ok(Buffer.from(res.body.csr, "base64").length > 200);
  // Inside the issuing moment (the vault's clock held back a minute): still in progress.
  vault.emulator.clock.advance(-60_000);
  try {
  const pending = await rawRequest(vault.emulator, { path: "/certificates/raw-lro/pending?api-version=2025-07-01", token });
  assert.equal(pending.body.status, "inProgress");
  // While it is issued, the certificate is answered as the service answers a pending one.
  const during = await rawRequest(vault.emulator, { path: "/certificates/raw-lro/?api-version=2025-07-01", token });
  assert.equal(during.status, 200);
  assert.equal(during.body.attributes.enabled, false);
  assert.equal(during.body.cer, undefined);
  assert.equal(during.body.pending.id, `${vault.emulator.url}/certificates/raw-lro/pending`);
  } finally {
    vault.emulator.clock.advance(60_000);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const done = await rawRequest(vault.emulator, { path: "/certificates/raw-lro/pending?api-version=2025-07-01", token });
  assert.equal(done.body.status, "completed");
  assert.equal(done.body.target, `${vault.emulator.url}/certificates/raw-lro`);
  assert.equal(done.body.status_details, undefined);

  // The SDK's poller follows it to the end.
  const poller = await client.beginCreateCertificate("sdk-lro", DEFAULT_POLICY, POLL);
  assert.equal(poller.isDone(), false, "the first answer is a pending operation");
  const certificate = await poller.pollUntilDone();
  assert.ok(certificate.cer && certificate.cer.length > 500);
});

test("the default policy makes a real X.509 certificate: subject, issuer == subject, RSA 2048, 12 months, usages, EKUs", async () => {
  const certificate = await create(client, "default-cert");
  const x509 = new X509Certificate(Buffer.from(certificate.cer!));
  assert.equal(x509.subject, "CN=MyCert");
  assert.equal(x509.issuer, x509.subject);
  assert.ok(x509.verify(x509.publicKey), "signed by its own key");
  assert.equal(x509.publicKey.asymmetricKeyType, "rsa");
  assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  const from = Date.parse(x509.validFrom);
  const to = Date.parse(x509.validTo);
  assert.ok(Math.abs(from - (Date.now() - 600_000)) < 60_000, `not before ten minutes ago: ${x509.validFrom}`);
  const days = (to - from) / 86_400_000;
  assert.ok(days >= 365 && days <= 366.1, `12 months: ${days} days`);
  assert.deepEqual(x509.keyUsage, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  // x5t is the SHA-1 of the DER; the attributes carry the certificate's validity.
  assert.equal(Buffer.from(certificate.properties.x509Thumbprint!).toString("hex"), createHash("sha1").update(Buffer.from(certificate.cer!)).digest("hex"));
  assert.equal(certificate.properties.notBefore?.getTime(), Math.floor(from / 1000) * 1000);
  assert.equal(certificate.properties.expiresOn?.getTime(), Math.floor(to / 1000) * 1000);
  assert.equal(certificate.keyId, `${vault.emulator.url}/keys/default-cert/${certificate.properties.version}`);
  assert.equal(certificate.secretId, `${vault.emulator.url}/secrets/default-cert/${certificate.properties.version}`);
  assert.equal(certificate.properties.enabled, true);
  assert.equal(certificate.properties.recoveryLevel, "Recoverable+Purgeable");
  const policy = certificate.policy!;
  assert.equal(policy.issuerName, "Self");
  assert.equal(policy.keyType, "RSA");
  assert.equal(policy.keySize, 2048);
  assert.equal(policy.exportable, true);
  assert.equal(policy.contentType, "application/x-pkcs12");
  assert.equal(policy.validityInMonths, 12);
  assert.deepEqual(policy.keyUsage, ["digitalSignature", "keyEncipherment"]);
});

test("a policy's subject, SANs, key type and curve, validity and usages reach the certificate", async () => {
  const certificate = await create(client, "custom-cert", {
    issuerName: "Self",
    subject: "CN=app.example, O=Contoso",
    subjectAlternativeNames: { dnsNames: ["app.example", "www.app.example"], emails: ["ops@app.example"] },
    keyType: "EC",
    keyCurveName: "P-384",
    validityInMonths: 3,
    keyUsage: ["digitalSignature"],
    enhancedKeyUsage: ["1.3.6.1.5.5.7.3.1"],
    contentType: "application/x-pem-file",
  });
  const x509 = new X509Certificate(Buffer.from(certificate.cer!));
  assert.equal(x509.subject, "CN=app.example\nO=Contoso");
  assert.equal(x509.issuer, x509.subject);
  assert.equal(x509.subjectAltName, "DNS:app.example, DNS:www.app.example, email:ops@app.example");
  assert.equal(x509.publicKey.asymmetricKeyType, "ec");
  assert.equal(x509.publicKey.asymmetricKeyDetails?.namedCurve, "secp384r1");
  const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
  assert.ok(days >= 89 && days <= 93, `3 months: ${days} days`);
  assert.deepEqual(x509.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
  assert.ok(x509.checkHost("www.app.example"));
  const secret = await vault.secretClient.getSecret("custom-cert");
  assert.equal(secret.properties.contentType, "application/x-pem-file");
  assert.match(secret.value!, /-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN CERTIFICATE-----/);
  // The PEM's key and certificate belong together (Node refuses a mismatched pair).
  createSecureContext({ key: secret.value, cert: secret.value });
  assert.equal(new X509Certificate(secret.value!).fingerprint256, x509.fingerprint256);
  await rejectsWith(create(client, "bad-curve", { ...DEFAULT_POLICY, keyType: "EC", keyCurveName: "P-256K" }), { status: 400, code: "BadParameter" });
  await rejectsWith(create(client, "bad-size", { ...DEFAULT_POLICY, keySize: 1024 }), { status: 400, code: "BadParameter" });
});

test("the backing key answers under /keys (managed) and signs what the certificate's public key verifies; it cannot be deleted alone", async () => {
  const certificate = await create(client, "signing-cert");
  const key = await vault.client.getKey("signing-cert");
  assert.equal(key.id, certificate.keyId);
  assert.equal(key.properties.managed, true);
  const digest = createHash("sha256").update("signed by a certificate's key").digest();
  const { result } = await vault.cryptoClient(key.id!).sign("RS256", digest);
  const publicKey = new X509Certificate(Buffer.from(certificate.cer!)).publicKey;
  assert.ok(verifySignature("sha256", Buffer.from("signed by a certificate's key"), publicKey, Buffer.from(result)), "the key is the certificate's");
  // The key's public half is the certificate's.
  const b64 = (bytes?: Uint8Array) => Buffer.from(bytes!).toString("base64url");
  assert.equal(createPublicKey({ key: { kty: "RSA", n: b64(key.key!.n), e: b64(key.key!.e) }, format: "jwk" }).export({ format: "der", type: "spki" }).toString("hex"), publicKey.export({ format: "der", type: "spki" }).toString("hex"));

  await rejectsWith(vault.client.beginDeleteKey("signing-cert"), { status: 403, code: "Forbidden", inner: "ManagedObjectOperationNotAllowed", message: /managed by certificate signing-cert/ });
  await rejectsWith(vault.secretClient.beginDeleteSecret("signing-cert"), { status: 403, inner: "ManagedObjectOperationNotAllowed" });
  assert.equal((await vault.client.getKey("signing-cert")).properties.enabled, true, "still there");
});

test("the backing secret holds a PKCS#12 of the certificate and its private key, with the policy's content type", async () => {
  const certificate = await create(client, "pfx-cert");
  const secret = await vault.secretClient.getSecret("pfx-cert");
  assert.equal(secret.properties.id, certificate.secretId);
  assert.equal(secret.properties.contentType, "application/x-pkcs12");
  assert.equal(secret.properties.managed, true);
  assert.equal(secret.properties.certificateKeyId, certificate.keyId);
  const pfx = Buffer.from(secret.value!, "base64");
  // OpenSSL reads it without a password, and refuses it unless its key belongs to its certificate.
  createSecureContext({ pfx });
  assert.ok(pfx.includes(Buffer.from(certificate.cer!)), "the PKCS#12 carries this certificate");
  // Its key and certificate bags are paired by a localKeyID (the certificate's SHA-1), as OpenSSL and
  // .NET write them: \`openssl pkcs12 -clcerts\` (the SDK's own tests use it) finds the certificate by it.
  const pairing = Buffer.concat([Buffer.from("06092a864886f70d01091531160414", "hex"), createHash("sha1").update(Buffer.from(certificate.cer!)).digest()]);
  assert.equal(pfx.toString("hex").split(pairing.toString("hex")).length - 1, 2, "the key bag and the certificate bag carry the same localKeyID");
});

test("get the latest or a version, list versions and certificates with paging, update properties and policy", async () => {
  const first = await create(client, "versioned", DEFAULT_POLICY, { tags: { env: "test" } });
  const second = await create(client, "versioned");
  assert.notEqual(first.properties.version, second.properties.version);
  assert.equal((await client.getCertificate("versioned")).properties.version, second.properties.version);
  const old = await client.getCertificateVersion("versioned", first.properties.version!);
  assert.equal(old.properties.version, first.properties.version);
  assert.deepEqual(old.properties.tags, { env: "test" });
  const versions = [];
  for await (const page of client.listPropertiesOfCertificateVersions("versioned").byPage({ maxPageSize: 1 })) versions.push(...page);
  assert.deepEqual(versions.map((v) => v.version).sort(), [first.properties.version, second.properties.version].sort());
  // The key and secret have a version for each certificate version, the same ids.
  const keyVersions = [];
  for await (const p of vault.client.listPropertiesOfKeyVersions("versioned")) keyVersions.push(p.version);
  assert.deepEqual(keyVersions.sort(), versions.map((v) => v.version).sort());

  // Pages as the service makes them (the SDK 4.10 sends no maxresults of its own).
  const token = await vault.token();
  const page = await rawRequest(vault.emulator, { path: "/certificates?api-version=2025-07-01&maxresults=2", token });
  assert.equal(page.body.value.length, 2);
  assert.match(page.body.nextLink, /\$skiptoken=/);
  assert.ok(page.body.value.every((item: { id: string; x5t: string }) => /\/certificates\/[^/]+$/.test(item.id) && item.x5t), "an item has no version, and its thumbprint");
  const next = await rawRequest(vault.emulator, { path: page.body.nextLink, token });
  assert.ok(next.body.value.length >= 1);
  assert.ok((await names(client.listPropertiesOfCertificates())).includes("versioned"));

  const updated = await client.updateCertificateProperties("versioned", "", { enabled: false, tags: { env: "prod" } });
  assert.equal(updated.properties.enabled, false);
  assert.deepEqual(updated.properties.tags, { env: "prod" });
  assert.equal((await vault.client.getKey("versioned")).properties.enabled, false, "the key follows");
  await client.updateCertificateProperties("versioned", "", { enabled: true });

  // The SDK (4.10.3) answers updateCertificatePolicy with an empty policy whatever the vault says: read it back.
  await client.updateCertificatePolicy("versioned", { ...DEFAULT_POLICY, validityInMonths: 24, contentType: "application/x-pem-file" });
  const policy = await client.getCertificatePolicy("versioned");
  assert.equal(policy.validityInMonths, 24);
  assert.equal(policy.contentType, "application/x-pem-file");
  assert.equal(policy.keySize, 2048, "the rest is kept");
  const third = await create(client, "versioned", (await client.getCertificatePolicy("versioned")) as CertificatePolicy);
  const days = (Date.parse(new X509Certificate(Buffer.from(third.cer!)).validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 700, "a new version follows the updated policy");

  await rejectsWith(client.getCertificate("never-made"), {
    status: 404,
    code: "CertificateNotFound",
    message: /^A certificate with \(name\/id\) never-made was not found in this key vault\./,
  });
  await rejectsWith(client.getCertificateVersion("versioned", "0".repeat(32)), { status: 404, code: "CertificateNotFound" });
  assert.deepEqual(await names(client.listPropertiesOfCertificateVersions("never-made")), []);
});

test("delete soft-deletes the certificate with its key and secret; the name is refused with 409; recover brings all back; purge removes all", async () => {
  await create(client, "to-delete");
  const deleted = await remove(client, "to-delete");
  assert.equal(deleted.recoveryId, `${vault.emulator.url}/deletedcertificates/to-delete`);
  assert.ok(deleted.deletedOn && deleted.scheduledPurgeDate);
  assert.ok(!(await names(client.listPropertiesOfCertificates())).includes("to-delete"), "no longer listed live");
  assert.ok((await names(client.listDeletedCertificates())).includes("to-delete"));
  await rejectsWith(client.getCertificate("to-delete"), { status: 404, code: "CertificateNotFound" });
  await rejectsWith(vault.client.getKey("to-delete"), { status: 404, code: "KeyNotFound" });
  await rejectsWith(vault.secretClient.getSecret("to-delete"), { status: 404, code: "SecretNotFound" });
  // The key and secret went with it: not listed as deleted of their own, and not recoverable alone.
  const deletedKeys = [];
  for await (const k of vault.client.listDeletedKeys()) deletedKeys.push(k.name);
  assert.ok(!deletedKeys.includes("to-delete"));
  await rejectsWith(vault.client.beginRecoverDeletedKey("to-delete"), { status: 403, inner: "ManagedObjectOperationNotAllowed" });
  await rejectsWith(create(client, "to-delete"), {
    status: 409,
    code: "Conflict",
    inner: "ObjectIsDeletedButRecoverable",
    message: "Certificate to-delete is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.",
  });

  const recovered = await (await client.beginRecoverDeletedCertificate("to-delete", POLL)).pollUntilDone();
  assert.equal(recovered.name, "to-delete");
  assert.equal((await client.getCertificate("to-delete")).properties.enabled, true);
  assert.equal((await vault.client.getKey("to-delete")).properties.managed, true, "the key came back");
  assert.ok((await vault.secretClient.getSecret("to-delete")).value, "the secret came back");

  await remove(client, "to-delete");
  await client.purgeDeletedCertificate("to-delete");
  await rejectsWith(client.getDeletedCertificate("to-delete"), { status: 404, code: "CertificateNotFound", message: "Deleted Certificate not found: to-delete" });
  const token = await vault.token();
  assert.equal((await rawRequest(vault.emulator, { path: "/deletedkeys/to-delete?api-version=7.6", token })).status, 404, "the key was purged with it");
  assert.equal((await rawRequest(vault.emulator, { path: "/deletedsecrets/to-delete?api-version=7.6", token })).status, 404, "the secret was purged with it");
  await new Promise((resolve) => setTimeout(resolve, vault.emulator.settings.deleteDelayMs + 20));
  await create(client, "to-delete");
  await rejectsWith(client.beginDeleteCertificate("never-made"), { status: 404, code: "CertificateNotFound" });
});

test("a name held by a key or secret of its own is not taken by a certificate", async () => {
  await vault.secretClient.setSecret("plain-secret", "mine");
  await rejectsWith(create(client, "plain-secret"), { status: 409, code: "Conflict" });
  assert.equal((await vault.secretClient.getSecret("plain-secret")).value, "mine");
});

test("permissions: an injected 403 names the certificates data action and the access policy's certificate permission", async () => {
  const rbac = vault.emulator.faults.inject({ operation: "createCertificate", fault: "ForbiddenByRbac", times: 1 });
  await rejectsWith(create(client, "forbidden"), { status: 403, inner: "ForbiddenByRbac", message: /Microsoft\.KeyVault\/vaults\/certificates\/create\/action/ });
  rbac.remove();
  const policy = vault.emulator.faults.inject({ operation: "getCertificate", fault: "ForbiddenByPolicy", times: 1 });
  await rejectsWith(client.getCertificate("default-cert"), { status: 403, inner: "ForbiddenByPolicy", message: /does not have certificates get permission/ });
  policy.remove();
});

test("certificates, their keys and secrets survive a restart", async () => {
  const stateDir = tempDir();
  let durable = await startTestVault({ stateDir, issueDelayMs: 0 });
  try {
    const made = await create(durable.certificateClient, "durable-cert");
    await durable.stop();
    durable = await startTestVault({ stateDir, issueDelayMs: 0 });
    const again = await durable.certificateClient.getCertificate("durable-cert");
    assert.equal(again.properties.version, made.properties.version);
    assert.deepEqual(Buffer.from(again.cer!), Buffer.from(made.cer!));
    assert.equal(again.policy?.subject, "cn=MyCert");
    assert.equal((await durable.client.getKey("durable-cert")).properties.managed, true);
    createSecureContext({ pfx: Buffer.from((await durable.secretClient.getSecret("durable-cert")).value!, "base64") });
  } finally {
    await durable.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

/**
 * Importing certificates through the real @azure/keyvault-certificates over verified TLS: PKCS#12 made
 * by OpenSSL (AES under PBES2, and the legacy 3DES/RC2 where the local OpenSSL makes it), with and
 * without a password, and PEM (RSA and EC, a plain or encrypted PKCS#8 key, a chain). The key becomes
 * the managed key and signs what the certificate verifies; the secret holds the certificate with its
 * key, without the import's password, in the policy's content type; the policy is the certificate's
 * own (issuer Unknown). Bad input gets the service's 400 and leaves nothing behind. `openssl x509
 * -text` agrees with the policy on every field, for a created and for an imported certificate.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, createPrivateKey, generateKeyPairSync, verify as verifySignature, webcrypto, X509Certificate } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createSecureContext } from "node:tls";
import { after, before, test } from "node:test";
import type { CertificateClient, ImportCertificateOptions } from "@azure/keyvault-certificates";
import { x509 } from "../../src/emulator/crypto/certificate";
import { readPkcs12 } from "../../src/emulator/crypto/pkcs12";
import { rawRequest, rejectsWith, startTestVault, tempDir, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let client: CertificateClient;
let dir: string;
before(async () => {
  vault = await startTestVault({ issueDelayMs: 0 });
  client = vault.certificateClient;
  dir = tempDir("kvq-cert-import-");
});
after(async () => {
  await vault.stop();
  rmSync(dir, { recursive: true, force: true });
});

const PEM_TYPE = "application/x-pem-file";
const PKCS12_TYPE = "application/x-pkcs12";
const API = "api-version=2025-07-01";

/** Runs openssl in the test's folder; the result's `ok` says whether it worked (a local OpenSSL may lack -legacy). */
function openssl(args: string[], input?: string): { ok: boolean; out: string; err: string } {
  const run = spawnSync("openssl", args, { cwd: dir, input, encoding: "utf8" });
  return { ok: run.status === 0, out: run.stdout ?? "", err: `${run.stderr ?? ""}${run.error?.message ?? ""}` };
}
const file = (name: string) => path.join(dir, name);
const must = (result: ReturnType<typeof openssl>) => {
  assert.ok(result.ok, result.err);
  return result;
};

/** A self-signed certificate and its key (PKCS#8 PEM), made by openssl with SANs, usages, EKUs. */
function makeCertificate(base: string, keyArgs: string[], subject = "/C=AU/ST=Some-State/O=Contoso Ltd/CN=import.example", days = 90) {
  must(openssl(["genpkey", ...keyArgs, "-out", file(`${base}.key`)]));
  must(
    openssl([
      "req", "-x509", "-new", "-key", file(`${base}.key`), "-out", file(`${base}.crt`), "-days", String(days), "-subj", subject,
      "-addext", "subjectAltName=DNS:import.example,DNS:www.import.example,email:ops@import.example",
      "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
      "-addext", "extendedKeyUsage=serverAuth,clientAuth",
      "-addext", "basicConstraints=critical,CA:FALSE",
    ]),
  );
  return { key: readFileSync(file(`${base}.key`), "utf8"), cert: readFileSync(file(`${base}.crt`), "utf8") };
}

const derOf = (pem: string) => new X509Certificate(pem).raw;

/** A certificate for `keyPem` (PKCS#8, RSA) that expired in 2020 (OpenSSL 3.0 cannot backdate one). */
async function expiredCertificate(keyPem: string): Promise<string> {
  const lib = x509();
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const jwk = createPrivateKey(keyPem).export({ format: "jwk" });
  const privateKey = await webcrypto.subtle.importKey("jwk", jwk as webcrypto.JsonWebKey, algorithm, true, ["sign"]);
  const publicKey = await webcrypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e }, algorithm, true, ["verify"]);
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=expired.import.example",
    notBefore: new Date("2020-01-01T00:00:00Z"),
    notAfter: new Date("2020-02-01T00:00:00Z"),
    signingAlgorithm: algorithm,
    keys: { privateKey, publicKey },
  });
  return cert.toString("pem") + "\n";
}

/** Nothing of a refused import is kept: no certificate, key or secret of that name. */
async function assertNothingBehind(name: string) {
  await rejectsWith(client.getCertificate(name), { status: 404, code: "CertificateNotFound" });
  await rejectsWith(vault.client.getKey(name), { status: 404, code: "KeyNotFound" });
  await rejectsWith(vault.secretClient.getSecret(name), { status: 404, code: "SecretNotFound" });
}

/** The imported key is the certificate's: it signs through the vault what the certificate's public key verifies. */
async function assertKeySigns(name: string, certificateDer: Uint8Array, algorithm: "RS256" | "ES256" = "RS256") {
  const key = await vault.client.getKey(name);
  assert.equal(key.properties.managed, true);
  const data = Buffer.from(`signed by ${name}`);
  const { result } = await vault.cryptoClient(key.id!).signData(algorithm, data);
  const publicKey = new X509Certificate(Buffer.from(certificateDer)).publicKey;
  const options = algorithm === "ES256" ? { key: publicKey, dsaEncoding: "ieee-p1363" as const } : publicKey;
  assert.ok(verifySignature("sha256", data, options, Buffer.from(result)), "the vault's key is the certificate's private key");
}

test("a PKCS#12 made by openssl (PBES2, AES-256) with a password: the key signs, the secret is a PKCS#12 without the password, the policy is the certificate's", async () => {
  const { key, cert } = makeCertificate("modern", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  must(openssl(["pkcs12", "-export", "-in", file("modern.crt"), "-inkey", file("modern.key"), "-out", file("modern.p12"), "-passout", "pass:s3cret"]));
  const imported = await client.importCertificate("pfx-modern", readFileSync(file("modern.p12")), { password: "s3cret" });
  assert.deepEqual(Buffer.from(imported.cer!), derOf(cert), "the certificate is the one imported");
  assert.equal(imported.keyId, `${vault.emulator.url}/keys/pfx-modern/${imported.properties.version}`);
  const x509 = new X509Certificate(cert);
  assert.equal(imported.properties.notBefore?.getTime(), Math.floor(Date.parse(x509.validFrom) / 1000) * 1000);
  assert.equal(imported.properties.expiresOn?.getTime(), Math.floor(Date.parse(x509.validTo) / 1000) * 1000);
  assert.equal(imported.properties.enabled, true);

  const policy = imported.policy!;
  assert.equal(policy.issuerName, "Unknown");
  assert.equal(policy.subject, "CN=import.example, O=Contoso Ltd, S=Some-State, C=AU", "the service's order and names");
  assert.deepEqual(policy.subjectAlternativeNames, { dnsNames: ["import.example", "www.import.example"], emails: ["ops@import.example"] });
  assert.deepEqual([policy.keyType, policy.keySize, policy.exportable, policy.reuseKey], ["RSA", 2048, true, false]);
  assert.deepEqual(policy.keyUsage, ["digitalSignature", "keyEncipherment"]);
  assert.deepEqual(policy.enhancedKeyUsage, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  assert.equal(policy.validityInMonths, 3);
  assert.equal(policy.contentType, PKCS12_TYPE);
  assert.deepEqual(policy.lifetimeActions, [{ lifetimePercentage: 80, daysBeforeExpiry: undefined, action: "EmailContacts" }]);
  assert.deepEqual(await client.getCertificatePolicy("pfx-modern"), policy);

  await assertKeySigns("pfx-modern", imported.cer!);
  const secret = await vault.secretClient.getSecret("pfx-modern");
  assert.equal(secret.properties.contentType, PKCS12_TYPE);
  assert.equal(secret.properties.managed, true);
  assert.equal(secret.properties.id, imported.secretId);
  const pfx = Buffer.from(secret.value!, "base64");
  createSecureContext({ pfx }); // OpenSSL reads it without a password: the import's is not kept
  const contents = await readPkcs12(pfx, "");
  assert.deepEqual(contents.certificates, [derOf(cert)]);
  assert.equal(createPrivateKey({ key: contents.keys[0], format: "der", type: "pkcs8" }).export({ format: "pem", type: "pkcs8" }), createPrivateKey(key).export({ format: "pem", type: "pkcs8" }));
  // An import leaves no pending operation.
  await rejectsWith(client.getCertificateOperation("pfx-modern"), { status: 404, code: "PendingCertificateNotFound", message: "Pending Certificate not found: pfx-modern" });

  // A second import is a second version, of the same key and secret names.
  const again = await client.importCertificate("pfx-modern", readFileSync(file("modern.p12")), { password: "s3cret" });
  assert.notEqual(again.properties.version, imported.properties.version);
  assert.equal((await vault.client.getKey("pfx-modern")).properties.version, again.properties.version);
});

test("legacy PKCS#12 (openssl -legacy: RC2-40 and 3DES under PKCS#12 PBE, SHA-1 MAC) and 3DES throughout, as Windows and Key Vault make them", async (t) => {
  makeCertificate("legacy", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  const pkcs12 = (out: string, extra: string[]) => openssl(["pkcs12", "-export", "-in", file("legacy.crt"), "-inkey", file("legacy.key"), "-out", file(out), "-passout", "pass:s3cret", ...extra]);
  const made = [
    { name: "pfx-legacy", out: "legacy.p12", result: pkcs12("legacy.p12", ["-legacy"]) },
    { name: "pfx-3des", out: "3des.p12", result: pkcs12("3des.p12", ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"]) },
  ];
  let imported = 0;
  for (const { name, out, result } of made) {
    if (!result.ok) {
      t.diagnostic(`this machine's openssl cannot make ${out} (${result.err.trim().split("\n")[0]}): skipped`);
      continue;
    }
    const certificate = await client.importCertificate(name, readFileSync(file(out)), { password: "s3cret" });
    assert.deepEqual(Buffer.from(certificate.cer!), derOf(readFileSync(file("legacy.crt"), "utf8")), name);
    await assertKeySigns(name, certificate.cer!);
    await rejectsWith(client.importCertificate(`${name}-wrong`, readFileSync(file(out)), { password: "not-it" }), {
      status: 400,
      code: "BadParameter",
      message: "The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.",
    });
    await assertNothingBehind(`${name}-wrong`);
    imported++;
  }
  if (imported === 0) t.skip("the local openssl makes no legacy PKCS#12");
});

test("a PKCS#12 without a password, and an EC one: the SDK sends no pwd, the policy names the curve", async () => {
  const { cert } = makeCertificate("ec", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], "/CN=ec.import.example");
  must(openssl(["pkcs12", "-export", "-in", file("ec.crt"), "-inkey", file("ec.key"), "-out", file("ec.p12"), "-passout", "pass:"]));
  const imported = await client.importCertificate("pfx-ec", readFileSync(file("ec.p12")));
  assert.deepEqual(Buffer.from(imported.cer!), derOf(cert));
  assert.deepEqual([imported.policy!.keyType, imported.policy!.keyCurveName, imported.policy!.keySize], ["EC", "P-384", undefined]);
  assert.equal(imported.policy!.subject, "CN=ec.import.example");
  const key = await vault.client.getKey("pfx-ec");
  assert.deepEqual([key.keyType, key.key!.crv], ["EC", "P-384"]);
  createSecureContext({ pfx: Buffer.from((await vault.secretClient.getSecret("pfx-ec")).value!, "base64") });
});

/**
 * @azure/keyvault-certificates 4.10.3 reads ImportCertificateOptions' `policy` only to send PEM bytes as
 * text; its request serializer takes the policy from `certificatePolicy` (the generated model's name),
 * so `policy` alone is never sent. A PEM import through it needs both.
 */
const pemPolicy = { policy: { contentType: PEM_TYPE }, certificatePolicy: { secretProperties: { contentType: PEM_TYPE } } } as unknown as ImportCertificateOptions;

test("PEM (a certificate and its PKCS#8 key in one text) with the policy's content type: the secret is PEM, the key signs", async () => {
  const { key, cert } = makeCertificate("pem", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]);
  const imported = await client.importCertificate("pem-rsa", Buffer.from(key + cert), pemPolicy);
  assert.deepEqual(Buffer.from(imported.cer!), derOf(cert));
  assert.equal(imported.policy!.contentType, PEM_TYPE);
  assert.equal(imported.policy!.keySize, 3072);
  await assertKeySigns("pem-rsa", imported.cer!);
  const secret = await vault.secretClient.getSecret("pem-rsa");
  assert.equal(secret.properties.contentType, PEM_TYPE);
  assert.match(secret.value!, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----BEGIN CERTIFICATE-----\n/);
  createSecureContext({ key: secret.value, cert: secret.value });

  // The base64 of the PEM text, as the Python SDK sends every import (its sample import_certificate.py imports a PEM file so).
  const fromPython = await client.importCertificate("pem-base64", Buffer.from(Buffer.from(key + cert).toString("base64")), pemPolicy);
  assert.deepEqual(Buffer.from(fromPython.cer!), derOf(cert));
  assert.equal((await vault.secretClient.getSecret("pem-base64")).properties.contentType, PEM_TYPE);

  // The SDK's own `policy` option is not sent: the service reads the text as PKCS#12 (its message for non-base64).
  await rejectsWith(client.importCertificate("pem-sdk-policy", Buffer.from(key + cert), { policy: { contentType: PEM_TYPE } }), {
    status: 400,
    code: "BadParameter",
    message: "The specified Base64-encoded PKCS#12 X.509 certificate content can not be read. Please check if certificate is valid, and is correctly Base64 encoded.",
  });
  await assertNothingBehind("pem-sdk-policy");
});

test("PEM with an encrypted PKCS#8 key and its password, an EC key, and a chain: the leaf is the key's, the chain goes into the secret", async () => {
  // A CA, and a leaf it signs whose key is EC P-256; the PEM lists the CA first.
  must(openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "30", "-subj", "/CN=Import Test CA"]));
  must(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file("leaf.key")]));
  must(openssl(["req", "-new", "-key", file("leaf.key"), "-out", file("leaf.csr"), "-subj", "/CN=leaf.import.example"]));
  must(openssl(["x509", "-req", "-in", file("leaf.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file("leaf.crt"), "-days", "20"]));
  must(openssl(["pkcs8", "-topk8", "-in", file("leaf.key"), "-out", file("leaf.enc.key"), "-passout", "pass:pem-pass"]));
  const ca = readFileSync(file("ca.crt"), "utf8");
  const leaf = readFileSync(file("leaf.crt"), "utf8");
  const encrypted = readFileSync(file("leaf.enc.key"), "utf8");
  assert.match(encrypted, /BEGIN ENCRYPTED PRIVATE KEY/);

  const imported = await client.importCertificate("pem-chain", Buffer.from(ca + encrypted + leaf), { ...pemPolicy, password: "pem-pass" });
  assert.deepEqual(Buffer.from(imported.cer!), derOf(leaf), "the certificate of the key, not the first");
  assert.equal(imported.policy!.keyCurveName, "P-256");
  assert.equal(imported.policy!.validityInMonths, 1);
  await assertKeySigns("pem-chain", imported.cer!, "ES256");
  const secret = (await vault.secretClient.getSecret("pem-chain")).value!;
  const certificates = [...secret.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)].map((m) => new X509Certificate(m[0]).raw);
  assert.deepEqual(certificates, [derOf(leaf), derOf(ca)], "the leaf, then its chain");
  assert.doesNotMatch(secret, /ENCRYPTED/, "the secret's key is not under the import's password");

  await rejectsWith(client.importCertificate("pem-wrong-pass", Buffer.from(encrypted + leaf), { ...pemPolicy, password: "not-it" }), {
    status: 400,
    message: "The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.",
  });
  await assertNothingBehind("pem-wrong-pass");
});

test("bad input gets the service's 400 BadParameter and leaves nothing behind", async () => {
  const { key, cert } = makeCertificate("bad", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  must(openssl(["pkcs12", "-export", "-in", file("bad.crt"), "-inkey", file("bad.key"), "-out", file("bad.p12"), "-passout", "pass:s3cret"]));
  must(openssl(["pkcs12", "-export", "-nokeys", "-in", file("bad.crt"), "-out", file("nokey.p12"), "-passout", "pass:"]));
  const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  const pkcs1 = createPrivateKey(key).export({ format: "pem", type: "pkcs1" }) as string;
  const PKCS12_UNREADABLE = "The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.";
  const PEM_UNEXPECTED = "The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.";
  const NO_PRIVATE_KEY = "No certificate with private key found in the specified X.509 certificate content. Please specify X.509 certificate content with only one certificate containing private key.";
  const cases: { name: string; bytes: Buffer; options?: ImportCertificateOptions; message: string }[] = [
    { name: "bad-password", bytes: readFileSync(file("bad.p12")), options: { password: "wrong" }, message: PKCS12_UNREADABLE },
    { name: "bad-no-password", bytes: readFileSync(file("bad.p12")), message: PKCS12_UNREADABLE },
    { name: "bad-garbage", bytes: Buffer.from("this is not a certificate"), message: PKCS12_UNREADABLE },
    { name: "bad-no-key-pfx", bytes: readFileSync(file("nokey.p12")), message: NO_PRIVATE_KEY },
    { name: "bad-no-key-pem", bytes: Buffer.from(cert), options: pemPolicy, message: NO_PRIVATE_KEY },
    { name: "bad-other-key", bytes: Buffer.from(otherKey + cert), options: pemPolicy, message: NO_PRIVATE_KEY },
    { name: "bad-pkcs1", bytes: Buffer.from(pkcs1 + cert), options: pemPolicy, message: PEM_UNEXPECTED },
    { name: "bad-crlf", bytes: Buffer.from((key + cert).replace(/\n/g, "\r\n")), options: pemPolicy, message: PEM_UNEXPECTED },
    { name: "bad-pem-garbage", bytes: Buffer.from("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + key), options: pemPolicy, message: PEM_UNEXPECTED },
  ];
  for (const { name, bytes, options, message } of cases) {
    await rejectsWith(client.importCertificate(name, bytes, options), { status: 400, code: "BadParameter", message });
    await assertNothingBehind(name);
  }

  // Below the SDK: a body that is no base64, a policy without its content type, an expired certificate.
  const token = await vault.token();
  const importRaw = (name: string, body: unknown) => rawRequest(vault.emulator, { method: "POST", path: `/certificates/${name}/import?${API}`, token, body: JSON.stringify(body) });
  const notBase64 = await importRaw("bad-not-base64", { value: "not base64 at all!" });
  assert.equal(notBase64.status, 400, notBase64.text);
  assert.match(notBase64.body.error.message, /^The specified Base64-encoded PKCS#12/);
  const noContentType = await importRaw("bad-policy", { value: readFileSync(file("bad.p12")).toString("base64"), pwd: "s3cret", policy: { issuer: { name: "Self" } } });
  assert.deepEqual(noContentType.body, { error: { code: "BadParameter", message: "Property policy has invalid value\r\n" } });
  const expired = await importRaw("bad-expired", { value: key + (await expiredCertificate(key)), policy: { secret_props: { contentType: PEM_TYPE } } });
  if (expired.status !== 400) assert.fail(`an expired certificate is refused: ${expired.text}`);
  assert.match(expired.body.error.message, /expired on 2020-02-01/);
  for (const name of ["bad-not-base64", "bad-policy", "bad-expired"]) await assertNothingBehind(name);
});

test("a raw import with a policy: its fields over the certificate's, its key the certificate's whatever the policy says", async () => {
  const { key, cert } = makeCertificate("raw", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  const token = await vault.token();
  const res = await rawRequest(vault.emulator, {
    method: "POST",
    path: `/certificates/raw-policy/import?${API}`,
    token,
    body: JSON.stringify({
      value: key + cert,
      policy: { key_props: { exportable: false, kty: "EC" }, secret_props: { contentType: PEM_TYPE }, lifetime_actions: [{ trigger: { days_before_expiry: 10 }, action: { action_type: "EmailContacts" } }] },
      attributes: { enabled: false },
      tags: { source: "raw" },
    }),
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.policy.key_props, { exportable: false, kty: "RSA", key_size: 2048, reuse_key: false });
  assert.deepEqual(res.body.policy.lifetime_actions, [{ trigger: { days_before_expiry: 10 }, action: { action_type: "EmailContacts" } }]);
  assert.equal(res.body.policy.issuer.name, "Unknown");
  assert.equal(res.body.attributes.enabled, false);
  assert.deepEqual(res.body.tags, { source: "raw" });
  assert.equal(res.body.pending, undefined, "an import has no pending operation");
  assert.deepEqual(Object.keys(res.body), ["id", "kid", "sid", "x5t", "cer", "attributes", "tags", "policy"], "the recorded import's fields and order");
  assert.equal(res.body.x5t, createHash("sha1").update(derOf(cert)).digest("base64url"));
  assert.equal((await vault.client.getKey("raw-policy")).properties.exportable, false);
});

/** The fields `openssl x509 -text` prints for a certificate. */
function opensslText(der: Uint8Array) {
  writeFileSync(file("inspect.der"), der);
  const text = must(openssl(["x509", "-inform", "DER", "-in", file("inspect.der"), "-noout", "-text", "-nameopt", "RFC2253"])).out;
  const after = (label: string) => new RegExp(`${label}(?: critical)?\\s*\\n\\s*(.+)`).exec(text)?.[1].trim();
  return {
    text,
    serial: /Serial Number:\s*\n?\s*([0-9a-f:]+)/i.exec(text)?.[1].replace(/:/g, "").toUpperCase(),
    issuer: /Issuer: (.+)/.exec(text)?.[1].trim(),
    subject: /Subject: (.+)/.exec(text)?.[1].trim(),
    notBefore: /Not Before: (.+)/.exec(text)?.[1].trim(),
    notAfter: /Not After : (.+)/.exec(text)?.[1].trim(),
    publicKey: /Public Key Algorithm: (.+)/.exec(text)?.[1].trim(),
    keyBits: /Public-Key: \((\d+) bit\)/.exec(text)?.[1],
    curve: /NIST CURVE: (.+)/.exec(text)?.[1].trim(),
    keyUsage: after("X509v3 Key Usage:"),
    ekus: after("X509v3 Extended Key Usage:"),
    sans: after("X509v3 Subject Alternative Name:"),
    ca: after("X509v3 Basic Constraints:"),
  };
}

const OPENSSL_USAGES: Record<string, string> = { digitalSignature: "Digital Signature", keyEncipherment: "Key Encipherment", keyCertSign: "Certificate Sign", dataEncipherment: "Data Encipherment", nonRepudiation: "Non Repudiation", cRLSign: "CRL Sign", keyAgreement: "Key Agreement" };
const OPENSSL_EKUS: Record<string, string> = { "1.3.6.1.5.5.7.3.1": "TLS Web Server Authentication", "1.3.6.1.5.5.7.3.2": "TLS Web Client Authentication", "1.3.6.1.5.5.7.3.3": "Code Signing" };
const opensslDate = (seconds: number) => {
  const d = new Date(seconds * 1000);
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return `${month} ${String(d.getUTCDate()).padStart(2, " ")} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()} GMT`;
};

test("openssl x509 -text agrees with the policy on every field: a created (Self) and an imported certificate", async () => {
  const created = await (
    await client.beginCreateCertificate(
      "x509-created",
      {
        issuerName: "Self",
        subject: "CN=x509.example, O=Contoso, C=US",
        subjectAlternativeNames: { dnsNames: ["x509.example"], emails: ["pki@x509.example"], uniformResourceIdentifiers: ["https://x509.example/"] },
        keyType: "EC",
        keyCurveName: "P-384",
        validityInMonths: 6,
        keyUsage: ["digitalSignature", "keyCertSign"],
        enhancedKeyUsage: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.3"],
      },
      { intervalInMs: 20 },
    )
  ).pollUntilDone();
  const imported = await client.importCertificate("x509-imported", Buffer.from(makeCertificate("x509", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]).key + readFileSync(file("x509.crt"), "utf8")), pemPolicy);

  for (const certificate of [created, imported]) {
    const policy = certificate.policy!;
    const seen = opensslText(certificate.cer!);
    const x509 = new X509Certificate(Buffer.from(certificate.cer!));
    const where = `${certificate.name}:\n${seen.text}`;
    // Subject: openssl prints RFC 2253, last name first, as the service's imported subjects are written.
    const rfc2253 = policy.subject!.split(/,\s*/).map((part) => part.replace(/^S=/, "ST=").replace(/^(\w+)=/, (_, t: string) => `${t.toUpperCase()}=`));
    const expected = certificate === created ? [...rfc2253].reverse() : rfc2253;
    assert.equal(seen.subject, expected.join(","), where);
    assert.equal(seen.issuer, seen.subject, "both are self-signed: the issuer is the subject");
    assert.equal(policy.issuerName, certificate === created ? "Self" : "Unknown");
    assert.equal(seen.serial, x509.serialNumber.toUpperCase(), where);
    assert.ok(/^[0-9A-F]+$/.test(seen.serial!) && seen.serial!.length >= 16, `a serial of at least 8 bytes: ${seen.serial}`);
    assert.equal(seen.notBefore, opensslDate(certificate.properties.notBefore!.getTime() / 1000), where);
    assert.equal(seen.notAfter, opensslDate(certificate.properties.expiresOn!.getTime() / 1000), where);
    const days = (certificate.properties.expiresOn!.getTime() - certificate.properties.notBefore!.getTime()) / 86_400_000;
    assert.ok(Math.abs(days / 30.5 - policy.validityInMonths!) < 1, `${days} days for ${policy.validityInMonths} months`);
    if (policy.keyType === "EC") {
      assert.equal(seen.publicKey, "id-ecPublicKey", where);
      assert.equal(seen.curve, policy.keyCurveName, where);
    } else {
      assert.equal(seen.publicKey, "rsaEncryption", where);
      assert.equal(Number(seen.keyBits), policy.keySize, where);
    }
    assert.equal(seen.keyUsage, policy.keyUsage!.map((u) => OPENSSL_USAGES[u]).join(", "), where);
    assert.equal(seen.ekus, policy.enhancedKeyUsage!.map((oid) => OPENSSL_EKUS[oid]).join(", "), where);
    const sans = policy.subjectAlternativeNames!;
    const expectedSans = [...(sans.dnsNames ?? []).map((n) => `DNS:${n}`), ...(sans.emails ?? []).map((n) => `email:${n}`), ...(sans.uniformResourceIdentifiers ?? []).map((n) => `URI:${n}`)];
    assert.deepEqual(seen.sans!.split(", ").sort(), expectedSans.sort(), where);
    assert.equal(seen.ca, "CA:FALSE", where);
  }
});

test("an import waits for no pending operation in progress: it is refused 409 while one is, as a create is", async () => {
  const token = await vault.token();
  const pending = await rawRequest(vault.emulator, {
    method: "POST",
    path: `/certificates/import-while-pending/create?${API}`,
    token,
    body: JSON.stringify({ policy: { x509_props: { subject: "CN=pending" }, issuer: { name: "Unknown" } } }),
  });
  assert.equal(pending.status, 202, pending.text);
  const { key, cert } = makeCertificate("while", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  await rejectsWith(client.importCertificate("import-while-pending", Buffer.from(key + cert), pemPolicy), {
    status: 409,
    code: "Forbidden",
    message: "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
  });
});

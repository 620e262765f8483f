/**
 * A certificate's pending operation and its backup, through the real @azure/keyvault-certificates over
 * verified TLS: an `Unknown` issuer's create stays pending with its CSR; a merge of the certificate a CA
 * (openssl) signed for it completes it, chain and all, and one for another key is refused; cancelling
 * (inProgress with cancellation_requested, then cancelled) and deleting an operation (then 404); backup
 * and restore with every version, the policy, the key and the secret, and the conflicts and malformed
 * blobs answered as for keys; the routes' permissions and one refusal; the certificates limit.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPublicKey, verify as verifySignature, X509Certificate } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createSecureContext } from "node:tls";
import { after, before, test } from "node:test";
import type { CertificateClient, CertificatePolicy } from "@azure/keyvault-certificates";
import { readPkcs12 } from "../../src/emulator/crypto/pkcs12";
import { ROUTES } from "../../src/emulator/routes";
import { rawRequest, rejectsWith, startTestVault, tempDir, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let client: CertificateClient;
let dir: string;
before(async () => {
  vault = await startTestVault({ issueDelayMs: 100 });
  client = vault.certificateClient;
  dir = tempDir("kvq-cert-operation-");
  // A CA of the test's own, outside the vault, that signs the vault's CSRs.
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "30", "-subj", "/O=Outside/CN=Outside CA"]);
});
after(async () => {
  await vault.stop();
  rmSync(dir, { recursive: true, force: true });
});

const API = "api-version=2025-07-01";
/** A poller's options: a new object each time (the SDK's create poller keeps, and writes into, the one it is given). */
const POLL = () => ({ intervalInMs: 20 });
const UNKNOWN: CertificatePolicy = { issuerName: "Unknown", subject: "CN=merge.example", subjectAlternativeNames: { dnsNames: ["merge.example"] } };

const file = (name: string) => path.join(dir, name);
function openssl(args: string[]): string {
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  assert.equal(run.status, 0, `openssl ${args[0]}: ${run.stderr}${run.error?.message ?? ""}`);
  return run.stdout;
}

/** The outside CA's certificate for a CSR (DER), as openssl writes it (PEM). */
function signCsr(name: string, csr: Uint8Array): string {
  writeFileSync(file(`${name}.csr`), `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(csr).toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`);
  openssl(["x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file(`${name}.crt`), "-days", "10", "-copy_extensions", "copy"]);
  return readFileSync(file(`${name}.crt`), "utf8");
}
const derOf = (pem: string) => new X509Certificate(pem).raw;

async function raw(method: string, pathname: string, body?: unknown) {
  return rawRequest(vault.emulator, { method, path: `${pathname}${pathname.includes("?") ? "&" : "?"}${API}`, token: await vault.token(), body: body === undefined ? undefined : JSON.stringify(body) });
}

/** The pending operation, as the SDK's operation poller reads it. */
const operationOf = async (name: string) => (await client.getCertificateOperation(name, POLL())).getOperationState().certificateOperation!;

/** Starts an `Unknown` issuer's create: its poller (past the 202), and its operation. */
async function createPending(name: string, policy: CertificatePolicy = UNKNOWN) {
  const poller = await client.beginCreateCertificate(name, policy, POLL());
  return { poller, operation: await operationOf(name) };
}

test("an Unknown issuer's create stays pending with its CSR: inProgress, 'Please Perform Merge', the certificate disabled without cer", async () => {
  const { poller, operation } = await createPending("pending-unknown");
  assert.equal(poller.isDone(), false);
  assert.equal(operation.status, "inProgress");
  assert.equal(operation.statusDetails, "Pending certificate created. Please Perform Merge to complete the request.");
  assert.equal(operation.issuerName, "Unknown");
  // The CSR is for the subject and the vault's new key (its managed key).
  writeFileSync(file("pending.csr.der"), operation.csr!);
  const csrText = openssl(["req", "-inform", "DER", "-in", file("pending.csr.der"), "-noout", "-text", "-verify"]);
  assert.match(csrText, /Subject: CN\s?=\s?merge\.example/);
  const key = await vault.client.getKey("pending-unknown");
  assert.equal(key.properties.managed, true);
  const csrKey = createPublicKey(openssl(["req", "-inform", "DER", "-in", file("pending.csr.der"), "-noout", "-pubkey"]));
  const b64 = (bytes?: Uint8Array) => Buffer.from(bytes!).toString("base64url");
  assert.equal(createPublicKey({ key: { kty: "RSA", n: b64(key.key!.n), e: b64(key.key!.e) }, format: "jwk" }).export({ format: "pem", type: "spki" }), csrKey.export({ format: "pem", type: "spki" }));

  // Polled again an hour on, still pending: nothing issues it but a merge.
  vault.emulator.clock.advance(3_600_000);
  try {
    await poller.poll();
  } finally {
    vault.emulator.clock.advance(-3_600_000);
  }
  assert.equal(poller.isDone(), false);
  assert.equal((await operationOf("pending-unknown")).status, "inProgress");
  const pending = await raw("GET", "/certificates/pending-unknown/");
  assert.equal(pending.body.attributes.enabled, false);
  assert.equal(pending.body.cer, undefined);
  assert.ok(pending.body.attributes.nbf < pending.body.attributes.created && pending.body.attributes.exp > pending.body.attributes.created + 360 * 86_400, "the validity it asks for");
  assert.equal(pending.body.pending.id, `${vault.emulator.url}/certificates/pending-unknown/pending`);
  assert.deepEqual(pending.body.policy.lifetime_actions, [{ trigger: { lifetime_percentage: 80 }, action: { action_type: "EmailContacts" } }]);
  await rejectsWith(vault.secretClient.getSecret("pending-unknown"), { status: 404, code: "SecretNotFound" });
  // A request_id filters: another operation's is none.
  assert.equal((await raw("GET", `/certificates/pending-unknown/pending?request_id=${operation.requestId}`)).status, 200);
  const other = await raw("GET", `/certificates/pending-unknown/pending?request_id=${"0".repeat(32)}`);
  assert.deepEqual(other.body, { error: { code: "PendingCertificateNotFound", message: "Pending Certificate not found: pending-unknown" } });
});

test("a merge of the CA-signed certificate and its chain completes the certificate, the secret and the operation; one for another key is refused", async () => {
  const { operation } = await createPending("to-merge");
  const leaf = signCsr("to-merge", operation.csr!);
  const ca = readFileSync(file("ca.crt"), "utf8");

  // A certificate for another key, and an x5c with nothing in it, are refused with the service's words; nothing changes.
  const stranger = await createPending("stranger");
  const strangerCert = signCsr("stranger", stranger.operation.csr!);
  await rejectsWith(client.mergeCertificate("to-merge", [derOf(strangerCert)]), { status: 400, code: "BadParameter", message: "Unable to parse X5c certificate chain and locate leaf certificate" });
  for (const x5c of [[], ["bm90IGEgY2VydGlmaWNhdGU="], "MIIB"]) {
    const res = await raw("POST", "/certificates/to-merge/pending/merge", { x5c });
    assert.deepEqual(res.body, { error: { code: "BadParameter", message: "Property x5c has invalid value X5C must has at least one valid item" } }, JSON.stringify(x5c));
  }
  assert.equal((await operationOf("to-merge")).status, "inProgress");
  await rejectsWith(vault.secretClient.getSecret("to-merge"), { status: 404 });

  const merged = await client.mergeCertificate("to-merge", [derOf(leaf), derOf(ca)]);
  assert.deepEqual(Buffer.from(merged.cer!), derOf(leaf));
  assert.equal(merged.properties.enabled, true);
  const x509 = new X509Certificate(leaf);
  assert.equal(merged.properties.expiresOn?.getTime(), Math.floor(Date.parse(x509.validTo) / 1000) * 1000);
  assert.equal(x509.issuer, "O=Outside\nCN=Outside CA", "signed elsewhere");
  assert.equal(merged.policy?.issuerName, "Unknown");
  const done = await operationOf("to-merge");
  assert.equal(done.status, "completed");
  assert.equal(done.target, `${vault.emulator.url}/certificates/to-merge`);

  const secret = await vault.secretClient.getSecret("to-merge");
  assert.equal(secret.properties.id, merged.secretId);
  const pfx = Buffer.from(secret.value!, "base64");
  createSecureContext({ pfx });
  assert.deepEqual((await readPkcs12(pfx, "")).certificates, [derOf(leaf), derOf(ca)], "the leaf and its chain");
  const key = await vault.client.getKey("to-merge");
  const { result } = await vault.cryptoClient(key.id!).signData("RS256", Buffer.from("merged"));
  assert.ok(verifySignature("sha256", Buffer.from("merged"), x509.publicKey, Buffer.from(result)), "the key signs for the merged certificate");

  // The merge's own answer, below the SDK: 201, the certificate's Location.
  const { operation: second } = await createPending("to-merge-raw");
  const res = await raw("POST", "/certificates/to-merge-raw/pending/merge", { x5c: [derOf(signCsr("to-merge-raw", second.csr!)).toString("base64")] });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.headers.location, `${vault.emulator.url}/certificates/to-merge-raw?api-version=2025-07-01`);
  assert.equal(res.body.pending.id, `${vault.emulator.url}/certificates/to-merge-raw/pending`);
  await rejectsWith(client.mergeCertificate("to-merge", [derOf(leaf)]), { status: 400, message: /is completed: there is no request left to merge/ });
});

test("the SDK sample's merge: the base64 text of a PEM file's lines, its END line included", async () => {
  const { operation } = await createPending("sample-merge");
  signCsr("sample-merge", operation.csr!);
  // As @azure/keyvault-certificates' merge sample reads test.crt.
  const base64Crt = readFileSync(file("sample-merge.crt")).toString().split("\n").slice(1, -1).join("");
  assert.match(base64Crt, /-----END CERTIFICATE-----$/);
  const merged = await client.mergeCertificate("sample-merge", [Buffer.from(base64Crt)]);
  assert.deepEqual(Buffer.from(merged.cer!), derOf(readFileSync(file("sample-merge.crt"), "utf8")));
});

test("cancelling an Unknown issuer's operation: inProgress with cancellation_requested, then cancelled, never issued; a merge may still complete it", async () => {
  const poller = await client.beginCreateCertificate("to-cancel", UNKNOWN, { ...POLL(), abortSignal: AbortSignal.timeout(30_000) });
  const patched = await raw("PATCH", "/certificates/to-cancel/pending", { cancellation_requested: true });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.cancellation_requested, true);
  assert.equal(patched.body.status, "inProgress");
  assert.equal(patched.headers["retry-after"], undefined, "the PATCH's answer has no Retry-After (recorded)");
  // The SDK's poller follows it to the end (an operation that never ends fails here, not by hanging the run).
  const certificate = await poller.pollUntilDone();
  const cancelled = await operationOf("to-cancel");
  assert.deepEqual([cancelled.status, cancelled.cancellationRequested, cancelled.statusDetails, cancelled.target], ["cancelled", true, undefined, undefined]);
  assert.equal(certificate.cer, undefined, "never issued");
  assert.equal(certificate.properties.enabled, false);
  await rejectsWith(vault.secretClient.getSecret("to-cancel"), { status: 404 });
  const again = await raw("PATCH", "/certificates/to-cancel/pending", { cancellation_requested: true });
  assert.equal(again.status, 400, "only an operation in progress can be cancelled");

  // learn.microsoft.com: a cancelled request can still be completed by a merge.
  const { csr } = await operationOf("to-cancel");
  const merged = await client.mergeCertificate("to-cancel", [derOf(signCsr("to-cancel", csr!))]);
  assert.equal(merged.properties.enabled, true);
});

test("cancelling a Self issuer's create within its issuing moment: cancelled, its certificate and secret never made; a create or merge meanwhile is refused", async () => {
  // This create's issuing moment lasts a minute of the vault's clock, whatever the machine's load
  // (holding the clock back would not do: the moment is measured on that same clock).
  vault.emulator.settings.issueDelayMs = 60_000;
  try {
    const poller = await client.beginCreateCertificate("self-cancel", { issuerName: "Self", subject: "CN=self-cancel" }, POLL()).finally(() => {
      vault.emulator.settings.issueDelayMs = 100;
    });
    await rejectsWith(client.beginCreateCertificate("self-cancel", { issuerName: "Self", subject: "CN=self-cancel" }), {
      status: 409,
      code: "Forbidden",
      message: "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
    });
    await rejectsWith(client.mergeCertificate("self-cancel", [derOf(readFileSync(file("ca.crt"), "utf8"))]), {
      status: 403,
      code: "Forbidden",
      message: "Merge is forbidden on pending object created with issuer : Self while it is in progess.",
    });
    await poller.cancelOperation();
    const state = await operationOf("self-cancel");
    assert.deepEqual([state.status, state.cancellationRequested], ["inProgress", true]);
  } finally {
    vault.emulator.clock.advance(60_001); // and now the moment is over
  }
  try {
    const operation = await operationOf("self-cancel");
    assert.equal(operation.status, "cancelled");
    const certificate = await client.getCertificate("self-cancel");
    assert.deepEqual([certificate.cer, certificate.properties.enabled], [undefined, false]);
    await rejectsWith(vault.secretClient.getSecret("self-cancel"), { status: 404, code: "SecretNotFound" });
    assert.equal((await vault.client.getKey("self-cancel")).properties.managed, true, "its key stays, as the service's did");
  } finally {
    vault.emulator.clock.advance(-60_001); // the other tests' clock, as it was
  }
});

test("deleting an operation answers it as it stood; then it is 404 PendingCertificateNotFound, and the certificate names no pending", async () => {
  await createPending("op-delete");
  const deleted = await client.deleteCertificateOperation("op-delete");
  assert.equal(deleted.status, "inProgress");
  assert.equal(deleted.issuerName, "Unknown");
  await rejectsWith(client.getCertificateOperation("op-delete"), { status: 404, code: "PendingCertificateNotFound", message: "Pending Certificate not found: op-delete" });
  await rejectsWith(client.deleteCertificateOperation("op-delete"), { status: 404, code: "PendingCertificateNotFound" });
  const certificate = await raw("GET", "/certificates/op-delete/");
  assert.equal(certificate.body.pending, undefined);
  await rejectsWith(client.mergeCertificate("op-delete", [derOf(readFileSync(file("ca.crt"), "utf8"))]), { status: 404, code: "PendingCertificateNotFound" });
  await rejectsWith(client.deleteCertificateOperation("never-made"), { status: 404, code: "CertificateNotFound" });

  // A completed (Self) one, as recorded: deleted after completion, the certificate stays whole.
  await (await client.beginCreateCertificate("op-delete-done", { issuerName: "Self", subject: "CN=done" }, POLL())).pollUntilDone();
  assert.equal((await client.deleteCertificateOperation("op-delete-done")).status, "completed");
  assert.ok((await client.getCertificate("op-delete-done")).cer);
});

test("backup and restore: every version, the policy, the key and the secret come back; conflicts and malformed blobs as for keys", async () => {
  const policy: CertificatePolicy = { issuerName: "Self", subject: "CN=backed.example", contentType: "application/x-pem-file", validityInMonths: 7 };
  const first = await (await client.beginCreateCertificate("backed", policy, POLL())).pollUntilDone();
  const second = await (await client.beginCreateCertificate("backed", policy, { ...POLL(), tags: { v: "2" } })).pollUntilDone();
  const secretBefore = (await vault.secretClient.getSecret("backed")).value;
  const backup = await client.backupCertificate("backed");
  assert.ok(backup && backup.length >= 2 * 33_000, `about 33 KB a version, as the service's: ${backup?.length} bytes`);
  assert.doesNotMatch(Buffer.from(backup!).toString("latin1"), /PRIVATE KEY|backed\.example/, "sealed: nothing readable in it");

  const CONFLICT = /^There was a conflict restoring the certificate '.*\/certificates\/backed\/[0-9a-f]{32}'/;
  await rejectsWith(client.restoreCertificateBackup(backup!), { status: 409, code: "Conflict", message: CONFLICT });
  await (await client.beginDeleteCertificate("backed", POLL())).pollUntilDone();
  await rejectsWith(client.restoreCertificateBackup(backup!), { status: 409, code: "Conflict", inner: "ObjectIsDeletedButRecoverable" });
  await client.purgeDeletedCertificate("backed");
  vault.emulator.clock.advance(vault.emulator.settings.deleteDelayMs + 1); // past the purge's moment

  const restored = await client.restoreCertificateBackup(backup!);
  assert.equal(restored.properties.version, second.properties.version);
  assert.deepEqual(Buffer.from(restored.cer!), Buffer.from(second.cer!));
  assert.equal(restored.policy?.validityInMonths, 7);
  assert.equal(restored.policy?.contentType, "application/x-pem-file");
  const versions: string[] = [];
  for await (const v of client.listPropertiesOfCertificateVersions("backed")) versions.push(v.version!);
  assert.deepEqual(versions.sort(), [first.properties.version!, second.properties.version!].sort());
  assert.deepEqual((await client.getCertificateVersion("backed", first.properties.version!)).cer, first.cer);
  assert.equal((await vault.secretClient.getSecret("backed")).value, secretBefore, "the secret, as it was");
  const key = await vault.client.getKey("backed");
  assert.equal(key.properties.managed, true);
  const { result } = await vault.cryptoClient(key.id!).signData("RS256", Buffer.from("restored"));
  assert.ok(verifySignature("sha256", Buffer.from("restored"), new X509Certificate(Buffer.from(second.cer!)).publicKey, Buffer.from(result)));
  await rejectsWith(vault.client.beginDeleteKey("backed"), { status: 403, inner: "ManagedObjectOperationNotAllowed" });

  const MALFORMED = { status: 400, code: "Malformed backup blob", message: "Backup blob contains invalid or corrupt version." };
  await rejectsWith(client.restoreCertificateBackup(Buffer.from("not a backup")), MALFORMED);
  await vault.client.createEcKey("plain-key");
  const keyBackup = await vault.client.backupKey("plain-key");
  await rejectsWith(client.restoreCertificateBackup(keyBackup!), MALFORMED);
  await rejectsWith(vault.client.restoreKeyBackup(backup!), MALFORMED);

  // A name held by a plain secret of its own: the certificate cannot come back under it.
  await (await client.beginDeleteCertificate("backed", POLL())).pollUntilDone();
  await client.purgeDeletedCertificate("backed");
  vault.emulator.clock.advance(vault.emulator.settings.deleteDelayMs + 1); // past the purge's moment
  await vault.secretClient.setSecret("backed", "mine");
  await rejectsWith(client.restoreCertificateBackup(backup!), { status: 409, code: "Conflict", message: CONFLICT });
  await rejectsWith(client.getCertificate("backed"), { status: 404 });
  await rejectsWith(vault.client.getKey("backed"), { status: 404 });
  assert.equal((await vault.secretClient.getSecret("backed")).value, "mine");
});

test("permissions: each new route names its certificates data action and access-policy permission; a refusal says which", async () => {
  const expected: Record<string, [string, string, string]> = {
    importCertificate: ["POST", "certificates/import/action", "import"],
    mergeCertificate: ["POST", "certificates/create/action", "create"],
    updateCertificateOperation: ["PATCH", "certificates/update/action", "update"],
    deleteCertificateOperation: ["DELETE", "certificates/delete", "delete"],
    backupCertificate: ["POST", "certificates/backup/action", "backup"],
    restoreCertificate: ["POST", "certificates/restore/action", "restore"],
  };
  for (const [operation, [method, dataAction, permission]] of Object.entries(expected)) {
    const route = ROUTES.find((r) => r.operation === operation);
    assert.ok(route, operation);
    assert.deepEqual([route.kind, route.method, route.dataAction, route.permission], ["certificates", method, dataAction, permission], operation);
  }
  const rbac = vault.emulator.faults.inject({ operation: "mergeCertificate", fault: "ForbiddenByRbac", times: 1 });
  await rejectsWith(client.mergeCertificate("anything", [Buffer.from("x")]), { status: 403, inner: "ForbiddenByRbac", message: /Microsoft\.KeyVault\/vaults\/certificates\/create\/action/ });
  rbac.remove();
  const policy = vault.emulator.faults.inject({ operation: "importCertificate", fault: "ForbiddenByPolicy", times: 1 });
  await rejectsWith(client.importCertificate("anything", Buffer.from("x")), { status: 403, inner: "ForbiddenByPolicy", message: /does not have certificates import permission/ });
  policy.remove();
});

test("the certificates limit: a vault of at most one certificate refuses a second by create or import, and keeps nothing of it", async () => {
  const small = await startTestVault({ limits: { certificates: 1 }, issueDelayMs: 0 });
  try {
    await (await small.certificateClient.beginCreateCertificate("only-one", { issuerName: "Self", subject: "CN=one" }, POLL())).pollUntilDone();
    const QUOTA = { status: 403, code: "Forbidden", inner: "QuotaExceeded", message: /at most 1 certificates \(live and deleted\)/ };
    await rejectsWith(small.certificateClient.beginCreateCertificate("second", { issuerName: "Self", subject: "CN=two" }), QUOTA);
    const pfx = Buffer.from((await small.secretClient.getSecret("only-one")).value!, "base64");
    await rejectsWith(small.certificateClient.importCertificate("second", pfx), QUOTA);
    await rejectsWith(small.client.getKey("second"), { status: 404 });
    // A new version of the one it holds is no new certificate.
    await small.certificateClient.importCertificate("only-one", pfx);
  } finally {
    await small.stop();
  }
});

/**
 * The vault's certificate issuers and contacts through the real @azure/keyvault-certificates over
 * verified TLS: set, get, update, list and delete an issuer (its password never answered), the
 * contacts set, read and deleted whole, the service's 404s and 400s, a certificate naming an issuer
 * (pending, as with a CA) or one the vault does not have (refused), the permissions a 403 names, and
 * both kept across a restart, a kill -9 and damage to their record.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { CertificateClient, CertificateIssuer } from "@azure/keyvault-certificates";
import { API, childCaller, childToken, kill9, killChildren, startChild } from "../helpers/emulator-child";
import { rawRequest, rejectsWith, startTestVault, tempDir, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let client: CertificateClient;
before(async () => {
  vault = await startTestVault({ issueDelayMs: 0 });
  client = vault.certificateClient;
});
const dirs: string[] = [];
after(async () => {
  killChildren();
  await vault.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const newDir = () => {
  const dir = tempDir("kvq-issuers-");
  dirs.push(dir);
  return dir;
};

const ADMIN = { firstName: "John", lastName: "Doe", email: "admin@contoso.example", phone: "4255555555" };
const raw = async (method: string, target: string, body?: unknown) =>
  rawRequest(vault.emulator, { method, path: `${target}?api-version=2025-07-01`, token: await vault.token(), body: body === undefined ? undefined : JSON.stringify(body) });

test("an issuer is set, read, updated, listed and deleted as the service keeps it; its password is never answered", async () => {
  const created = await client.createIssuer("contoso-ca", "Test", {
    accountId: "keyvaultuser",
    password: "not-to-be-answered",
    organizationId: "org-1",
    administratorContacts: [ADMIN],
  });
  assert.equal(created.id, `${vault.emulator.url}/certificates/issuers/contoso-ca`);
  // The SDK (4.10.3) takes an issuer's name from its id as it would a certificate's: "issuers", on Azure too.
  assert.equal(created.name, "issuers");
  assert.equal(created.provider, "Test");
  assert.equal(created.accountId, "keyvaultuser");
  assert.equal(created.password, undefined, "the password is not answered");
  assert.equal(created.organizationId, "org-1");
  assert.deepEqual(created.administratorContacts, [ADMIN]);
  assert.equal(created.enabled, true);
  assert.ok(created.createdOn && created.createdOn.getTime() === created.updatedOn?.getTime());

  // On the wire, as recorded: credentials without pwd, org_details with the service's zip: 0.
  const wire = await raw("GET", "/certificates/issuers/contoso-ca");
  assert.equal(wire.status, 200, wire.text);
  assert.deepEqual(wire.body.credentials, { account_id: "keyvaultuser" });
  assert.deepEqual(wire.body.org_details, { id: "org-1", zip: 0, admin_details: [{ first_name: "John", last_name: "Doe", email: "admin@contoso.example", phone: "4255555555" }] });
  assert.deepEqual(Object.keys(wire.body.attributes), ["enabled", "created", "updated"]);
  assert.ok(!wire.text.includes("not-to-be-answered"));

  const got = await client.getIssuer("CONTOSO-CA");
  assert.equal(got.id, `${vault.emulator.url}/certificates/issuers/contoso-ca`, "names are case-insensitive and keep their case");

  vault.emulator.clock.advance(5_000);
  try {
    const updated = await client.updateIssuer("contoso-ca", { accountId: "keyvaultuser2" });
    assert.equal(updated.accountId, "keyvaultuser2");
    assert.equal(updated.provider, "Test", "what the update does not give is kept");
    assert.deepEqual(updated.administratorContacts, [ADMIN]);
    assert.equal(updated.organizationId, "org-1");
    assert.equal(updated.createdOn?.getTime(), created.createdOn!.getTime());
    assert.ok(updated.updatedOn!.getTime() >= created.createdOn!.getTime() + 5_000);
  } finally {
    vault.emulator.clock.advance(-5_000);
  }
  // The SDK sends credentials: {} with every update (and never enabled: false): the account is kept.
  const disabled = await raw("PATCH", "/certificates/issuers/contoso-ca", { credentials: {}, attributes: { enabled: false } });
  assert.equal(disabled.status, 200, disabled.text);
  assert.deepEqual(disabled.body.credentials, { account_id: "keyvaultuser2" });
  assert.equal((await client.getIssuer("contoso-ca")).enabled, false);
  const badPatch = await raw("PATCH", "/certificates/issuers/contoso-ca", { attributes: { enabled: "no" } });
  assert.equal(badPatch.status, 400);
  assert.equal((await client.getIssuer("contoso-ca")).enabled, false, "a refused update changes nothing");

  await client.createIssuer("another-ca", "DigiCert", { organizationId: "org-2" });
  const listed: { id?: string; provider?: string }[] = [];
  for await (const issuer of client.listPropertiesOfIssuers()) listed.push(issuer);
  assert.deepEqual(listed.map((i) => [i.id?.split("/").pop(), i.provider]), [["another-ca", "DigiCert"], ["contoso-ca", "Test"]]);
  const paged = await rawRequest(vault.emulator, { path: "/certificates/issuers?api-version=2025-07-01&maxresults=1", token: await vault.token() });
  assert.equal(paged.body.value.length, 1);
  assert.match(paged.body.nextLink, /\/certificates\/issuers\?api-version=2025-07-01&\$skiptoken=.+&maxresults=1$/);
  const second = await rawRequest(vault.emulator, { path: paged.body.nextLink, token: await vault.token() });
  assert.deepEqual(second.body.value, [{ id: `${vault.emulator.url}/certificates/issuers/contoso-ca`, provider: "Test" }]);
  assert.equal(second.body.nextLink, null);
  const page = await raw("GET", "/certificates/issuers");
  assert.deepEqual(page.body, {
    value: [
      { id: `${vault.emulator.url}/certificates/issuers/another-ca`, provider: "DigiCert" },
      { id: `${vault.emulator.url}/certificates/issuers/contoso-ca`, provider: "Test" },
    ],
    nextLink: null,
  });

  const removed: CertificateIssuer = await client.deleteIssuer("contoso-ca");
  assert.equal(removed.accountId, "keyvaultuser2", "a delete answers the issuer as it was");
  await rejectsWith(client.getIssuer("contoso-ca"), { status: 404, code: "CertificateIssuerNotFound", message: "Issuer not found" });
  await rejectsWith(client.deleteIssuer("contoso-ca"), { status: 404, code: "CertificateIssuerNotFound" });
  await rejectsWith(client.updateIssuer("contoso-ca", { provider: "Test" }), { status: 404, code: "CertificateIssuerNotFound" });
  await client.deleteIssuer("another-ca");
});

test("an issuer's bad bodies and names are answered 400 naming the field", async () => {
  const noProvider = await raw("PUT", "/certificates/issuers/no-provider", { credentials: {} });
  assert.equal(noProvider.status, 400);
  assert.equal(noProvider.body.error.code, "BadParameter");
  assert.match(noProvider.body.error.message, /'provider'/);
  const badCredentials = await raw("PUT", "/certificates/issuers/bad-credentials", { provider: "Test", credentials: "user:pass" });
  assert.equal(badCredentials.status, 400);
  assert.match(badCredentials.body.error.message, /'credentials' must be an object/);
  const badAdmins = await raw("PUT", "/certificates/issuers/bad-admins", { provider: "Test", org_details: { admin_details: [{ email: 5 }] } });
  assert.equal(badAdmins.status, 400);
  assert.match(badAdmins.body.error.message, /'email' must be a string/);
  assert.equal((await raw("PUT", "/certificates/issuers/not_a_name", { provider: "Test" })).status, 400);
  // DigiCert needs the organization's id, as the service says.
  await rejectsWith(client.createIssuer("digicert-ca", "DigiCert"), { status: 400, code: "BadParameter", message: "Id in organization details is not set" });
  // None of them was kept.
  const listed = [];
  for await (const issuer of client.listPropertiesOfIssuers()) listed.push(issuer.id);
  assert.deepEqual(listed, []);
});

test("the contacts are one list for the vault: set, read and deleted whole, 404 while none are set", async () => {
  await rejectsWith(client.getContacts(), { status: 404, code: "ContactsNotFound", message: "Contacts not found" });
  await rejectsWith(client.deleteContacts(), { status: 404, code: "ContactsNotFound" });
  const contacts = [
    { email: "a@contoso.example", name: "a", phone: "111111111111" },
    { email: "b@contoso.example", name: "b", phone: "222222222222" },
  ];
  const set = await client.setContacts(contacts);
  assert.deepEqual(set, contacts.map(({ email, name, phone }) => ({ email, name, phone })));
  const wire = await raw("GET", "/certificates/contacts");
  assert.deepEqual(wire.body, { id: `${vault.emulator.url}/certificates/contacts`, contacts });
  assert.deepEqual(await client.getContacts(), set);
  await client.setContacts([contacts[1]]);
  assert.deepEqual((await client.getContacts())?.map((c) => c?.name), ["b"], "a set replaces the list");
  // The SDK (4.10.3) reads a delete's answer as it was not deserialized, and always returns []: seen on the wire.
  const deleted = await raw("DELETE", "/certificates/contacts");
  assert.deepEqual(deleted.body.contacts, [contacts[1]], "a delete answers the contacts as they were");
  await rejectsWith(client.getContacts(), { status: 404, code: "ContactsNotFound" });
  const bad = await raw("PUT", "/certificates/contacts", { contacts: "a@contoso.example" });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /'contacts' is required/);
  assert.equal((await raw("PUT", "/certificates/contacts", { contacts: [{ email: ["a"] }] })).status, 400);
  await rejectsWith(client.getContacts(), { status: 404 });
});

test("a certificate names Self, Unknown or an issuer of the vault: with an issuer it stays pending; with a missing one it is refused", async () => {
  await rejectsWith(client.beginCreateCertificate("with-missing-issuer", { issuerName: "no-such-ca", subject: "CN=missing" }), {
    status: 404,
    code: "CertificateIssuerNotFound",
    message: /^Issuer not found: no-such-ca\. .*setIssuer/,
  });
  await rejectsWith(client.getCertificate("with-missing-issuer"), { status: 404, code: "CertificateNotFound" });
  const keys = [];
  for await (const key of vault.client.listPropertiesOfKeys()) keys.push(key.name);
  assert.ok(!keys.includes("with-missing-issuer"), "no key was made for it");

  await client.createIssuer("pending-ca", "Test");
  const poller = await client.beginCreateCertificate("with-issuer", { issuerName: "pending-ca", subject: "CN=pending" }, { intervalInMs: 25 });
  const operation = await client.getCertificateOperation("with-issuer");
  assert.equal(operation.getOperationState().certificateOperation?.status, "inProgress");
  assert.equal(operation.getOperationState().certificateOperation?.issuerName, "pending-ca");
  const pending = await client.getCertificate("with-issuer");
  assert.equal(pending.properties.enabled, false, "answered as the service answers a certificate a CA is still issuing");
  assert.equal(pending.cer, undefined);
  assert.equal(pending.policy?.issuerName, "pending-ca");
  assert.equal(poller.isDone(), false);
  poller.stopPolling();
  // Deleting the issuer leaves the certificate's policy as it was.
  await client.deleteIssuer("pending-ca");
  assert.equal((await client.getCertificatePolicy("with-issuer")).issuerName, "pending-ca");
});

test("permissions: an injected 403 names the certificatecas and certificatecontacts data actions and the access policy's issuer and contact permissions", async () => {
  const cases: [string, () => Promise<unknown>, RegExp, RegExp][] = [
    ["setCertificateIssuer", () => client.createIssuer("forbidden-ca", "Test"), /vaults\/certificatecas\/write'/, /certificates setissuers permission/],
    ["getCertificateIssuer", () => client.getIssuer("forbidden-ca"), /vaults\/certificatecas\/read'/, /certificates manageissuers\/getissuers permission/],
    ["deleteCertificateIssuer", () => client.deleteIssuer("forbidden-ca"), /vaults\/certificatecas\/delete'/, /certificates manageissuers\/deleteissuers permission/],
    ["getCertificateContacts", () => client.getContacts(), /vaults\/certificatecontacts\/write'/, /certificates managecontacts permission/],
    ["setCertificateContacts", () => client.setContacts([{ email: "x@contoso.example" }]), /vaults\/certificatecontacts\/write'/, /certificates managecontacts permission/],
  ];
  for (const [operation, call, rbac, policy] of cases) {
    const byRbac = vault.emulator.faults.inject({ operation, fault: "ForbiddenByRbac", times: 1 });
    await rejectsWith(call(), { status: 403, inner: "ForbiddenByRbac", message: rbac });
    byRbac.remove();
    const byPolicy = vault.emulator.faults.inject({ operation, fault: "ForbiddenByPolicy", times: 1 });
    await rejectsWith(call(), { status: 403, inner: "ForbiddenByPolicy", message: policy });
    byPolicy.remove();
  }
  // The SDK's pager drops the service's message ("Pagination failed with unexpected statusCode 403"): read on the wire.
  const listing = vault.emulator.faults.inject({ operation: "getCertificateIssuers", fault: "ForbiddenByPolicy", times: 1 });
  const refused = await raw("GET", "/certificates/issuers");
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /certificates manageissuers\/listissuers permission/);
  listing.remove();
});

test("issuers and contacts survive a restart", async () => {
  const stateDir = newDir();
  let durable = await startTestVault({ stateDir });
  try {
    await durable.certificateClient.createIssuer("durable-ca", "GlobalSign", { accountId: "acct", administratorContacts: [ADMIN] });
    await durable.certificateClient.setContacts([{ email: "ops@contoso.example", name: "ops" }]);
    await durable.stop();
    durable = await startTestVault({ stateDir });
    const issuer = await durable.certificateClient.getIssuer("durable-ca");
    assert.equal(issuer.provider, "GlobalSign");
    assert.equal(issuer.accountId, "acct");
    assert.deepEqual(issuer.administratorContacts, [ADMIN]);
    assert.deepEqual(await durable.certificateClient.getContacts(), [{ email: "ops@contoso.example", name: "ops", phone: undefined }]);
  } finally {
    await durable.stop();
  }
});

test("an acknowledged issuer, contacts change and issuer delete survive kill -9", async () => {
  const stateDir = newDir();
  const first = await startChild(stateDir);
  const { call, agent } = await childCaller(first);
  assert.equal(await call("PUT", `/certificates/issuers/kept-ca?${API}`, '{"provider":"Test","credentials":{"account_id":"acct"}}'), 200);
  assert.equal(await call("PUT", `/certificates/issuers/gone-ca?${API}`, '{"provider":"Test"}'), 200);
  assert.equal(await call("DELETE", `/certificates/issuers/gone-ca?${API}`), 200);
  assert.equal(await call("PUT", `/certificates/contacts?${API}`, '{"contacts":[{"email":"ops@contoso.example"}]}'), 200);
  agent.destroy();
  await kill9(first);

  const second = await startChild(stateDir);
  try {
    const token = await childToken(second.env);
    const ca = readFileSync(second.env.KVQ_EMULATOR_CA, "utf8");
    const get = (target: string) => fetchJson(`${second.env.KEY_VAULT_URL}${target}?${API}`, token, ca);
    assert.deepEqual((await get("/certificates/issuers/kept-ca")).body.credentials, { account_id: "acct" });
    assert.equal((await get("/certificates/issuers/gone-ca")).status, 404, "the acknowledged delete stayed");
    assert.deepEqual((await get("/certificates/contacts")).body.contacts, [{ email: "ops@contoso.example" }]);
  } finally {
    second.child.kill("SIGTERM");
    await second.exited;
  }
});

test("an issuer record whose bytes fail their checksum is not served but named as a certificate issuer", async () => {
  const stateDir = newDir();
  let damaged = await startTestVault({ stateDir });
  try {
    await damaged.certificateClient.createIssuer("victim-ca", "Test", { accountId: "acct-aaaa" });
    await damaged.certificateClient.createIssuer("intact-ca", "Test");
  } finally {
    await damaged.stop();
  }
  const file = path.join(stateDir, "vault.db");
  const bytes = readFileSync(file);
  const at = bytes.indexOf("acct-aaaa");
  assert.ok(at > 0, "the record is in the file");
  bytes[at + 5] = 0x62; // acct-baaa
  writeFileSync(file, bytes);
  const notices: string[] = [];
  // Its own identity port: a start that found the shared one taken would be retried, and the retry finds the file repaired.
  damaged = await startTestVault({ stateDir, identityPort: 0, onNotice: (m) => notices.push(m) });
  try {
    assert.deepEqual(damaged.emulator.storeReport.damage?.lost, [{ kind: "certificate-issuers", state: "live", name: "victim-ca", why: "checksum" }]);
    assert.match(notices.join("\n"), /Lost: certificate issuer "victim-ca" \(its bytes fail their checksum\)/);
    await rejectsWith(damaged.certificateClient.getIssuer("victim-ca"), { status: 404, code: "CertificateIssuerNotFound" });
    assert.equal((await damaged.certificateClient.getIssuer("intact-ca")).provider, "Test");
  } finally {
    await damaged.stop();
  }
});

function fetchJson(url: string, token: string, ca: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const { request } = require("node:https") as typeof import("node:https");
    request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    })
      .on("error", reject)
      .end();
  });
}

/**
 * The certificates quickstart's scaffolding, against the emulator through the real SDK: a certificate's
 * name is its key's and its secret's too, so chooseCertificateName refuses a name that any of the
 * three holds, live or soft-deleted, and the name it picks can be created; a name only a key holds
 * passes a certificates-only check and then fails the create (why the helper asks keys and secrets).
 * cleanupCertificate and cleanupRuns clean the certificate — its key and secret with it — and never
 * a key or secret on their own.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CertificatePolicy } from "@azure/keyvault-certificates";
import { certificateNameProblem, checkCertificateNameFree, checkNameFree, chooseCertificateName } from "../src/object-names";
import { cleanupCertificate, cleanupRuns } from "../src/cleanup";
import { RunLedger } from "../src/run-ledger";
import { startTestVault, tempDir, tutorialLeftoversIn, type TestVault } from "./helpers/emulator";

const POLICY: CertificatePolicy = { issuerName: "Self", subject: "cn=test" };
const POLL = { intervalInMs: 20 };

let vault: TestVault;
before(async () => {
  vault = await startTestVault({ deleteDelayMs: 0, issueDelayMs: 0 });
});
after(() => vault?.stop());

const createCertificate = async (name: string, tags?: Record<string, string>) =>
  (await vault.certificateClient.beginCreateCertificate(name, POLICY, { ...POLL, tags })).pollUntilDone();
const deleteCertificate = async (name: string) => (await vault.certificateClient.beginDeleteCertificate(name, POLL)).pollUntilDone();
const others = () => [vault.client, vault.secretClient] as const;
/** Every object of any kind, tagged or not, that the vault holds under one of these names (the leftover check's records). */
const anythingNamed = async (...names: string[]) => {
  const found: string[] = [];
  for await (const p of vault.certificateClient.listPropertiesOfCertificates()) if (names.includes(p.name!)) found.push(`certificate ${p.name}`);
  for await (const p of vault.client.listPropertiesOfKeys()) if (names.includes(p.name)) found.push(`key ${p.name}`);
  for await (const p of vault.secretClient.listPropertiesOfSecrets()) if (names.includes(p.name)) found.push(`secret ${p.name}`);
  for await (const d of vault.certificateClient.listDeletedCertificates()) if (names.includes(d.properties.name!)) found.push(`certificate ${d.properties.name} (deleted)`);
  for await (const d of vault.client.listDeletedKeys()) if (names.includes(d.name)) found.push(`key ${d.name} (deleted)`);
  for await (const d of vault.secretClient.listDeletedSecrets()) if (names.includes(d.name)) found.push(`secret ${d.name} (deleted)`);
  return found;
};

describe("choosing a certificate's name", () => {
  test("a name held by a certificate, a key or a secret, live or soft-deleted, is refused with why; the name chosen can be created", async () => {
    await createCertificate("cert-live");
    await createCertificate("cert-deleted");
    await deleteCertificate("cert-deleted");
    await vault.client.createRsaKey("key-live");
    await vault.client.createRsaKey("key-deleted");
    await (await vault.client.beginDeleteKey("key-deleted", POLL)).pollUntilDone();
    await vault.secretClient.setSecret("secret-live", "v");
    await vault.secretClient.setSecret("secret-deleted", "v");
    await (await vault.secretClient.beginDeleteSecret("secret-deleted", POLL)).pollUntilDone();

    const refusals: Record<string, RegExp> = {
      "cert-live": /^a certificate named cert-live already exists \(creating it again would add a new version\)$/,
      "cert-deleted": /^a soft-deleted certificate named cert-deleted holds the name until it is purged on \d{4}-\d{2}-\d{2}$/,
      "key-live": /^a key named key-live exists, and a certificate's own key and secret take its name$/,
      "key-deleted": /^a soft-deleted key named key-deleted holds the name until it is purged on \d{4}-\d{2}-\d{2}, and a certificate's own key and secret take its name$/,
      "secret-live": /^a secret named secret-live exists, and a certificate's/,
      "secret-deleted": /^a soft-deleted secret named secret-deleted holds the name/,
    };
    for (const [taken, why] of Object.entries(refusals)) {
      const chosen = await chooseCertificateName(vault.certificateClient, { preferred: taken, alsoFreeIn: others() });
      assert.equal(chosen.skipped[0]?.name, taken);
      assert.match(chosen.skipped[0]!.why, why);
      assert.match(chosen.name, new RegExp(`^${taken}-\\d{8}-[0-9a-z]{6}$`));
      const status = await checkCertificateNameFree(vault.certificateClient, taken, others());
      assert.equal(status.free, false, taken);
    }
    // The point of it: a name the helper gives is one the vault lets a certificate take.
    const chosen = await chooseCertificateName(vault.certificateClient, { preferred: "key-deleted", alsoFreeIn: others() });
    const created = await createCertificate(chosen.name);
    assert.equal(created.name, chosen.name);
    assert.deepEqual(await checkCertificateNameFree(vault.certificateClient, "free-for-all-three", others()), { free: true });
  });

  test("why the helper asks keys and secrets too: a certificates-only check lets a key's name through, and the create fails on it", async () => {
    await vault.client.createRsaKey("only-a-key");
    assert.deepEqual(await checkNameFree(vault.certificateClient, "only-a-key"), { free: true });
    await assert.rejects(vault.certificateClient.beginCreateCertificate("only-a-key", POLICY), (error: { statusCode?: number }) => error.statusCode === 409);
    assert.equal((await checkCertificateNameFree(vault.certificateClient, "only-a-key", others())).free, false);
  });

  test("names follow the rule of every kind, said as a certificate's", () => {
    assert.equal(certificateNameProblem("my-cert-1"), undefined);
    assert.match(certificateNameProblem("my cert")!, /a certificate name takes 1-127 characters/);
  });
});

describe("cleaning up a certificate", () => {
  test("cleanupCertificate deletes and purges a tagged certificate, and its key and secret go with it; an untagged one is left alone", async () => {
    const tags = { "kvq-tutorial": "certificates-quickstart", "kvq-run": "r1" };
    await createCertificate("tagged-cert", tags);
    await createCertificate("untagged-cert");
    assert.equal((await vault.client.getKey("tagged-cert")).properties.managed, true);
    const cleaned = await cleanupCertificate(vault.certificateClient, "tagged-cert", { runId: "r1", pollIntervalMs: 20 });
    assert.equal(cleaned.outcome, "purged", cleaned.message);
    assert.equal(cleaned.kind, "certificate");
    assert.deepEqual(await anythingNamed("tagged-cert"), [], "the certificate, its key and its secret are gone, live or deleted");
    const untouched = await cleanupCertificate(vault.certificateClient, "untagged-cert", { runId: "r1" });
    assert.equal(untouched.outcome, "left-alone");
    assert.deepEqual(await anythingNamed("untagged-cert"), ["certificate untagged-cert", "key untagged-cert", "secret untagged-cert"]);
  });

  test("cleanupRuns with a CertificateClient cleans the ledger's certificates only: a key and a secret it names wait for their own kinds' clients", async () => {
    const dir = tempDir("kvq-cert-ledger-");
    const ledger = RunLedger.start({ vaultUrl: vault.emulator.url, dir, tutorial: "certificates-quickstart" });
    const name = "ledger-cert";
    ledger.track(name, "certificate");
    await createCertificate(name, ledger.tags);
    ledger.track("ledger-key", "key");
    await vault.client.createEcKey("ledger-key", { tags: { ...ledger.tags, "kvq-tutorial": "keys-quickstart" } });
    const [report] = await cleanupRuns(vault.certificateClient, [ledger], { pollIntervalMs: 20 });
    assert.deepEqual(report!.results.map((r) => `${r.kind} ${r.name} ${r.outcome}`), [`certificate ${name} purged`]);
    assert.deepEqual(ledger.pending, [{ name: "ledger-key", kind: "key" }]);
    assert.deepEqual(await anythingNamed(name), []);
    assert.deepEqual(await tutorialLeftoversIn(vault), ["key ledger-key"]);
  });
});

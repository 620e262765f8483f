/**
 * Clean-up of the certificates quickstart: `kvq cleanup` lists and cleans the tutorial's
 * certificates — live, soft-deleted, or only in a ledger — in a kind column that fits the word, and
 * counts them in its JSON. A certificate's own key and secret, which every listing of keys and
 * secrets shows (`managed: true`), are never listed, deleted or purged on their own: not when the
 * certificate is the tutorial's, not when they carry the tutorial's tags themselves, not when a
 * ledger names them.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DefaultCertificatePolicy } from "@azure/keyvault-certificates";
import { cleanupRuns } from "../../src/cleanup";
import { describeLeftover } from "../../src/commands/cleanup";
import { displayWidth, setLang } from "../../src/i18n";
import type { KindId, VaultObjectClient } from "../../src/kinds/index";
import { RunLedger } from "../../src/run-ledger";
import { findLeftovers } from "../../src/workshop/sweep";
import { runKvq } from "../helpers/cli";
import { startTestVault, tempDir, type TestVault } from "../helpers/emulator";

let vault: TestVault;
const ledgerDir = tempDir("kvq-sweep-certificates-");
let crashed: RunLedger;
/** Deleting or purging a key or a secret alone: each is refused, and counted, so a test sees that none was tried. */
let alone: { hits: number; remove(): void }[];

const clients = (kind: KindId): VaultObjectClient => ({ key: vault.client, secret: vault.secretClient, certificate: vault.certificateClient })[kind];
const createCertificate = async (name: string, tags?: Record<string, string>) =>
  (await vault.certificateClient.beginCreateCertificate(name, DefaultCertificatePolicy, { tags, intervalInMs: 20 })).pollUntilDone();
const names = async (list: AsyncIterable<{ name?: string }>) => {
  const out: string[] = [];
  for await (const item of list) out.push(item.name!);
  return out.sort();
};

before(async () => {
  vault = await startTestVault({ issueDelayMs: 20 });
  crashed = RunLedger.start({ vaultUrl: vault.emulator.url, dir: ledgerDir, attendee: "ana", tutorial: "certificates-quickstart" });
  for (const name of ["ana-live", "ana-deleted", "ana-never-created", "ana-tagged-through"]) crashed.track(name, "certificate");
  await createCertificate("ana-live", crashed.tags);
  await createCertificate("ana-deleted", crashed.tags);
  await (await vault.certificateClient.beginDeleteCertificate("ana-deleted", { intervalInMs: 20 })).pollUntilDone();
  // Whether the service copies a certificate's tags onto its key and secret is not recorded: this
  // one's carry the run's tags too, so only their being the certificate's (managed) keeps the sweep off them.
  const tagged = await createCertificate("ana-tagged-through", crashed.tags);
  await vault.client.updateKeyProperties("ana-tagged-through", tagged.properties.version!, { tags: crashed.tags });
  await vault.secretClient.updateSecretProperties("ana-tagged-through", tagged.properties.version!, { tags: crashed.tags });
  // Not the tutorial's: an untagged certificate (whose key and secret must stay with it).
  await createCertificate("not-the-tutorials");
  alone = ["deleteKey", "deleteSecret", "purgeDeletedKey", "purgeDeletedSecret"].map((operation) => vault.emulator.faults.inject({ operation, fault: "ForbiddenByPolicy" }));
});
after(() => vault.stop());

test("the sweep lists the tutorial's certificates, and no key or secret of theirs, even one carrying the tutorial's tags", async () => {
  const { groups } = await findLeftovers(clients, { ledgerDir });
  const summary = Object.fromEntries(groups.map((g) => [g.runId, g.objects.map((o) => `${o.kind}:${o.state}:${o.name}`).sort()]));
  assert.deepEqual(summary, {
    [crashed.runId]: ["certificate:deleted:ana-deleted", "certificate:ledger-only:ana-never-created", "certificate:live:ana-live", "certificate:live:ana-tagged-through"],
  });
  // Every listing of keys and secrets shows a certificate's own, as the service's does.
  assert.deepEqual(await names(vault.client.listPropertiesOfKeys()), ["ana-live", "ana-tagged-through", "not-the-tutorials"]);
  assert.deepEqual(await names(vault.secretClient.listPropertiesOfSecrets()), ["ana-live", "ana-tagged-through", "not-the-tutorials"]);
});

test("a ledger naming a certificate's key and secret (recorded as a key and a secret) does not make them the run's to clean", async () => {
  const benLedgers = tempDir("kvq-sweep-ben-");
  const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: benLedgers, attendee: "ben", tutorial: "certificates-quickstart" });
  run.track("ben-cert", "key");
  run.track("ben-cert", "secret");
  run.track("ben-cert", "certificate");
  const certificate = await createCertificate("ben-cert", run.tags);
  await vault.client.updateKeyProperties("ben-cert", certificate.properties.version!, { tags: run.tags });
  await vault.secretClient.updateSecretProperties("ben-cert", certificate.properties.version!, { tags: run.tags });
  // Listed once, as the certificate: the ledger's key and secret of its name are its own.
  const listed = (await findLeftovers(clients, { ledgerDir: benLedgers, filter: { runId: run.runId } })).groups.flatMap((g) => g.objects.map((o) => `${o.kind}:${o.state}:${o.name}`));
  assert.deepEqual(listed, ["certificate:live:ben-cert"]);
  const [{ results }] = await cleanupRuns(clients, [run], { pollIntervalMs: 20 });
  assert.deepEqual(results.map((r) => `${r.kind}:${r.outcome}`), ["key:left-alone", "secret:left-alone", "certificate:purged"]);
  assert.match(results[0].message, /^ben-cert: left alone — this key is certificate ben-cert's own \(managed\): it is deleted, recovered and purged with the certificate/);
  assert.deepEqual(alone.map((f) => f.hits), [0, 0, 0, 0], "no key or secret was deleted or purged on its own");
  await assert.rejects(vault.client.getDeletedKey("ben-cert"), { statusCode: 404 }, "gone with its certificate");
  assert.ok(run.closedAt, "nothing left for the run to do");
});

test("the table's kind column fits every kind's word, 'certificate' and 「憑證」 included, and the names line up", () => {
  const since = new Date("2026-12-04T20:01:00Z");
  const lines = (lang: "en" | "zh-TW") => {
    setLang(lang);
    try {
      return (["key", "secret", "certificate"] as const).map((kind) => describeLeftover({ name: `${kind}-x`, kind, state: "live", runId: "r", since }));
    } finally {
      setLang("en");
    }
  };
  const en = lines("en");
  assert.deepEqual(en, [
    "live      key          key-x  (created 2026-12-04 20:01)",
    "live      secret       secret-x  (created 2026-12-04 20:01)",
    "live      certificate  certificate-x  (created 2026-12-04 20:01)",
  ]);
  const zh = lines("zh-TW");
  assert.match(zh[2], /^使用中 {4}憑證 {2}certificate-x  （建立於 2026-12-04 20:01）$/);
  assert.equal(new Set(zh.map((line) => displayWidth(line.slice(0, line.indexOf("-x")).replace(/\S+$/, "")))).size, 1, zh.join("\n"));
});

test("kvq cleanup: certificates listed, counted in the JSON, and --yes cleans them with their keys and secrets and nothing else", async () => {
  const env = { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: ledgerDir, KVQ_LANG: "en" };
  const dry = await runKvq(["cleanup"], { env });
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /4 certificates left by the tutorials in 1 run at /);
  assert.match(dry.stdout, /\n {2}live {6}certificate {2}ana-live {2}\(created /);
  assert.match(dry.stdout, /\n {2}deleted {3}certificate {2}ana-deleted {2}\(deleted .*, purge scheduled /);
  assert.match(dry.stdout, /\n {2}recorded {2}certificate {2}ana-never-created {2}\(in the run's ledger/);
  assert.doesNotMatch(dry.stdout, /\b(key|secret) +ana-/, "no certificate's key or secret listed apart");

  const wet = await runKvq(["cleanup", "--yes", "--json"], { env });
  assert.equal(wet.code, 0, wet.stdout + wet.stderr);
  const report = JSON.parse(wet.stdout);
  assert.deepEqual([report.found, report.cleaned, report.failed], [{ key: 0, secret: 0, certificate: 4 }, { key: 0, secret: 0, certificate: 4 }, 0]);
  assert.deepEqual(report.results.map((r: { kind: string; outcome: string; name: string }) => `${r.kind}:${r.outcome}:${r.name}`).sort(), [
    "certificate:already-gone:ana-never-created",
    "certificate:purged:ana-deleted",
    "certificate:purged:ana-live",
    "certificate:purged:ana-tagged-through",
  ]);
  assert.deepEqual(alone.map((f) => f.hits), [0, 0, 0, 0], "no key or secret was deleted or purged on its own");
  // What is left: the certificate that is not the tutorial's, with its key and secret.
  assert.deepEqual(await names(vault.certificateClient.listPropertiesOfCertificates()), ["not-the-tutorials"]);
  assert.deepEqual(await names(vault.certificateClient.listDeletedCertificates()), [], "purged, not only deleted");
  assert.deepEqual(await names(vault.client.listPropertiesOfKeys()), ["not-the-tutorials"]);
  assert.deepEqual(await names(vault.secretClient.listPropertiesOfSecrets()), ["not-the-tutorials"]);
  await assert.rejects(vault.client.getDeletedKey("ana-tagged-through"), { statusCode: 404 });
  assert.ok(RunLedger.open(crashed.file).closedAt, "the crashed run's ledger is closed");
});

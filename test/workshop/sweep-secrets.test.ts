/**
 * Clean-up is one shape for every kind: `kvq cleanup --yes` and the runs' cleanup leave no tutorial
 * secret behind — live, soft-deleted, or only in a ledger — and touch no other secret, nor a key that
 * shares a tutorial secret's name.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { cleanupRuns } from "../../src/cleanup";
import { RunLedger } from "../../src/run-ledger";
import { runKvq } from "../helpers/cli";
import { startTestVault, tempDir, type TestVault } from "../helpers/emulator";

let vault: TestVault;
const ledgerDir = tempDir("kvq-sweep-secrets-");
let crashed: RunLedger;

const names = async (list: AsyncIterable<{ name: string }>) => {
  const out: string[] = [];
  for await (const item of list) out.push(item.name);
  return out.sort();
};

before(async () => {
  vault = await startTestVault();
  const secrets = vault.secretClient;
  crashed = RunLedger.start({ vaultUrl: vault.emulator.url, dir: ledgerDir, attendee: "ana", tutorial: "secrets-quickstart" });
  for (const name of ["ana-live", "ana-deleted", "ana-never-set"]) crashed.track(name, "secret");
  await secrets.setSecret("ana-live", "v1", { tags: crashed.tags });
  await secrets.setSecret("ana-live", "v2", { tags: crashed.tags });
  await secrets.setSecret("ana-deleted", "v", { tags: crashed.tags });
  await (await secrets.beginDeleteSecret("ana-deleted", { intervalInMs: 20 })).pollUntilDone();
  // Not the tutorial's: no tags, someone else's tags, and a key named like a tutorial secret.
  await secrets.setSecret("db-password", "hunter2");
  await secrets.setSecret("tagged-by-someone", "x", { tags: { team: "payments" } });
  await vault.client.createRsaKey("ana-live");
});
after(() => vault.stop());

test("kvq cleanup: a dry run lists the tutorial's secrets; --yes deletes and purges them and nothing else", async () => {
  const env = { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: ledgerDir };
  const dry = await runKvq(["cleanup"], { env });
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /ana-live/);
  assert.match(dry.stdout, /ana-deleted/);
  assert.doesNotMatch(dry.stdout, /db-password|tagged-by-someone/);
  assert.ok(await vault.secretClient.getSecret("ana-live"), "a dry run changes nothing");

  const wet = await runKvq(["cleanup", "--yes"], { env });
  assert.equal(wet.code, 0, wet.stdout + wet.stderr);
  assert.match(wet.stdout, /3 cleaned, 0 failed/);
  assert.deepEqual(await names(vault.secretClient.listPropertiesOfSecrets()), ["db-password", "tagged-by-someone"]);
  assert.deepEqual(await names(vault.secretClient.listDeletedSecrets()), [], "purged, not only deleted");
  assert.equal((await vault.secretClient.getSecret("db-password")).value, "hunter2");
  assert.ok(await vault.client.getKey("ana-live"), "the key of the same name is not the secret's to clean");
  assert.equal(RunLedger.open(crashed.file).closedAt !== undefined, true, "the crashed run's ledger is closed");
});

test("cleanupRuns with a SecretClient cleans a run's secrets and leaves its keys for a KeyClient", async () => {
  const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir(), attendee: "ben", tutorial: "secrets-quickstart" });
  run.track("ben-both", "secret");
  run.track("ben-both", "key");
  await vault.secretClient.setSecret("ben-both", "v", { tags: run.tags });
  await vault.client.createRsaKey("ben-both", { tags: run.tags });
  const [{ results }] = await cleanupRuns(vault.secretClient, [run], { pollIntervalMs: 20 });
  assert.deepEqual(results.map((r) => `${r.kind}:${r.outcome}`), ["secret:purged"]);
  await assert.rejects(vault.secretClient.getSecret("ben-both"), { statusCode: 404 });
  assert.ok(await vault.client.getKey("ben-both"));
  assert.deepEqual(run.pending, [{ name: "ben-both", kind: "key" }]);
  await cleanupRuns(vault.client, [run], { pollIntervalMs: 20 });
  assert.ok(run.closedAt, "closed once every kind is cleaned");
});

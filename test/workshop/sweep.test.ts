/** `kvq cleanup`: finds tagged leftovers grouped by run, changes nothing without --yes, never touches untagged keys. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { RunLedger } from "../../src/run-ledger";
import { findLeftovers } from "../../src/workshop/sweep";
import { runKvq } from "../helpers/cli";
import { startTestVault, tempDir, type TestVault } from "../helpers/emulator";

let vault: TestVault;
const ledgerDir = tempDir("kvq-sweep-ledgers-");
let crashed: RunLedger;
let finished: RunLedger;

before(async () => {
  vault = await startTestVault();
  crashed = RunLedger.start({ vaultUrl: vault.emulator.url, dir: ledgerDir, attendee: "ana" });
  for (const name of ["ana-live", "ana-deleted", "ana-never-created"]) crashed.track(name);
  await vault.client.createRsaKey("ana-live", { tags: crashed.tags });
  await vault.client.createRsaKey("ana-deleted", { tags: crashed.tags });
  await (await vault.client.beginDeleteKey("ana-deleted", { intervalInMs: 20 })).pollUntilDone();
  finished = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir(), attendee: "ben" }); // its ledger is elsewhere
  await vault.client.createRsaKey("ben-live", { tags: finished.tags });
  await vault.client.createRsaKey("not-the-tutorials");
  await vault.client.createRsaKey("tagged-by-someone", { tags: { team: "payments" } });
});
after(() => vault.stop());

test("groups tagged keys by run, adds the ledger's never-created key, and leaves untagged keys out", async () => {
  const { groups } = await findLeftovers(vault.client, { ledgerDir });
  const summary = Object.fromEntries(groups.map((g) => [g.runId, g.objects.map((k) => `${k.state}:${k.name}`).sort()]));
  assert.deepEqual(summary, {
    [crashed.runId]: ["deleted:ana-deleted", "ledger-only:ana-never-created", "live:ana-live"],
    [finished.runId]: ["live:ben-live"],
  });
  assert.equal(groups.find((g) => g.runId === crashed.runId)?.attendee, "ana");
});

test("filters: run, attendee, prefix, age", async () => {
  const only = async (filter: Parameters<typeof findLeftovers>[1]) =>
    (await findLeftovers(vault.client, { ledgerDir, ...filter })).groups.flatMap((g) => g.objects.map((k) => k.name)).sort();
  assert.deepEqual(await only({ filter: { runId: finished.runId } }), ["ben-live"]);
  assert.deepEqual(await only({ filter: { attendee: "ana", prefix: "ana-l" } }), ["ana-live"]);
  assert.deepEqual(await only({ filter: { olderThanMs: 3_600_000 } }), []);
  assert.equal((await only({ filter: { olderThanMs: 3_600_000, now: new Date(Date.now() + 7_200_000) } })).length, 4);
});

test("the command: a dry run changes nothing; --yes deletes and purges only the tutorial's keys", async () => {
  const env = { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: ledgerDir };
  const dry = await runKvq(["cleanup"], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`Run ${crashed.runId} \\(attendee ana`));
  // The kinds' column fits the widest kind's word, "certificate", and two spaces.
  assert.match(dry.stdout, /live {6}key {10}ana-live/);
  assert.match(dry.stdout, /Nothing was changed\. Run again with --yes/);
  assert.ok(await vault.client.getKey("ana-live"));

  const wet = await runKvq(["cleanup", "--yes"], { env });
  assert.equal(wet.code, 0, wet.stdout + wet.stderr);
  assert.match(wet.stdout, /4 cleaned, 0 failed/);
  for (const name of ["ana-live", "ben-live"]) await assert.rejects(vault.client.getKey(name), { statusCode: 404 });
  await assert.rejects(vault.client.getDeletedKey("ana-deleted"), { statusCode: 404 });
  assert.ok(await vault.client.getKey("not-the-tutorials"));
  assert.ok(await vault.client.getKey("tagged-by-someone"));
  assert.ok(RunLedger.open(crashed.file).closedAt, "the finished ledger is closed");

  const json = JSON.parse((await runKvq(["cleanup", "--json"], { env })).stdout);
  assert.deepEqual(json, { dryRun: true, found: { key: 0, secret: 0, certificate: 0 }, runs: [] });
});

test("a bad --older-than is a usage error (exit 2)", async () => {
  const result = await runKvq(["cleanup", "--older-than", "soon"], { env: { ...vault.emulator.env, KVQ_ENV_FILE: "none" } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--older-than "soon" is not a duration/);
});

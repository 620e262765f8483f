/**
 * Cleanup against the emulator with the real SDK: purged when allowed, purge protection explained,
 * "being deleted" retried, a half-finished run cleaned from its ledger, untagged keys left alone;
 * a certificate cleaned with its key and secret, which are never cleaned on their own.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { DefaultCertificatePolicy } from "@azure/keyvault-certificates";
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { after, before, describe, test } from "node:test";
import { cleanupKey, cleanupObject, cleanupRuns, ledgersToClean } from "../src/cleanup";
import { RunLedger } from "../src/run-ledger";
import { rawRequest, startTestVault, tempDir, type TestVault } from "./helpers/emulator";

// One state folder for the file: every emulator started here shares its token-signing key, so the
// credential's process-wide token cache stays valid from one emulator to the next.
const stateDir = tempDir("kvq-cleanup-state-");

/** A certificate as the certificates quickstart creates one: the default policy, the poller followed to the end. */
const createCertificate = async (vault: TestVault, name: string, tags: Record<string, string>) =>
  (await vault.certificateClient.beginCreateCertificate(name, DefaultCertificatePolicy, { tags, intervalInMs: 20 })).pollUntilDone();

describe("a vault that allows purge", () => {
  let vault: TestVault;
  let ledgerDir: string;
  before(async () => {
    // A certificate's issuing moment short (its default, 250 ms, is the emulator's as the notebook meets it).
    vault = await startTestVault({ stateDir, deleteDelayMs: 300, issueDelayMs: 20 });
    ledgerDir = tempDir("kvq-ledger-");
  });
  after(() => vault.stop());

  test("a tagged key is deleted and purged; cleaning again is harmless", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    run.track("clean-me");
    await vault.client.createRsaKey("clean-me", { tags: run.tags });
    const result = await cleanupKey(vault.client, "clean-me", { runId: run.runId, pollIntervalMs: 50 });
    assert.equal(result.outcome, "purged", result.message);
    await assert.rejects(vault.client.getDeletedKey("clean-me"), { statusCode: 404 });
    assert.equal((await cleanupKey(vault.client, "clean-me", { runId: run.runId, graceMs: 100 })).outcome, "already-gone");
  });

  test("a key without the tutorial's tags, or another run's, is never touched", async () => {
    await vault.client.createRsaKey("someone-elses");
    const result = await cleanupKey(vault.client, "someone-elses");
    assert.equal(result.outcome, "left-alone");
    assert.ok(await vault.client.getKey("someone-elses"));

    const other = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    await vault.client.createRsaKey("other-run", { tags: other.tags });
    assert.equal((await cleanupKey(vault.client, "other-run", { runId: "not-that-run" })).outcome, "left-alone");
    assert.ok(await vault.client.getKey("other-run"));
  });

  test("a soft-deleted key without the tutorial's tags, or another run's, is never purged — even when a ledger names it", async () => {
    const deleteNow = async (name: string) => (await vault.client.beginDeleteKey(name, { intervalInMs: 20 })).pollUntilDone();
    await vault.client.createEcKey("deleted-someone-elses", { tags: { owner: "not the tutorial" } });
    await deleteNow("deleted-someone-elses");
    assert.equal((await cleanupKey(vault.client, "deleted-someone-elses")).outcome, "left-alone");
    assert.equal((await vault.client.getDeletedKey("deleted-someone-elses")).name, "deleted-someone-elses", "still soft-deleted, not purged");

    const other = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    await vault.client.createEcKey("deleted-other-run", { tags: other.tags });
    await deleteNow("deleted-other-run");
    // This run's ledger names both (copied from elsewhere, or a name reused): neither is this run's key.
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    run.track("deleted-someone-elses");
    run.track("deleted-other-run");
    const [{ results }] = await cleanupRuns(vault.client, [run], { pollIntervalMs: 20 });
    assert.deepEqual(results.map((r) => [r.name, r.outcome]), [["deleted-someone-elses", "left-alone"], ["deleted-other-run", "left-alone"]]);
    for (const name of ["deleted-someone-elses", "deleted-other-run"]) assert.equal((await vault.client.getDeletedKey(name)).name, name, `${name} is still soft-deleted`);
  });

  test("a purge that meets ObjectIsBeingDeleted is retried until it goes through", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    await vault.client.createRsaKey("being-deleted", { tags: run.tags });
    // Delete without waiting, so the key is still "being deleted" (300 ms here) when cleanup purges.
    await vault.client.beginDeleteKey("being-deleted");
    const started = Date.now();
    const result = await cleanupKey(vault.client, "being-deleted", { runId: run.runId });
    assert.equal(result.outcome, "purged", result.message);
    assert.ok(Date.now() - started >= 150, "it had to wait for the deletion to finish");
  });

  test("a key still being deleted — by this process, or by another that this one never heard of — is waited for, then purged; past maxWaitMs, left", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    const names = ["settle-here", "settle-elsewhere", "settle-too-long"];
    for (const name of names) await vault.client.createEcKey(name, { tags: run.tags });
    // Neither waited for: each stays "being deleted" 300 ms, invisible to reads. The second is deleted
    // below the SDK, as another process would: only a purge can tell this process it is on its way.
    await vault.client.beginDeleteKey("settle-here");
    const token = await vault.token();
    for (const name of names.slice(1)) {
      assert.equal((await rawRequest(vault.emulator, { method: "DELETE", path: `/keys/${name}?api-version=2025-07-01`, token })).status, 200);
    }
    // Short sleeps: the grace for a deleted key to show (20 ms) ends well inside the 300 ms of the
    // deletion, so only the wait for a key under way can find it.
    const quick = { runId: run.runId, graceMs: 20, pollIntervalMs: 20, sleep: (ms: number) => new Promise<void>((done) => setTimeout(done, Math.min(ms, 10))) };
    // First, while all three are still being deleted: not waited for at all, it is left for later.
    const late = await cleanupKey(vault.client, "settle-too-long", { ...quick, maxWaitMs: 0 });
    assert.equal(late.outcome, "failed");
    assert.match(late.message, /settle-too-long/);
    for (const name of names.slice(0, 2)) {
      const result = await cleanupKey(vault.client, name, quick);
      assert.equal(result.outcome, "purged", `${name}: ${result.message}`);
      await assert.rejects(vault.client.getDeletedKey(name), { statusCode: 404 });
    }
  });

  test("a purge answered 409 ObjectIsBeingDeleted is retried with a growing wait until it goes through, or until maxWaitMs", async () => {
    const beingDeleted = { status: 409, code: "Conflict", message: "Key is currently being deleted.", innerCode: "ObjectIsBeingDeleted" };
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    for (const name of ["purge-busy", "purge-stuck"]) {
      await vault.client.createEcKey(name, { tags: run.tags });
      await (await vault.client.beginDeleteKey(name, { intervalInMs: 20 })).pollUntilDone();
    }
    const twice = vault.emulator.faults.inject({ operation: "purgeDeletedKey", fault: beingDeleted, times: 2 });
    const started = Date.now();
    const result = await cleanupKey(vault.client, "purge-busy", { runId: run.runId });
    assert.equal(result.outcome, "purged", result.message);
    assert.equal(twice.hits, 2);
    assert.ok(Date.now() - started >= 550, `waited 200 ms, then 400 ms (${Date.now() - started} ms)`);
    await assert.rejects(vault.client.getDeletedKey("purge-busy"), { statusCode: 404 });

    const always = vault.emulator.faults.inject({ operation: "purgeDeletedKey", fault: beingDeleted });
    try {
      const stuck = await cleanupKey(vault.client, "purge-stuck", { runId: run.runId, maxWaitMs: 300 });
      assert.equal(stuck.outcome, "failed");
      assert.ok(always.hits >= 2 && always.hits <= 4, `retried until maxWaitMs, then gave up (${always.hits} purges)`);
      assert.equal((await vault.client.getDeletedKey("purge-stuck")).name, "purge-stuck", "left for the next clean-up");
    } finally {
      always.remove();
    }
  });

  test("a certificate is cleaned with its key and secret; they, even tagged as the run's, live or soft-deleted, are never cleaned alone", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir(), tutorial: "certificates-quickstart" });
    const certificate = await createCertificate(vault, "cert-clean-me", run.tags);
    // Whether the service copies a certificate's tags onto its key and secret is not recorded: here
    // they carry the run's tags, so only their being the certificate's (managed) keeps cleanup off them.
    await vault.client.updateKeyProperties("cert-clean-me", certificate.properties.version!, { tags: run.tags });
    await vault.secretClient.updateSecretProperties("cert-clean-me", certificate.properties.version!, { tags: run.tags });
    const alone = ["deleteKey", "deleteSecret", "purgeDeletedKey", "purgeDeletedSecret"].map((operation) => vault.emulator.faults.inject({ operation, fault: "ForbiddenByPolicy" }));
    const keyAndSecret = async () => {
      for (const client of [vault.client, vault.secretClient]) {
        const result = await cleanupObject(client, "cert-clean-me", { runId: run.runId, pollIntervalMs: 20 });
        assert.equal(result.outcome, "left-alone", result.message);
        assert.match(result.message, /^cert-clean-me: left alone — this (key|secret) is certificate cert-clean-me's own \(managed\)/);
      }
    };
    try {
      await keyAndSecret();
      // Deleted with their certificate, they are soft-deleted with it (a get finds them, though no listing shows them): still its.
      await (await vault.certificateClient.beginDeleteCertificate("cert-clean-me", { intervalInMs: 20 })).pollUntilDone();
      assert.equal((await vault.client.getDeletedKey("cert-clean-me")).properties.managed, true);
      await keyAndSecret();
      assert.deepEqual(alone.map((f) => f.hits), [0, 0, 0, 0], "no delete or purge of the key or the secret was even tried");
      const result = await cleanupObject(vault.certificateClient, "cert-clean-me", { runId: run.runId, pollIntervalMs: 20 });
      assert.equal(result.outcome, "purged", result.message);
      assert.equal(result.kind, "certificate");
    } finally {
      for (const fault of alone) fault.remove();
    }
    await assert.rejects(vault.certificateClient.getDeletedCertificate("cert-clean-me"), { statusCode: 404 });
    await assert.rejects(vault.client.getDeletedKey("cert-clean-me"), { statusCode: 404 }, "its key went with it");
    await assert.rejects(vault.secretClient.getDeletedSecret("cert-clean-me"), { statusCode: 404 }, "its secret went with it");
  });

  test("a run that died halfway is cleaned by the next run, from its ledger", async () => {
    const crashed = RunLedger.start({ vaultUrl: vault.emulator.url, dir: ledgerDir });
    crashed.track("crashed-live");
    await vault.client.createRsaKey("crashed-live", { tags: crashed.tags });
    crashed.track("crashed-deleted");
    await vault.client.createRsaKey("crashed-deleted", { tags: crashed.tags });
    await (await vault.client.beginDeleteKey("crashed-deleted", { intervalInMs: 50 })).pollUntilDone();
    crashed.track("crashed-never-created"); // it died between tracking and creating

    const next = RunLedger.start({ vaultUrl: vault.emulator.url, dir: ledgerDir });
    const report = await cleanupRuns(vault.client, ledgersToClean(next), { pollIntervalMs: 50, graceMs: 100 });
    const outcomes = Object.fromEntries(report.flatMap((r) => r.results).map((r) => [r.name, r.outcome]));
    assert.deepEqual(outcomes, { "crashed-live": "purged", "crashed-deleted": "purged", "crashed-never-created": "already-gone" });
    assert.ok(RunLedger.open(crashed.file).closedAt, "a fully cleaned ledger is closed");
    assert.equal(RunLedger.list({ dir: ledgerDir, vaultUrl: vault.emulator.url }).ledgers.some((l) => l.runId === crashed.runId), false, "and no longer listed as work");
    await assert.rejects(vault.client.getKey("crashed-live"), { statusCode: 404 });
  });
});

test("a run still going in another process is not cleaned by this one; once that process is gone, it is", async () => {
  const ledgerDir = tempDir("kvq-ledger-live-");
  const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  try {
    // A ledger written by that other process, as a second notebook's kernel would write it.
    const live = RunLedger.start({ vaultUrl: "https://localhost:1", dir: ledgerDir });
    live.track("in-use-elsewhere");
    const data = JSON.parse(readFileSync(live.file, "utf8"));
    writeFileSync(live.file, JSON.stringify({ ...data, owner: { pid: other.pid, host: hostname() } }));

    const current = RunLedger.start({ vaultUrl: "https://localhost:1", dir: ledgerDir });
    assert.deepEqual(ledgersToClean(current).map((l) => l.runId), [current.runId], "the other process's run is left alone");
    other.kill("SIGKILL");
    await once(other, "exit");
    assert.deepEqual(ledgersToClean(current).map((l) => l.runId), [live.runId, current.runId], "a run whose process is gone is cleaned");
  } finally {
    other.kill("SIGKILL");
  }
});

describe("a vault with purge protection", () => {
  let vault: TestVault;
  before(async () => {
    vault = await startTestVault({ stateDir, reset: true, purgeProtection: true, retentionDays: 7, issueDelayMs: 20 });
  });
  after(() => vault.stop());

  test("the key is deleted, and the learner is told when the service will purge it", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    run.track("protected");
    await vault.client.createRsaKey("protected", { tags: run.tags });
    const [{ results }] = await cleanupRuns(vault.client, [run], { pollIntervalMs: 50 });
    assert.equal(results[0].outcome, "awaiting-purge");
    const inSevenDays = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    assert.match(results[0].message, new RegExp(`purge protection.*purges it on ${inSevenDays}`));
    assert.equal(run.pendingKeys.length, 0, "nothing more the tutorial can do: the ledger is done");
  });

  test("a certificate too: deleted, its purge date told", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir(), tutorial: "certificates-quickstart" });
    run.track("protected-cert", "certificate");
    await createCertificate(vault, "protected-cert", run.tags);
    const [{ results }] = await cleanupRuns(vault.certificateClient, [run], { pollIntervalMs: 20 });
    assert.deepEqual(results.map((r) => [r.kind, r.outcome]), [["certificate", "awaiting-purge"]]);
    assert.match(results[0].message, /purges it on \d{4}-\d\d-\d\d/);
    assert.equal((await vault.certificateClient.getDeletedCertificate("protected-cert")).name, "protected-cert");
    assert.ok(run.closedAt);
  });
});

describe("a vault that forbids purge", () => {
  let vault: TestVault;
  before(async () => {
    vault = await startTestVault({ stateDir, reset: true, issueDelayMs: 20 });
  });
  after(() => vault.stop());

  test("a missing permission is explained with its fix, and the key stays in the ledger for next time", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    run.track("no-purge-right");
    await vault.client.createRsaKey("no-purge-right", { tags: run.tags });
    const fault = vault.emulator.faults.inject({ operation: "purgeDeletedKey", fault: "ForbiddenByPolicy" });
    const [{ results }] = await cleanupRuns(vault.client, [run], { pollIntervalMs: 50 });
    fault.remove();
    assert.equal(results[0].outcome, "failed");
    assert.match(results[0].message, /access policies.*\(purge\).*set-policy/s);
    assert.deepEqual(run.pendingKeys, ["no-purge-right"]);
    assert.equal(existsSync(run.file), true);
    const [{ results: again }] = await cleanupRuns(vault.client, [run]);
    assert.equal(again[0].outcome, "purged");
  });

  test("a certificate whose purge is refused: the certificate permission and its fix, and it stays in the ledger", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir(), tutorial: "certificates-quickstart" });
    run.track("no-cert-purge", "certificate");
    await createCertificate(vault, "no-cert-purge", run.tags);
    const fault = vault.emulator.faults.inject({ operation: "purgeDeletedCertificate", fault: "ForbiddenByPolicy" });
    const [{ results }] = await cleanupRuns(vault.certificateClient, [run], { pollIntervalMs: 20 });
    fault.remove();
    assert.equal(results[0].outcome, "failed");
    assert.match(results[0].message, /lacks a certificate permission \(purge\).*--certificate-permissions get list create delete recover purge/s);
    assert.deepEqual(run.pending, [{ name: "no-cert-purge", kind: "certificate" }]);
    const [{ results: again }] = await cleanupRuns(vault.certificateClient, [run]);
    assert.equal(again[0].outcome, "purged");
  });
});

/**
 * State that survives: keys, versions and soft-deleted keys across a restart on the same ports
 * (so a client built before the restart keeps working), the CA and server certificate reused, the
 * files private, and --reset forgetting keys but not the CA. (Damaged state: store-damage.test.ts.)
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import { EmulatorStateError, startEmulator } from "../../src/emulator/index";
import { DAY_MS, identityPort, rejectsWith, startTestVault, storedRecords, tempDir, vaultPort, type TestVault } from "../helpers/emulator";

const stateDir = tempDir("kvq-persist-");
let vault: TestVault;
before(async () => {
  vault = await startTestVault({ stateDir });
});
after(async () => {
  await vault.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Closes the running emulator and starts a new one on the same ports and state folder. */
async function restart(options: { reset?: boolean; clockOffsetMs?: number } = {}) {
  const ports = { port: vaultPort(vault.emulator), identityPort: identityPort(vault.emulator) };
  const previous = vault;
  await previous.emulator.close();
  vault = await startTestVault({ stateDir, ...ports, ...options });
  return previous;
}

const read = (file: string) => readFileSync(path.join(stateDir, file), "utf8");

test("keys, versions, properties and soft-deleted keys survive a restart", async () => {
  const v1 = await vault.client.createRsaKey("survivor", { tags: { a: "1" } });
  const v2 = await vault.client.createEcKey("survivor");
  await vault.client.updateKeyProperties("survivor", v1.properties.version!, { enabled: false });
  await vault.client.updateKeyRotationPolicy("survivor", { lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P60D" }] });
  await vault.client.createEcKey("deleted-before-restart");
  await (await vault.client.beginDeleteKey("deleted-before-restart", { intervalInMs: 20 })).pollUntilDone();
  const caBefore = vault.emulator.caPem;
  const certBefore = read("tls/server.pem");

  const old = await restart();
  assert.equal(vault.emulator.url, old.emulator.url, "same port");
  assert.equal(vault.emulator.caPem, caBefore, "the CA is reused");
  assert.equal(read("tls/server.pem"), certBefore, "the server certificate is reused");
  assert.equal(vault.emulator.env.IDENTITY_HEADER, old.emulator.env.IDENTITY_HEADER);

  // The client made before the restart still works: same URL, same CA, and its token still verifies.
  const latest = await old.client.getKey("survivor");
  assert.equal(latest.id, v2.id);
  const first = await old.client.getKey("survivor", { version: v1.properties.version });
  assert.equal(first.properties.enabled, false);
  assert.deepEqual(first.properties.tags, { a: "1" });
  assert.deepEqual(first.key?.n, v1.key?.n);
  const versions = [];
  for await (const p of vault.client.listPropertiesOfKeyVersions("survivor")) versions.push(p.version);
  assert.deepEqual(versions, [v1.properties.version, v2.properties.version]);
  assert.deepEqual((await vault.client.getKeyRotationPolicy("survivor")).lifetimeActions, [
    { action: "Rotate", timeAfterCreate: "P60D", timeBeforeExpiry: undefined },
    // The service adds a Notify action 30 days before expiry to every policy without one.
    { action: "Notify", timeAfterCreate: undefined, timeBeforeExpiry: "P30D" },
  ]);

  // The quickstart's conflict: the soft-deleted name is still taken after the restart.
  await rejectsWith(vault.client.createRsaKey("deleted-before-restart"), { status: 409, inner: "ObjectIsDeletedButRecoverable" });
  assert.equal((await vault.client.getDeletedKey("deleted-before-restart")).name, "deleted-before-restart");
  // Private key material still works after the restart: sign with the restored RSA version.
  await vault.client.updateKeyProperties("survivor", v1.properties.version!, { enabled: true });
  const signed = await vault.cryptoClient(v1.id!).sign("RS256", Buffer.alloc(32, 7));
  assert.equal((await vault.cryptoClient(v1.id!).verify("RS256", Buffer.alloc(32, 7), signed.result)).result, true);
});

test("the state files are private and written whole (no temp files left)", async () => {
  await vault.client.createEcKey("written");
  await vault.emulator.flush();
  if (process.platform !== "win32") {
    const files = ["vault.db", "vault.db-wal", "secrets.json", "tls/ca.key.pem", "tls/server.key.pem"].filter((f) => existsSync(path.join(stateDir, f)));
    assert.ok(files.includes("vault.db"));
    for (const file of files) assert.equal(statSync(path.join(stateDir, file)).mode & 0o077, 0, `${file} is readable only by its owner`);
  }
  assert.deepEqual(readdirSync(stateDir).filter((f) => f.endsWith(".tmp")), []);
  assert.ok(storedRecords(stateDir).some((r) => r.kind === "keys" && r.state === "live" && r.id === "written"));
});

test("a deleted key whose retention ended while the emulator was stopped is purged at start", async () => {
  await vault.client.createEcKey("expires-while-stopped");
  await (await vault.client.beginDeleteKey("expires-while-stopped", { intervalInMs: 20 })).pollUntilDone();
  await restart({ clockOffsetMs: 91 * DAY_MS });
  try {
    await rejectsWith(vault.client.getDeletedKey("expires-while-stopped"), { status: 404, code: "KeyNotFound" });
    // Every soft-deleted key had 90 days of retention: all are gone now.
    await rejectsWith(vault.client.getDeletedKey("deleted-before-restart"), { status: 404 });
  } finally {
    await restart();
  }
});

test("--reset forgets every key but keeps the CA and the secrets", async () => {
  const caBefore = vault.emulator.caPem;
  const headerBefore = vault.emulator.env.IDENTITY_HEADER;
  await restart({ reset: true });
  assert.equal(vault.emulator.caPem, caBefore);
  assert.equal(vault.emulator.env.IDENTITY_HEADER, headerBefore);
  await rejectsWith(vault.client.getKey("survivor"), { status: 404, code: "KeyNotFound" });
  await rejectsWith(vault.client.getDeletedKey("deleted-before-restart"), { status: 404 });
  const names = [];
  for await (const p of vault.client.listPropertiesOfKeys()) names.push(p.name);
  assert.deepEqual(names, []);
  await vault.client.createRsaKey("deleted-before-restart"); // the name is free again
});

test("a corrupt secrets file stops the start with what to do; --reset replaces it", async () => {
  const ports = { port: vaultPort(vault.emulator), identityPort: identityPort(vault.emulator) };
  await vault.emulator.close();
  const secretsFile = path.join(stateDir, "secrets.json");
  const good = readFileSync(secretsFile, "utf8");
  try {
    writeFileSync(secretsFile, '{"format": 1, "tenantId": "x"');
    await assert.rejects(startEmulator({ stateDir, ...ports }), (error: Error) => {
      assert.ok(error instanceof EmulatorStateError, String(error));
      assert.ok(error.message.includes(secretsFile));
      assert.match(error.message, /delete that file/);
      assert.match(error.message, /--reset/);
      return true;
    });
    await assertPortFree(ports.port);
    const fresh = await startEmulator({ stateDir, ...ports, reset: true });
    try {
      assert.notEqual(fresh.env.IDENTITY_HEADER, JSON.parse(good).identityHeader, "new secrets");
      assert.equal(JSON.parse(read("secrets.json")).identityHeader, fresh.env.IDENTITY_HEADER, "and saved");
    } finally {
      await fresh.close();
    }
  } finally {
    // This process's SDK clients hold tokens from the original secrets (MSAL caches them per process).
    writeFileSync(secretsFile, good, { mode: 0o600 });
    vault = await startTestVault({ stateDir, ...ports });
  }
  await vault.client.createEcKey("after-new-secrets");
});

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error) => reject(new Error(`port ${port} is still in use after a failed start: ${error.message}`)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

/**
 * Damage to vault.db is told and never made worse: a record whose bytes fail their checksum is not
 * served but named; a file cut short keeps every record that can still be read; a file whose header
 * is gone starts an empty vault with the file kept; a write-ahead log damaged in the middle (which
 * SQLite would replay up to the damage and stop, silently) is reported with the commits it costs.
 * Each time the damaged files are kept byte for byte in damaged-<time>/, a new vault.db holds
 * every intact record, and a crash right after the repair loses nothing acknowledged.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { API, childCaller, kill9, killChildren, startChild } from "../helpers/emulator-child";
import { rejectsWith, startTestVault, tempDir, type TestVault } from "../helpers/emulator";

const dirs: string[] = [];
after(() => {
  killChildren();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const newDir = () => {
  const dir = tempDir("kvq-damage-");
  dirs.push(dir);
  return dir;
};
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

async function startWithNotices(stateDir: string) {
  const notices: string[] = [];
  const vault = await startTestVault({ stateDir, onNotice: (m) => notices.push(m) });
  return { vault, notices };
}

async function signs(vault: TestVault, name: string): Promise<boolean> {
  const key = await vault.client.getKey(name);
  const crypto = vault.cryptoClient(key.id!);
  const digest = Buffer.alloc(32, 5);
  return (await crypto.verify("ES256", digest, (await crypto.sign("ES256", digest)).result)).result;
}

async function vaultWithKeys(stateDir: string, names: string[]): Promise<void> {
  const vault = await startTestVault({ stateDir });
  try {
    for (const name of names) await vault.client.createEcKey(name);
  } finally {
    await vault.stop(); // a clean stop: everything is in vault.db, the log emptied
  }
}

test("a record whose bytes fail their checksum is not served but named; every other record is kept; the file is kept as it was", async () => {
  const dir = newDir();
  await vaultWithKeys(dir, ["first", "victim", "last"]);
  const file = path.join(dir, "vault.db");
  const bytes = readFileSync(file);
  const at = bytes.indexOf('"name":"victim"');
  assert.ok(at > 0, "the record is in the file");
  const x = bytes.indexOf('"x":"', at) + 10;
  bytes[x] = bytes[x] === 0x41 ? 0x42 : 0x41; // one letter of the public key changed
  writeFileSync(file, bytes);
  const damagedSha = sha(file);

  const { vault, notices } = await startWithNotices(dir);
  try {
    const report = vault.emulator.storeReport.damage;
    assert.ok(report, "the damage is reported");
    assert.deepEqual(report.lost, [{ kind: "keys", state: "live", name: "victim", why: "checksum" }]);
    assert.equal(report.kept, 2);
    assert.match(notices.join("\n"), /Kept: 2 intact records\. Lost: key "victim" \(its bytes fail their checksum\)\./);
    await rejectsWith(vault.client.getKey("victim"), { status: 404 });
    assert.equal(await signs(vault, "first"), true);
    assert.equal(await signs(vault, "last"), true);
    assert.equal(sha(path.join(report.keptIn, "vault.db")), damagedSha, "the damaged file is kept byte for byte");
    assert.ok(JSON.parse(readFileSync(path.join(report.keptIn, "report.json"), "utf8")).lost[0].name === "victim");
    await vault.client.createEcKey("victim"); // the name is free again
  } finally {
    await vault.stop();
  }
  const again = await startWithNotices(dir);
  try {
    assert.deepEqual(again.notices, [], "the repaired file is whole");
    for (const name of ["first", "victim", "last"]) assert.equal(await signs(again.vault, name), true, `${name} is in the repaired file`);
  } finally {
    await again.vault.stop();
  }
});

test("a damaged secret is named as a secret, soft-deleted or not; the other secrets and keys are served", async () => {
  const dir = newDir();
  const before = await startTestVault({ stateDir: dir });
  try {
    await before.secretClient.setSecret("kept-secret", "kept-value");
    await before.secretClient.setSecret("victim-secret", "VICTIMVALUE");
    await before.client.createEcKey("kept-key");
  } finally {
    await before.stop();
  }
  const file = path.join(dir, "vault.db");
  const bytes = readFileSync(file);
  const at = bytes.indexOf("VICTIMVALUE");
  assert.ok(at > 0, "the value is in the file");
  bytes[at] = 0x58; // one letter of the value changed
  writeFileSync(file, bytes);

  const { vault, notices } = await startWithNotices(dir);
  try {
    assert.deepEqual(vault.emulator.storeReport.damage?.lost, [{ kind: "secrets", state: "live", name: "victim-secret", why: "checksum" }]);
    assert.match(notices.join("\n"), /Lost: secret "victim-secret" \(its bytes fail their checksum\)\./);
    assert.ok(!notices.join("\n").includes("VICTIMVALUE") && !notices.join("\n").includes("XICTIMVALUE"), "the notice names the secret, never its value");
    await rejectsWith(vault.secretClient.getSecret("victim-secret"), { status: 404, code: "SecretNotFound" });
    assert.equal((await vault.secretClient.getSecret("kept-secret")).value, "kept-value");
    assert.equal(await signs(vault, "kept-key"), true);
  } finally {
    await vault.stop();
  }
});

test("a file cut short keeps every record that can still be read; a file whose header is gone starts empty, kept aside", async () => {
  const dir = newDir();
  const names = Array.from({ length: 60 }, (_, i) => `cut-${String(i).padStart(2, "0")}`);
  await vaultWithKeys(dir, names);
  const file = path.join(dir, "vault.db");
  truncateSync(file, Math.floor(statSync(file).size * 0.6));
  const first = await startWithNotices(dir);
  try {
    const report = first.vault.emulator.storeReport.damage;
    assert.ok(report, "the damage is reported");
    assert.ok(report.kept > 0 && report.kept < names.length, `kept ${report.kept} of ${names.length}`);
    const served: string[] = [];
    for await (const p of first.vault.client.listPropertiesOfKeys()) served.push(p.name);
    assert.equal(served.length, report.kept);
    for (const name of served.slice(0, 5)) assert.equal(await signs(first.vault, name), true, `${name} is whole`);
    assert.match(first.notices.join("\n"), /was damaged\. Kept: \d+ intact records\./);
  } finally {
    await first.vault.stop();
  }

  const header = newDir();
  await vaultWithKeys(header, ["gone"]);
  const headerFile = path.join(header, "vault.db");
  const bytes = readFileSync(headerFile);
  bytes.fill(0x20, 0, 16); // "SQLite format 3\0" overwritten
  writeFileSync(headerFile, bytes);
  const damagedSha = sha(headerFile);
  const second = await startWithNotices(header);
  try {
    const report = second.vault.emulator.storeReport.damage!;
    assert.equal(report.kept, 0);
    assert.equal(sha(path.join(report.keptIn, "vault.db")), damagedSha);
    assert.match(second.notices.join("\n"), /was damaged/);
    await second.vault.client.createEcKey("fresh");
  } finally {
    await second.vault.stop();
  }
});

/** A state folder as kill -9 leaves it: each create its own commit, all of them still in vault.db-wal. */
async function crashedWithLog(names: string[]): Promise<string> {
  const dir = newDir();
  const running = await startChild(dir);
  const { call, agent } = await childCaller(running);
  for (const name of names) assert.equal(await call("POST", `/keys/${name}/create?${API}`, '{"kty":"EC"}'), 200);
  await kill9(running); // within the second after the last write: the log is not folded in yet
  agent.destroy();
  return dir;
}

const FRAME = 24 + 4096;

test("a write-ahead log damaged in the middle: the commits SQLite would silently skip are reported, the files kept; a crash right after the repair loses nothing", async () => {
  const names = Array.from({ length: 12 }, (_, i) => `logged-${i}`);
  const dir = await crashedWithLog(names);
  const log = path.join(dir, "vault.db-wal");
  const frames = Math.floor((statSync(log).size - 32) / FRAME);
  assert.ok(frames >= 6, `the log holds the commits (${frames} frames)`);
  const bytes = readFileSync(log);
  const at = 32 + Math.floor(frames / 2) * FRAME + 24 + 200;
  bytes[at] ^= 0x01;
  writeFileSync(log, bytes);
  const damagedSha = sha(log);

  // The repair, in a child: then kill -9 right after it and after a write made on the repaired file.
  const repaired = await startChild(dir);
  assert.match(repaired.stderr(), /was damaged\. Kept: \d+ intact records\. Lost: .*commits? after byte \d+ of vault\.db-wal, which is damaged there/);
  const [keptIn] = readdirSync(dir).filter((f) => f.startsWith("damaged-"));
  assert.equal(sha(path.join(dir, keptIn, "vault.db-wal")), damagedSha, "the damaged log is kept byte for byte");
  const report = JSON.parse(readFileSync(path.join(dir, keptIn, "report.json"), "utf8"));
  assert.ok(report.wal.commitsLost >= 1, JSON.stringify(report));
  const { call, agent } = await childCaller(repaired);
  const kept = [];
  for (const name of names) if ((await call("GET", `/keys/${name}/?${API}`)) === 200) kept.push(name);
  assert.ok(kept.includes("logged-0"), "the commits before the damage are kept");
  assert.equal(kept.length, report.kept);
  assert.equal(await call("POST", `/keys/after-repair/create?${API}`, '{"kty":"EC"}'), 200);
  await kill9(repaired);
  agent.destroy();

  const next = await startChild(dir);
  try {
    assert.doesNotMatch(next.stderr(), /damaged/, "the repaired file is whole after a crash");
    const again = await childCaller(next);
    for (const name of [...kept, "after-repair"]) assert.equal(await again.call("GET", `/keys/${name}/?${API}`), 200, name);
    again.agent.destroy();
  } finally {
    next.child.kill("SIGTERM");
    await next.exited;
  }
  assert.equal(existsSync(path.join(dir, keptIn, "vault.db")), true);
});

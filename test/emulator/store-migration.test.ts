/**
 * A state folder of an older emulator (`vault.json` + `vault.journal`) is moved into `vault.db` on
 * the first start, nothing lost: the snapshot with the journal's whole records over it, a torn last
 * line (a crash's) dropped as it always was, the old files kept aside. Damage in them costs only
 * what is damaged, and is told: a journal line that fails its checksum (the lines after it kept), a
 * gap in the journal (the snapshot deleted), a snapshot that does not parse (read key by key), a
 * key whose halves no longer match, and the old emulator's records written after a full disk's
 * torn one. Through the real SDK.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { crc32 } from "node:zlib";
import { rejectsWith, startTestVault, tempDir, type TestVault } from "../helpers/emulator";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const newDir = () => {
  const dir = tempDir("kvq-migrate-");
  dirs.push(dir);
  return dir;
};

/** A key as the older emulator stored it: a real EC P-256 key in one version. */
function oldKey(name: string, tags?: Record<string, string>) {
  const jwk = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ format: "jwk" });
  const version = { version: crypto.randomUUID().replace(/-/g, ""), jwk: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, d: jwk.d }, keyOps: ["sign", "verify"], enabled: true, created: 1_700_000_000, updated: 1_700_000_000, tags };
  return { name, versions: [version] };
}
const deletedOf = (key: ReturnType<typeof oldKey>) => ({ key, deletedDate: 1_700_000_100, scheduledPurgeDate: 4_000_000_000, deletingUntilMs: 0 });
const line = (record: object) => {
  const json = JSON.stringify(record);
  return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
};

function writeOldFolder(dir: string, snapshot: object | string | undefined, journal: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (snapshot !== undefined) writeFileSync(path.join(dir, "vault.json"), typeof snapshot === "string" ? snapshot : JSON.stringify(snapshot), { mode: 0o600 });
  writeFileSync(path.join(dir, "vault.journal"), journal, { mode: 0o600 });
}

async function start(stateDir: string) {
  const notices: string[] = [];
  const vault = await startTestVault({ stateDir, onNotice: (m) => notices.push(m) });
  return { vault, notices };
}

async function signs(vault: TestVault, name: string) {
  const key = await vault.client.getKey(name);
  const crypto = vault.cryptoClient(key.id!);
  const digest = Buffer.alloc(32, 9);
  assert.equal((await crypto.verify("ES256", digest, (await crypto.sign("ES256", digest)).result)).result, true, `${name} signs and verifies`);
}

test("an older emulator's vault.json and journal (torn by a crash) are moved into vault.db, nothing lost, the old files kept aside", async () => {
  const dir = newDir();
  const a = oldKey("Alpha", { a: "1" });
  const b = oldKey("beta");
  const c = oldKey("gamma");
  const d = oldKey("delta");
  const a2 = { ...a, versions: [...a.versions, oldKey("Alpha").versions[0]] };
  writeOldFolder(
    dir,
    { format: 1, seq: 3, keys: { alpha: a, beta: b }, deleted: { gamma: deletedOf(c) } },
    line({ s: 2, k: { beta: b } }) + // at or below the snapshot's seq: already in it
      line({ s: 4, k: { delta: d } }) +
      line({ s: 5, k: { alpha: a2 } }) +
      line({ s: 6, k: { beta: null }, d: { beta: deletedOf(b) } }) +
      '1234abcd {"s":7,"k":{"torn":', // a crash's unfinished line
  );
  const first = await start(dir);
  try {
    assert.equal(first.notices.length, 1, first.notices.join("\n"));
    assert.match(first.notices[0], /^# Moved 4 records from vault\.json and vault\.journal \(an older emulator's files\) into vault\.db\. The old files are kept in .*migrated-/);
    assert.deepEqual(first.vault.emulator.storeReport.damage, undefined, "a torn last line is a crash's, not damage");
    const versions = [];
    for await (const p of first.vault.client.listPropertiesOfKeyVersions("alpha")) versions.push(p.version);
    assert.deepEqual(versions, a2.versions.map((v) => v.version));
    assert.deepEqual((await first.vault.client.getKey("alpha", { version: a.versions[0].version })).properties.tags, { a: "1" });
    await signs(first.vault, "delta");
    assert.equal((await first.vault.client.getDeletedKey("beta")).name, "beta");
    assert.equal((await first.vault.client.getDeletedKey("gamma")).name, "gamma");
    await rejectsWith(first.vault.client.getKey("beta"), { status: 404 });
    await first.vault.client.createEcKey("after-migration");
  } finally {
    await first.vault.stop();
  }
  assert.equal(existsSync(path.join(dir, "vault.json")), false);
  assert.equal(existsSync(path.join(dir, "vault.journal")), false);
  const [aside] = readdirSync(dir).filter((f) => f.startsWith("migrated-"));
  assert.deepEqual(readdirSync(path.join(dir, aside)).sort(), ["vault.journal", "vault.json"], "the old files are kept, whole");

  const second = await start(dir);
  try {
    assert.deepEqual(second.notices, [], "nothing to migrate a second time");
    assert.equal((await second.vault.client.getKey("after-migration")).name, "after-migration");
    assert.equal((await second.vault.client.getKey("alpha")).id?.endsWith(a2.versions[1].version), true);
  } finally {
    await second.vault.stop();
  }
});

test("damage in an older emulator's files costs only the damaged records, each named, and is told", async () => {
  const dir = newDir();
  const keys = ["k0", "k1", "k2", "k3", "k4", "k5"].map((n) => oldKey(n));
  // k2's private half no longer belongs to its public half (a changed byte in vault.json).
  const mismatched = structuredClone(keys[2]);
  const x = Buffer.from(mismatched.versions[0].jwk.x!, "base64url");
  x[3] ^= 0x40;
  mismatched.versions[0].jwk.x = x.toString("base64url");
  const whole = line({ s: 3, k: { k3: keys[3] } });
  const at = whole.indexOf('"d":"') + 8;
  const damagedLine = `${whole.slice(0, at)}${whole[at] === "A" ? "B" : "A"}${whole.slice(at + 1)}`; // fails its checksum
  writeOldFolder(
    dir,
    { format: 1, seq: 1, keys: { k0: keys[0], k2: mismatched }, deleted: {} },
    line({ s: 2, k: { k1: keys[1] } }) +
      damagedLine +
      line({ s: 4, k: { k4: keys[4] } }) + // after the damage: kept
      '0badf00d {"s":5,"k":{"x":' + line({ s: 8, k: { k5: keys[5] } }).trimEnd() + "\n", // an old full disk's torn record, and a whole one after it (s 6 and 7 never written)
  );
  const { vault, notices } = await start(dir);
  try {
    const report = vault.emulator.storeReport.damage;
    assert.ok(report, "damage is reported");
    assert.equal(report.kept, 4, JSON.stringify(report));
    assert.deepEqual(
      report.lost.map((l) => [l.name, l.why]).sort(),
      [["k2", "material"], ["k3", "checksum"], [undefined, "gap"]].sort(),
      JSON.stringify(report.lost),
    );
    const told = notices.find((n) => n.startsWith("The vault's state in"));
    assert.ok(told, notices.join("\n"));
    assert.match(told, /Kept: 4 intact records\. Lost: /);
    assert.match(told, /key "k2" \(its private and public halves do not match\)/);
    assert.match(told, /key "k3" \(its bytes fail their checksum\)/);
    assert.match(told, /3 changes missing from the old journal/);
    assert.ok(told.includes(report.keptIn), "names where the files are kept");
    for (const name of ["k0", "k1", "k4", "k5"]) await signs(vault, name);
    await rejectsWith(vault.client.getKey("k2"), { status: 404 });
    assert.deepEqual(readdirSync(report.keptIn).sort(), ["report.json", "vault.journal", "vault.json"]);
  } finally {
    await vault.stop();
  }
});

test("a vault.json that does not parse is read key by key; a journal whose snapshot is gone is told as a gap", async () => {
  const dir = newDir();
  const keys = ["p0", "p1", "p2"].map((n) => oldKey(n));
  const text = JSON.stringify({ format: 1, seq: 0, keys: { p0: keys[0], p1: keys[1] }, deleted: { p2: deletedOf(keys[2]) } });
  // One byte changed inside p1's entry: the file as a whole no longer parses.
  const at = text.indexOf('"p1":{') + 20;
  writeOldFolder(dir, `${text.slice(0, at)}\u0001"${text.slice(at + 2)}`, "");
  const first = await start(dir);
  try {
    const report = first.vault.emulator.storeReport.damage!;
    assert.equal(report.kept, 2, JSON.stringify(report));
    assert.ok(report.lost.some((l) => l.name === "p1"), JSON.stringify(report.lost));
    await signs(first.vault, "p0");
    assert.equal((await first.vault.client.getDeletedKey("p2")).name, "p2");
  } finally {
    await first.vault.stop();
  }

  // vault.json deleted beside a journal that follows it: the changes it held are missing, and said so.
  const gone = newDir();
  writeOldFolder(gone, undefined, line({ s: 10, k: { late: oldKey("late") } }));
  const second = await start(gone);
  try {
    assert.deepEqual(second.vault.emulator.storeReport.damage?.lost, [{ kind: "keys", why: "gap", count: 9 }]);
    assert.match(second.notices.join("\n"), /9 changes missing from the old journal/);
    await signs(second.vault, "late");
  } finally {
    await second.vault.stop();
  }
  assert.ok(readFileSync(path.join(gone, readdirSync(gone).find((f) => f.startsWith("migrated-"))!, "report.json"), "utf8").includes('"gap"'));
});

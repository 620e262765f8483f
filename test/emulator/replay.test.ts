/**
 * Issue 24: the emulator answers as the real service does, judged by the service's own recorded
 * traffic. Every recording under test/fixtures/recordings/ (the Azure SDK for JS's tests against
 * Key Vault) is replayed against one emulator; a difference fails unless test/replay/deviations.ts
 * accepts it with its reason. The comparison's rules are tested here too, so that a rule that
 * stopped seeing differences fails as loudly as the emulator would.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { rawRequest, type TestVault } from "../helpers/emulator";
import { compareBodies, compareHeaders, ReplayState } from "../replay/compare";
import { DEVIATIONS } from "../replay/deviations";
import { KEYS, KINDS } from "../replay/kinds";
import { loadRecordings } from "../replay/recording";
import { describeFailures, replayAll, startReplayVault } from "../replay/run-replay";

let vault: TestVault;
before(async () => {
  vault = await startReplayVault();
});
after(() => vault.stop());

test("every recorded answer of the service is the emulator's, but for the deviations the table accepts", async (t) => {
  const used = new Set<string>();
  const started = performance.now();
  const { runs, tally } = await replayAll(vault, used);
  t.diagnostic(
    `${tally.recordings} recordings, ${tally.exchanges} exchanges, ${tally.compared} answers compared (${tally.collapsed} collapsed): ` +
      `${tally.matching} match (${tally.acceptedOnly} through accepted deviations), ${tally.differing} differ, in ${Math.round(performance.now() - started)} ms`,
  );
  assert.ok(tally.recordings >= 60 && tally.compared >= 390, `the fixtures are all there: ${JSON.stringify(tally)}`);
  assert.equal(tally.differing, 0, `differences no deviation accepts:\n${describeFailures(runs)}`);
  const unused = DEVIATIONS.filter((d) => !used.has(d.id)).map((d) => d.id);
  assert.deepEqual(unused, [], "a deviation the emulator no longer needs is removed from the table");
});

test("a key's attributes are the api-version's: key_size from 7.6, hsmPlatform from 7.5, exportable from 7.3", async () => {
  const token = await vault.token();
  await vault.client.createRsaKey("api-versions", { keySize: 3072 });
  const attributesAt = async (version: string) =>
    (await rawRequest(vault.emulator, { path: `/keys/api-versions/?api-version=${version}`, token })).body.attributes as Record<string, unknown>;
  // The recorded service: 7.5 (2024) answered exportable and hsmPlatform; 7.6 and 2025-07-01 (2026) key_size too.
  for (const version of ["2025-07-01", "7.6"]) {
    const attributes = await attributesAt(version);
    assert.deepEqual([attributes.key_size, attributes.exportable, attributes.hsmPlatform], [3072, false, "0"], version);
    assert.deepEqual(Object.keys(attributes).slice(0, 2), ["enabled", "key_size"], "in the service's order");
  }
  assert.deepEqual(Object.keys(await attributesAt("7.5")).filter((k) => ["key_size", "exportable", "hsmPlatform"].includes(k)), ["exportable", "hsmPlatform"]);
  assert.deepEqual(Object.keys(await attributesAt("7.2")).filter((k) => ["key_size", "exportable", "hsmPlatform"].includes(k)), []);
  const ec = await vault.client.createEcKey("api-versions-ec");
  assert.equal((await rawRequest(vault.emulator, { path: `/keys/${ec.name}/?api-version=7.6`, token })).body.attributes.key_size, undefined, "EC keys have no key_size");
});

test("the deviations table: unique ids, each with its reason", () => {
  assert.equal(new Set(DEVIATIONS.map((d) => d.id)).size, DEVIATIONS.length);
  for (const d of DEVIATIONS) assert.ok(d.reason.length > 80, `${d.id} says why no client sees it`);
});

test("each kind's folder holds its recordings, each cited in its PROVENANCE.json as recorded", () => {
  for (const kind of KINDS) {
    const recordings = loadRecordings(kind.folder);
    assert.ok(recordings.length > 0, kind.folder);
    const provenance = JSON.parse(readFileSync(path.join(kind.folder, "PROVENANCE.json"), "utf8")) as {
      repository: string;
      licence: string;
      recordings: { fixture: string; commit: string; entries: number }[];
    };
    assert.match(provenance.licence, /^MIT/);
    const cited = new Map(provenance.recordings.map((r) => [r.fixture, r]));
    assert.deepEqual([...cited.keys()].sort(), recordings.map((r) => r.name).sort(), "every fixture cited, every citation a fixture");
    for (const r of recordings) {
      assert.match(cited.get(r.name)!.commit, /^[0-9a-f]{40}$/, r.name);
      assert.equal(cited.get(r.name)!.entries, r.entries.length, `${r.name}: the entries as recorded`);
    }
  }
});

// The rules themselves: each would let a real difference through if it were looser.
const state = () => new ReplayState(KEYS, "https://localhost:1");
const rsaBundle = (n: string, version: string, extra: Record<string, unknown> = {}) => ({
  key: { kid: `https://keyvault_name.vault.azure.net/keys/k/${version}`, kty: "RSA", n, e: "AQAB" },
  attributes: { enabled: true, key_size: 2048, created: 1778757437, updated: 1778757437, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 7, ...extra },
});
const v1 = "a".repeat(32);
const v2 = "b".repeat(32);

test("compare: generated key material by shape and length, versions one-to-one, fields by name", () => {
  const s = state();
  const recorded = rsaBundle("x".repeat(342), v1);
  assert.deepEqual(compareBodies(recorded, { ...rsaBundle("y".repeat(342), v2), key: { ...rsaBundle("y".repeat(342), v2).key, kid: `https://localhost:1/keys/k/${v2}` } }, s, "POST /keys/k/create"), []);
  const wrongLength = compareBodies(recorded, { ...rsaBundle("y".repeat(344), v2), key: { kid: `https://localhost:1/keys/k/${v2}`, kty: "RSA", n: "y".repeat(344), e: "AQAB" } }, state(), "POST /keys/k/create");
  assert.deepEqual(wrongLength.map((d) => d.where), ["body.key.n"]);
  // The same recorded version seen again must be the same emulator version.
  const other = compareBodies({ kid: `https://keyvault_name.vault.azure.net/keys/k/${v1}` }, { kid: `https://localhost:1/keys/k/${"c".repeat(32)}` }, s, "GET /keys/k/");
  assert.deepEqual(other.map((d) => d.where), ["body.kid"]);
  const { key_size: _dropped, ...withoutKeySize } = rsaBundle("y".repeat(342), v2).attributes;
  const missing = compareBodies(recorded, { key: { ...recorded.key, kid: `https://localhost:1/keys/k/${v1}` }, attributes: withoutKeySize }, state(), "GET /keys/k/");
  assert.deepEqual(missing.map((d) => d.where), ["body.attributes.key_size"]);
});

test("compare: timestamps by relation, inputs exactly", () => {
  const recorded = { deletedDate: 1778757437, scheduledPurgeDate: 1778757437 + 7 * 86400, attributes: { created: 1778757437, updated: 1778757438, exp: 1546300805 } };
  const now = 1900000000;
  const s = state();
  s.noteInputs({ attributes: { exp: 1546300805 } });
  assert.deepEqual(compareBodies(recorded, { deletedDate: now, scheduledPurgeDate: now + 7 * 86400, attributes: { created: now, updated: now, exp: 1546300805 } }, s, "DELETE /keys/k"), []);
  const ninety = compareBodies(recorded, { deletedDate: now, scheduledPurgeDate: now + 90 * 86400, attributes: { created: now, updated: now, exp: 1546300805 } }, s, "DELETE /keys/k");
  assert.deepEqual(ninety.map((d) => d.where), ["body.deletedDate-scheduledPurgeDate"]);
  const backwards = compareBodies(recorded, { deletedDate: now, scheduledPurgeDate: now + 7 * 86400, attributes: { created: now, updated: now - 5, exp: 1546300806 } }, s, "DELETE /keys/k");
  assert.deepEqual(backwards.map((d) => d.where).sort(), ["body.attributes.created-updated", "body.attributes.exp"]);
  // A long relation moves by no more than the object's seconds of recording time: the service's
  // updated a second after created (exp = created + 365 days), the emulator's in the same second.
  const year = 365 * 86400;
  const certificate = (created: number, updated: number, days = 365) => ({ attributes: { nbf: created - 600, exp: created + days * 86400, created, updated } });
  assert.deepEqual(compareBodies(certificate(1775446478, 1775446479), certificate(now, now), state(), "GET /certificates/c/"), []);
  assert.deepEqual(compareBodies({ attributes: { exp: 1775446478 + year, created: 1775446478, updated: 1775446478 } }, { attributes: { exp: now + year + 2, created: now, updated: now } }, state(), "GET /certificates/c/").map((d) => d.where), ["body.attributes.created-exp", "body.attributes.updated-exp"]);
  assert.deepEqual(compareBodies(certificate(1775446478, 1775446479), certificate(now, now, 366), state(), "GET /certificates/c/").map((d) => d.where).sort(), ["body.attributes.created-exp", "body.attributes.nbf-exp", "body.attributes.updated-exp"]);
});

test("compare: headers by value, request identities by presence, the client's id echoed", () => {
  const recorded = { "Cache-Control": "no-cache", Pragma: "no-cache", "x-ms-request-id": "Sanitized", "x-ms-client-request-id": "Sanitized", Date: "Thu, 14 May 2026 11:17:13 GMT" };
  const good = { "cache-control": "no-cache", pragma: "no-cache", "x-ms-request-id": "1", "x-ms-client-request-id": "mine", date: "now", connection: "keep-alive" };
  assert.deepEqual(compareHeaders(recorded, good, "mine"), []);
  const bad = compareHeaders(recorded, { ...good, pragma: "cache", "x-ms-client-request-id": "other", "content-type": "application/json" }, "mine");
  assert.deepEqual(bad.map((d) => d.where).sort(), ["header content-type", "header pragma", "header x-ms-client-request-id"]);
});

/** Key names: the rules, unique names, seeded names, and a vault check that avoids live and soft-deleted names. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { chooseKeyName, defaultKeyPrefix, keyNameProblem, seededNameSource, toValidKeyName, uniqueKeyName, KEY_NAME_MAX } from "../src/object-names";
import { startTestVault, type TestVault } from "./helpers/emulator";

describe("the rules", () => {
  test("valid names pass; each invalid one says why", () => {
    assert.equal(keyNameProblem("quickstart-Key-1"), undefined);
    assert.equal(keyNameProblem("a".repeat(127)), undefined);
    assert.match(keyNameProblem("")!, /cannot be empty/);
    assert.match(keyNameProblem("a".repeat(128))!, /has 128 characters; a key name has at most 127/);
    assert.match(keyNameProblem("my key_1")!, /contains a space, "_"; a key name takes 1-127 characters: letters/);
  });

  test("toValidKeyName turns anything into a valid name", () => {
    assert.equal(toValidKeyName("My Key (v2)!"), "My-Key-v2");
    assert.equal(toValidKeyName("__"), "quickstart-key");
    assert.equal(toValidKeyName("Ålesund café"), "Alesund-cafe");
    assert.equal(toValidKeyName("x".repeat(300)).length, KEY_NAME_MAX);
  });

  test("unique names: prefix-date-random, valid, within 127 characters, different each time", () => {
    const a = uniqueKeyName("quickstart");
    assert.match(a, /^quickstart-\d{8}-[0-9a-z]{6}$/);
    assert.notEqual(a, uniqueKeyName("quickstart"));
    const long = uniqueKeyName("p".repeat(200));
    assert.ok(long.length <= KEY_NAME_MAX && keyNameProblem(long) === undefined);
  });

  test("seeded names are the same on every run, and differ by seed", () => {
    const first = [uniqueKeyName("k", seededNameSource("docs")), uniqueKeyName("k", seededNameSource("docs"))];
    assert.equal(first[0], first[1]);
    assert.match(first[0], /^k-20260112-[0-9a-z]{6}$/);
    assert.notEqual(first[0], uniqueKeyName("k", seededNameSource("other")));
    const source = seededNameSource("docs");
    assert.notEqual(uniqueKeyName("k", source), uniqueKeyName("k", source), "successive names from one source differ");
  });
});

describe("asking the vault", () => {
  let vault: TestVault;
  before(async () => {
    vault = await startTestVault();
  });
  after(() => vault.stop());

  test("a free preferred name is used as given", async () => {
    assert.deepEqual(await chooseKeyName(vault.client, { preferred: "my-own-key" }), { name: "my-own-key", skipped: [] });
  });

  test("a live name and a soft-deleted name are both refused, with why, and a free one is found", async () => {
    await vault.client.createRsaKey("taken-live");
    await vault.client.createRsaKey("taken-deleted");
    await (await vault.client.beginDeleteKey("taken-deleted", { intervalInMs: 20 })).pollUntilDone();

    const live = await chooseKeyName(vault.client, { preferred: "taken-live" });
    assert.match(live.name, /^taken-live-\d{8}-[0-9a-z]{6}$/);
    assert.match(live.skipped[0].why, /already exists/);

    const deleted = await chooseKeyName(vault.client, { preferred: "taken-deleted" });
    assert.match(deleted.name, /^taken-deleted-/);
    assert.match(deleted.skipped[0].why, /soft-deleted key named taken-deleted holds the name until it is purged on \d{4}-\d{2}-\d{2}/);
    // The point of it all: the chosen name can be created without a 409.
    await vault.client.createRsaKey(deleted.name);
  });

  test("an invalid preferred name is explained and turned into a valid unique one", async () => {
    const chosen = await chooseKeyName(vault.client, { preferred: "my key!" });
    assert.match(chosen.name, /^my-key-\d{8}-/);
    assert.match(chosen.skipped[0].why, /contains a space/);
  });

  test("seeded choices skip names taken by an earlier seeded run, deterministically", async () => {
    const first = await chooseKeyName(vault.client, { prefix: "docs", seed: "s1" });
    await vault.client.createRsaKey(first.name);
    const second = await chooseKeyName(vault.client, { prefix: "docs", seed: "s1" });
    assert.notEqual(second.name, first.name);
    assert.equal(second.skipped[0].name, first.name);
  });
});

test("the default prefix carries the attendee, made valid", () => {
  assert.equal(defaultKeyPrefix({ ATTENDEE: "Ana María" }), "quickstart-Ana-Maria");
  assert.match(defaultKeyPrefix({}), /^quickstart-[0-9a-zA-Z-]+$/);
});

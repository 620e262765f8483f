/**
 * Listing keys, versions and deleted keys with paging as the service does it: `maxresults` 1-25
 * (default 25) and an absolute `nextLink` the SDK follows as it is.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { rawRequest, startTestVault, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let token: string;
const NAMES = Array.from({ length: 30 }, (_, i) => `listed-${String(i).padStart(2, "0")}`);

before(async () => {
  vault = await startTestVault();
  token = await vault.token();
  // EC keys: more than a page of them, quickly.
  for (const name of NAMES) await vault.client.createEcKey(name);
});
after(() => vault.stop());

test("lists more than a page of keys through absolute nextLinks", async () => {
  const first = await rawRequest(vault.emulator, { path: "/keys?api-version=7.5", token });
  assert.equal(first.status, 200);
  assert.equal(first.body.value.length, 25);
  assert.ok(first.body.nextLink.startsWith(`${vault.emulator.url}/keys?`), first.body.nextLink);
  assert.equal(new URL(first.body.nextLink).searchParams.get("api-version"), "7.5");
  // List items carry the kid without a version, and no key material.
  assert.equal(first.body.value[0].kid, `${vault.emulator.url}/keys/listed-00`);
  assert.equal(first.body.value[0].key, undefined);
  assert.equal(first.body.value[0].attributes.recoveryLevel, "Recoverable+Purgeable");

  const second = await rawRequest(vault.emulator, { path: first.body.nextLink, token });
  assert.equal(second.body.value.length, 5);
  assert.equal(second.body.nextLink, null);

  const names: string[] = [];
  for await (const properties of vault.client.listPropertiesOfKeys()) names.push(properties.name);
  assert.deepEqual(names, NAMES);
});

test("pages with the SDK's maxPageSize and with maxresults", async () => {
  const pages: number[] = [];
  const names: string[] = [];
  for await (const page of vault.client.listPropertiesOfKeys().byPage({ maxPageSize: 7 })) {
    pages.push(page.length);
    names.push(...page.map((p) => p.name));
  }
  assert.deepEqual(pages, [7, 7, 7, 7, 2]);
  assert.deepEqual(names, NAMES);

  const one = await rawRequest(vault.emulator, { path: "/keys?api-version=7.4&maxresults=1", token });
  assert.equal(one.body.value.length, 1);
  assert.match(one.body.nextLink, /maxresults=1/);
  for (const bad of ["0", "26", "x", "1.5"]) {
    const res = await rawRequest(vault.emulator, { path: `/keys?api-version=7.4&maxresults=${bad}`, token });
    assert.equal(res.status, 400, bad);
    assert.equal(res.body.error.code, "BadParameter");
  }
});

test("a page stays right when keys come and go between requests", async () => {
  const first = await rawRequest(vault.emulator, { path: "/keys?api-version=7.4&maxresults=10", token });
  await vault.client.createEcKey("listed-00a"); // sorts into the page already read
  const second = await rawRequest(vault.emulator, { path: first.body.nextLink, token });
  assert.equal(second.body.value[0].kid, `${vault.emulator.url}/keys/listed-10`);
  await (await vault.client.beginDeleteKey("listed-00a", { intervalInMs: 20 })).pollUntilDone();
  await vault.client.purgeDeletedKey("listed-00a");
});

test("lists every version of a key, oldest first, with versioned kids", async () => {
  const made = [await vault.client.createEcKey("many-versions")];
  for (let i = 0; i < 27; i++) made.push(await vault.client.createEcKey("many-versions"));
  const versions: string[] = [];
  for await (const properties of vault.client.listPropertiesOfKeyVersions("many-versions")) versions.push(properties.version!);
  assert.deepEqual(versions, made.map((k) => k.properties.version));

  const pages: number[] = [];
  for await (const page of vault.client.listPropertiesOfKeyVersions("many-versions").byPage({ maxPageSize: 10 })) {
    pages.push(page.length);
    for (const p of page) assert.match(p.id!, new RegExp(`/keys/many-versions/[0-9a-f]{32}$`));
  }
  assert.deepEqual(pages, [10, 10, 8]);
});

test("lists deleted keys with their recovery ids, paged", async () => {
  for (const name of ["gone-a", "gone-b", "gone-c"]) {
    await vault.client.createEcKey(name);
    await (await vault.client.beginDeleteKey(name, { intervalInMs: 20 })).pollUntilDone();
  }
  const deleted = [];
  for await (const page of vault.client.listDeletedKeys().byPage({ maxPageSize: 2 })) deleted.push(page.length);
  assert.deepEqual(deleted, [2, 1]);
  const items = [];
  for await (const key of vault.client.listDeletedKeys()) items.push(key);
  assert.deepEqual(items.map((k) => k.name), ["gone-a", "gone-b", "gone-c"]);
  assert.equal(items[0].properties.recoveryId, `${vault.emulator.url}/deletedkeys/gone-a`);
  assert.ok(items[0].properties.scheduledPurgeDate! > items[0].properties.deletedOn!);
  // Deleted keys are not listed among the live ones.
  const live: string[] = [];
  for await (const p of vault.client.listPropertiesOfKeys()) live.push(p.name);
  assert.ok(!live.includes("gone-a"));
});

test("a key still being deleted is listed neither as live nor as deleted, until the delete finishes", async () => {
  const slow = await startTestVault({ deleteDelayMs: 60_000 });
  try {
    await slow.client.createEcKey("slow-gone");
    await slow.client.createEcKey("stays");
    await slow.client.beginDeleteKey("slow-gone");
    const slowToken = await slow.token();
    const deleted = await rawRequest(slow.emulator, { path: "/deletedkeys?api-version=7.5", token: slowToken });
    assert.deepEqual(deleted.body.value, []);
    const live = await rawRequest(slow.emulator, { path: "/keys?api-version=7.5", token: slowToken });
    assert.deepEqual(live.body.value.map((k: { kid: string }) => k.kid.split("/").pop()), ["stays"]);
    slow.emulator.clock.advance(61_000);
    const later = await rawRequest(slow.emulator, { path: "/deletedkeys?api-version=7.5", token: slowToken });
    assert.deepEqual(later.body.value.map((k: { recoveryId: string }) => k.recoveryId.split("/").pop()), ["slow-gone"]);
  } finally {
    await slow.stop();
  }
});

/**
 * Paging when the count lands exactly on a page boundary, for every list the emulator serves
 * (keys, versions of a key, deleted keys): the last full page carries no nextLink, so no client
 * asks for an extra, empty page. listing.test.ts covers the counts between boundaries.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { rawRequest, startTestVault, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let token: string;

/** Follows nextLinks below the SDK: each page's size, and whether each page had a nextLink. */
async function rawPages(path: string): Promise<{ sizes: number[]; links: boolean[] }> {
  const sizes: number[] = [];
  const links: boolean[] = [];
  let next: string | null = path;
  while (next) {
    const res = await rawRequest(vault.emulator, { path: next, token });
    assert.equal(res.status, 200, res.text);
    sizes.push(res.body.value.length);
    links.push(res.body.nextLink !== null && res.body.nextLink !== undefined);
    next = res.body.nextLink ?? null;
    assert.ok(sizes.length <= 20, "runaway paging");
  }
  return { sizes, links };
}

/** The page sizes the SDK sees following the same list. */
async function sdkPages(pages: AsyncIterable<unknown[]>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const page of pages) sizes.push(page.length);
  return sizes;
}

const liveKeyNames = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `edge-${String(from + i).padStart(2, "0")}`);

before(async () => {
  vault = await startTestVault();
  token = await vault.token();
  // 24 keys plus one with 10 versions: exactly 25 live keys, one default page.
  for (const name of liveKeyNames(24)) await vault.client.createEcKey(name);
  for (let i = 0; i < 10; i++) await vault.client.createEcKey("versioned");
  // Exactly 4 deleted keys.
  for (const name of ["gone-1", "gone-2", "gone-3", "gone-4"]) {
    await vault.client.createEcKey(name);
    await (await vault.client.beginDeleteKey(name, { intervalInMs: 20 })).pollUntilDone();
  }
});
after(() => vault.stop());

test("keys: 25 keys are one default page with no nextLink; 25 by 5 are five pages, the last without one", async () => {
  assert.deepEqual(await rawPages("/keys?api-version=7.5"), { sizes: [25], links: [false] });
  assert.deepEqual(await rawPages("/keys?api-version=7.5&maxresults=5"), { sizes: [5, 5, 5, 5, 5], links: [true, true, true, true, false] });
  assert.deepEqual(await sdkPages(vault.client.listPropertiesOfKeys().byPage()), [25]);
  assert.deepEqual(await sdkPages(vault.client.listPropertiesOfKeys().byPage({ maxPageSize: 25 })), [25]);
  assert.deepEqual(await sdkPages(vault.client.listPropertiesOfKeys().byPage({ maxPageSize: 5 })), [5, 5, 5, 5, 5]);
});

test("versions: 10 versions by 5 are two pages, by 10 one, by 1 ten; the last never has a nextLink", async () => {
  const path = "/keys/versioned/versions?api-version=7.5";
  assert.deepEqual(await rawPages(`${path}&maxresults=5`), { sizes: [5, 5], links: [true, false] });
  assert.deepEqual(await rawPages(`${path}&maxresults=10`), { sizes: [10], links: [false] });
  assert.deepEqual((await rawPages(`${path}&maxresults=1`)).sizes, Array(10).fill(1));
  assert.deepEqual(await sdkPages(vault.client.listPropertiesOfKeyVersions("versioned").byPage({ maxPageSize: 5 })), [5, 5]);
  assert.deepEqual(await sdkPages(vault.client.listPropertiesOfKeyVersions("versioned").byPage({ maxPageSize: 10 })), [10]);
});

test("deleted keys: 4 by 2 are two pages, by 4 one, without a trailing nextLink", async () => {
  assert.deepEqual(await rawPages("/deletedkeys?api-version=7.5&maxresults=2"), { sizes: [2, 2], links: [true, false] });
  assert.deepEqual(await rawPages("/deletedkeys?api-version=7.5&maxresults=4"), { sizes: [4], links: [false] });
  assert.deepEqual(await sdkPages(vault.client.listDeletedKeys().byPage({ maxPageSize: 2 })), [2, 2]);
  assert.deepEqual(await sdkPages(vault.client.listDeletedKeys().byPage({ maxPageSize: 4 })), [4]);
});

test("keys: 50 keys are two full default pages and nothing after", async () => {
  for (const name of liveKeyNames(25, 24)) await vault.client.createEcKey(name);
  assert.deepEqual(await rawPages("/keys?api-version=7.5"), { sizes: [25, 25], links: [true, false] });
  assert.deepEqual(await sdkPages(vault.client.listPropertiesOfKeys().byPage()), [25, 25]);
  const names: string[] = [];
  for await (const p of vault.client.listPropertiesOfKeys()) names.push(p.name);
  assert.deepEqual(names, [...liveKeyNames(49), "versioned"]);
});

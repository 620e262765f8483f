/**
 * The local bound on keys (limits.ts), exactly: a vault of at most N keys takes the N-th and
 * refuses the (N+1)-th, whichever way it would arrive (create, import, restore); a soft-deleted
 * key still holds its place until it is purged; a new version of a key it holds is no new key.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_LIMITS } from "../../src/emulator/limits";
import { assertErrorShape, rawRequest, startTestVault, type TestVault } from "../helpers/emulator";

const API = "api-version=2025-07-01";
const LIMIT = 3;
let vault: TestVault;
let token: string;
before(async () => {
  vault = await startTestVault({ limits: { keys: LIMIT } });
  token = await vault.token();
});
after(() => vault.stop());

const raw = (method: string, path: string, body?: unknown) =>
  rawRequest(vault.emulator, { method, path: `${path}?${API}`, token, body: body === undefined ? undefined : JSON.stringify(body) });
const create = (name: string) => raw("POST", `/keys/${name}/create`, { kty: "EC" });

/** The answer of a request the limit refuses: 403 QuotaExceeded, the limit named. */
function assertFull(res: Awaited<ReturnType<typeof raw>>) {
  assertErrorShape(res, 403, "Forbidden");
  assert.equal(res.body.error.innererror?.code, "QuotaExceeded", res.text);
  assert.match(res.body.error.message, new RegExp(`at most ${LIMIT} keys \\(live and deleted\\)`));
}

test("the default is 10,000 keys", () => {
  assert.equal(DEFAULT_LIMITS.keys, 10_000);
});

test(`a vault of at most ${LIMIT} keys takes key ${LIMIT} and refuses key ${LIMIT + 1}, by create, import or restore; deleted keys count until purged`, async () => {
  for (let i = 1; i <= LIMIT; i++) assert.equal((await create(`held-${i}`)).status, 200, `key ${i} of ${LIMIT}`);
  assertFull(await create("one-more"));
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  assertFull(await raw("PUT", "/keys/one-more-imported", { key: jwk }));
  assert.equal((await create("held-1")).status, 200, "a new version of a key the vault holds is no new key");
  assert.equal((await raw("GET", "/keys/one-more/")).status, 404, "nothing of a refused create was kept");

  // A backup of held-3, then held-3 deleted: still held (soft-deleted), so the vault stays full.
  const backup = await raw("POST", "/keys/held-3/backup");
  assert.equal(backup.status, 200, backup.text);
  await (await vault.client.beginDeleteKey("held-3", { intervalInMs: 20 })).pollUntilDone();
  assertFull(await create("one-more"));
  // Purged, its place is free: one more fits, and then none.
  await vault.client.purgeDeletedKey("held-3");
  assert.equal((await create("one-more")).status, 200);
  assertFull(await create("two-more"));
  // A restore of the purged name answers 409 for as long as a delete takes (50 ms here): past it, the limit answers.
  await sleep(150);
  assertFull(await raw("POST", "/keys/restore", { value: backup.body.value }));
});

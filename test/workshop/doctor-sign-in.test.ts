/**
 * The sign-in check's failure path. Its own file (its own process): the credential library caches
 * managed-identity tokens process-wide, so this must run before any token was ever issued.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { runDoctor } from "../../src/workshop/doctor";
import { startTestVault, type TestVault } from "../helpers/emulator";

let vault: TestVault;
before(async () => {
  vault = await startTestVault();
});
after(() => vault.stop());

test("a wrong identity header: sign-in fails, later checks are skipped, and the fix says how to get a working .env", async () => {
  process.env.IDENTITY_HEADER = "not-the-emulator-secret";
  const results = await runDoctor({ env: { ...process.env, KVQ_ENV_FILE: "none" }, projectRoot: path.resolve(__dirname, "..", "..") });
  const r = Object.fromEntries(results.map((x) => [x.id, x]));
  assert.equal(r.network.status, "pass");
  assert.equal(r["sign-in"].status, "fail");
  assert.match(r["sign-in"].detail, /Getting a token failed/);
  assert.match(r["sign-in"].fix ?? "", /npm run emulator|az login/);
  assert.doesNotMatch(JSON.stringify(results), /not-the-emulator-secret/, "the header value never appears in the report");
  assert.equal(r.permissions.status, "skip");
});

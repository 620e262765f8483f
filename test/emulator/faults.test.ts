/**
 * Fault injection: errors a local vault would never give on its own — a missing role, access
 * policy or network rule, a token from the wrong tenant, a busy service — and the throttle that
 * answers 429 with Retry-After, so the SDK's retry path runs for real.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertErrorShape, rawRequest, rejectsWith, startTestVault, type TestVault } from "../helpers/emulator";

// The throttle test waits out a real 10-second window: it runs beside the others, not after them.
describe("faults", { concurrency: true }, () => {
  describe("injected errors", { concurrency: 1 }, () => {
    let vault: TestVault;
    before(async () => {
      vault = await startTestVault();
    });
    after(() => vault.stop());

    test("ForbiddenByRbac: the service's 403 naming the data action, for `times` requests", async () => {
      const fault = vault.emulator.faults.inject({ operation: "createKey", fault: "ForbiddenByRbac", times: 2 });
      for (let i = 0; i < 2; i++) {
        const error = await rejectsWith(vault.client.createRsaKey("rbac"), { status: 403, code: "Forbidden", inner: "ForbiddenByRbac" });
        assert.match(error.message, /^Caller is not authorized to perform action on resource\./);
        assert.match(error.message, /Action: 'Microsoft\.KeyVault\/vaults\/keys\/create\/action'/);
        assert.match(error.message, /Assignment: \(not found\)/);
      }
      assert.equal(fault.hits, 2);
      await vault.client.createRsaKey("rbac"); // the third goes through
      assert.equal(fault.hits, 2);
      // Other operations were never affected.
      assert.equal((await vault.client.getKey("rbac")).name, "rbac");
    });

    test("ForbiddenByPolicy names the missing key permission (the quickstart's purge)", async () => {
      await vault.client.createEcKey("policy");
      await (await vault.client.beginDeleteKey("policy", { intervalInMs: 20 })).pollUntilDone();
      const fault = vault.emulator.faults.inject({ operation: "purgeDeletedKey", fault: "ForbiddenByPolicy" });
      try {
        const error = await rejectsWith(vault.client.purgeDeletedKey("policy"), { status: 403, code: "Forbidden", inner: "ForbiddenByPolicy" });
        assert.match(error.message, /^The user, group or application '.+' does not have keys purge permission on key vault '.+;location=.+'\./);
        await rejectsWith(vault.client.purgeDeletedKey("policy"), { status: 403, inner: "ForbiddenByPolicy" });
      } finally {
        fault.remove();
      }
      await vault.client.purgeDeletedKey("policy");
      assert.equal(fault.hits, 2);
    });

    test("network rules for every operation: ForbiddenByFirewall and ForbiddenByConnection", async () => {
      for (const [name, message] of [
        ["ForbiddenByFirewall", /^Client address is not authorized and caller is not a trusted service\.$/],
        ["ForbiddenByConnection", /private link/],
      ] as const) {
        const fault = vault.emulator.faults.inject({ operation: "*", fault: name });
        try {
          await rejectsWith(vault.client.getKey("rbac"), { status: 403, inner: name, message });
          await rejectsWith(vault.client.getRandomBytes(4), { status: 403, inner: name });
          // The SDK's pager reports only the status ("Pagination failed with unexpected statusCode 403").
          await rejectsWith(vault.client.listPropertiesOfKeys().next(), { status: 403 });
        } finally {
          fault.remove();
        }
      }
      assert.equal((await vault.client.getRandomBytes(4)).length, 4);
    });

    test("WrongTenant answers 401 AKV10032; custom errors carry their own status and codes", async () => {
      const wrongTenant = vault.emulator.faults.inject({ operation: "getKey", fault: "WrongTenant", times: 1 });
      const res = await rawRequest(vault.emulator, { path: "/keys/rbac?api-version=7.5", token: await vault.token() });
      assertErrorShape(res, 401, "Unauthorized");
      assert.match(res.body.error.message, /^AKV10032: Invalid issuer\./);
      assert.equal(wrongTenant.hits, 1);

      vault.emulator.faults.inject({ operation: "rotateKey", fault: { status: 400, code: "BadParameter", message: "Rotation is paused.", innerCode: "Paused" }, times: 1 });
      await rejectsWith(vault.client.rotateKey("rbac"), { status: 400, code: "BadParameter", inner: "Paused", message: "Rotation is paused." });
      assert.equal((await vault.client.rotateKey("rbac")).name, "rbac");
    });

    test("a 503 with Retry-After is retried by the SDK, which then succeeds", async () => {
      const fault = vault.emulator.faults.inject({ operation: "getKey", fault: "ServiceUnavailable", times: 1 });
      const started = Date.now();
      assert.equal((await vault.client.getKey("rbac")).name, "rbac");
      assert.equal(fault.hits, 1);
      assert.ok(Date.now() - started >= 900, "the SDK waited the Retry-After second");
    });

    test("faults.clear() removes every rule", async () => {
      vault.emulator.faults.inject({ operation: "*", fault: "ForbiddenByFirewall" });
      vault.emulator.faults.inject({ operation: "getKey", fault: "ForbiddenByRbac" });
      vault.emulator.faults.clear();
      assert.equal((await vault.client.getKey("rbac")).name, "rbac");
    });
  });

  describe("throttle", { concurrency: 1 }, () => {
    let vault: TestVault;
    before(async () => {
      vault = await startTestVault({ throttle: 2 });
    });
    after(() => vault.stop());

    test("the (N+1)th creation in 10 s gets 429 with Retry-After; the SDK's retry then succeeds", async () => {
      await vault.client.createEcKey("throttled-1");
      await vault.client.createEcKey("throttled-2");

      const token = await vault.token();
      const res = await rawRequest(vault.emulator, { method: "POST", path: "/keys/throttled-raw/create?api-version=7.5", token, body: '{"kty":"EC"}' });
      assertErrorShape(res, 429, "Throttled");
      assert.match(res.body.error.message, /too many requests/);
      const retryAfter = Number(res.headers["retry-after"]);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 10, `Retry-After: ${res.headers["retry-after"]}`);
      // Only creations count: reading goes on.
      assert.equal((await vault.client.getKey("throttled-1")).name, "throttled-1");

      const key = await vault.client.createEcKey("throttled-3");
      assert.equal(key.name, "throttled-3");
      assert.ok(vault.throttleNotices.length >= 1, "the 429 was seen");
      assert.ok(vault.throttleNotices[0].retryAfterSeconds >= 1);
      // The throttled request made nothing.
      await rejectsWith(vault.client.getKey("throttled-raw"), { status: 404, code: "KeyNotFound" });
    });
  });
});

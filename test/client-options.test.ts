/** Client options: nothing that changes TLS or the challenge for Azure; the emulator's CA for a local URL; a busy notice on 429. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KeyClient } from "@azure/keyvault-keys";
import { clientOptionsFor, EmulatorCaError, isLocalVaultUrl } from "../src/client-options";
import type { ThrottleNotice } from "../src/throttle-notice";
import { startTestVault, type TestVault } from "./helpers/emulator";

describe("options", () => {
  test("a vault in Azure: no TLS or challenge changes, only the busy notice", () => {
    const options = clientOptionsFor("https://kv1.vault.azure.net");
    assert.equal(options.tlsOptions, undefined);
    assert.equal(options.disableChallengeResourceVerification, undefined);
    assert.deepEqual(options.additionalPolicies?.map((p) => p.policy.name), ["kvqThrottleNotice"]);
  });

  test("loopback URLs are the emulator; anything else is not", () => {
    for (const url of ["https://localhost:47443", "https://127.0.0.1:1", "https://[::1]:8443"]) assert.equal(isLocalVaultUrl(url), true, url);
    for (const url of ["https://kv1.vault.azure.net", "https://localhost.evil.com", "not a url"]) assert.equal(isLocalVaultUrl(url), false, url);
  });

  test("a local URL without the CA variable: a clear error naming the command that writes it", () => {
    assert.throws(() => clientOptionsFor("https://localhost:47443", { env: {} }), (error: Error) => {
      assert.ok(error instanceof EmulatorCaError);
      assert.match(error.message, /KVQ_EMULATOR_CA.*npm run emulator/s);
      return true;
    });
    assert.throws(() => clientOptionsFor("https://localhost:47443", { env: { KVQ_EMULATOR_CA: "/nope/ca.pem" } }), /Cannot read the emulator's CA certificate at \/nope\/ca\.pem/);
  });
});

describe("against the emulator", () => {
  let vault: TestVault;
  before(async () => {
    vault = await startTestVault();
  });
  after(() => vault.stop());

  test("the CA comes from KVQ_EMULATOR_CA even when the shell's NODE_EXTRA_CA_CERTS points elsewhere", async () => {
    const env = { KVQ_EMULATOR_CA: vault.emulator.env.KVQ_EMULATOR_CA, NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca-certificates.crt" };
    const client = new KeyClient(vault.emulator.url, vault.credential, clientOptionsFor(vault.emulator.url, { env }));
    await client.createRsaKey("ca-from-own-variable");
  });

  test("a 429 is reported as 'the vault is busy', and the SDK's retry then succeeds", async () => {
    const notices: ThrottleNotice[] = [];
    const client = new KeyClient(vault.emulator.url, vault.credential, clientOptionsFor(vault.emulator.url, { ca: vault.emulator.caPem, onThrottle: (n) => notices.push(n) }));
    await client.getKey("ca-from-own-variable").catch(() => undefined); // sign in first
    const fault = vault.emulator.faults.inject({ operation: "createKey", fault: "Throttled", times: 1 });
    const key = await client.createRsaKey("after-busy");
    assert.equal(fault.hits, 1);
    assert.equal(key.name, "after-busy");
    assert.equal(notices.length, 1);
    assert.ok(notices[0].retryAfterSeconds >= 1);
    assert.match(notices[0].url, /\/keys\/after-busy\/create$/);
  });
});

/**
 * Client options: nothing that changes TLS or the challenge for Azure; the emulator's CA for a local URL; a busy notice on 429;
 * connection failures that fail in seconds, named, with the right fix for the right cause.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KeyClient, type KeyClientOptions } from "@azure/keyvault-keys";
import { createServer as createNetServer, type AddressInfo, type LookupFunction } from "node:net";
import { Agent } from "node:https";
import { createServer as createTlsServer } from "node:tls";
import { clientOptionsFor, EmulatorCaError, isLocalVaultUrl } from "../src/client-options";
import type { ThrottleNotice } from "../src/throttle-notice";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { explainError } from "../src/vault-errors";
import { connectionFailureKind, VaultUnreachableError } from "../src/vault-unreachable";
import { startTestVault, tempDir, type TestVault } from "./helpers/emulator";
import { deadPort } from "./helpers/ports";

describe("options", () => {
  test("a vault in Azure: no TLS or challenge changes, only the busy notice", () => {
    const options = clientOptionsFor("https://kv1.vault.azure.net");
    assert.equal(options.tlsOptions, undefined);
    assert.equal(options.disableChallengeResourceVerification, undefined);
    assert.deepEqual(options.additionalPolicies?.map((p) => p.policy.name), ["kvqThrottleNotice", "kvqConnectionFailFast", "kvqLifecycleRequests"]);
    assert.equal(options.retryOptions?.maxRetries, 10);
    assert.equal(clientOptionsFor("https://kv1.vault.azure.net", { maxRetries: 2 }).retryOptions?.maxRetries, 2);
  });

  test("loopback URLs are the emulator; anything else is not", () => {
    for (const url of ["https://localhost:47443", "https://127.0.0.1:1", "https://[::1]:8443"]) assert.equal(isLocalVaultUrl(url), true, url);
    for (const url of ["https://kv1.vault.azure.net", "https://localhost.evil.com", "not a url"]) assert.equal(isLocalVaultUrl(url), false, url);
  });

  test("which failures are connection failures, by Node's code; an answer from the server never is", () => {
    const kinds = {
      refused: ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"],
      hostNotFound: ["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME"],
      dropped: ["ECONNRESET", "ETIMEDOUT", "ESOCKETTIMEDOUT", "EPIPE"],
      tls: ["SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_GET_ISSUER_CERT", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID", "CERT_SIGNATURE_FAILURE"],
    };
    for (const [kind, codes] of Object.entries(kinds)) for (const code of codes) assert.equal(connectionFailureKind({ code }), kind, code);
    for (const error of [{ code: "ECONNREFUSED", response: { status: 502 } }, { code: "EACCES" }, { code: 61 }, new Error("no code"), undefined, null]) {
      assert.equal(connectionFailureKind(error), undefined, JSON.stringify(error));
    }
  });

  test("a local URL without the CA variable: a clear error naming the command that writes it", () => {
    assert.throws(() => clientOptionsFor("https://localhost:47443", { env: {} }), (error: Error) => {
      assert.ok(error instanceof EmulatorCaError);
      assert.match(error.message, /KVQ_EMULATOR_CA.*npm run emulator/s);
      return true;
    });
    assert.throws(() => clientOptionsFor("https://localhost:47443", { env: { KVQ_EMULATOR_CA: "/nope/ca.pem" } }), /Cannot read the emulator's CA certificate at \/nope\/ca\.pem: ENOENT\./);
  });

  test("the CA's error prints as its message in a notebook cell (tslab inspects it), not a stack trace", () => {
    const folder = tempDir();
    assert.throws(() => clientOptionsFor("https://localhost:47443", { env: { KVQ_EMULATOR_CA: folder } }), (error: Error) => {
      assert.equal(inspect(error), `EmulatorCaError: Cannot read the emulator's CA certificate at ${folder}: EISDIR. Start the emulator once (\`npm run emulator\`) to create it.`);
      return true;
    });
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
    // The service's throttle answer, asking for a 1-s wait (the named fault asks for 5).
    const throttled = { status: 429, code: "Throttled", message: "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached", headers: { "Retry-After": "1" } };
    const fault = vault.emulator.faults.inject({ operation: "createKey", fault: throttled, times: 1 });
    const key = await client.createRsaKey("after-busy");
    assert.equal(fault.hits, 1);
    assert.equal(key.name, "after-busy");
    assert.equal(notices.length, 1);
    assert.ok(notices[0].retryAfterSeconds >= 1);
    assert.match(notices[0].url, /\/keys\/after-busy\/create$/);
  });
});

/** Fails a first request against url and returns the error, the explanation and how long it took. */
async function failure(url: string, options: Parameters<typeof clientOptionsFor>[1], credential: TestVault["credential"], extra: KeyClientOptions = {}) {
  const started = Date.now();
  // The SDK's retry delays, short: what is tested is how often and what for, not the SDK's backoff.
  const fast = { retryOptions: { maxRetries: options?.maxRetries ?? 10, retryDelayInMs: 10, maxRetryDelayInMs: 50 } };
  const error = await new KeyClient(url, credential, { ...clientOptionsFor(url, options), ...fast, ...extra }).getKey("any").then(
    () => assert.fail(`${url} answered`),
    (e: unknown) => e,
  );
  const seconds = (Date.now() - started) / 1000;
  assert.ok(error instanceof VaultUnreachableError, String(error));
  assert.ok(seconds < 30, `named failure after ${seconds} s`);
  return { error, explanation: explainError(error)!, seconds };
}

// A bound, not a benchmark: a failure that stops failing fast fails its test in 30 s instead of stalling the run.
const FAIL_FAST_BOUND = { timeout: 30_000 };

describe("connection failures fail fast, named, with the fix for their cause", () => {
  let vault: TestVault;
  before(async () => {
    vault = await startTestVault();
  });
  after(() => vault.stop());

  test("a port nobody listens on, and no emulator recorded: the emulator is not running", FAIL_FAST_BOUND, async () => {
    const url = `https://localhost:${await deadPort()}`;
    const env = { KVQ_EMULATOR_CA: `${tempDir()}/tls/ca.pem` };
    const { error, explanation } = await failure(url, { ca: vault.emulator.caPem, env }, vault.credential);
    assert.equal(error.kind, "refused");
    assert.equal(error.url, url);
    assert.match(error.message, new RegExp(`Could not reach ${url} \\(connection refused\\)`));
    assert.match(explanation.meaning, /emulator is not running/);
    assert.match(explanation.fix, /npm run emulator/);
  });

  test("the emulator runs on another port than the settings say: its real address is the fix", FAIL_FAST_BOUND, async () => {
    const url = `https://localhost:${await deadPort()}`;
    const env = { KVQ_EMULATOR_CA: vault.emulator.env.KVQ_EMULATOR_CA };
    const { error, explanation } = await failure(url, { ca: vault.emulator.caPem, env }, vault.credential);
    assert.equal(error.diagnosis.cause, "emulatorOtherPort");
    assert.match(explanation.meaning, new RegExp(`running at ${vault.emulator.url}, but your settings say ${url}`));
    assert.match(explanation.fix, new RegExp(`KEY_VAULT_URL=${vault.emulator.url}.*IDENTITY_ENDPOINT=${vault.emulator.env.IDENTITY_ENDPOINT.replace(/[.]/g, "\\.")}`));
  });

  test("an emulator that was stopped: not running, even though its record names this very port", FAIL_FAST_BOUND, async () => {
    const stopped = await startTestVault({ stateDir: tempDir() });
    await stopped.stop();
    const { explanation } = await failure(stopped.emulator.url, { ca: stopped.emulator.caPem, env: { ...stopped.emulator.env } }, vault.credential);
    assert.match(explanation.meaning, /emulator is not running/);
  });

  test("a refused connection to a vault in Azure is named for Azure (the URL, a firewall or proxy), not for the emulator", FAIL_FAST_BOUND, async () => {
    // An Azure vault's name that resolves to this machine, where nothing listens on the port: the
    // refusal a firewall would give, without the internet. The emulator's variables are set and it
    // runs on another port, so advice for the emulator would have something to say.
    const port = await deadPort();
    const url = `https://kvq-refused.vault.azure.net:${port}`;
    const lookup: LookupFunction = (hostname, options, callback) => {
      if (hostname !== "kvq-refused.vault.azure.net") return callback(Object.assign(new Error(`not this test's host: ${hostname}`), { code: "ENOTFOUND" }), "", 4);
      if (options.all) (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [{ address: "127.0.0.1", family: 4 }]);
      else callback(null, "127.0.0.1", 4);
    };
    const agent = new Agent({ lookup });
    try {
      const { error, explanation } = await failure(url, { env: { ...vault.emulator.env } }, vault.credential, { agent });
      assert.equal(error.kind, "refused");
      assert.equal(error.diagnosis.cause, "refused");
      assert.match(error.message, new RegExp(`Could not reach ${url.replace(/[.]/g, "\\.")} \\(connection refused\\)`));
      assert.match(explanation.meaning, /the port is wrong, or a firewall or proxy refuses the connection/);
      assert.match(explanation.fix, /https:\/\/<name>\.vault\.azure\.net, no port/);
      assert.doesNotMatch(`${explanation.meaning}\n${explanation.fix}`, /emulator/);
    } finally {
      agent.destroy();
    }
  });

  test("each kind is retried as often as promised — refused and not found once, TLS never, dropped three times, none past maxRetries — and keeps its cause", FAIL_FAST_BOUND, async () => {
    const host = "kvq-retries.vault.azure.net";
    /** The agent's look-ups of the host: one per connection the client opens. */
    const counting = (answer: "loopback" | "not found") => {
      const agent = Object.assign(new Agent({
        lookup: ((_hostname, options, callback) => {
          agent.attempts++;
          if (answer === "not found") return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }), "", 4);
          if (options.all) (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [{ address: "127.0.0.1", family: 4 }]);
          else callback(null, "127.0.0.1", 4);
        }) as LookupFunction,
      }), { attempts: 0 });
      return agent;
    };
    /** A server that takes each connection and ends it at once, or answers TLS with a certificate of its own. */
    const listening = async (tls: boolean) => {
      const { generate } = require("selfsigned") as typeof import("selfsigned");
      const own = tls ? await generate([{ name: "commonName", value: host }], { keyType: "ec", algorithm: "sha256" }) : undefined;
      const server = own ? createTlsServer({ key: own.private, cert: own.cert }) : createNetServer((socket) => socket.destroy());
      const connections = { count: 0 };
      server.on("connection", () => connections.count++);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return { server, connections, port: (server.address() as AddressInfo).port };
    };

    const refused = counting("loopback");
    const notFound = counting("not found");
    const refusedError = (await failure(`https://${host}:${await deadPort()}`, {}, vault.credential, { agent: refused })).error;
    const notFoundError = (await failure(`https://${host}`, {}, vault.credential, { agent: notFound })).error;
    assert.deepEqual([refusedError.kind, refused.attempts, notFoundError.kind, notFound.attempts], ["refused", 2, "hostNotFound", 2]);
    assert.equal((refusedError.cause as { code?: string }).code, "ECONNREFUSED", "the SDK's error is the cause");

    const dropping = await listening(false);
    const tls = await listening(true);
    try {
      const drops = async (maxRetries: number) => {
        const before = dropping.connections.count;
        const { error } = await failure(`https://${host}:${dropping.port}`, { maxRetries }, vault.credential, { agent: counting("loopback") });
        assert.equal(error.kind, "dropped");
        return dropping.connections.count - before;
      };
      assert.equal(await drops(10), 4, "a dropped connection: tried, then retried 3 times");
      assert.equal(await drops(2), 3, "never more retries than maxRetries");
      const { error } = await failure(`https://${host}:${tls.port}`, {}, vault.credential, { agent: counting("loopback") });
      assert.deepEqual([error.kind, tls.connections.count], ["tls", 1], "an untrusted certificate: not retried");
    } finally {
      dropping.server.close();
      tls.server.close();
    }
  });

  test("a request the caller aborts is not a connection failure: the SDK's AbortError, as it is", async () => {
    const url = `https://localhost:${await deadPort()}`;
    const client = new KeyClient(url, vault.credential, clientOptionsFor(url, { ca: vault.emulator.caPem, env: {} }));
    await assert.rejects(client.getKey("any", { abortSignal: AbortSignal.abort() }), (error: Error) => {
      assert.equal(error.name, "AbortError");
      return true;
    });
  });

  test("a host that does not resolve: a typo'd host is named as no vault address; a vault name that does not exist, as such", FAIL_FAST_BOUND, async () => {
    const typo = await failure("https://x.vault.azure.nte", {}, vault.credential);
    assert.equal(typo.error.kind, "hostNotFound");
    assert.match(typo.explanation.meaning, /x\.vault\.azure\.nte does not exist.*\.vault\.azure\.net/);
    assert.match(typo.explanation.fix, /KEY_VAULT_URL/);
    const missing = await failure("https://kvq-no-such-vault-4711.vault.azure.net", {}, vault.credential);
    assert.match(missing.explanation.meaning, /No vault named kvq-no-such-vault-4711/);
    assert.match(missing.explanation.fix, /az keyvault list/);
  });

  test("a certificate from another CA: a TLS failure at once, never retried, never verification turned off", FAIL_FAST_BOUND, async () => {
    const otherCa = readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8");
    const { error, explanation } = await failure(vault.emulator.url, { ca: otherCa, env: { ...vault.emulator.env } }, vault.credential);
    assert.equal(error.kind, "tls");
    assert.match(explanation.fix, /npm run emulator/);
    assert.match(explanation.fix, /Never turn TLS verification off/);
  });
});

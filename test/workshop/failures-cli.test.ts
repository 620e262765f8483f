/**
 * The failure path through the real command line: a vault that cannot be reached (an emulator
 * stopped, another port than the settings say, a host that does not resolve), a wrong emulator
 * secret, a malformed URL — each named, with its fix, in seconds, never as "a bug in kvq".
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runKvq, type CliResult } from "../helpers/cli";
import { startTestVault, tempDir, type TestVault } from "../helpers/emulator";
import { deadPort } from "../helpers/ports";

async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult & { seconds: number; all: string }> {
  const started = Date.now();
  const result = await runKvq(args, { env: { KVQ_ENV_FILE: "none", KVQ_LANG: "en", ...env } });
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 60, `${args.join(" ")} took ${seconds} s`);
  const all = result.stdout + result.stderr;
  assert.doesNotMatch(all, /bug in kvq|unexpected failure|\n\s+at /, "no stack trace, no 'bug in kvq'");
  return { ...result, seconds, all };
}

describe("commands facing a vault they cannot use", () => {
  let vault: TestVault;
  let stopped: NodeJS.ProcessEnv;
  const noEmulator = { IDENTITY_ENDPOINT: "", IDENTITY_HEADER: "", AZURE_TOKEN_CREDENTIALS: "", NODE_EXTRA_CA_CERTS: "", KVQ_EMULATOR_CA: "" };
  before(async () => {
    vault = await startTestVault();
    const gone = await startTestVault({ stateDir: tempDir() });
    await gone.stop();
    stopped = { ...gone.emulator.env };
  });
  after(() => vault.stop());

  test("kvq cleanup, the emulator stopped: named, the fix is to start it, exit 1", async () => {
    const r = await timed(["cleanup"], stopped);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Could not reach https:\/\/localhost:\d+ \(connection refused\)/);
    assert.match(r.stderr, /the local emulator is not running/);
    assert.match(r.stderr, /Fix: Start it .*npm run emulator/);
  });

  test("kvq cleanup and kvq doctor, settings naming another port than the running emulator's: the real address is the fix", async () => {
    const url = `https://localhost:${await deadPort()}`;
    const cleanup = await timed(["cleanup", "--vault", url], { ...vault.emulator.env });
    assert.equal(cleanup.code, 1);
    assert.match(cleanup.stderr, new RegExp(`running at ${vault.emulator.url}, but your settings say ${url}`));
    assert.match(cleanup.stderr, new RegExp(`KEY_VAULT_URL=${vault.emulator.url}`));
    const doctor = await timed(["doctor"], { ...vault.emulator.env, KEY_VAULT_URL: url });
    assert.notEqual(doctor.code, 0);
    assert.match(doctor.stdout, new RegExp(`running at ${vault.emulator.url}, but your settings say ${url}`));
  });

  test("kvq cleanup, a host that does not resolve: named as no vault address", async () => {
    const r = await timed(["cleanup", "--vault", "https://x.vault.azure.nte"], noEmulator);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Could not reach https:\/\/x\.vault\.azure\.nte \(host name not found\)/);
    assert.match(r.stderr, /not a Key Vault address/);
  });

  test("a wrong IDENTITY_HEADER: the emulator refused the sign-in, with its fix — not 'az login'", async () => {
    const r = await timed(["cleanup"], { ...vault.emulator.env, IDENTITY_HEADER: "not-the-emulators-secret" });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /X-IDENTITY-HEADER is missing or wrong/);
    assert.match(r.stderr, /Fix: Copy IDENTITY_HEADER/);
    assert.doesNotMatch(r.stderr, /az login|Timestamp/);
    assert.doesNotMatch(r.all, /not-the-emulators-secret/, "the secret is never printed");
  });

  test("a malformed URL: 'did you mean', and no advice to remove the emulator's variables", async () => {
    const r = await timed(["cleanup", "--vault", "https//localhost:47443"], { ...vault.emulator.env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Did you mean KEY_VAULT_URL=https:\/\/localhost:47443\?/);
    assert.doesNotMatch(r.stderr, /in Azure|Remove IDENTITY_ENDPOINT/);
  });

  test("kvq run --vault at a port nobody listens on: the step names the cause, no key is left, exit 1", async () => {
    const url = `https://localhost:${await deadPort()}`;
    const r = await timed(["run", "--vault", url, "--until", "5", "--out", `${tempDir()}/out.ipynb`], { ...stopped });
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`Could not reach ${url} \\(connection refused\\)`));
    assert.match(r.stdout, /Fix: /);
    assert.match(r.stdout, /Keys: 0 created/);
  });
});

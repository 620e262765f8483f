/**
 * `kvq emulator` as a learner runs it: a child process that prints its environment in dotenv
 * format, writes it into an env file without disturbing other lines, serves the real SDK, and
 * stops cleanly on SIGTERM with its state saved. Bad options and states exit 2 with the fix.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { after, test } from "node:test";
import { DefaultAzureCredential } from "@azure/identity";
import { CertificateClient, type CertificateClientOptions } from "@azure/keyvault-certificates";
import { KeyClient } from "@azure/keyvault-keys";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { parse } from "dotenv";
import { clientOptionsFor } from "../../src/client-options";
import { rejectsWith, storedRecords, tempDir } from "../helpers/emulator";

const ROOT = path.resolve(__dirname, "../..");
const ENV_KEYS = ["KEY_VAULT_URL", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_TOKEN_CREDENTIALS", "NODE_EXTRA_CA_CERTS", "KVQ_EMULATOR_CA"];

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function kvq(args: string[]) {
  // No NODE_TEST_CONTEXT: the child is a program, not part of this test run.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(process.execPath, ["--", "src/kvq.cjs", "emulator", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  // A child that never exits fails the test after a minute instead of stalling the whole run.
  const exited = new Promise<number | null>((resolve, reject) => {
    const limit = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kvq ${args.join(" ")} did not exit within 60 s:\n${stderr}`));
    }, 60_000);
    child.on("exit", (code) => {
      clearTimeout(limit);
      resolve(code);
    });
  });
  /** Resolves when `predicate` holds for the output so far; fails on exit or after a while. */
  const waitFor = (what: string, predicate: () => boolean, ms = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (predicate()) return done(resolve);
        if (child.exitCode !== null) done(() => reject(new Error(`kvq exited (${child.exitCode}) before ${what}:\n${stderr}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${what} after ${ms} ms:\n${stdout}\n${stderr}`))), ms);
      const done = (then: () => void) => {
        clearTimeout(timer);
        child.stdout!.off("data", check);
        child.stderr!.off("data", check);
        child.off("exit", check);
        then();
      };
      child.stdout!.on("data", check);
      child.stderr!.on("data", check);
      child.on("exit", check);
      check();
    });
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}

test("starts, prints and writes its environment, serves the SDK (--max-certificates bounds the certificates), and stops on SIGTERM with state saved", async () => {
  const dir = tempDir("kvq-cli-");
  dirs.push(dir);
  const state = path.join(dir, "state");
  const envFile = path.join(dir, ".env");
  writeFileSync(envFile, "# my settings\nKEY_VAULT_URL=https://old.vault.azure.net\nOTHER=keep me\n\nexport ALSO=kept\n");

  const run = kvq(["--port", "0", "--state", state, "--env-file", envFile, "--max-certificates", "1"]);
  await run.waitFor("the environment on stdout", () => ENV_KEYS.every((k) => run.out().includes(`${k}=`)));
  await run.waitFor("the env file written", () => /other lines kept/.test(run.err()));
  const env = parse(run.out());
  assert.deepEqual(Object.keys(env), ENV_KEYS, "stdout is the dotenv block, in order");
  assert.match(env.KEY_VAULT_URL, /^https:\/\/localhost:\d+$/);
  assert.match(env.IDENTITY_ENDPOINT, /^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/);
  assert.equal(env.AZURE_TOKEN_CREDENTIALS, "managedidentitycredential");
  assert.equal(env.NODE_EXTRA_CA_CERTS, path.join(state, "tls", "ca.pem"));
  assert.match(run.err(), /Key Vault emulator ready at https:\/\/localhost:\d+ \(retention 90 days, purge allowed\)/);

  // The env file: the vault URL replaced where it stood, the rest appended, every other line kept.
  const lines = readFileSync(envFile, "utf8").split("\n");
  assert.deepEqual(lines.slice(0, 5), ["# my settings", `KEY_VAULT_URL=${env.KEY_VAULT_URL}`, "OTHER=keep me", "", "export ALSO=kept"]);
  assert.deepEqual(parse(readFileSync(envFile)), { ...env, OTHER: "keep me", ALSO: "kept" });

  // The real SDK, configured only from what the emulator printed.
  Object.assign(process.env, env);
  const client = new KeyClient(env.KEY_VAULT_URL, new DefaultAzureCredential(), clientOptionsFor(env.KEY_VAULT_URL, { env }));
  const key = await client.createRsaKey("made-through-the-cli");
  assert.equal(key.name, "made-through-the-cli");
  const certificates = new CertificateClient(env.KEY_VAULT_URL, new DefaultAzureCredential(), clientOptionsFor(env.KEY_VAULT_URL, { env }) as CertificateClientOptions);
  await (await certificates.beginCreateCertificate("cli-certificate", { issuerName: "Self", subject: "CN=cli" }, { intervalInMs: 50 })).pollUntilDone();
  await rejectsWith(certificates.beginCreateCertificate("one-too-many", { issuerName: "Self", subject: "CN=cli" }), { status: 403, inner: "QuotaExceeded", message: /at most 1 certificates/ });

  // A second emulator on the same folder is refused at once, naming the one that runs and the way out.
  const second = kvq(["--port", "0", "--state", state]);
  assert.equal(await second.exited, 2, second.err());
  assert.ok(second.err().includes(`Another emulator (process ${run.child.pid}) is using the state folder ${state}; it serves ${env.KEY_VAULT_URL}`), second.err());
  assert.match(second.err(), /--state DIR/);
  assert.equal(second.out(), "", "nothing on stdout: no environment for a vault that did not start");
  assert.equal((await client.getKey("made-through-the-cli")).name, "made-through-the-cli", "the running one is untouched");

  run.child.kill("SIGTERM");
  assert.equal(await run.exited, 0, run.err());
  assert.match(run.err(), /SIGTERM: emulator stopped, state saved in /);
  const saved = storedRecords(state).find((r) => r.id === "made-through-the-cli");
  assert.equal((saved?.value as { name: string }).name, "made-through-the-cli");
});

test("bad usage and bad state exit 2 with a message that says what to do", async () => {
  const dir = tempDir("kvq-cli-");
  dirs.push(dir);
  const busy: Server = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  const busyPort = (busy.address() as { port: number }).port;

  try {
    writeFileSync(path.join(dir, "a-file"), "");
    const [retention, port, notAFolder] = [
      kvq(["--port", "0", "--state", path.join(dir, "a"), "--retention-days", "3"]),
      kvq(["--port", String(busyPort), "--state", path.join(dir, "b")]),
      kvq(["--port", "0", "--state", path.join(dir, "a-file", "state")]),
    ];
    assert.equal(await retention.exited, 2);
    assert.match(retention.err(), /--retention-days must be a whole number from 7 to 90/);
    assert.equal(await port.exited, 2);
    assert.match(port.err(), new RegExp(`port 127\\.0\\.0\\.1:${busyPort} is already in use.*--port`));
    assert.equal(await notAFolder.exited, 2);
    assert.match(notAFolder.err(), /Cannot use the state folder .*a-file.*--state DIR/);
    for (const run of [retention, port, notAFolder]) {
      assert.equal(run.out(), "", "nothing on stdout: it is for the environment only");
      assert.doesNotMatch(run.err(), /unexpected failure|at .*\.ts:\d+/, "no stack trace");
    }
  } finally {
    busy.close();
  }
});

test("--throttle-secrets N: the N+1st secret transaction in 10 s is answered 429; --max-secrets bounds the secrets", async () => {
  const dir = tempDir("kvq-cli-secrets-");
  dirs.push(dir);
  const run = kvq(["--port", "0", "--state", path.join(dir, "state"), "--throttle-secrets", "2", "--max-secrets", "1"]);
  await run.waitFor("the environment on stdout", () => ENV_KEYS.every((k) => run.out().includes(`${k}=`)));
  assert.match(run.err(), /throttle 2 secret transactions\/10 s/);
  const env = parse(run.out());
  // Tokens asked of this emulator's identity endpoint as App Service's clients ask (MSAL keeps the first
  // test's identity for the whole process), and no retries: the client must see the 429 itself.
  const credential = {
    getToken: async () => {
      const res = await fetch(`${env.IDENTITY_ENDPOINT}?resource=https://vault.azure.net&api-version=2019-08-01`, { headers: { "X-IDENTITY-HEADER": env.IDENTITY_HEADER } });
      const body = (await res.json()) as { access_token: string; expires_on: string };
      return { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
    },
  };
  const client = new SecretClient(env.KEY_VAULT_URL, credential, clientOptionsFor(env.KEY_VAULT_URL, { env, maxRetries: 0 }) as SecretClientOptions);
  await client.setSecret("first", "v");
  // The vault holds one secret: a second name is refused (and is a transaction too, as on the service).
  await rejectsWith(client.setSecret("second", "v"), { status: 403, inner: "QuotaExceeded" });
  await rejectsWith(client.getSecret("first"), { status: 429, code: "Throttled" });
  run.child.kill("SIGTERM");
  assert.equal(await run.exited, 0, run.err());
});

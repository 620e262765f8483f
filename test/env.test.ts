/** The environment check: every vault-name rule, URL mistakes, clouds, and the sign-in mix-ups, without a network. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { describe, test } from "node:test";
import { checkEnvironment, ConfigurationError, findEnvFile, loadEnvFile, type EnvironmentCheck } from "../src/env";

const readable = () => undefined;
const check = (env: Record<string, string>) => checkEnvironment(env, { readError: readable });
const codes = (result: EnvironmentCheck) => (result.ok ? [] : result.problems.map((p) => p.code));
const config = (result: EnvironmentCheck) => {
  assert.ok(result.ok, `expected no problems, got ${JSON.stringify(!result.ok && result.problems, null, 1)}`);
  return result.config;
};

const EMULATOR = {
  KEY_VAULT_URL: "https://localhost:47443",
  IDENTITY_ENDPOINT: "http://127.0.0.1:47444/msi/token",
  IDENTITY_HEADER: "secret-header-value",
  AZURE_TOKEN_CREDENTIALS: "managedidentitycredential",
  NODE_EXTRA_CA_CERTS: "/somewhere/ca.pem",
  KVQ_EMULATOR_CA: "/somewhere/ca.pem",
};

describe("which vault", () => {
  test("no vault variable at all: one problem that says how to get one", () => {
    const result = check({});
    assert.deepEqual(codes(result), ["no-vault"]);
    assert.match(!result.ok ? result.problems[0].fix : "", /npm run emulator/);
  });

  test("KEY_VAULT_NAME builds the public-cloud URL, lower-cased", () => {
    const c = config(check({ KEY_VAULT_NAME: "My-Vault-01" }));
    assert.equal(c.vaultUrl, "https://my-vault-01.vault.azure.net");
    assert.equal(c.target, "azure");
    assert.equal(c.cloud, "AzurePublicCloud");
    assert.equal(c.source, "KEY_VAULT_NAME");
  });

  test("KEY_VAULT_NAME with AZURE_CLOUD or AZURE_AUTHORITY_HOST uses that cloud's suffix", () => {
    assert.equal(config(check({ KEY_VAULT_NAME: "kv-cn", AZURE_CLOUD: "AzureChinaCloud" })).vaultUrl, "https://kv-cn.vault.azure.cn");
    assert.equal(config(check({ KEY_VAULT_NAME: "kv-gov", AZURE_CLOUD: "usgov" })).vaultUrl, "https://kv-gov.vault.usgovcloudapi.net");
    assert.equal(config(check({ KEY_VAULT_NAME: "kv-gov", AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us/" })).vaultUrl, "https://kv-gov.vault.usgovcloudapi.net");
    assert.deepEqual(codes(check({ KEY_VAULT_NAME: "kv1", AZURE_CLOUD: "Mars" })), ["cloud-unknown"]);
  });

  const nameRules: [string, string[]][] = [
    ["ab", ["vault-name-too-short"]],
    ["a".repeat(25), ["vault-name-too-long"]],
    ["my_vault", ["vault-name-characters"]],
    ["1vault", ["vault-name-start"]],
    ["vault-", ["vault-name-end"]],
    ["my--vault", ["vault-name-double-dash"]],
    ["-x_", ["vault-name-characters", "vault-name-start", "vault-name-end"]],
    ["myvault.vault.azure.net", ["vault-name-is-url"]],
    ["https://myvault.vault.azure.net", ["vault-name-is-url"]],
  ];
  for (const [name, expected] of nameRules) {
    test(`vault name ${JSON.stringify(name)} breaks ${expected.join(", ")}`, () => {
      const result = check({ KEY_VAULT_NAME: name });
      assert.deepEqual(codes(result), expected);
      if (!result.ok) for (const p of result.problems) assert.ok(p.fix.length > 10 && p.variable === "KEY_VAULT_NAME");
    });
  }

  test("KEY_VAULT_URL: trailing slash dropped, name and cloud read from the host", () => {
    const c = config(check({ KEY_VAULT_URL: "https://Contoso-KV.vault.azure.cn/" }));
    assert.equal(c.vaultUrl, "https://contoso-kv.vault.azure.cn");
    assert.equal(c.vaultName, "contoso-kv");
    assert.equal(c.cloud, "AzureChinaCloud");
  });

  test("KEYVAULT_URI (the SDK samples' name) is accepted", () => {
    assert.equal(config(check({ KEYVAULT_URI: "https://kv1.vault.azure.net" })).source, "KEYVAULT_URI");
  });

  test("URL mistakes: http, a key's URL, a bare name, garbage, a bad name inside", () => {
    assert.deepEqual(codes(check({ KEY_VAULT_URL: "http://kv1.vault.azure.net" })), ["vault-url-not-https"]);
    const keyUrl = check({ KEY_VAULT_URL: "https://kv1.vault.azure.net/keys/k/abc" });
    assert.deepEqual(codes(keyUrl), ["vault-url-has-path"]);
    assert.match(!keyUrl.ok ? keyUrl.problems[0].fix : "", /KEY_VAULT_URL=https:\/\/kv1\.vault\.azure\.net$/);
    assert.deepEqual(codes(check({ KEY_VAULT_URL: "kv1" })), ["vault-url-is-name"]);
    assert.deepEqual(codes(check({ KEY_VAULT_URL: "not a url" })), ["vault-url-invalid"]);
    assert.deepEqual(codes(check({ KEY_VAULT_URL: "https://k--v.vault.azure.net" })), ["vault-name-double-dash"]);
  });

  test("an unknown host is a warning, not an error", () => {
    const c = config(check({ KEY_VAULT_URL: "https://vault.example.com" }));
    assert.deepEqual(c.warnings.map((w) => w.code), ["vault-url-unknown-host"]);
  });

  test("URL and AZURE_CLOUD disagreeing is a problem; two vault variables disagreeing is a warning", () => {
    assert.deepEqual(codes(check({ KEY_VAULT_URL: "https://kv1.vault.azure.cn", AZURE_CLOUD: "AzureCloud" })), ["cloud-mismatch"]);
    const c = config(check({ KEY_VAULT_URL: "https://kv1.vault.azure.net", KEY_VAULT_NAME: "kv2" }));
    assert.equal(c.vaultUrl, "https://kv1.vault.azure.net");
    assert.deepEqual(c.warnings.map((w) => w.code), ["vault-variables-disagree"]);
    assert.deepEqual(config(check({ KEY_VAULT_URL: "https://kv1.vault.azure.net", KEY_VAULT_NAME: "kv1" })).warnings, []);
  });
});

describe("which sign-in", () => {
  test("the emulator: its managed identity", () => {
    const c = config(check(EMULATOR));
    assert.equal(c.target, "emulator");
    assert.equal(c.signIn.method, "emulator");
    assert.equal(c.where, "the local emulator");
  });

  test("the emulator without its variables or CA: each missing one named, with the command that writes them", () => {
    const result = checkEnvironment({ KEY_VAULT_URL: "https://localhost:47443", KVQ_EMULATOR_CA: "/nope/ca.pem" }, { readError: () => "ENOENT" });
    assert.deepEqual(codes(result), ["emulator-variable-missing", "emulator-variable-missing", "emulator-ca-not-found"]);
    assert.ok(!result.ok && result.problems.every((p) => /npm run emulator/.test(p.fix)));
  });

  test("a CA path that is a folder, or a file that cannot be read, is told as such (read for real: a folder exists)", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "kvq-ca-folder-"));
    const asFolder = checkEnvironment({ ...EMULATOR, KVQ_EMULATOR_CA: folder });
    assert.deepEqual(codes(asFolder), ["emulator-ca-is-folder"]);
    assert.ok(!asFolder.ok);
    assert.equal(asFolder.problems[0].message, `KVQ_EMULATOR_CA names ${folder}, which is a folder, not the emulator's CA certificate.`);
    assert.match(asFolder.problems[0].fix, /Set KVQ_EMULATOR_CA to the certificate file itself: ca\.pem in the tls folder/);
    const asShellVariable = checkEnvironment({ ...EMULATOR, KVQ_EMULATOR_CA: "", NODE_EXTRA_CA_CERTS: folder });
    assert.ok(!asShellVariable.ok && asShellVariable.problems[0].variable === "NODE_EXTRA_CA_CERTS" && /^NODE_EXTRA_CA_CERTS names/.test(asShellVariable.problems[0].message));
    const file = path.join(folder, "ca.pem");
    writeFileSync(file, "-----BEGIN CERTIFICATE-----\n");
    assert.deepEqual(codes(checkEnvironment({ ...EMULATOR, KVQ_EMULATOR_CA: file })), [], "a file that can be read is fine");
    // Root reads any file, so the permission error comes from the check's seam.
    const denied = checkEnvironment({ ...EMULATOR, KVQ_EMULATOR_CA: file }, { readError: () => "EACCES" });
    assert.ok(!denied.ok);
    assert.deepEqual(codes(denied), ["emulator-ca-unreadable"]);
    assert.equal(denied.problems[0].message, `KVQ_EMULATOR_CA names ${file}, which cannot be read (EACCES).`);
    assert.ok(denied.problems[0].fix.includes(`chmod u+r ${file}`));
  });

  test("the emulator with a complete service principal and no restriction: would go to Entra ID", () => {
    const { AZURE_TOKEN_CREDENTIALS: _, ...rest } = EMULATOR;
    assert.deepEqual(codes(check({ ...rest, AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t", AZURE_CLIENT_SECRET: "s" })), ["emulator-with-service-principal"]);
  });

  test("Azure with nothing else set: the developer sign-in (az login)", () => {
    const c = config(check({ KEY_VAULT_NAME: "kv1" }));
    assert.equal(c.signIn.method, "developer");
    assert.match(c.signIn.description, /az login/);
  });

  test("a complete service principal: used, with a warning that it wins over az login", () => {
    const c = config(check({ KEY_VAULT_NAME: "kv1", AZURE_CLIENT_ID: "app-1", AZURE_TENANT_ID: "t", AZURE_CLIENT_SECRET: "s" }));
    assert.equal(c.signIn.method, "service-principal");
    assert.match(c.signIn.description, /app-1/);
    assert.deepEqual(c.warnings.map((w) => w.code), ["service-principal-in-use"]);
  });

  test("an incomplete service principal: names what is missing and both ways out", () => {
    const result = check({ KEY_VAULT_NAME: "kv1", AZURE_CLIENT_ID: "app-1", AZURE_CLIENT_SECRET: "s" });
    assert.deepEqual(codes(result), ["service-principal-incomplete"]);
    const p = !result.ok ? result.problems[0] : undefined;
    assert.match(p!.message, /AZURE_TENANT_ID is missing/);
    assert.match(p!.fix, /set AZURE_TENANT_ID/);
    assert.match(p!.fix, /az login instead, remove AZURE_CLIENT_ID, AZURE_CLIENT_SECRET/);
  });

  test("AZURE_CLIENT_ID alone is fine (it selects a user-assigned managed identity)", () => {
    assert.equal(config(check({ KEY_VAULT_NAME: "kv1", AZURE_CLIENT_ID: "mi" })).signIn.method, "developer");
  });

  test("the emulator's variables left in place for an Azure vault", () => {
    const result = check({ ...EMULATOR, KEY_VAULT_URL: "https://kv1.vault.azure.net" });
    assert.deepEqual(codes(result), ["emulator-variables-with-azure-vault"]);
    assert.match(!result.ok ? result.problems[0].fix : "", /Remove IDENTITY_ENDPOINT, IDENTITY_HEADER, AZURE_TOKEN_CREDENTIALS, NODE_EXTRA_CA_CERTS, KVQ_EMULATOR_CA/);
  });

  test("AZURE_TOKEN_CREDENTIALS: unknown value, dev ignores a service principal, environmentcredential needs one", () => {
    assert.deepEqual(codes(check({ KEY_VAULT_NAME: "kv1", AZURE_TOKEN_CREDENTIALS: "magic" })), ["token-credentials-unknown"]);
    const dev = config(check({ KEY_VAULT_NAME: "kv1", AZURE_TOKEN_CREDENTIALS: "dev", AZURE_CLIENT_ID: "a", AZURE_TENANT_ID: "t", AZURE_CLIENT_SECRET: "s" }));
    assert.equal(dev.signIn.method, "developer");
    assert.deepEqual(codes(check({ KEY_VAULT_NAME: "kv1", AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential" })), ["environment-credential-incomplete"]);
  });

  test("all problems are reported at once", () => {
    assert.deepEqual(codes(check({ KEY_VAULT_NAME: "x_", AZURE_TENANT_ID: "t" })).sort(), ["service-principal-incomplete", "vault-name-characters", "vault-name-end", "vault-name-too-short"].sort());
  });
});

describe("loading .env", () => {
  test("finds .env above the notebook folder, never overrides what is already set", () => {
    const root = mkdtempSync(path.join(tmpdir(), "kvq-envload-"));
    writeFileSync(path.join(root, "package.json"), "{}");
    writeFileSync(path.join(root, ".env"), "KEY_VAULT_NAME=from-file\nOTHER=1\n");
    const notebooks = path.join(root, "notebooks");
    require("node:fs").mkdirSync(notebooks);
    assert.equal(findEnvFile(notebooks), path.join(root, ".env"));
    const env: NodeJS.ProcessEnv = { KEY_VAULT_NAME: "from-shell" };
    const loaded = loadEnvFile({ cwd: notebooks, env });
    assert.equal(env.KEY_VAULT_NAME, "from-shell");
    assert.equal(env.OTHER, "1");
    assert.deepEqual(loaded.applied, ["OTHER"]);
  });

  test(".env edited and loaded again in the same process: values it set follow the file; only the shell's are reported as winning", () => {
    const root = mkdtempSync(path.join(tmpdir(), "kvq-envload-"));
    const file = path.join(root, ".env");
    writeFileSync(file, "IDENTITY_HEADER=wrong\nKEY_VAULT_NAME=from-file\n");
    const env: NodeJS.ProcessEnv = { KEY_VAULT_NAME: "from-shell" };
    assert.deepEqual(loadEnvFile({ file, env }).shadowed, ["KEY_VAULT_NAME"]);
    assert.equal(env.IDENTITY_HEADER, "wrong");
    writeFileSync(file, "IDENTITY_HEADER=fixed\nKEY_VAULT_NAME=from-file\n");
    const again = loadEnvFile({ file, env });
    assert.equal(env.IDENTITY_HEADER, "fixed", "the kernel's own earlier value from .env is replaced");
    assert.deepEqual(again.shadowed, ["KEY_VAULT_NAME"], "not blamed on the shell");
    assert.equal(env.KEY_VAULT_NAME, "from-shell");
  });

  test("stops looking at the project root", () => {
    const root = mkdtempSync(path.join(tmpdir(), "kvq-envload-"));
    writeFileSync(path.join(root, "package.json"), "{}");
    assert.equal(findEnvFile(root), undefined);
  });
});

test("ConfigurationError prints as the list of fixes, not a stack trace", () => {
  const result = check({ KEY_VAULT_NAME: "ab" });
  const error = new ConfigurationError(!result.ok ? result.problems : []);
  const printed = inspect(error);
  assert.match(printed, /✖ Vault name "ab" has 2 characters/);
  assert.match(printed, /Fix: /);
  assert.doesNotMatch(printed, /at .*\(.*:\d+:\d+\)/);
});

/**
 * The doctor against the emulator: every check's pass path, and each failure the emulator can
 * produce (fault injection), with the fix the learner needs. No probe (key, secret, certificate)
 * ever stays behind.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import path from "node:path";
import { installKernelSpec } from "../../src/kernel/install";
import { CHECKS, runDoctor, nodeVersionOk } from "../../src/workshop/doctor";
import { checkKernel } from "../../src/workshop/kernel-check";
import type { CheckResult } from "../../src/workshop/checks";
import { runKvq } from "../helpers/cli";
import { startTestVault, tempDir, type TestVault } from "../helpers/emulator";

const projectRoot = path.resolve(__dirname, "..", "..");
const stateDir = tempDir("kvq-doctor-state-"); // shared: tokens stay valid across the emulators started here
const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));

async function doctor(env: NodeJS.ProcessEnv = process.env) {
  return byId(await runDoctor({ env: { ...env, KVQ_ENV_FILE: "none" }, projectRoot }));
}

/** Probe keys (a certificate's own key among them), and probe certificates, live and soft-deleted. */
async function leftoverProbes(vault: TestVault) {
  const probe = (name: string) => name.startsWith("kvq-doctor-probe");
  const live: string[] = [];
  for await (const k of vault.client.listPropertiesOfKeys()) if (probe(k.name)) live.push(k.name);
  const deleted: string[] = [];
  for await (const k of vault.client.listDeletedKeys()) if (probe(k.name)) deleted.push(k.name);
  const certificates: string[] = [];
  for await (const c of vault.certificateClient.listPropertiesOfCertificates()) if (probe(c.name!)) certificates.push(c.name!);
  const deletedCertificates: string[] = [];
  for await (const c of vault.certificateClient.listDeletedCertificates()) if (probe(c.name!)) deletedCertificates.push(c.name!);
  return { live, deleted, certificates, deletedCertificates };
}
const none = { live: [], deleted: [], certificates: [], deletedCertificates: [] };

test("the kernel check: a warning with the fix when not installed, a pass once it is", () => {
  const empty = { ...process.env, JUPYTER_PATH: "", JUPYTER_DATA_DIR: tempDir("kvq-jupyter-data-") };
  const missing = checkKernel(projectRoot, empty);
  assert.equal(missing.status, "warn");
  assert.match(missing.detail, /Not installed/);
  assert.match(missing.fix ?? "", /npx kvq kernel install/);
  const prefix = tempDir("kvq-prefix-");
  const { jupyterPathEntry } = installKernelSpec({ prefix, lang: "en" });
  // One edition's kernel alone: the zh-TW notebooks would ask for a kernel.
  const half = checkKernel(projectRoot, { ...empty, JUPYTER_PATH: jupyterPathEntry! });
  assert.equal(half.status, "warn");
  assert.match(half.detail, /kvq-tslab-zh-tw is not installed/);
  assert.match(half.fix ?? "", /npx kvq kernel install/);
  installKernelSpec({ prefix, lang: "zh-TW" });
  const installed = checkKernel(projectRoot, { ...empty, JUPYTER_PATH: jupyterPathEntry! });
  assert.notEqual(installed.status, "fail");
  assert.match(installed.detail, /Installed: .*kvq-tslab.kernel\.json, .*kvq-tslab-zh-tw.kernel\.json/);
});

test("the kernel check says when Jupyter itself is not on the PATH, and only then", () => {
  const prefix = tempDir("kvq-prefix-");
  const { jupyterPathEntry } = installKernelSpec({ prefix, lang: "en" });
  installKernelSpec({ prefix, lang: "zh-TW" });
  const bin = tempDir("kvq-bin-");
  const jupyter = path.join(bin, process.platform === "win32" ? "jupyter.cmd" : "jupyter");
  writeFileSync(jupyter, process.platform === "win32" ? "@exit /b 0\r\n" : "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const base = { JUPYTER_PATH: jupyterPathEntry!, JUPYTER_DATA_DIR: tempDir("kvq-jupyter-data-"), PATHEXT: process.env.PATHEXT };
  const without = checkKernel(projectRoot, { ...base, PATH: tempDir("kvq-empty-bin-") });
  assert.equal(without.status, "warn");
  assert.match(without.detail, /Installed: .*\n?.*Jupyter itself was not found/s);
  assert.match(without.fix ?? "", /pip install jupyterlab/);
  const withIt = checkKernel(projectRoot, { ...base, PATH: bin });
  assert.equal(withIt.status, "pass", withIt.detail);
  assert.doesNotMatch(withIt.detail, /not found/);
});

test("node version rule", () => {
  assert.equal(nodeVersionOk("20.19.0"), true);
  assert.equal(nodeVersionOk("v22.1.0"), true);
  assert.equal(nodeVersionOk("20.18.3"), false);
  assert.equal(nodeVersionOk("18.20.0"), false);
});

describe("a healthy emulator", () => {
  let vault: TestVault;
  before(async () => {
    // The probe certificate's issuing moment short: the create's poller still polls (the 202 says inProgress).
    vault = await startTestVault({ stateDir, issueDelayMs: 20 });
  });
  after(() => vault.stop());

  test("every check passes, naming the credential, and the probes of every kind are gone", async () => {
    const r = await doctor();
    for (const id of ["node", "dependencies", "settings", "emulator-state", "network", "sign-in", "permissions", "secret-permissions", "certificate-permissions", "soft-delete"]) {
      assert.equal(r[id].status, "pass", `${id}: ${r[id].detail}`);
    }
    assert.match(r["secret-permissions"].detail, /create, get, list, delete, purge: all allowed/);
    // The certificate's round trip does what the certificates notebook does: its key (and a signature), its secret.
    assert.equal(r["certificate-permissions"].detail, "create, get, list, get key, sign, get secret, delete, purge: all allowed.");
    assert.match(r["sign-in"].detail, /ManagedIdentityCredential/);
    assert.match(r.permissions.detail, /create, get, list, delete, purge/);
    assert.match(r["soft-delete"].detail, /Deleted keys are kept 90 days; purge is allowed/);
    assert.deepEqual(await leftoverProbes(vault), none);
  });

  test("a state folder the emulator repaired: a warning saying what was lost, until its damaged-* folder is deleted", async () => {
    const keptIn = path.join(stateDir, "damaged-2026-12-04T20-01-02-123Z");
    mkdirSync(keptIn);
    const report = { at: "2026-12-04T20:01:02.123Z", files: [path.join(stateDir, "vault.db")], keptIn, kept: 11, lost: [{ kind: "keys", state: "live", name: "lost-one", why: "checksum" }] };
    writeFileSync(path.join(keptIn, "report.json"), JSON.stringify(report));
    try {
      const r = await doctor();
      assert.equal(r["emulator-state"].status, "warn", r["emulator-state"].detail);
      assert.match(r["emulator-state"].detail, /Kept: 11 intact records\. Lost: key "lost-one" \(its bytes fail their checksum\)/);
      assert.ok(r["emulator-state"].fix?.includes(`delete ${keptIn}`), r["emulator-state"].fix);
    } finally {
      rmSync(keptIn, { recursive: true, force: true });
    }
    assert.equal((await doctor())["emulator-state"].status, "pass");
  });

  const refusals: [string, string, "ForbiddenByRbac" | "ForbiddenByPolicy" | "ForbiddenByFirewall" | "ForbiddenByConnection" | "WrongTenant", RegExp, RegExp][] = [
    ["a missing role", "createKey", "ForbiddenByRbac", /create was refused.*ForbiddenByRbac.*keys\/create\/action/s, /Key Vault Crypto Officer/],
    ["an access policy without purge", "purgeDeletedKey", "ForbiddenByPolicy", /purge was refused after create, get, list, delete succeeded.*\(purge\)/s, /set-policy.*purge/],
    // A firewall, private access and a wrong tenant refuse every request, as the service does.
    ["a firewall", "*", "ForbiddenByFirewall", /create was refused.*firewall/s, /network-rule add/],
    ["a private-only vault", "*", "ForbiddenByConnection", /private-endpoint/, /private network/],
    ["a token from the wrong tenant", "*", "WrongTenant", /different Entra ID tenant/, /az login --tenant/],
  ];
  for (const [what, operation, fault, detail, fix] of refusals) {
    test(`${what}: the permissions check fails with the fix`, async () => {
      const before = await leftoverProbes(vault);
      const injected = vault.emulator.faults.inject({ operation, fault });
      const r = await doctor();
      injected.remove();
      assert.equal(r.permissions.status, "fail");
      assert.match(r.permissions.detail, detail);
      assert.match(r.permissions.fix ?? "", fix);
      assert.equal(r["soft-delete"].status, "skip");
      const left = await leftoverProbes(vault);
      assert.deepEqual(left.live, [], "no live probe key");
      assert.deepEqual(left.certificates, [], "no live probe certificate");
      // Only a refused purge may leave the probe soft-deleted.
      if (operation !== "purgeDeletedKey") assert.deepEqual(left.deleted, before.deleted, "no new deleted probe key");
    });
  }

  test("a role without certificates: the certificate check fails naming Key Vault Certificates Officer and the key and secret roles it lacks, and no probe is left", async () => {
    const before = await leftoverProbes(vault);
    const injected = vault.emulator.faults.inject({ operation: "createCertificate", fault: "ForbiddenByRbac" });
    const r = await doctor();
    injected.remove();
    assert.equal(r.permissions.status, "pass", "keys are not certificates");
    assert.equal(r["secret-permissions"].status, "pass", "secrets are not certificates");
    assert.equal(r["certificate-permissions"].status, "fail");
    assert.match(r["certificate-permissions"].detail, /^create was refused after nothing succeeded: 403 ForbiddenByRbac: .*the vault's certificates \(needed: Microsoft\.KeyVault\/vaults\/certificates\/create\/action\)/s);
    const fix = r["certificate-permissions"].fix ?? "";
    assert.match(fix, /"Key Vault Certificates Officer".*"Key Vault Crypto User" and "Key Vault Secrets User"/s);
    assert.match(fix, /--certificate-permissions get list create delete recover purge --key-permissions get sign --secret-permissions get/);
    assert.doesNotMatch(fix, /Crypto Officer"( on the vault|:)/, "not the keys' fix");
    assert.equal(r["soft-delete"].status, "pass", "read from the key probe's delete");
    assert.deepEqual(await leftoverProbes(vault), { ...none, deleted: before.deleted });
  });

  test("an access policy without certificates get: the create is accepted, its pending operation refused, and the probe it made is still cleaned up", async () => {
    const before = await leftoverProbes(vault);
    const injected = vault.emulator.faults.inject({ operation: "getCertificateOperation", fault: "ForbiddenByPolicy" });
    const r = byId(await runDoctor({ env: { ...process.env, KVQ_ENV_FILE: "none" }, projectRoot, kinds: ["certificate"] }));
    injected.remove();
    assert.equal(r["certificate-permissions"].status, "fail");
    assert.match(r["certificate-permissions"].detail, /^create was refused after nothing succeeded: 403 ForbiddenByPolicy: .*lacks a certificate permission \(get\)/);
    assert.deepEqual(await leftoverProbes(vault), { ...none, deleted: before.deleted });
  });

  test("kvq doctor --tutorial certificates-quickstart, an access policy without keys sign: only the certificate's round trip, its message, exit 1", async () => {
    const before = await leftoverProbes(vault);
    const injected = vault.emulator.faults.inject({ operation: "sign", fault: "ForbiddenByPolicy" });
    const result = await runKvq(["doctor", "--tutorial", "certificates-quickstart"], { env: { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LANG: "en" } });
    injected.remove();
    assert.equal(injected.hits, 1, "one probe, one signature");
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /✖ Permissions round trip \(probe certificate\) — sign was refused after create, get, list, get key succeeded: 403 ForbiddenByPolicy: .*lacks a key permission \(sign\)/);
    assert.match(result.stdout, /Fix: .*--key-permissions get sign --secret-permissions get/);
    assert.doesNotMatch(result.stdout, /probe key|probe secret/, "only the kinds the notebook makes");
    assert.match(result.stdout, /Soft delete and purge protection — Skipped: needs "Permissions round trip \(probe certificate\)"/);
    assert.match(result.stdout, /\n1 check failed[,.]/);
    assert.equal(result.stdout.match(/The certificates quickstart needs/g)?.length, 1, "what it needs, said once");
    // The probe was made: it is cleaned all the same (its key and secret with it).
    assert.deepEqual(await leftoverProbes(vault), { ...none, deleted: before.deleted });
  });

  test("a role without secrets: the secret permissions check fails naming Key Vault Secrets Officer, and no probe secret is left", async () => {
    const injected = vault.emulator.faults.inject({ operation: "setSecret", fault: "ForbiddenByRbac" });
    const r = await doctor();
    injected.remove();
    assert.equal(r.permissions.status, "pass", "keys are not secrets");
    assert.equal(r["secret-permissions"].status, "fail");
    assert.match(r["secret-permissions"].detail, /create was refused.*ForbiddenByRbac.*secrets\/setSecret\/action/s);
    assert.match(r["secret-permissions"].fix ?? "", /Key Vault Secrets Officer.*--secret-permissions get list set delete recover purge/s);
    const left: string[] = [];
    for await (const s of vault.secretClient.listPropertiesOfSecrets()) left.push(s.name);
    assert.deepEqual(left, []);
  });

  test("a probe secret whose purge was refused stays soft-deleted, tagged as the secrets quickstart's, so cleanup finds it", async () => {
    const injected = vault.emulator.faults.inject({ operation: "purgeDeletedSecret", fault: "ForbiddenByPolicy" });
    const r = await doctor();
    injected.remove();
    assert.equal(r["secret-permissions"].status, "fail");
    const probes: Record<string, string | undefined>[] = [];
    for await (const s of vault.secretClient.listDeletedSecrets()) if (s.name.startsWith("kvq-doctor-probe")) probes.push(s.properties.tags ?? {});
    assert.equal(probes.length, 1);
    assert.equal(probes[0]!["kvq-tutorial"], "secrets-quickstart");
    for await (const s of vault.secretClient.listDeletedSecrets()) await vault.secretClient.purgeDeletedSecret(s.name);
  });

  test("settings with problems: the fixes, and the vault checks skipped", async () => {
    const r = await doctor({ ...process.env, KEY_VAULT_URL: "http://localhost:1/keys/x" });
    assert.equal(r.settings.status, "fail");
    assert.match(r.settings.detail, /Fix: .*https:\/\/localhost:1/);
    assert.equal(r.settings.detail.match(/Fix: /g)?.length, r.settings.detail.match(/✖/g)?.length, "each problem's fix once");
    assert.equal(r.settings.fix, undefined, "no second, joined Fix line");
    for (const id of ["network", "sign-in", "permissions", "soft-delete"]) assert.equal(r[id].status, "skip");
  });

  test("an unresolvable vault name, and settings naming another port than the emulator runs on: network fails with the right fix", async () => {
    const unresolved = await doctor({ PATH: process.env.PATH, KEY_VAULT_NAME: "kvq-no-such-vault-1" });
    assert.equal(unresolved.network.status, "fail");
    assert.match(unresolved.network.detail, /Could not reach https:\/\/kvq-no-such-vault-1\.vault\.azure\.net \(host name not found\)\. No vault named kvq-no-such-vault-1 exists/);
    assert.match(unresolved.network.fix ?? "", /az keyvault list/);
    const refused = await doctor({ ...process.env, KEY_VAULT_URL: "https://localhost:1" });
    assert.equal(refused.network.status, "fail");
    // This file's emulator is running (its state folder records where), just not on port 1.
    assert.match(refused.network.detail, /The emulator is running at https:\/\/localhost:\d+, but your settings say https:\/\/localhost:1\./);
    assert.match(refused.network.fix ?? "", /KEY_VAULT_URL=https:\/\/localhost:\d+ .*npm run emulator/);
  });

  test("missing dependencies: npm install", async () => {
    const results = byId(await runDoctor({ env: { ...process.env, KVQ_ENV_FILE: "none" }, projectRoot: tempDir(), checks: CHECKS.filter((c) => c.id === "dependencies") }));
    assert.equal(results.dependencies.status, "fail");
    assert.match(results.dependencies.fix ?? "", /npm install/);
  });
});

describe("a vault with purge protection", () => {
  let vault: TestVault;
  before(async () => {
    vault = await startTestVault({ stateDir, reset: true, purgeProtection: true, retentionDays: 7, issueDelayMs: 20 });
  });
  after(() => vault.stop());

  test("soft-delete warns what purge protection means for the tutorial's clean-up", async () => {
    const r = await doctor();
    assert.equal(r.permissions.status, "pass");
    assert.match(r.permissions.detail, /create, get, list, delete: all allowed/);
    assert.equal(r["soft-delete"].status, "warn");
    assert.match(r["soft-delete"].detail, /kept 7 days, and purge protection is on \(CustomizedRecoverable\)/);
    assert.deepEqual((await leftoverProbes(vault)).live, []);
  });

  test("the certificates quickstart's checks alone: its round trip stops at delete, and soft delete speaks of certificates", async () => {
    const results = await runDoctor({ env: { ...process.env, KVQ_ENV_FILE: "none" }, projectRoot, kinds: ["certificate"] });
    const r = byId(results);
    assert.deepEqual(results.map((x) => x.id).slice(-2), ["certificate-permissions", "soft-delete"]);
    assert.equal(r.permissions, undefined);
    assert.equal(r["certificate-permissions"].detail, "create, get, list, get key, sign, get secret, delete: all allowed.");
    assert.equal(r["soft-delete"].status, "warn");
    assert.match(r["soft-delete"].detail, /^Deleted certificates are kept 7 days, .*delete its certificate but not purge it, so each run's certificate name stays taken for 7 days\.$/);
    const { certificates, deletedCertificates } = await leftoverProbes(vault);
    assert.deepEqual(certificates, []);
    // Purge protection keeps it soft-deleted (with its key and secret), tagged for cleanup to find.
    assert.equal(deletedCertificates.length >= 1, true);
  });
});

/**
 * The certificates program to keep (examples/certificates-quickstart/kv_certificates.ts): it imports
 * nothing but the packages a fresh project installs — the certificates client, and the keys and
 * secrets clients its key and secret are read with, identity and dotenv — and runs against the
 * emulator with only the environment a learner would set, leaving nothing behind under its name,
 * of any kind, live or deleted, and printing no private key.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { SHORT_RUN } from "../../src/emulator/index";
import { PROJECT_ROOT } from "../helpers/cli";
import { objectsNamedIn, startTestVault, type TestVault } from "../helpers/emulator";
import { runProgram } from "./run-program";

const PROGRAM_DIR = path.join(PROJECT_ROOT, "examples", "certificates-quickstart");
const program = () => readFileSync(path.join(PROGRAM_DIR, "kv_certificates.ts"), "utf8");
const PACKAGES = ["@azure/identity", "@azure/keyvault-certificates", "@azure/keyvault-keys", "@azure/keyvault-secrets", "dotenv"];

test("the certificates program needs only the certificates, keys and secrets clients, @azure/identity and dotenv", () => {
  const imports = [...program().matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]).filter((m) => !m!.startsWith("node:")).sort();
  assert.deepEqual(imports, PACKAGES);
  const pkg = JSON.parse(readFileSync(path.join(PROGRAM_DIR, "package.json"), "utf8"));
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), PACKAGES);
  assert.equal(pkg.dependencies["@azure/keyvault-secrets"], "~4.11.2", "4.12 needs Node 22; the course runs on Node 20 too");
});

let vault: TestVault;
before(async () => {
  vault = await startTestVault({ ...SHORT_RUN, issueDelayMs: 250 });
});
after(() => vault?.stop());

test("runs end to end with `tsx kv_certificates.ts` and leaves nothing in the vault", async () => {
  const { code, stdout, stderr } = await runProgram(vault, PROGRAM_DIR, ["kv_certificates.ts", "program-test-cert"]);
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /Pending: https:\/\/localhost:\d+\/certificates\/program-test-cert\/pending/);
  assert.match(stdout, /Issued program-test-cert, version [0-9a-f]{32}/);
  assert.match(stdout, /Certificate with name 'program-test-cert' was found: subject CN=MyCert, issuer CN=MyCert/);
  assert.match(stdout, /The key is managed by the certificate: true; its signature verifies: true/);
  assert.match(stdout, /The secret's private key belongs to the certificate: true \(public key SHA-256 [0-9a-f]{64}\)/);
  assert.match(stdout, /Creating program-test-cert again failed: 409 Conflict/);
  assert.match(stdout, /Recovered program-test-cert, same version: true/);
  assert.match(stdout, /Purged program-test-cert\. Done\./);
  assert.doesNotMatch(stdout + stderr, /-----BEGIN|PRIVATE KEY/);
  assert.deepEqual(await objectsNamedIn(vault, ["program-test-cert"]), [], "the certificate, its key and its secret are gone");
});

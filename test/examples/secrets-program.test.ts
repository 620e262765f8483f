/**
 * The secrets program to keep (examples/secrets-quickstart/kv_secrets.ts): it imports nothing but
 * the three packages a fresh project installs, and runs against the emulator with only the
 * environment a learner would set, leaving no secret, live or deleted, behind.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { SHORT_RUN } from "../../src/emulator/index";
import { PROJECT_ROOT } from "../helpers/cli";
import { startTestVault, type TestVault } from "../helpers/emulator";
import { runProgram } from "./run-program";

const PROGRAM_DIR = path.join(PROJECT_ROOT, "examples", "secrets-quickstart");
const program = () => readFileSync(path.join(PROGRAM_DIR, "kv_secrets.ts"), "utf8");

test("the secrets program needs only @azure/keyvault-secrets, @azure/identity and dotenv", () => {
  const imports = [...program().matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]).filter((m) => !m!.startsWith("node:")).sort();
  assert.deepEqual(imports, ["@azure/identity", "@azure/keyvault-secrets", "dotenv"]);
  const pkg = JSON.parse(readFileSync(path.join(PROGRAM_DIR, "package.json"), "utf8"));
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), ["@azure/identity", "@azure/keyvault-secrets", "dotenv"]);
  assert.equal(pkg.dependencies["@azure/keyvault-secrets"], "~4.11.2", "4.12 needs Node 22; the course runs on Node 20 too");
});

let vault: TestVault;
before(async () => {
  vault = await startTestVault(SHORT_RUN);
});
after(() => vault?.stop());

test("runs end to end with `tsx kv_secrets.ts` and leaves nothing in the vault", async () => {
  const { code, stdout, stderr } = await runProgram(vault, PROGRAM_DIR, ["kv_secrets.ts", "program-test-secret"], "typed at the prompt\n"); // the seed's input()
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /Created program-test-secret, version [0-9a-f]{32}/);
  assert.match(stdout, /Your secret is 'typed at the prompt'\./);
  assert.match(stdout, /Setting program-test-secret again failed: 409 Conflict/);
  assert.match(stdout, /Purged program-test-secret\. Done\./);
  const left: string[] = [];
  for await (const s of vault.secretClient.listPropertiesOfSecrets()) left.push(s.name);
  for await (const s of vault.secretClient.listDeletedSecrets()) left.push(`${s.name} (deleted)`);
  assert.deepEqual(left, []);
});

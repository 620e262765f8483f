/**
 * Issue 26, points 1 and 5: `kvq run --vault <an emulator started by hand>`, the emulator's
 * variables only in .env (as `npm run emulator` leaves them, none in the shell). The runner's own
 * clean-up signs in as the notebook does and leaves no key; a create the vault refuses is not
 * counted as created; a --param cell is part of its step, and the counts add up to the steps.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { runKvq } from "../helpers/cli";
import { startTestVault, tempDir, tutorialKeysIn, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let env: NodeJS.ProcessEnv;
before(async () => {
  vault = await startTestVault();
  const envFile = path.join(tempDir("kvq-run-env-"), ".env");
  writeFileSync(envFile, Object.entries(vault.emulator.env).map(([name, value]) => `${name}=${value}`).join("\n") + "\n");
  // The emulator's variables are in the file only: the test process's copies are taken out.
  const unset = Object.fromEntries(Object.keys(vault.emulator.env).map((name) => [name, undefined]));
  env = { ...unset, KVQ_ENV_FILE: envFile, KEYVAULT_URI: "", KEY_VAULT_NAME: "", ATTENDEE: "tester", KVQ_LEDGER_DIR: tempDir("kvq-run-ledgers-") };
});
after(() => vault.stop());

test("--vault <emulator> --until 5: the runner cleans the key the run created, with .env's sign-in", async () => {
  const out = path.join(tempDir("kvq-run-out-"), "executed.ipynb");
  const result = await runKvq(["run", "--vault", vault.emulator.url, "--until", "5", "--out", out], { env });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  // Point 8: ora's start line is not kept above its end line, on screen or in the executed notebook.
  assert.match(result.stdout, /✔ Created quickstart-tester-/);
  assert.doesNotMatch(result.stdout, /- Creating RSA key/);
  const saved = readFileSync(out, "utf8");
  assert.match(saved, /✔ Created quickstart-tester-/);
  assert.doesNotMatch(saved, /- Creating RSA key/);
  assert.match(result.stdout, /Cleaned up: quickstart-tester-\d{8}-[0-9a-z]{6}: deleted and purged\./);
  assert.doesNotMatch(result.stdout, /KVQ_EMULATOR_CA|\.env is from another/);
  assert.match(result.stdout, /Steps: 5 passed, 5 not run in /);
  assert.match(result.stdout, /Keys: 1 created, 1 cleaned\./);
  assert.deepEqual(await tutorialKeysIn(vault), []);
});

test("--param rsaKeySize=1000: the parameters are a line of step 3, 4 + 1 + 5 = 10 steps, and the refused key is not 'created'", async () => {
  const result = await runKvq(["run", "--vault", vault.emulator.url, "--param", "rsaKeySize=1000"], { env });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /Injected parameters/);
  assert.match(result.stdout, /✔ \[3\/10\] Choose a key name \([\d.]+s\)\n {4}--param: rsaKeySize = 1000\n/);
  assert.match(result.stdout, /✖ \[5\/10\] Create an RSA key failed/);
  assert.match(result.stdout, /Steps: 4 passed, 1 failed, 5 not run in /);
  assert.match(result.stdout, /Keys: 0 created, 0 cleaned\. Not created \(the vault did not make it\): quickstart-tester-\d{8}-[0-9a-z]{6}\./);
  assert.deepEqual(await tutorialKeysIn(vault), []);
});

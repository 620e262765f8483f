/**
 * `kvq run` as a learner runs it: the whole quickstart against the embedded emulator, --json,
 * parameters, --step/--until, and — against a vault the test can inspect — a failing cell and a
 * Ctrl-C, each exiting with its code and leaving no key behind.
 *
 * The tests of each part run at once (each `kvq run` waits on its kernel far more than on the CPU):
 * each run has an emulator of its own (the embedded one, or a vault and ledger folder per test), so
 * no test sees another's keys and each leftover check is about its own run.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT, runKvq } from "../helpers/cli";
import { startTestVault, tempDir, tutorialKeysIn, type TestVault } from "../helpers/emulator";

const FIXTURES = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks");
// The developer's own .env must not steer these runs.
const ISOLATED = { KVQ_ENV_FILE: "none", KEY_VAULT_URL: "", KEYVAULT_URI: "", KEY_VAULT_NAME: "", ATTENDEE: "tester" };

describe("against the embedded emulator", { concurrency: 2 }, () => {
  test("npm start's command: every step passes, keys created and cleaned, exit 0", async () => {
    const out = path.join(tempDir("kvq-run-out-"), "executed.ipynb");
    const result = await runKvq(["run", "--out", out], { env: ISOLATED });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^Vault: an emulator of its own at https:\/\/localhost:\d+/m);
    assert.match(result.stdout, /✔ \[1\/10\] Load and check your settings/);
    assert.match(result.stdout, /✔ \[10\/10\] Clean up/);
    assert.match(result.stdout, /Steps: 10 passed in [\d.]+s \(kernel start [\d.]+s\)\. Executed notebook: /);
    assert.match(result.stdout, /Keys: 1 created, 1 cleaned\./);
    assert.doesNotMatch(result.stdout, /\u001b\[/, "plain output when not a terminal");
  });

  test("--json: one object per step, then the run; parameters reach the kernel; --until stops early", async () => {
    const result = await runKvq(["run", "--json", "--param", "keyName=json-run-key", "--until", "5"], { env: ISOLATED });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const steps = lines.filter((l) => "index" in l);
    const run = lines.at(-1).run;
    assert.deepEqual(steps.filter((s) => s.status === "passed").map((s) => s.index), [1, 2, 3, 3, 4, 5]);
    assert.ok(steps.filter((s) => s.index > 5).every((s) => s.status === "skipped"));
    assert.match(JSON.stringify(steps.find((s) => s.name.startsWith("Check the name"))!.outputs), /Key name: json-run-key/);
    assert.equal(run.status, "passed");
    // Stopped before the notebook's own clean-up: the runner cleaned the key itself.
    assert.deepEqual(run.keys, { created: ["json-run-key"], cleaned: ["json-run-key"], left: [], notCreated: [] });
  });

  test("in Traditional Chinese: picked from LANG, the zh-TW edition's steps and the runner's words", async () => {
    const result = await runKvq(["run", "--until", "2"], { env: { ...ISOLATED, KVQ_LANG: undefined, LC_ALL: undefined, LANG: "zh_TW.UTF-8" } });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^金鑰保存庫：自帶的模擬器/m);
    // Point 8 of issue 26: step times in the zh-TW form, as the kernel's start is.
    assert.match(result.stdout, /✔ \[1\/10\] 載入並檢查設定（[\d.]+ 秒）/);
    assert.doesNotMatch(result.stdout, /\([\d.]+s\)/);
    assert.match(result.stdout, /位置： {5}本機模擬器/);
    assert.match(result.stdout, /步驟：2 個通過、8 個未執行/);
    assert.match(result.stdout, /執行後的筆記本：.*quickstart\.zh-TW\.ipynb/);
  });

  test("another notebook by name: its zh-TW edition, stopped halfway, leaves no key behind", async () => {
    const result = await runKvq(["run", "beyond-the-quickstart", "--lang", "zh-TW", "--until", "5"], { env: ISOLATED });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✔ \[4\/20\] 橢圓曲線金鑰/);
    assert.match(result.stdout, /beyond-tester-\d{8}-[0-9a-z]{6}-ec: EC on P-256/);
    assert.match(result.stdout, /執行後的筆記本：.*beyond-the-quickstart\.zh-TW\.ipynb/);
    // The run stopped before the notebook's clean-up: the runner cleaned both keys from the ledger.
    assert.match(result.stdout, /-ec：已刪除並清除。/);
    assert.match(result.stdout, /-rsa：已刪除並清除。/);
  });

  test("usage mistakes exit 2 with the fix", async () => {
    const both = await runKvq(["run", "--step", "2", "--until", "3"], { env: ISOLATED });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--step and --until cannot be combined/);
    const lang = await runKvq(["run", "--lang", "fr"], { env: ISOLATED });
    assert.equal(lang.code, 2);
    assert.match(lang.stderr, /Use en or zh-TW/);
    const param = await runKvq(["run", "--param", "noSuchParameter=1"], { env: ISOLATED });
    assert.equal(param.code, 2);
    assert.match(param.stderr, /keyName/);
  });
});

/** A vault and a ledger folder of the test's own, stopped when it ends. */
async function withVault(body: (vault: TestVault, env: NodeJS.ProcessEnv) => Promise<void>): Promise<void> {
  const vault = await startTestVault();
  try {
    await body(vault, { ...ISOLATED, ...vault.emulator.env, KVQ_LEDGER_DIR: tempDir("kvq-run-ledgers-") });
  } finally {
    await vault.stop();
  }
}

describe("against a vault the test can inspect", { concurrency: true }, () => {
  test("a failing cell: exit 1, the step, its source and the fix; the key it created is cleaned", () => withVault(async (vault, env) => {
    const result = await runKvq(["run", "--vault", vault.emulator.url, "--notebook", path.join(FIXTURES, "creates-then-fails.ipynb")], { env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /Step 3 \(Read a key that does not exist\) failed\./);
    assert.match(result.stdout, /const missing = await client\.getKey/);
    assert.match(result.stdout, /KeyNotFound/);
    assert.match(result.stdout, /Fix: /);
    assert.match(result.stdout, /Cleaned up: fixture-\d+: deleted and purged\./);
    assert.match(result.stdout, /Keys: 1 created, 1 cleaned\./);
    assert.doesNotMatch(result.stdout, /unreachable/);
    assert.deepEqual(await tutorialKeysIn(vault), []);
  }));

  test("--keep-keys: stops before the clean-up step and says what it left", () => withVault(async (vault, env) => {
    const result = await runKvq(["run", "--vault", vault.emulator.url, "--keep-keys", "--param", "keyName=kept-key"], { env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /\[10\/10\] Clean up/);
    assert.match(result.stdout, /Keys: 1 created, 0 cleaned\./);
    assert.match(result.stdout, /Left in the vault .*: kept-key\. Remove them with: npx kvq cleanup --yes/);
    assert.deepEqual(await tutorialKeysIn(vault), ["kept-key (deleted)"], "soft-deleted by the notebook, not purged");
    const cleanup = await runKvq(["cleanup", "--yes", "--vault", vault.emulator.url], { env });
    assert.equal(cleanup.code, 0, cleanup.stdout + cleanup.stderr);
    assert.deepEqual(await tutorialKeysIn(vault), []);
  }));

  test("Ctrl-C mid-run: the kernel is interrupted, the key cleaned, exit 130", () => withVault(async (vault, env) => {
    const child = spawn(process.execPath, ["--", path.join(PROJECT_ROOT, "src", "kvq.cjs"), "run", "--vault", vault.emulator.url, "--notebook", path.join(FIXTURES, "creates-then-waits.ipynb")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    let scheduled = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        // One Ctrl-C, once the key exists and the next cell is busy waiting (a second one means "leave now").
        if (/CREATED/.test(stdout) && !scheduled) {
          scheduled = true;
          setTimeout(() => child.kill("SIGINT"), 1500);
        }
      });
      child.on("close", resolve);
    });
    assert.equal(code, 130, stdout + stderr);
    assert.match(stderr, /Interrupted: stopping the kernel and cleaning up/);
    assert.doesNotMatch(stdout, /^ +woke up$/m, "the cell did not finish");
    assert.deepEqual(await tutorialKeysIn(vault), []);
  }));
});

/**
 * Every exit code of every command, through the command line as a learner or CI meets it: 0 done,
 * 1 a failed run or check, 2 bad usage or configuration (with the fix, never a stack trace),
 * the doctor's number of failed checks. (kvq run's 0, 1 and 130 against a vault: run-command.test.ts;
 * the emulator's 0 on SIGTERM and 2 on a busy port or bad state: emulator/cli.test.ts.)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { TUTORIAL_TAG, TUTORIAL_TAG_VALUE } from "../src/run-ledger";
import { PROJECT_ROOT, runKvq } from "./helpers/cli";
import { startTestVault, tempDir, type TestVault } from "./helpers/emulator";

const ENV = { KVQ_ENV_FILE: "none", KEY_VAULT_URL: "", KEYVAULT_URI: "", KEY_VAULT_NAME: "", ATTENDEE: "tester" };
const FIXTURES = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks");
const NO_STACK = /unexpected failure|\n\s+at .*:\d+:\d+/;

/** [arguments, what stderr must say, whether a "Fix:" line follows]: each is bad usage or configuration, exit 2. */
const USAGE: [string[], RegExp, "fix"?][] = [
  [["no-such-command"], /unknown command 'no-such-command'/],
  [["--version"], /unknown option '--version'/],
  [["run", "--bogus"], /unknown option '--bogus'/],
  [["run", "--step", "0"], /--step must be a whole number from 1 to 1000/],
  [["run", "--until", "x"], /--until must be a whole number/],
  [["run", "--timeout", "soon"], /--timeout "soon" is not a duration/],
  [["run", "--notebook", path.join(FIXTURES, "no-such.ipynb")], /No notebook at .*no-such\.ipynb/, "fix"],
  [["run", "--param", "noSuchParameter=1"], /noSuchParameter.*keyName/s, "fix"],
  [["run", "--step", "99", "--notebook", path.join(FIXTURES, "passing.ipynb")], /--step 99 is out of range: the notebook has \d+ steps/, "fix"],
  [["learn", "--from", "0"], /--from must be a whole number from 1 to 1000/],
  [["learn", "--lang", "fr"], /Use en or zh-TW/],
  [["learn", "--notebook", path.join(FIXTURES, "no-such.ipynb")], /No notebook at .*no-such\.ipynb/, "fix"],
  [["docs", "--lang", "fr"], /Use en or zh-TW/],
  [["docs", "--from", "x.ipynb"], /--from takes one executed notebook: give --lang en/],
  [["docs", "--from", path.join(FIXTURES, "no-such.ipynb"), "--lang", "en"], /No notebook at .*no-such\.ipynb/, "fix"],
  [["strip", path.join(FIXTURES, "no-such.ipynb")], /No notebook at .*no-such\.ipynb/, "fix"],
  [["doctor", "--bogus"], /unknown option '--bogus'/],
  [["cleanup", "--older-than", "soon"], /--older-than "soon" is not a duration/],
  [["rehearse", "--attendees", "0"], /--attendees must be a whole number from 1 to 500/],
  [["rehearse", "--throttle", "x"], /--throttle must be a whole number/],
  [["rehearse", "--fault", "purgeKey=ForbiddenByPolicy"], /--fault purgeKey=ForbiddenByPolicy: unknown operation "purgeKey"\. Operations: .*purgeDeletedKey/],
  [["emulator", "--port", "70000"], /--port must be a whole number from 0 to 65535/],
  [["emulator", "--delete-delay", "-1"], /--delete-delay must be a whole number/],
  [["emulator", "--fault", "nonsense=Throttled"], /unknown operation "nonsense"/],
  [["emulator", "--fault", "createKey=Nonsense"], /unknown error "Nonsense"/],
  [["emulator", "--clock-offset", "xyz"], /--clock-offset "xyz" is not a duration/],
  [["kernel"], /Usage: kvq kernel/],
  [["kernel", "no-such"], /unknown command 'no-such'/],
  [["kernel", "install", "--prefix"], /option '--prefix <dir>' argument missing/],
];

describe("bad usage exits 2 with what to fix, for every command", { concurrency: 4 }, () => {
  for (const [args, says, fix] of USAGE) {
    test(`kvq ${args.map((a) => path.basename(a)).join(" ")}`, async () => {
      const result = await runKvq(args, { env: ENV, timeoutMs: 60_000 });
      assert.equal(result.code, 2, `exit ${result.code}:\n${result.stdout}${result.stderr}`);
      assert.match(result.stderr, says);
      if (fix) assert.match(result.stderr, /^Fix: \S/m, "the fix on its own line");
      assert.doesNotMatch(result.stdout, /^Vault: /m, "told before an emulator started or a vault was asked");
      assert.doesNotMatch(result.stderr, NO_STACK, "no stack trace");
    });
  }
});

describe("a broken emulator CA path (KVQ_EMULATOR_CA naming a folder) exits 2, naming the path and the fix", { concurrency: 2 }, () => {
  const folder = tempDir("kvq-ca-folder-");
  const env = { ...ENV, KVQ_EMULATOR_CA: folder, NODE_EXTRA_CA_CERTS: "", IDENTITY_ENDPOINT: "http://127.0.0.1:9/msi/token", IDENTITY_HEADER: "not-a-real-header" };
  for (const args of [["run", "--vault", "https://localhost:9"], ["cleanup", "--vault", "https://localhost:9"]]) {
    test(`kvq ${args.join(" ")}`, async () => {
      const result = await runKvq(args, { env, timeoutMs: 60_000 });
      assert.equal(result.code, 2, `exit ${result.code}:\n${result.stdout}${result.stderr}`);
      assert.ok(result.stderr.includes(`KVQ_EMULATOR_CA names ${folder}, which is a folder`), result.stderr);
      assert.match(result.stderr, /^ {2}Fix: .*ca\.pem/m);
      assert.doesNotMatch(result.stdout + result.stderr, NO_STACK, "no stack trace");
      assert.doesNotMatch(result.stdout, /^Vault: /m, "told before a kernel started or a vault was asked");
    });
  }
});

test("--help of the program and of each command exits 0 and prints usage", async () => {
  for (const args of [["--help"], ...["run", "learn", "emulator", "doctor", "cleanup", "rehearse", "docs", "strip"].map((c) => [c, "--help"]), ["kernel", "install", "--help"]]) {
    const result = await runKvq(args, { env: ENV, timeoutMs: 60_000 });
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stdout, /^Usage: kvq/m, args.join(" "));
  }
});

test("kvq run --timeout: a cell that runs past it is interrupted (the first interrupt stops it), says so, and the run exits 1", async () => {
  const out = path.join(tempDir("kvq-exit-"), "hang.ipynb");
  const result = await runKvq(["run", "--notebook", path.join(FIXTURES, "hang.ipynb"), "--timeout", "4s", "--out", out], { env: ENV });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /Step 2 \(Waits forever\) ran past --timeout and was interrupted\./);
  // What the kernel says of the stopped cell, under the step and in the summary; a kernel that
  // ignored the interrupt would have been shut down instead (and say nothing).
  assert.match(result.stdout, /✖ \[2\/3\] Waits forever timed out \([\d.]+s\)\n(?: {4}.*\n)* {4}Stopped: this cell was interrupted before it finished\.\n/);
  assert.doesNotMatch(result.stdout + result.stderr, /did not stop|at .+:\d+:\d+\)/);
  assert.match(result.stdout, /1 passed, 1 timed out, 1 not run/);
  const json = await runKvq(["run", "--json", "--notebook", path.join(FIXTURES, "hang.ipynb"), "--timeout", "2s", "--out", out], { env: ENV });
  assert.equal(json.code, 1, json.stdout + json.stderr);
  assert.equal(JSON.parse(json.stdout.trim().split("\n").at(-1)!).run.status, "timed-out");
});

test("kvq docs --check --from: exit 1 when the docs would change, and nothing is written", async () => {
  const docs = path.join(PROJECT_ROOT, "docs", "quickstart.md");
  const before = readFileSync(docs, "utf8");
  // The committed notebook has no outputs: its docs differ from the committed ones.
  const result = await runKvq(["docs", "--check", "--lang", "en", "--from", path.join(PROJECT_ROOT, "notebooks", "quickstart.ipynb")], { env: ENV });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /docs\/quickstart\.md/);
  assert.equal(readFileSync(docs, "utf8"), before);
});

describe("against a vault", () => {
  let vault: TestVault;
  let env: NodeJS.ProcessEnv;
  const stateDir = tempDir("kvq-exit-state-"); // shared: tokens stay valid across the emulators started here
  before(async () => {
    vault = await startTestVault({ stateDir });
    env = { ...ENV, ...vault.emulator.env, KVQ_LEDGER_DIR: tempDir("kvq-exit-ledgers-") };
  });
  after(() => vault.stop());

  test("kvq doctor: exit 0 when every check passes", async () => {
    const result = await runKvq(["doctor", "--json"], { env });
    const checks = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(checks.filter((c) => c.status === "fail"), []);
    assert.equal(result.code, 0, result.stderr);
  });

  test("kvq doctor: the exit code is the number of failed checks; kvq cleanup --yes exits 1 when a key cannot be removed", async () => {
    await vault.client.createEcKey("left-by-a-run", { tags: { [TUTORIAL_TAG]: TUTORIAL_TAG_VALUE } });
    await vault.stop();
    // The same vault (same state), now refusing to create or delete keys.
    const faulty = await startTestVault({ stateDir, faults: [{ operation: "createKey", fault: "ForbiddenByRbac" }, { operation: "deleteKey", fault: "ForbiddenByRbac" }] });
    try {
      const faultyEnv = { ...env, ...faulty.emulator.env };
      const doctor = await runKvq(["doctor", "--json"], { env: faultyEnv });
      const failed = doctor.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((c) => c.status === "fail");
      assert.ok(failed.length > 0, doctor.stdout);
      assert.equal(doctor.code, failed.length, doctor.stdout + doctor.stderr);

      const cleanup = await runKvq(["cleanup", "--yes"], { env: faultyEnv });
      assert.equal(cleanup.code, 1, cleanup.stdout + cleanup.stderr);
      assert.match(cleanup.stdout, /^✖ /m);
      assert.match(cleanup.stdout, /0 cleaned, 1 failed/);
      const dry = await runKvq(["cleanup"], { env: faultyEnv });
      assert.equal(dry.code, 0, "a dry run that finds keys succeeds");
    } finally {
      await faulty.stop();
      vault = await startTestVault({ stateDir });
    }
  });
});

/**
 * The checks other tests rely on to say "nothing was left behind" look for real: each one finds a
 * planted leftover. A check that always answers "nothing" would let every leftover test pass. And
 * npm test's own runner reports every file's result and fails when one failed.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "./helpers/cli";
import { objectsNamedIn, startTestVault, STORED_KINDS, STORED_SETTING_KINDS, TEST_MAX_RETRIES, tutorialKeysIn, tutorialLeftoversIn } from "./helpers/emulator";
import { OBJECT_KINDS, SETTING_KINDS } from "../src/emulator/store/kinds";
import { joinShared } from "./helpers/shared-process";
import { typeCheckArgs } from "./helpers/type-check";
import { leftovers, PROCESS_LISTERS, processesMentioning, tempDir } from "./notebook/runner-helpers";

test("tutorialKeysIn finds tagged keys live, soft-deleted and still being deleted, and nothing else", async () => {
  const vault = await startTestVault({ deleteDelayMs: 60_000 });
  try {
    const tags = { "kvq-tutorial": "keys-quickstart", "kvq-run": "r1" };
    await vault.client.createEcKey("Tagged-Live", { tags });
    await vault.client.createEcKey("untagged");
    await vault.client.createEcKey("other-tag", { tags: { "kvq-tutorial": "something-else" } });
    await vault.client.createEcKey("tagged-deleting", { tags });
    // Deleted but "being deleted" for a minute: not listed by the vault yet, still a leftover.
    await vault.client.beginDeleteKey("tagged-deleting");
    // A later version without tags: the key still came from the tutorial.
    await vault.client.createEcKey("retagged", { tags });
    await vault.client.createEcKey("retagged");
    assert.deepEqual(await tutorialKeysIn(vault), ["retagged", "Tagged-Live", "tagged-deleting (deleted)"]);
  } finally {
    await vault.stop();
  }
});

test("tutorialLeftoversIn finds every kind's tagged objects, live, soft-deleted and still being deleted, each named with its kind", async () => {
  const vault = await startTestVault({ deleteDelayMs: 60_000 });
  try {
    const secretTags = { "kvq-tutorial": "secrets-quickstart", "kvq-run": "r1" };
    await vault.client.createEcKey("tagged-key", { tags: { "kvq-tutorial": "keys-quickstart", "kvq-run": "r1" } });
    await vault.secretClient.setSecret("Tagged-Secret", "v", { tags: secretTags });
    await vault.secretClient.setSecret("untagged-secret", "v");
    await vault.secretClient.setSecret("other-tag-secret", "v", { tags: { "kvq-tutorial": "something-else" } });
    await vault.secretClient.setSecret("secret-deleting", "v", { tags: secretTags });
    await vault.secretClient.beginDeleteSecret("secret-deleting");
    // The same name as a key and as a secret: two objects, each listed with its kind.
    await vault.secretClient.setSecret("tagged-key", "v", { tags: secretTags });
    assert.deepEqual(await tutorialLeftoversIn(vault), ["key tagged-key", "secret tagged-key", "secret Tagged-Secret", "secret secret-deleting (deleted)"]);
    // The keys-only check stays the keys quickstarts': it lists no secret.
    assert.deepEqual(await tutorialKeysIn(vault), ["tagged-key"]);
  } finally {
    await vault.stop();
  }
});

test("tutorialLeftoversIn finds tagged certificates, live and soft-deleted; objectsNamedIn finds their untagged key and secret too", async () => {
  const vault = await startTestVault({ issueDelayMs: 0 });
  try {
    const policy = { issuerName: "Self", subject: "cn=leftover" };
    const tags = { "kvq-tutorial": "certificates-quickstart", "kvq-run": "r1" };
    await (await vault.certificateClient.beginCreateCertificate("Tagged-Cert", policy, { tags, intervalInMs: 20 })).pollUntilDone();
    await (await vault.certificateClient.beginCreateCertificate("cert-deleted", policy, { tags, intervalInMs: 20 })).pollUntilDone();
    await (await vault.certificateClient.beginDeleteCertificate("cert-deleted", { intervalInMs: 20 })).pollUntilDone();
    await (await vault.certificateClient.beginCreateCertificate("untagged-cert", policy, { intervalInMs: 20 })).pollUntilDone();
    await vault.client.createEcKey("unrelated");
    assert.deepEqual(await tutorialLeftoversIn(vault), ["certificate Tagged-Cert", "certificate cert-deleted (deleted)"]);
    // The certificate's own key and secret carry no tags: only a check by name sees them.
    assert.deepEqual((await objectsNamedIn(vault, ["tagged-cert", "cert-deleted", "untagged-cert"])).sort(), [
      "certificate Tagged-Cert",
      "certificate cert-deleted (deleted)",
      "certificate untagged-cert",
      "key Tagged-Cert",
      "key cert-deleted (deleted)",
      "key untagged-cert",
      "secret Tagged-Cert",
      "secret cert-deleted (deleted)",
      "secret untagged-cert",
    ]);
    assert.deepEqual(await objectsNamedIn(vault, ["nothing-of-that-name"]), []);
  } finally {
    await vault.stop();
  }
});

test("STORED_KINDS lists every kind of object the emulator stores, so no kind's leftovers go unseen", () => {
  assert.deepEqual(STORED_KINDS.map((k) => k.kind).sort(), [...OBJECT_KINDS].sort());
  assert.deepEqual([...STORED_SETTING_KINDS].sort(), [...SETTING_KINDS].sort(), "and every kind of setting it stores, which hold no tutorial objects");
});

test("processesMentioning sees a running process by its command line, and not once it has ended", async (t) => {
  const marker = `kvq-marker-${process.pid}-${Date.now()}`;
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", marker], { stdio: "ignore" });
  await new Promise((resolve) => child.once("spawn", resolve));
  const listers = Object.entries(PROCESS_LISTERS).filter(([name]) => (name === "cim" ? process.platform === "win32" : name === "procfs" ? process.platform === "linux" : process.platform !== "win32"));
  try {
    // The default for this OS, and every other way that works here (ps on Linux too).
    assert.deepEqual(processesMentioning(marker), [child.pid]);
    for (const [name, list] of listers) await t.test(name, () => assert.deepEqual(processesMentioning(marker, list), [child.pid]));
  } finally {
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  assert.deepEqual(processesMentioning(marker), []);
  assert.deepEqual(leftovers(tempDir("kvq-helpers-")), { files: [], processes: [] });
});

test("the test vault's clients retry little: a 500 fails a test after a few attempts, not ten", async () => {
  const vault = await startTestVault();
  try {
    await vault.client.createEcKey("backed-up");
    const planted = vault.emulator.faults.inject({ operation: "backupKey", fault: { status: 500, code: "InternalServerError", message: "A planted bug." } });
    await assert.rejects(vault.client.backupKey("backed-up"), { statusCode: 500 });
    assert.equal(planted.hits, TEST_MAX_RETRIES + 1, "one request and TEST_MAX_RETRIES retries");
    assert.ok(TEST_MAX_RETRIES <= 3, "a failing test must fail in seconds");
  } finally {
    await vault.stop();
  }
});

/** npm test's runner on these arguments, as npm test starts it: not as a test file's child (Node's run() then refuses to run files). */
function runInOrder(args: string[]) {
  const { NODE_TEST_CONTEXT: _context, ...runnerEnv } = process.env;
  return spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(PROJECT_ROOT, "test", "helpers", "run-in-order.ts"), "--concurrency=2", ...args], { cwd: PROJECT_ROOT, encoding: "utf8", env: runnerEnv });
}

/** The run's totals ("tests 5", "pass 2", ...) in TAP or spec, by name. */
const totals = (stdout: string, names: string[]) => names.map((name) => Number(stdout.match(new RegExp(`^(?:# |ℹ )${name} (\\d+)$`, "m"))?.[1]));

test("npm test's runner: one report for all files, numbered through, totals summed, exit 1 when a test failed", () => {
  const dir = tempDir("kvq-run-in-order-");
  const files = {
    "a.test.ts": 'import { test } from "node:test";\nimport assert from "node:assert";\ntest("passes", () => {});\ntest("fails", () => assert.equal(1, 2));\n',
    "b.test.ts": 'import { describe, test } from "node:test";\ndescribe("suite b", () => {\n  test("waits", () => new Promise((r) => setTimeout(r, 200)));\n  test.todo("later");\n});\n',
    "c.test.ts": 'throw new Error("broken at load");\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const result = runInOrder(Object.keys(files).map((f) => path.join(dir, f)));
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.deepEqual(totals(result.stdout, ["tests", "suites", "pass", "fail", "todo"]), [5, 1, 2, 2, 1], result.stdout);
  assert.equal(result.stdout.match(/^(?:# |ℹ )tests /gm)?.length, 1, "one set of totals");
  if (result.stdout.startsWith("TAP version")) {
    // Node 20 and 22 off a terminal: TAP, its top-level tests numbered 1..4 once each, one plan.
    const numbers = [...result.stdout.matchAll(/^(?:not )?ok (\d+) - /gm)].map((m) => Number(m[1]));
    assert.deepEqual(numbers.sort(), [1, 2, 3, 4]);
    assert.deepEqual(result.stdout.match(/^1\.\.\d+$/gm), ["1..4"]);
  }
  assert.match(result.stdout, /broken at load/);
});

test("npm test's runner: files sharing a process run one after another, each with its own hooks, under its own name and time", () => {
  // In the project (git-ignored), so that the durations file names them as it names test files.
  const dir = path.join(PROJECT_ROOT, ".kvq", "tmp", `run-in-order-shared-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const files = {
      // Top-level hooks: in a shared process they must run around this file's tests only.
      "x.test.ts": 'import { after, before, test } from "node:test";\nbefore(() => { (globalThis as any).xOpen = true; });\nafter(() => { (globalThis as any).xOpen = false; });\ntest("x passes", () => {});\n',
      "y.test.ts": 'import { test } from "node:test";\nimport assert from "node:assert";\ntest("x is done before y starts", () => assert.equal((globalThis as any).xOpen, false));\ntest("y fails", () => assert.equal(1, 2));\n',
      "z.test.ts": 'import { test } from "node:test";\ntest("z on its own", () => {});\n',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const durations = path.join(dir, "durations.json");
    const [x, y, z] = Object.keys(files).map((f) => path.join(dir, f));
    const result = runInOrder([`--durations=${durations}`, joinShared([x!, y!]), z!]);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.deepEqual(totals(result.stdout, ["tests", "suites", "pass", "fail"]), [4, 2, 3, 1], result.stdout);
    // TAP (Node 20 and 22 off a terminal) or spec (Node 23 on).
    const line = (name: string) => new RegExp(`^\\s*(?:(?:not )?ok \\d+ - |[✔✖] )${name.replace(/\./g, "\\.")}(?: \\(|$)`, "m");
    assert.match(result.stdout, line("x is done before y starts"));
    const member = (file: string) => path.relative(PROJECT_ROOT, file).split(path.sep).join("/");
    for (const file of [x!, y!]) assert.match(result.stdout, line(member(file)), "each member is a suite named by its path");
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(durations, "utf8"))).sort(), [x!, y!, z!].map(member).sort(), "each file's time is recorded");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("npm test's type-check keeps its state while nothing changed, and drops it when npm changed node_modules or TypeScript", () => {
  const root = tempDir("kvq-type-check-");
  const work = path.join(root, ".kvq", "test");
  mkdirSync(work, { recursive: true });
  mkdirSync(path.join(root, "node_modules", "typescript"), { recursive: true });
  writeFileSync(path.join(root, "node_modules", ".package-lock.json"), '{"lockfileVersion":3}\n');
  writeFileSync(path.join(root, "node_modules", "typescript", "package.json"), '{"version":"5.9.3"}\n');
  const state = path.join(work, "check.tsbuildinfo");
  const args = typeCheckArgs(root, work);
  const config = args[1]!;
  assert.deepEqual(args, ["-b", config]);
  assert.equal(JSON.parse(readFileSync(config, "utf8")).extends, "../../tsconfig.json");
  const configTime = statSync(config).mtimeMs;

  writeFileSync(state, "{}");
  typeCheckArgs(root, work);
  assert.ok(existsSync(state), "kept while nothing changed");
  assert.equal(statSync(config).mtimeMs, configTime, "the tsconfig is not rewritten (a newer one makes -b check everything)");

  writeFileSync(path.join(root, "node_modules", ".package-lock.json"), '{"lockfileVersion":3,"packages":{}}\n');
  typeCheckArgs(root, work);
  assert.ok(!existsSync(state), "dropped after an npm install");

  writeFileSync(state, "{}");
  writeFileSync(path.join(root, "node_modules", "typescript", "package.json"), '{"version":"6.0.0"}\n');
  typeCheckArgs(root, work);
  assert.ok(!existsSync(state), "dropped after a TypeScript upgrade");
  rmSync(root, { recursive: true, force: true });
});

/**
 * The kernel's fast start (kernel/start-up/warm-up.cjs, kernel/start-up/deferred-env.cjs): kernel_info before tslab's
 * converter, a hidden warm-up while idle, and an environment given after the start. Each is checked
 * against the kernel as launched before (KVQ_KERNEL_FAST_START=0): the same cells give the same
 * replies, outputs and type errors, whether they arrive during the warm-up or after it, an
 * interrupt during the warm-up breaks nothing, and nothing is left behind. The conversion cache is
 * off where the cells must be converted after the warm-up (conversion-cache.test.ts has the
 * cache).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startKernel, type Kernel } from "../../src/notebook/kernel";
import { cellText, FIXTURES, isAlive, leftovers, tempDir } from "../notebook/runner-helpers";

const ROOT = path.resolve(__dirname, "..", "..");

/** What a learner's cells do: import the helpers and the SDK, misuse a type, reuse the warm-up's names. */
const CELLS = [
  'import { describeConfig } from "kvq";\nimport { KeyClient } from "@azure/keyvault-keys";\nimport { DefaultAzureCredential } from "@azure/identity";\nconsole.log(typeof describeConfig, typeof KeyClient, typeof DefaultAzureCredential);',
  'const client = new KeyClient("https://example.vault.azure.net");',
  'const n: number = "two";',
  "const kvq = 1;\nconst keys = 2;\nconst identity = 3;\nconsole.log(kvq + keys + identity);",
  "const client = 42;\nclient + 1",
];

async function replies(kernel: Kernel): Promise<string[]> {
  const seen: string[] = [];
  for (const cell of CELLS) {
    const r = await kernel.execute(cell);
    seen.push(`${r.status} | ${cellText(r, "stdout")} | ${cellText(r, "stderr")}`);
  }
  return seen;
}

/** Waits for a line of the warm-up's log (KVQ_KERNEL_WARM_UP_LOG) on the kernel's stderr. */
async function logged(kernel: Kernel, line: string): Promise<void> {
  for (let waited = 0; !kernel.logTail().includes(line); waited += 100) {
    if (waited > 120_000) throw new Error(`no "${line}" within 120 s; kernel log:\n${kernel.logTail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const warmedUp = (kernel: Kernel) => logged(kernel, "kvq: kernel warm-up done");

/** For the tests of what the warm-up leaves to the cells: no conversion comes from the cache. */
const CONVERT_EVERY_CELL = { KVQ_KERNEL_CACHE: "0" };

describe("the kernel's fast start", () => {
  const connectionDir = tempDir("kvq-warm-up-");
  const start = (env: Record<string, string> = {}, more: Partial<Parameters<typeof startKernel>[0]> = {}) =>
    startKernel({ cwd: FIXTURES, connectionDir, env: { KVQ_KERNEL_WARM_UP_LOG: "1", ...env }, startTimeoutMs: 120_000, ...more });
  let expected: string[];

  before(async () => {
    const before = await start({ KVQ_KERNEL_FAST_START: "0" });
    try {
      expected = await replies(before);
    } finally {
      await before.close();
    }
  });
  after(() => {
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  test("the cells answer as before: outputs, SDK type errors, and a learner's names that the warm-up also uses", () => {
    assert.match(expected[0]!, /^ok \| function function function\n \| $/);
    assert.match(expected[1]!, /^error \| {2}\| 1:16 - Expected 2-3 arguments, but got 1\./);
    assert.match(expected[2]!, /^error \| {2}\| 1:7 - Type 'string' is not assignable to type 'number'\./);
    assert.equal(expected[3], "ok | 6\n | ");
    assert.equal(expected[4], "ok | 43\n | ");
  });

  test("cells sent while the warm-up runs wait for its step in progress and answer the same", async () => {
    const kernel = await start(CONVERT_EVERY_CELL);
    try {
      await logged(kernel, "kvq: kernel warm-up begins");
      assert.deepEqual(await replies(kernel), expected);
    } finally {
      await kernel.close();
    }
  });

  test("after the warm-up has run, the cells answer the same (no name, output or error of its own)", async () => {
    const kernel = await start(CONVERT_EVERY_CELL);
    try {
      await warmedUp(kernel);
      assert.deepEqual(await replies(kernel), expected);
    } finally {
      await kernel.close();
    }
  });

  test("an interrupt during the warm-up changes nothing: the warm-up ends, the next cell runs, and a cell's interrupt still works", async () => {
    const kernel = await start({}, { interruptGraceMs: 60_000 });
    try {
      await logged(kernel, "kvq: kernel warm-up begins");
      assert.equal(kernel.interrupt(), true);
      await warmedUp(kernel);
      assert.equal(cellText(await kernel.execute('console.log("runs")'), "stdout"), "runs\n");
      // The interrupt must land after the cell's type-check: one during it is dropped by Node's vm, with
      // or without the warm-up (tslab runs cells with breakOnSigint), hence a generous timeout.
      const hung = await kernel.execute('console.log("waiting");\nawait new Promise(() => {});', { timeoutMs: 5000 });
      assert.equal(hung.stoppedBy, "timeout");
      assert.equal(hung.kernelStuck, false);
      assert.match(cellText(hung, "stderr"), /^Stopped: this cell was interrupted before it finished\.$/m);
      assert.equal(cellText(await kernel.execute('console.log("still here")'), "stdout"), "still here\n");
    } finally {
      await kernel.close();
    }
  });

  test("an environment given after the start is what the first cell sees; the switch itself is not", async () => {
    const kernel = await start({ KVQ_FIXTURE_VALUE: "at-start", KVQ_FIXTURE_KEPT: "kept" }, { deferEnv: true });
    try {
      kernel.provideEnv({ KVQ_FIXTURE_VALUE: "later", KVQ_FIXTURE_NEW: "new" });
      const r = await kernel.execute("console.log(process.env.KVQ_FIXTURE_VALUE, process.env.KVQ_FIXTURE_KEPT, process.env.KVQ_FIXTURE_NEW, process.env.KVQ_KERNEL_ENV_FROM_STDIN)");
      assert.equal(cellText(r, "stdout"), "later kept new undefined\n");
    } finally {
      await kernel.close();
    }
  });

  test("a deferred kernel that is never given its environment does not wait for it, and closes", async () => {
    const kernel = await start({}, { deferEnv: true });
    const r = await kernel.execute('console.log("ran")');
    assert.equal(cellText(r, "stdout"), "ran\n");
    const exit = await kernel.close();
    assert.equal(exit.signal, null, "it exited on shutdown_request, not killed");
    assert.equal(isAlive(kernel.pid), false);
  });

  test("kvq run's kernel, started before its target opens, is gone when the target cannot be opened (a vault URL with http://)", () => {
    // In a child process with its own temp folder, so the kernels' connection folder is this test's alone.
    const tmp = tempDir("kvq-warm-up-tmp-");
    const script = `require("./src/notebook/tutorial-run.ts").runTutorial({ vaultUrl: "http://kv1.vault.azure.net" }).then(() => console.log("ran"), (e) => console.log(e.name))`;
    const child = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(child.stdout.trim(), "ConfigurationError", child.stderr);
    assert.ok(existsSync(path.join(tmp, "kvq-kernels")), "a kernel was started before the target was refused");
    assert.deepEqual(leftovers(path.join(tmp, "kvq-kernels")), { files: [], processes: [] });
  });
});

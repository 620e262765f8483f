/**
 * The real tslab kernel, started through the project's kernelspec, one kernel for the whole file:
 * outputs, failures read from the reply, interrupts (SIGINT) on timeout, and a kernel that cannot
 * be interrupted being killed with nothing left behind.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { newConnectionInfo, writeConnectionFile } from "../../src/kernel/connection";
import { startKernel, type Kernel } from "../../src/notebook/kernel";
import { launchKernelProcess } from "../../src/kernel/process";
import { KERNEL_NAME, kernelSpec } from "../../src/kernel/kernelspec";
import { FIXTURES, isAlive, leftovers, tempDir } from "./runner-helpers";

const stdout = (r: { outputs: any[] }) => r.outputs.filter((o) => o.name === "stdout").map((o) => o.text).join("");
const stderr = (r: { outputs: any[] }) => r.outputs.filter((o) => o.name === "stderr").map((o) => o.text).join("");
/** The cell's error output (the kernel sends one for every failure), as { ename, evalue, traceback }. */
const errorOf = (r: { outputs: any[] }) => {
  const errors = r.outputs.filter((o) => o.output_type === "error");
  assert.equal(errors.length, 1, `one error output: ${JSON.stringify(r.outputs)}`);
  const { ename, evalue, traceback } = errors[0];
  return { ename, evalue, traceback: traceback.join("\n") };
};

describe("tslab through the kernelspec", () => {
  const connectionDir = tempDir("kvq-kernel-");
  let kernel: Kernel;

  before(async () => {
    kernel = await startKernel({ cwd: FIXTURES, connectionDir, env: { KVQ_FIXTURE_VALUE: "from-test" }, interruptGraceMs: 1500 });
  });
  after(async () => {
    await kernel?.close();
  });

  test("answers kernel_info; its connection file is private to this user", () => {
    assert.equal(kernel.info.implementation, "tslab");
    assert.ok(kernel.startupMs > 0);
    assert.ok(existsSync(kernel.connectionFile));
    if (process.platform !== "win32") assert.equal(statSync(kernel.connectionFile).mode & 0o777, 0o600);
    const info = JSON.parse(readFileSync(kernel.connectionFile, "utf8"));
    assert.equal(info.signature_scheme, "hmac-sha256");
    assert.equal(info.key.length, 64);
    assert.equal(info.kernel_name, "kvq-tslab");
  });

  test("kernel_info's language_info is what every committed notebook records (so opening one changes nothing)", () => {
    const notebooks = path.join(__dirname, "..", "..", "notebooks");
    for (const file of readdirSync(notebooks).filter((f) => f.endsWith(".ipynb"))) {
      const recorded = JSON.parse(readFileSync(path.join(notebooks, file), "utf8")).metadata.language_info;
      assert.equal(kernel.info.language_info.version, recorded.version, `${file}: the kernel reports TypeScript ${kernel.info.language_info.version}`);
      assert.equal(kernel.info.language_info.name, recorded.name);
    }
  });

  test("captures stdout, stderr, display_data and the last expression's value (execute_result); runs in the given folder and env", async () => {
    const result = await kernel.execute(
      'import * as tslab from "tslab";\nconsole.log("cwd", process.cwd());\nprocess.stderr.write("careful\\n");\nconsole.log(process.env.KVQ_FIXTURE_VALUE, process.env.NO_COLOR);\ntslab.display.markdown("*hi*");\n1 + 1',
    );
    assert.equal(result.status, "ok");
    assert.equal(stdout(result), `cwd ${FIXTURES}\nfrom-test 1\n`);
    assert.equal(stderr(result), "careful\n");
    assert.deepEqual(result.outputs.find((o) => o.output_type === "display_data"), { output_type: "display_data", data: { "text/markdown": "*hi*" }, metadata: {} });
    assert.equal(typeof result.executionCount, "number");
    assert.deepEqual(result.outputs.at(-1), { output_type: "execute_result", execution_count: result.executionCount, data: { "text/plain": "2" }, metadata: {} });
  });

  test("a value is shown as Node shows it; plain data also as application/json, anything JSON would change as text only", async () => {
    const value = async (code: string) => (await kernel.execute(code)).outputs.find((o) => o.output_type === "execute_result") as any;
    assert.deepEqual((await value('({ kty: "RSA", size: 2048, ops: ["sign", "verify"], tags: null })')).data, {
      "text/plain": "{ kty: 'RSA', size: 2048, ops: [ 'sign', 'verify' ], tags: null }",
      "application/json": { kty: "RSA", size: 2048, ops: ["sign", "verify"], tags: null },
    });
    assert.deepEqual((await value('"a string"')).data, { "text/plain": "'a string'" });
    assert.deepEqual(Object.keys((await value("({ created: new Date(0) })")).data), ["text/plain"]);
    assert.deepEqual(Object.keys((await value("({ n: new Uint8Array(2) })")).data), ["text/plain"]);
    assert.equal(await value("undefined"), undefined, "no value, no Out");
    assert.equal(await value("const quiet = 1;"), undefined);
  });

  test("a cell that needs an earlier cell's variable (after a restart) says to run the cells above, once per cell", async () => {
    const result = await kernel.execute("console.log(client.vaultUrl, run.runId);");
    assert.equal(result.status, "error");
    const { traceback } = errorOf(result);
    assert.match(traceback, /Cannot find name 'client'/);
    assert.match(traceback, /client is not defined in this kernel: the cell that defines it has not run yet.*Run All Above/s);
    assert.equal(traceback.match(/the cell that defines it/g)?.length, 1, "one hint, not one per missing name");
    // The next cell gets its own hint.
    assert.match(errorOf(await kernel.execute("key.name")).traceback, /key is not defined in this kernel/);
  });

  test("a type error is status error, a TypeScriptError naming line:col, before anything runs", async () => {
    const result = await kernel.execute('console.log("ran");\nconst n: number = "two";');
    assert.equal(result.status, "error");
    assert.equal(stdout(result), "");
    assert.equal(stderr(result), "", "the error is the error output, not stderr text");
    assert.deepEqual(result.error, { ename: "TypeScriptError", evalue: "2:7 - Type 'string' is not assignable to type 'number'." });
    assert.equal(errorOf(result).traceback, "2:7 - Type 'string' is not assignable to type 'number'.");
  });

  test("an exception is status error with the error's name and message, and no frame of tslab's or Node's; state from earlier cells survives", async () => {
    await kernel.execute("const kept = 41;");
    const failed = await kernel.execute('function deep() { throw new RangeError("boom"); }\ndeep();');
    assert.equal(failed.status, "error");
    assert.deepEqual(failed.error, { ename: "RangeError", evalue: "boom" });
    const { traceback } = errorOf(failed);
    assert.match(traceback, /^RangeError: boom/);
    assert.doesNotMatch(traceback, /tslab|node:|evalmachine/);
    const next = await kernel.execute("kept + 1");
    assert.equal(next.status, "ok", "not cancelled by tslab's 200 ms window after a failure");
    assert.equal((next.outputs[0] as any).data["text/plain"], "42");
  });

  test("a hung await is interrupted by SIGINT when the timeout fires, and the kernel stays usable", async () => {
    const started = Date.now();
    const hung = await kernel.execute('console.log("waiting");\nawait new Promise(() => {});', { timeoutMs: 400 });
    assert.equal(hung.stoppedBy, "timeout");
    assert.equal(hung.status, "error");
    assert.equal(hung.kernelStuck, false);
    assert.equal(stdout(hung), "waiting\n");
    assert.deepEqual(errorOf(hung), { ename: "Interrupted", evalue: "Stopped: this cell was interrupted before it finished.", traceback: "Stopped: this cell was interrupted before it finished." });
    assert.ok(Date.now() - started < 1400, "answered well within the grace period");
    const after = await kernel.execute('console.log("still here")');
    assert.equal(stdout(after), "still here\n");
  });

  test("a synchronous busy loop is interrupted too (tslab runs cells with breakOnSigint), and says so the same way", async () => {
    const hung = await kernel.execute("while (true) {}", { timeoutMs: 300 });
    assert.equal(hung.stoppedBy, "timeout");
    assert.equal(hung.kernelStuck, false);
    assert.equal(errorOf(hung).traceback, "Stopped: this cell was interrupted before it finished.");
  });

  test("shutdown ends the kernel at once, with a cell's timer still pending (an SDK poller not waited for)", async () => {
    const other = await startKernel({ cwd: FIXTURES, connectionDir });
    const r = await other.execute('setTimeout(() => console.log("too late"), 60_000);\nconsole.log("left a timer")');
    assert.equal(stdout(r), "left a timer\n");
    // Within close's grace (2 s) and by itself: not killed.
    assert.deepEqual(await other.close(), { code: 0, signal: null });
    assert.equal(isAlive(other.pid), false);
  });

  test("a loop after an await ignores SIGINT: reported stuck, and close kills it, leaving nothing", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const hung = await kernel.execute("await null;\nwhile (true) {}", { signal: controller.signal });
    assert.equal(hung.stoppedBy, "abort");
    assert.equal(hung.kernelStuck, true);
    assert.equal(kernel.alive, true);
    const exit = await kernel.close({ graceMs: 300 });
    assert.equal(exit.signal, "SIGKILL");
    assert.equal(kernel.alive, false);
    assert.equal(isAlive(kernel.pid), false);
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });
});

// Jupyter chooses the ports and the kernel binds them a moment later; another program can take one
// in between. tslab alone only printed the EADDRINUSE and lived on, answering nothing, so every
// front end waited out its start-up limit. The bound below only keeps that failure from hanging.
test("a kernel launched as Jupyter launches it, with one of its ports taken, exits at once and says which", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const connectionDir = tempDir("kvq-kernel-bind-");
  try {
    const info = { ...(await newConnectionInfo(KERNEL_NAME)), shell_port: (taken.address() as AddressInfo).port };
    const proc = launchKernelProcess({ spec: kernelSpec(), connectionFile: await writeConnectionFile(info, connectionDir), cwd: FIXTURES });
    const bound = setTimeout(() => proc.kill(), 60_000);
    const exit = await proc.exited;
    clearTimeout(bound);
    assert.deepEqual(exit, { code: 1, signal: null }, `killed after 60 s, not exited:\n${proc.logTail()}`);
    assert.match(proc.logTail(), new RegExp(`kvq: the kernel could not open its ports: tcp://127\\.0\\.0\\.1:${info.shell_port} is already in use \\(EADDRINUSE\\)\\. Start it again`));
    proc.kill();
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  } finally {
    taken.close();
  }
});

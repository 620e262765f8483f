/**
 * Jupyter's kernel conformance suite (jupyter_kernel_test) against the installed kernelspecs, both
 * languages, plus the protocol and interrupt tests written with its machinery (conformance.py).
 * The kernelspecs are installed with kvq's own install into a temporary prefix on JUPYTER_PATH, with
 * a third, the English one with interrupt_mode "message" (what Windows gets), for the interrupt
 * over the control channel.
 *
 * The Python that runs Jupyter runs the suite: the interpreter of the `jupyter` command (Debian's
 * /usr/bin/python3, with python3-jupyter-kernel-test). Without it the tests skip saying why, unless
 * CI=true. The two languages' kernels are tested by two Python processes at once.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import which from "which";
import { installKernelSpecs } from "../../src/kernel/install";
import { kernelSpec, KERNELS } from "../../src/kernel/kernelspec";
import { IN_CI, JUPYTER, PROJECT_ROOT } from "../helpers/jupyter";

/** The suite's own tests, as jupyter_kernel_test 0.4.5 has them; those tslab cannot pass, with why. */
const SUITE = ["test_kernel_info", "test_execute_stdout", "test_execute_stderr", "test_completion", "test_is_complete", "test_error", "test_execute_result", "test_display_data", "test_inspect"];
const SKIPPED: Record<string, RegExp> = {
  test_history: /tslab keeps no history/,
  test_pager: /tslab has no pager/,
  test_clear_output: /tslab has no clear_output/,
};
/** Ours, with the suite's machinery (conformance.py). */
const BEYOND = ["test_type_error", "test_sdk_error", "test_stop_on_error_false_runs_the_next_cell", "test_replies_tslab_lacked", "test_interrupt_awaiting", "test_interrupt_spinning"];
const FIRST_INTERRUPT = [
  "test_signal_to_the_process_group_during_the_type_check",
  "test_signal_while_the_idle_warm_up_runs",
  "test_interrupt_request_during_the_type_check_then_in_a_loop",
  "test_interrupt_request_read_by_the_main_thread_stops_an_awaiting_cell",
];

/** The Python of the `jupyter` command (its #! line), if it has jupyter_kernel_test. */
function suitePython(): { python: string } | { reason: string } {
  const jupyter = which.sync(JUPYTER, { nothrow: true });
  if (!jupyter) return { reason: `\`${JUPYTER}\` is not on the PATH` };
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(jupyter, "utf8").split("\n")[0] ?? "")?.[1];
  if (!shebang) return { reason: `${jupyter} does not name its Python` };
  return { python: shebang };
}

interface Outcome {
  test: string;
  outcome: "ok" | "fail" | "error" | "skip";
  detail: string;
}

function runSuite(python: string, classes: string[], env: NodeJS.ProcessEnv): Promise<{ outcomes: Outcome[]; timings: string[]; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(__dirname, "conformance.py"), ...classes], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // The suite's own limits are 15-60 s a message; this only stops a wedged one.
    const limit = setTimeout(() => child.kill("SIGINT"), 300_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(limit);
      const lines = stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
      resolve({ outcomes: lines.filter((l) => "outcome" in l), timings: lines.filter((l) => "timing" in l).map((l) => l.timing), stderr, code });
    });
  });
}

const found = suitePython();
const skip = "reason" in found && !IN_CI ? `Jupyter's Python is not available: ${found.reason}` : false;

describe("jupyter_kernel_test against the installed kernelspecs", { skip }, () => {
  const work = mkdtempSync(path.join(tmpdir(), "kvq-conformance-"));
  const results = new Map<string, Outcome>();
  let timings: string[] = [];
  let stderr = "";

  before(async () => {
    assert.ok("python" in found, "reason" in found ? found.reason : "");
    const { jupyterPathEntry } = installKernelSpecs({ prefix: path.join(work, "prefix") })[0]!;
    // The English kernel interrupted by interrupt_request on the control channel (the kernelspec
    // Windows gets), and the same without the control thread, as the kernel runs on Windows.
    const spec = kernelSpec({ interruptMode: "message" });
    const { KVQ_INTERRUPT_MODE: _thread, ...mainThreadEnv } = spec.env;
    for (const [name, variant] of [["kvq-tslab-message", spec], ["kvq-tslab-message-main-thread", { ...spec, env: mainThreadEnv }]] as const) {
      mkdirSync(path.join(jupyterPathEntry!, "kernels", name), { recursive: true });
      writeFileSync(path.join(jupyterPathEntry!, "kernels", name, "kernel.json"), JSON.stringify({ ...variant, display_name: `${spec.display_name} (${name})` }, null, 2));
    }
    // No KVQ_LANG (the test runner sets one): each kernelspec's own language must decide.
    const { KVQ_LANG: _lang, ...inherited } = process.env;
    const runtime = path.join(work, "runtime");
    mkdirSync(runtime);
    const env = { ...inherited, JUPYTER_PATH: jupyterPathEntry!, JUPYTER_RUNTIME_DIR: runtime, PYTHONDONTWRITEBYTECODE: "1" };
    const runs = await Promise.all([runSuite(found.python, ["English", "FirstInterrupt"], env), runSuite(found.python, ["TraditionalChinese"], env)]);
    for (const run of runs) {
      for (const outcome of run.outcomes) {
        const seen = results.get(outcome.test);
        // A subtest's failure and its test's outcome are one entry: the worst is kept.
        if (!seen || seen.outcome === "ok") results.set(outcome.test, outcome);
      }
      timings.push(...run.timings);
      stderr += run.stderr;
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const expect = (name: string, check: (outcome: Outcome) => void) =>
    test(name, (t) => {
      const outcome = results.get(name);
      assert.ok(outcome, `${name} did not run:\n${stderr.slice(-4000)}`);
      check(outcome);
      for (const line of timings.filter((l) => l.startsWith(`${name}:`) || l.startsWith(`__main__.${name}:`))) t.diagnostic(line);
    });
  const passes = (o: Outcome) => assert.equal(o.outcome, "ok", o.detail);

  for (const [className, kernel] of [["English", KERNELS.en.name], ["TraditionalChinese", KERNELS["zh-TW"].name]]) {
    for (const name of [...SUITE, ...BEYOND]) expect(`${className}.${name}`, passes);
    for (const [name, reason] of Object.entries(SKIPPED)) {
      expect(`${className}.${name}`, (o) => {
        assert.equal(o.outcome, "skip", `${kernel}: ${o.detail}`);
        assert.match(o.detail, reason);
      });
    }
  }
  for (const name of FIRST_INTERRUPT) expect(`FirstInterrupt.${name}`, passes);

  test("every test the suite ran is one of those above, and the counts are reported", (t) => {
    const known = new Set([...["English", "TraditionalChinese"].flatMap((c) => [...SUITE, ...BEYOND, ...Object.keys(SKIPPED)].map((n) => `${c}.${n}`)), ...FIRST_INTERRUPT.map((n) => `FirstInterrupt.${n}`)]);
    const unknown = [...results.keys()].filter((name) => !known.has(name.replace(/ \(.*\)$/, "")));
    assert.deepEqual(unknown, [], "a test of conformance.py this file does not list");
    const count = (outcome: Outcome["outcome"]) => [...results.values()].filter((o) => o.outcome === outcome).length;
    t.diagnostic(`jupyter_kernel_test and ours: ${count("ok")} passed, ${count("skip")} skipped, ${count("fail") + count("error")} failed`);
  });
});

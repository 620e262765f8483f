/**
 * `npm test`: type-checks the project and finds every *.test.ts under test/ (or under the folders
 * and files given) and runs them with Node's test runner, TypeScript loaded through tsx. Node 20's
 * runner cannot find .ts files itself, and npm scripts cannot glob portably, hence this small
 * launcher. The whole-project type-check (tsc, incremental) runs beside the tests, not before them;
 * the run fails when either fails. The files that took longest last time start first
 * (test/helpers/run-in-order.ts), so the two slots stay full to the end.
 *
 *   npm test                      everything
 *   npm test -- test/emulator     one folder
 *   npm test -- --test-name-pattern=purge
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { joinShared } from "./helpers/shared-process";
import { durationKey, readDurations } from "./helpers/test-durations";
import { typeCheckArgs } from "./helpers/type-check";

// Plain JavaScript shared with the kernel (no declarations): whether src/.types is newer than every helper source.
const { helperTypesFresh } = require("../src/kernel/start-up/helper-types.cjs") as { helperTypesFresh(): boolean };

const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const targets = args.filter((a) => !a.startsWith("--"));
const nodeFlags = args.filter((a) => a.startsWith("--"));

function findTests(target: string): string[] {
  const full = path.resolve(root, target);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts") && !f.split(path.sep).includes("node_modules"))
    .map((f) => path.join(full, f));
}

/** Loads every module under src/ (the CLI's entry excepted: it would run). */
const WARM_CACHE = `
const { readdirSync } = require("node:fs");
const path = require("node:path");
for (const f of readdirSync("src", { recursive: true, encoding: "utf8" })) {
  if (f.endsWith(".ts") && !f.endsWith(".d.ts")) require(path.resolve("src", f));
}`;

const files = (targets.length > 0 ? targets : ["test"]).flatMap(findTests);
if (files.length === 0) {
  console.error(`No *.test.ts files under ${targets.join(", ") || "test"}.`);
  process.exit(2);
}

// What the run keeps between runs (ignored by git, like the rest of .kvq/): how long each file took,
// and tsc's incremental state.
const WORK = path.join(root, ".kvq", "test");
const DURATIONS = path.join(WORK, "durations.json");
mkdirSync(WORK, { recursive: true });

/**
 * Roughly how long the heavy files take (seconds, 2 cores), for a clone that has no durations.json
 * yet: they start first. A file missing from both is taken as a middling one.
 */
const FIRST_RUN_SECONDS: Record<string, number> = {
  // A fresh clone's run (CI's), 2026-12-07.
  "test/frontends/notebook-browser.test.ts": 79,
  "test/workshop/rehearse.test.ts": 56,
  "test/kernel/warm-up.test.ts": 51,
  "test/kernel/conformance.test.ts": 45,
  "test/notebook/docs.test.ts": 44,
  "test/notebook/run-command.test.ts": 41,
  "test/kernel/jupyter.test.ts": 34,
  "test/workshop/doctor.test.ts": 32,
  "test/notebook/notebooks-jupyter.test.ts": 29,
  "test/cli-build.test.ts": 25,
  "test/cli-exit-codes.test.ts": 24,
  "test/notebook/runner-run.test.ts": 17,
  "test/notebook/runner-interrupt.test.ts": 14,
};
const MIDDLING_MS = 10_000;
/** A file of a shared process (below) missing from both: they are there for being quick. */
const QUICK_MS = 2_000;
/**
 * Quick files that share a process (test/helpers/shared-process.ts), a group at a time: each
 * process costs about a second of CPU before its first test, more than most of these spend on
 * their tests. What a member must not do: depend on being first in its process (doctor-sign-in.test.ts
 * needs MSAL's process-wide caches empty), wait long (a throttle window: it would hold up the
 * others), or leave the environment changed. A group's files run one after another, in this order.
 */
const SHARED_PROCESSES = [
  ["emulator/auth", "emulator/crypto", "emulator/errors", "emulator/hardening", "emulator/keys", "emulator/fuzz", "emulator/replay", "emulator/tls", "emulator/state-folder"],
  ["emulator/lifecycle", "emulator/listing", "emulator/paging-boundaries", "emulator/persistence", "emulator/quickstart-flow", "emulator/crash", "emulator/limits", "emulator/validate"],
  ["cleanup", "env", "errors", "secrets", "key-names", "util/env-file", "i18n/catalogs", "i18n/lang", "workshop/doctor-exit-code"],
  ["notebook/notebook-names", "notebook/committed-notebooks", "notebook/redact-output", "notebook/render-markdown", "notebook/workshop-page", "kernel/jupyter-paths", "notebook/runner-units", "notebook/strip-command"],
].map((group) => group.map((name) => path.join(root, "test", `${name}.test.ts`)));

/** The files as the runner takes them: a shared group's files (those of them this run has) joined into one argument. */
function shareProcesses(list: string[]): { argument: string; files: string[] }[] {
  const wanted = new Set(list);
  const units: { argument: string; files: string[] }[] = [];
  const grouped = new Set<string>();
  for (const group of SHARED_PROCESSES) {
    const members = group.filter((file) => wanted.has(file));
    if (members.length < 2) continue;
    members.forEach((file) => grouped.add(file));
    units.push({ argument: joinShared(members), files: members });
  }
  return [...units, ...list.filter((file) => !grouped.has(file)).map((file) => ({ argument: file, files: [file] }))];
}
/** Test files at a time. They wait on sockets, kernels and key generation as well as the CPU. */
const CONCURRENCY = 2;
/**
 * Longest first: Node's runner starts files in the order given, so the long ones (real Jupyter, a
 * browser, whole notebooks) start while the short ones fill the other slot, and no long file starts
 * last and runs on alone. Times come from the previous runs on this machine, else FIRST_RUN_SECONDS.
 */
function longestFirst(units: { argument: string; files: string[] }[]): string[] {
  const recorded = readDurations(DURATIONS);
  const estimate = (file: string, shared: boolean) => {
    const key = durationKey(file) ?? file;
    return recorded[key] ?? (shared ? QUICK_MS : (FIRST_RUN_SECONDS[key] ?? MIDDLING_MS / 1000) * 1000);
  };
  const total = (unit: { files: string[] }) => unit.files.reduce((sum, file) => sum + estimate(file, unit.files.length > 1), 0);
  return [...units].sort((a, b) => total(b) - total(a) || a.argument.localeCompare(b.argument)).map((unit) => unit.argument);
}

// tsx compiles each TypeScript file on first load and caches the result. On a cold cache (a fresh
// clone in a new folder) several test processes, and the kvq children they spawn, would all compile
// at once; esbuild's synchronous transform has been seen to hang in that crowd. One process compiles
// every source file first, so the test processes start from a warm cache.
// The helpers' declarations (scripts/build-types.cjs) are rebuilt alongside when a source is newer
// than them (the same check the kernel makes), so the kernels the tests start check cells against
// the current sources' declarations, as a learner's kernel does.
// The type-check is incremental (test/helpers/type-check.ts, its state in .kvq/test/): with no
// change it only checks that nothing changed, after a small change it re-checks what the change
// touches; an npm install, a new TypeScript version or changed options make it check everything again.
/**
 * TypeScript for the test processes (each test file's process inherits it): tsx's CommonJS hook
 * alone, for the project's files (src/util/typescript-loader.cjs: packages load as in plain Node,
 * about 0.1 s less CPU in each process that loads the SDK). The project is CommonJS, and
 * `--import tsx` also starts Node's ESM loader hooks on their own thread, about 0.4 s of CPU in
 * each of the 60 processes.
 */
const TSX = ["--require", path.join(root, "src", "util", "typescript-loader.cjs")];
const exitCode = (child: ChildProcess) => new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
const warm = exitCode(spawn(process.execPath, [...TSX, "-e", WARM_CACHE], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, KVQ_LANG: "en" } }));
const types = helperTypesFresh() ? Promise.resolve(0) : exitCode(spawn(process.execPath, [path.join(root, "scripts", "build-types.cjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] }));
// The CLI's build (src/cli-build.cjs): made once here when a source changed, rather than by the
// first dozen kvq processes the tests spawn, each rebuilding it at the same moment.
const cliBuild = exitCode(spawn(process.execPath, [path.join(root, "scripts", "build-cli.cjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] }));
const typecheck = exitCode(spawn(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), ...typeCheckArgs(root, WORK)], { cwd: root, stdio: ["ignore", "inherit", "inherit"] }));

async function main(): Promise<number> {
  if ((await warm) !== 0) process.stderr.write("Warming the TypeScript cache failed; running the tests anyway.\n");
  if ((await types) !== 0) process.stderr.write("Building the helpers' declarations failed; kernels check cells against the sources.\n");
  if ((await cliBuild) !== 0) process.stderr.write("Building the CLI failed; kvq runs its sources through tsx.\n");

  // --test-force-exit (run-in-order.ts sets it too): a file whose tests are done ends even if a
  // failed test left a timer or socket behind (an SDK still retrying), so a failure costs its
  // bound, not the retries' minutes.
  // KVQ_LANG=en: the tests assert the English messages, whatever language the developer's shell
  // (LANG=zh_TW.UTF-8, KVQ_LANG) picks; the tests of other languages set theirs explicitly.
  // Without flags, run-in-order.ts runs the files longest first (`node --test` would sort them by
  // name) and records their times. A caller's flags (--test-name-pattern, --test-reporter, ...) go
  // to Node's own runner, as they always did; its order is by name then.
  const runner =
    nodeFlags.length === 0
      ? [path.join(root, "test", "helpers", "run-in-order.ts"), `--concurrency=${CONCURRENCY}`, `--durations=${DURATIONS}`, ...longestFirst(shareProcesses(files))]
      : ["--test", `--test-concurrency=${CONCURRENCY}`, "--test-force-exit", ...nodeFlags, ...files];
  const tests = spawn(process.execPath, [...TSX, ...runner], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, KVQ_TEST: "1", KVQ_LANG: "en" },
  });
  const [testsCode, typecheckCode] = await Promise.all([exitCode(tests), typecheck]);
  if (typecheckCode !== 0) process.stderr.write("\nThe type-check (tsc) failed: see its errors above.\n");
  return testsCode !== 0 ? testsCode : typecheckCode;
}

void main().then((code) => process.exit(code));

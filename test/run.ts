/**
 * `npm test`: type-checks the project and finds every *.test.ts under test/ (or under the folders
 * and files given) and runs them with Node's test runner, TypeScript loaded through tsx. Node 20's
 * runner cannot find .ts files itself, and npm scripts cannot glob portably, hence this small
 * launcher. The whole-project type-check (tsc) runs beside the tests, not before them; the run
 * fails when either fails.
 *
 *   npm test                      everything
 *   npm test -- test/emulator     one folder
 *   npm test -- --test-name-pattern=purge
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

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

const files = (targets.length > 0 ? targets : ["test"]).flatMap(findTests).sort();
if (files.length === 0) {
  console.error(`No *.test.ts files under ${targets.join(", ") || "test"}.`);
  process.exit(2);
}
// tsx compiles each TypeScript file on first load and caches the result. On a cold cache (a fresh
// clone in a new folder) several test processes, and the kvq children they spawn, would all compile
// at once; esbuild's synchronous transform has been seen to hang in that crowd. One process compiles
// every source file first, so the test processes start from a warm cache.
// The helpers' declarations (scripts/build-types.cjs) are rebuilt alongside, so the kernels the
// tests start check cells against the current sources' declarations, as a learner's kernel does.
const exitCode = (child: ChildProcess) => new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
const warm = spawn(process.execPath, ["--import", "tsx", "-e", WARM_CACHE], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, KVQ_LANG: "en" } });
const types = spawn(process.execPath, [path.join(root, "scripts", "build-types.cjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
const typecheck = spawn(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", root], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });

async function main(): Promise<number> {
  if ((await exitCode(warm)) !== 0) process.stderr.write("Warming the TypeScript cache failed; running the tests anyway.\n");
  if ((await exitCode(types)) !== 0) process.stderr.write("Building the helpers' declarations failed; kernels check cells against the sources.\n");

  // Test files wait on sockets, kernels and key generation more than on the CPU: run two at a time.
  // --test-force-exit: a file whose tests are done ends even if a failed test left a timer or
  // socket behind (an SDK still retrying), so a failure costs its bound, not the retries' minutes.
  // KVQ_LANG=en: the tests assert the English messages, whatever language the developer's shell
  // (LANG=zh_TW.UTF-8, KVQ_LANG) picks; the tests of other languages set theirs explicitly.
  const tests = spawn(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", "--test-force-exit", ...nodeFlags, ...files], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, KVQ_TEST: "1", KVQ_LANG: "en" },
  });
  const [testsCode, typecheckCode] = await Promise.all([exitCode(tests), exitCode(typecheck)]);
  if (typecheckCode !== 0) process.stderr.write("\nThe type-check (tsc -p .) failed: see its errors above.\n");
  return testsCode !== 0 ? testsCode : typecheckCode;
}

void main().then((code) => process.exit(code));

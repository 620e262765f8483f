/**
 * `npm test`: finds every *.test.ts under test/ (or under the folders and files given) and runs
 * them with Node's test runner, TypeScript loaded through tsx. Node 20's runner cannot find .ts
 * files itself, and npm scripts cannot glob portably, hence this small launcher.
 *
 *   npm test                      everything
 *   npm test -- test/emulator     one folder
 *   npm test -- --test-name-pattern=purge
 */
import { spawnSync } from "node:child_process";
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
const warm = spawnSync(process.execPath, ["--import", "tsx", "-e", WARM_CACHE], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, KVQ_LANG: "en" } });
if (warm.status !== 0) process.stderr.write("Warming the TypeScript cache failed; running the tests anyway.\n");

// Test files wait on sockets, kernels and key generation more than on the CPU: run two at a time.
// KVQ_LANG=en: the tests assert the English messages, whatever language the developer's shell
// (LANG=zh_TW.UTF-8, KVQ_LANG) picks; the tests of other languages set theirs explicitly.
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...nodeFlags, ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, KVQ_TEST: "1", KVQ_LANG: "en" } },
);
process.exit(result.status ?? 1);

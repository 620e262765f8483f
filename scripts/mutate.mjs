// @ts-check
// `npm run mutate`: mutation testing with StrykerJS (not part of `npm test`). Stryker changes the
// code one small way at a time (a `>=` to `>`, a condition to `true`, a regular expression's flag
// dropped …) and runs the tests that cover each change: a change no test notices — a surviving
// mutant — is a promise no test holds. Node's test runner is read through Stryker's TAP runner,
// one test file per process.
//
// Each group mutates some files and runs only the test files written for them, so a mutant costs
// its own tests, not the suite. Incremental: a second run tests again only the mutants whose code
// or tests changed (the results kept in .kvq/mutation/<group>.json).
//
//   npm run mutate                    every group (incremental)
//   npm run mutate -- redaction       one group (or several)
//   npm run mutate -- --force         test every mutant again
//   npm run mutate -- --concurrency 4 test processes at a time (default: the cores + 1; tests wait on sockets too)
//
// Reports: .kvq/mutation/<group>.html (open it in a browser) and .json; the survivors are printed.
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = ".kvq/mutation";

/** What each group mutates, and the test files that are meant to hold it. */
const GROUPS = {
  "exit-codes": { mutate: ["src/errors.ts"], tests: ["test/errors.test.ts"] },
  redaction: { mutate: ["src/secrets.ts", "src/notebook/redact-output.ts"], tests: ["test/secrets.test.ts", "test/notebook/redact-output.test.ts"] },
  names: { mutate: ["src/object-names.ts"], tests: ["test/key-names.test.ts"] },
  settings: { mutate: ["src/env.ts", "src/sign-in.ts", "src/vault-url.ts"], tests: ["test/env.test.ts"] },
  "client-options": { mutate: ["src/client-options.ts", "src/connection-policy.ts", "src/vault-unreachable.ts"], tests: ["test/client-options.test.ts"] },
  "ledger-cleanup": { mutate: ["src/run-ledger.ts", "src/cleanup.ts"], tests: ["test/cleanup.test.ts"] },
  "emulator-limits-validation": {
    mutate: ["src/emulator/limits.ts", "src/emulator/validate.ts"],
    tests: ["test/emulator/limits.test.ts", "test/emulator/validate.test.ts", "test/emulator/service-parity.test.ts", "test/emulator/fuzz.test.ts"],
  },
  // The emulator's store (src/emulator/store/), where its promises are kept: when a write is
  // acknowledged (vault-store.ts), what a start rejects (a record's checksum, the write-ahead log's
  // damage) and the repair. Scoped to keep the whole run within 30 minutes on two cores (all of
  // the store is 965 mutants, 27 minutes alone): left out are the messages, the lock's wait, the
  // salvage of an unreadable file, the migration of an older emulator's files and the worker.
  store: {
    mutate: ["src/emulator/store/vault-store.ts", "src/emulator/store/schema.ts", "src/emulator/store/wal-check.ts", "src/emulator/store/open.ts:198-305"],
    tests: ["test/emulator/store-damage.test.ts", "test/emulator/store-durability.test.ts"],
  },
};

const args = process.argv.slice(2);
const force = args.includes("--force");
const concurrencyAt = args.indexOf("--concurrency");
const concurrency = concurrencyAt >= 0 ? Number(args[concurrencyAt + 1]) : availableParallelism() + 1;
const named = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--concurrency");
const unknown = named.filter((name) => !Object.hasOwn(GROUPS, name));
if (unknown.length > 0 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error(unknown.length > 0 ? `No group ${unknown.join(", ")}. Groups: ${Object.keys(GROUPS).join(", ")}.` : "--concurrency takes a whole number.");
  process.exit(2);
}

// What npm test sets for every test process (test/run.ts): English messages, the test flag. The
// test processes Stryker starts inherit them.
process.env.KVQ_LANG = "en";
process.env.KVQ_TEST = "1";
process.chdir(ROOT);
const { Stryker } = await import("@stryker-mutator/core");

/** @param {string} name @param {{ mutate: string[], tests: string[] }} group */
async function runGroup(name, group) {
  const started = performance.now();
  const results = await new Stryker({
    testRunner: "tap",
    plugins: ["@stryker-mutator/tap-runner"],
    mutate: group.mutate,
    tap: {
      testFiles: group.tests,
      // The project's TypeScript loader, as npm test uses it; TAP, which Node 23+ no longer prints by default.
      nodeArgs: ["--require", "./src/util/typescript-loader.cjs", "--test-reporter=tap", "--test-force-exit", "-r", "{{hookFile}}", "{{testFile}}"],
    },
    coverageAnalysis: "perTest",
    incremental: true,
    force,
    incrementalFile: `${OUT}/${name}.json`,
    // Only what the tests read is copied into Stryker's sandbox.
    ignorePatterns: ["/docs", "/notebooks", "/examples", "/bench", "/build", "/.kvq", "/test/fixtures/recordings", "/test/frontends"],
    tempDirName: `${OUT}/tmp`,
    reporters: ["progress-append-only", "html", "json"],
    htmlReporter: { fileName: `${OUT}/${name}.html` },
    jsonReporter: { fileName: `${OUT}/${name}-report.json` },
    concurrency,
    logLevel: "warn",
  }).runMutationTest();
  return { name, results, seconds: (performance.now() - started) / 1000 };
}

const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);

/** "src/x.ts:12:5 ConditionalExpression: a >= b → true" (Stryker's lines and columns count from 1 here). */
function describeMutant(/** @type {import("@stryker-mutator/api/core").MutantResult} */ mutant) {
  const { start, end } = mutant.location;
  const lines = readFileSync(path.resolve(ROOT, mutant.fileName), "utf8").split("\n");
  const original =
    start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)} …`;
  const short = (text) => (text.length > 70 ? `${text.slice(0, 67)}…` : text).replace(/\s+/g, " ");
  const where = `${path.relative(ROOT, mutant.fileName).split(path.sep).join("/")}:${start.line}:${start.column}`;
  return `${where} ${mutant.mutatorName}${mutant.status === "NoCoverage" ? " (no test covers it)" : ""}: ${short(original)} → ${short(mutant.replacement ?? "")}`;
}

const score = (results) => {
  const detected = results.filter((m) => DETECTED.has(m.status)).length;
  const undetected = results.filter((m) => UNDETECTED.has(m.status)).length;
  return { detected, undetected, percent: detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected) };
};

const started = performance.now();
const runs = [];
for (const name of named.length > 0 ? named : Object.keys(GROUPS)) {
  console.log(`\n== ${name}: ${GROUPS[name].mutate.join(", ")}`);
  runs.push(await runGroup(name, GROUPS[name]));
}

console.log("\nSurviving mutants (no test noticed the change):");
for (const { results } of runs) for (const mutant of results.filter((m) => UNDETECTED.has(m.status))) console.log(`  ${describeMutant(mutant)}`);
console.log("\nScore (killed or timed out, of those that ran or had no test):");
for (const run of runs) {
  const { detected, undetected, percent } = score(run.results);
  console.log(`  ${run.name.padEnd(28)} ${percent.toFixed(1).padStart(5)} %  ${String(detected).padStart(4)} killed, ${String(undetected).padStart(3)} survived  (${run.seconds.toFixed(0)} s)`);
}
const all = score(runs.flatMap((r) => r.results));
console.log(`  ${"all".padEnd(28)} ${all.percent.toFixed(1).padStart(5)} %  ${String(all.detected).padStart(4)} killed, ${String(all.undetected).padStart(3)} survived  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
console.log(`\nReports: ${OUT}/<group>.html`);

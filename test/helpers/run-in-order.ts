/**
 * The test process of `npm test` (test/run.ts starts it with tsx loaded): Node's test runner over
 * the files in the order given, each in its own process, `--concurrency` at a time. `node --test`
 * sorts its files by name; this keeps the order run.ts chose (longest first), so the long files
 * start at once and none starts last to run on alone. Records each file's time in `--durations`
 * for the next run's order.
 *
 *   node --require tsx/cjs test/helpers/run-in-order.ts --concurrency=2 --durations=FILE FILE...
 *
 * Exits 1 when a test failed, as `node --test` does.
 */
import { run } from "node:test";
import * as reporters from "node:test/reporters";
import { recordDuration } from "./test-durations";

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const files = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const concurrency = Number(option("concurrency") ?? 2);
const durationsFile = option("durations");

/** Node's default reporter: spec on a terminal, tap otherwise (spec everywhere from Node 23). */
function defaultReporter(): NodeJS.ReadWriteStream {
  const name = process.stdout.isTTY || Number(process.versions.node.split(".")[0]) >= 23 ? "spec" : "tap";
  const reporter = reporters[name] as unknown;
  // Node 20's spec reporter is a class, tap a generator function (Node itself tells them apart so).
  const isClass = typeof reporter === "function" && Object.getOwnPropertyDescriptor(reporter.prototype ?? {}, "constructor") !== undefined;
  return (isClass ? new (reporter as new () => NodeJS.ReadWriteStream)() : reporter) as NodeJS.ReadWriteStream;
}

// --test-force-exit's option: a file whose tests are done ends even if a failed test left a timer or
// socket behind (an SDK still retrying), so a failure costs its bound, not the retries' minutes.
const stream = run({ files, concurrency, forceExit: true });
stream.on("test:fail", (data: { todo?: unknown }) => {
  if (!data.todo) process.exitCode = 1;
});
// A file's own entry in the run is the test named by its path.
stream.on("test:complete", (data: { name: string; file?: string; details: { duration_ms: number } }) => {
  if (durationsFile && data.file && data.name === data.file) recordDuration(durationsFile, data.file, data.details.duration_ms);
});
stream.compose(defaultReporter()).pipe(process.stdout);

/**
 * The test process of `npm test` (test/run.ts starts it with tsx loaded): Node's test runner over
 * the files in the order given (run.ts puts the longest first), each in its own process, as
 * `node --test` runs them. Records each file's time in `--durations` for the next run's order.
 *
 *   node --require tsx/cjs test/helpers/run-in-order.ts --concurrency=2 --durations=FILE FILE...
 *
 * An argument that joins several files with the OS's path list separator (":" or ";") runs them in
 * one process, one after the other (shared-process.ts); each of them has its time recorded.
 *
 * `--concurrency` files run at all times. Many files spend long stretches waiting rather than
 * computing (a throttle window of the emulator, a kernel's grace period, a Jupyter server starting
 * up), so while more than 0.6 of a core stays idle one more file starts, up to three times
 * `--concurrency`: the idle time is filled without crowding the files that are busy. Node's runner takes a fixed
 * concurrency, hence a run() per file here; each file's report is passed on whole when the file
 * ends (so two files' lines never interleave), and the totals at the end are the sum of the files'.
 *
 * Exits 1 when a test failed, as `node --test` does.
 */
import { cpus } from "node:os";
import { PassThrough } from "node:stream";
import { run } from "node:test";
import * as reporters from "node:test/reporters";
import { memberName, sharedEntry, splitShared } from "./shared-process";
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

interface TestEvent {
  type: string;
  data: { nesting?: number; name?: string; file?: string; message?: string; count?: number; testNumber?: number; todo?: unknown; details?: { duration_ms: number } };
}

/** The totals each run() ends with ("tests 31", "pass 31", ...), in Node's order; duration_ms is the whole run's. */
const TOTALS = ["tests", "suites", "pass", "fail", "cancelled", "skipped", "todo"] as const;
const totals = new Map<string, number>(TOTALS.map((name) => [name, 0]));
let topLevelTests = 0;

const events = new PassThrough({ objectMode: true });
events.compose(defaultReporter()).pipe(process.stdout);

/** Passes a finished file's events on: its top-level tests numbered after the files before it, its totals kept for the end. */
function report(fileEvents: TestEvent[]): void {
  for (const event of fileEvents) {
    const { type, data } = event;
    if (data.nesting === 0 && data.file === undefined && type === "test:plan") continue;
    if (data.nesting === 0 && data.file === undefined && type === "test:diagnostic") {
      const [name, value] = (data.message ?? "").split(" ");
      if (totals.has(name!)) totals.set(name!, totals.get(name!)! + Number(value));
      if (totals.has(name!) || name === "duration_ms") continue;
    }
    if (data.nesting === 0 && (type === "test:pass" || type === "test:fail")) event.data = { ...data, testNumber: ++topLevelTests };
    events.write(event);
  }
}

/** One file, or files sharing a process (joined with path.delimiter); resolves when the report is out. */
function runFile(argument: string): Promise<void> {
  const fileEvents: TestEvent[] = [];
  const members = splitShared(argument);
  const file = members.length > 1 ? sharedEntry(members) : members[0]!;
  const memberByName = new Map(members.map((m) => [memberName(m), m]));
  // forceExit (--test-force-exit): a file whose tests are done ends even if a failed test left a
  // timer or socket behind (an SDK still retrying), so a failure costs its bound, not the retries' minutes.
  const stream = run({ files: [file], forceExit: true });
  stream.on("test:fail", (data: TestEvent["data"]) => {
    if (!data.todo) process.exitCode = 1;
  });
  // A file's own entry in the run is the test named by its path; in a shared process, each
  // member's is the top-level suite named after it.
  stream.on("test:complete", (data: TestEvent["data"]) => {
    if (!durationsFile || !data.file) return;
    const timed = members.length > 1 ? (data.nesting === 0 ? memberByName.get(data.name ?? "") : undefined) : data.name === data.file ? data.file : undefined;
    if (timed) recordDuration(durationsFile, timed, data.details!.duration_ms);
  });
  return new Promise((resolve, reject) => {
    stream.on("data", (event: TestEvent) => fileEvents.push(event));
    stream.on("error", reject);
    stream.on("end", () => {
      report(fileEvents);
      resolve();
    });
  });
}

/** The share of the machine's CPU time that was idle since the last call (0..1). */
function idleSampler(): () => number {
  const read = () => cpus().reduce((sum, cpu) => ({ idle: sum.idle + cpu.times.idle, total: sum.total + Object.values(cpu.times).reduce((a, b) => a + b, 0) }), { idle: 0, total: 0 });
  let last = read();
  return () => {
    const now = read();
    const idle = (now.idle - last.idle) / Math.max(1, now.total - last.total);
    last = now;
    return idle;
  };
}

/** How often the idle share is looked at, and how long it must stay high before one more file starts. */
const SAMPLE_MS = 500;
const IDLE_SAMPLES = 2;
/**
 * More than 0.6 of a core idle (of two cores: 30%). Waiting for a whole idle core left the machine
 * about 1.5 cores busy of 2 through a run; at 0.6, `npm test` took 182 s against 194 s (means of
 * five and four runs, interleaved, on the same CPU-seconds). 0.3 of a core was no better than 0.6.
 */
const IDLE_SHARE = Math.min(0.5, 0.6 / Math.max(1, cpus().length));
/** Files that wait (throttle windows, pollers, grace periods) can be four at a time and leave a core idle. */
const MOST = concurrency * 3;

async function main(): Promise<void> {
  const started = Date.now();
  const queue = [...files];
  const running = new Set<Promise<void>>();
  const start = () => {
    const file = queue.shift()!;
    const done = runFile(file).finally(() => running.delete(done));
    running.add(done);
  };
  const idleShare = idleSampler();
  let idleSamples = 0;
  while (queue.length > 0 || running.size > 0) {
    while (queue.length > 0 && running.size < concurrency) start();
    if (running.size === 0) break;
    const tick = new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    await Promise.race([tick, ...running]);
    idleSamples = idleShare() > IDLE_SHARE ? idleSamples + 1 : 0;
    if (idleSamples >= IDLE_SAMPLES && queue.length > 0 && running.size < MOST) {
      start();
      idleSamples = -IDLE_SAMPLES; // let the new file get going before the next look
    }
  }
  events.write({ type: "test:plan", data: { nesting: 0, count: topLevelTests } });
  for (const [name, value] of totals) events.write({ type: "test:diagnostic", data: { nesting: 0, message: `${name} ${value}` } });
  events.write({ type: "test:diagnostic", data: { nesting: 0, message: `duration_ms ${Date.now() - started}` } });
  events.end();
}

// A runner that cannot go on (a stream error from Node's runner) fails the run with its reason, not a stack.
main().catch((error: Error) => {
  process.stderr.write(`npm test's runner stopped: ${error.message}\n`);
  process.exitCode = 1;
  events.end();
});

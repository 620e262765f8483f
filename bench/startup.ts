/**
 * The CLI's start (issue 13): `kvq` from its build (src/cli-build.cjs), with and without V8's code
 * cache (src/util/compile-cache.cjs), against the same command through tsx as before the build
 * (KVQ_CLI_BUILD=0 KVQ_COMPILE_CACHE=0), beside a bare `node -e 0`; interleaved, medians of
 * KVQ_BENCH_RUNS rounds (default 7). Printed, never asserted.
 *
 *   emulator cold start   `kvq emulator` spawn → first answered request (the aim: ≤ 2× node -e 0)
 *   kvq --help            spawn → exit: what every command pays before its own work
 *
 *   npm run bench -- startup
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { emulatorColdStart } from "./lib/cold-start";
import { median, ROOT, timed } from "./lib/timed";

const RUNS = Number(process.env.KVQ_BENCH_RUNS ?? 7);
const KVQ = path.join(ROOT, "src", "kvq.cjs");
const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`;

/** The ways `kvq` can start: a label and the environment it runs with. */
const MODES: [string, NodeJS.ProcessEnv][] = [
  ["build + code cache (now)", {}],
  ["build, no code cache", { KVQ_COMPILE_CACHE: "0" }],
  ["tsx (before)", { KVQ_CLI_BUILD: "0", KVQ_COMPILE_CACHE: "0" }],
];

const help = async (env: NodeJS.ProcessEnv) => (await timed(process.execPath, ["--", KVQ, "--help"], { ...process.env, ...env })).seconds;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "kvq-bench-startup-"));
  const state = path.join(work, "state");
  const loadBefore = loadavg();
  const bare: number[] = [];
  const emulator = MODES.map(() => [] as number[]);
  const helpTimes = MODES.map(() => [] as number[]);
  try {
    // Untimed: the emulator's CA, the build, the code cache, tsx's cache, as after a learner's first command.
    for (const [, env] of MODES) {
      await emulatorColdStart(state, env);
      await help(env);
    }
    for (let round = 1; round <= RUNS; round++) {
      bare.push((await timed(process.execPath, ["-e", "0"])).seconds);
      for (const [i, [, env]] of MODES.entries()) {
        emulator[i].push(await emulatorColdStart(state, env));
        helpTimes[i].push(await help(env));
      }
      const last = (values: number[][]) => values.map((v) => ms(v.at(-1)!)).join(" / ");
      process.stdout.write(`  round ${round}/${RUNS}: node -e 0 ${ms(bare.at(-1)!)}; emulator ${last(emulator)}; --help ${last(helpTimes)}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const floor = median(bare);
  const row = (name: string, values: number[], aim?: number) => {
    const ratio = median(values) / floor;
    const met = aim === undefined ? "" : `  aim ≤ ${aim}: ${ratio <= aim ? "met" : "not met"}`;
    return `${name.padEnd(48)} ${ms(median(values)).padStart(8)}  ${ratio.toFixed(2).padStart(5)}×${met}`;
  };
  const load = loadavg();
  console.log(
    [
      "",
      `kvq start — Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadBefore.map((l) => l.toFixed(1)).join(" ")} at the start, ${load.map((l) => l.toFixed(1)).join(" ")} at the end; medians of ${RUNS} interleaved rounds`,
      `(rounds list ${MODES.map(([label]) => label).join(" / ")})`,
      "",
      `${"".padEnd(48)} ${"median".padStart(8)}  ÷ node -e 0`,
      row("node -e 0", bare),
      ...MODES.map(([label], i) => row(`emulator cold start, ${label}`, emulator[i], i === 0 ? 2 : undefined)),
      ...MODES.map(([label], i) => row(`kvq --help, ${label}`, helpTimes[i])),
    ].join("\n"),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

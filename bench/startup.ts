/**
 * The CLI's start (issue 13): `kvq` from its build (src/cli-build.cjs) against the same command
 * through tsx (KVQ_CLI_BUILD=0, as before the build), beside a bare `node -e 0`, interleaved, medians
 * of KVQ_BENCH_RUNS rounds (default 7). Printed, never asserted.
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

/** The ways `kvq` can start, each the environment it runs with. */
const MODES = {
  build: {},
  tsx: { KVQ_CLI_BUILD: "0" },
} as const;
type Mode = keyof typeof MODES;

const help = async (mode: Mode) => (await timed(process.execPath, ["--", KVQ, "--help"], { ...process.env, ...MODES[mode] })).seconds;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "kvq-bench-startup-"));
  const state = path.join(work, "state");
  const loadBefore = loadavg();
  const bare: number[] = [];
  const emulator: Record<Mode, number[]> = { build: [], tsx: [] };
  const helpTimes: Record<Mode, number[]> = { build: [], tsx: [] };
  try {
    // Untimed: the emulator's CA, the build, tsx's cache, as after a learner's first command.
    for (const mode of Object.keys(MODES) as Mode[]) {
      await emulatorColdStart(state, MODES[mode]);
      await help(mode);
    }
    for (let round = 1; round <= RUNS; round++) {
      bare.push((await timed(process.execPath, ["-e", "0"])).seconds);
      for (const mode of Object.keys(MODES) as Mode[]) {
        emulator[mode].push(await emulatorColdStart(state, MODES[mode]));
        helpTimes[mode].push(await help(mode));
      }
      process.stdout.write(
        `  round ${round}/${RUNS}: node -e 0 ${ms(bare.at(-1)!)}; emulator build ${ms(emulator.build.at(-1)!)}, tsx ${ms(emulator.tsx.at(-1)!)}; ` +
          `--help build ${ms(helpTimes.build.at(-1)!)}, tsx ${ms(helpTimes.tsx.at(-1)!)}\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const floor = median(bare);
  const row = (name: string, values: number[], aim?: number) => {
    const ratio = median(values) / floor;
    const met = aim === undefined ? "" : ratio <= aim ? `  ≤ ${aim}: yes` : `  ≤ ${aim}: no`;
    return `${name.padEnd(34)} ${ms(median(values)).padStart(8)}  ${ratio.toFixed(2).padStart(5)}×${met}`;
  };
  const load = loadavg();
  console.log(
    [
      "",
      `kvq start — Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadBefore.map((l) => l.toFixed(1)).join(" ")} at the start, ${load.map((l) => l.toFixed(1)).join(" ")} at the end; medians of ${RUNS} interleaved rounds`,
      "",
      `${"".padEnd(34)} ${"median".padStart(8)}  ${"÷ node -e 0".padStart(6)}`,
      row("node -e 0", bare),
      row("emulator cold start, build", emulator.build, 2),
      row("emulator cold start, tsx (before)", emulator.tsx),
      row("kvq --help, build", helpTimes.build),
      row("kvq --help, tsx (before)", helpTimes.tsx),
    ].join("\n"),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

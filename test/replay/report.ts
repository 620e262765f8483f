/**
 * `npx tsx test/replay/report.ts`: the replay suite's tally and its differences grouped by where they
 * are, for a person reading them (the test asserts; this explains). `--all` lists every difference.
 */
import { DEVIATIONS } from "./deviations";
import { describeFailures, replayAll, startReplayVault } from "./run-replay";

async function main(): Promise<void> {
  const started = performance.now();
  const vault = await startReplayVault();
  const used = new Set<string>();
  try {
    const { runs, tally } = await replayAll(vault, used);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${tally.recordings} recordings, ${tally.exchanges} recorded exchanges: ${tally.compared} answers compared (${tally.collapsed} polls or pages collapsed)`);
    console.log(`${tally.matching} match (${tally.acceptedOnly} of them only through accepted deviations), ${tally.differing} differ — ${seconds} s`);
    const groups = new Map<string, number>();
    for (const run of runs) for (const f of run.failures) for (const d of f.differences) {
      const key = `${d.where.replace(/\[\d+\]/g, "[]")} | recorded ${JSON.stringify(d.recorded)?.slice(0, 90)} | emulator ${JSON.stringify(d.actual)?.slice(0, 90)}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    for (const [key, n] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(4)}  ${key}`);
    if (process.argv.includes("--all")) console.log(describeFailures(runs));
    console.log(`deviations used: ${[...used].join(", ") || "none"}; unused: ${DEVIATIONS.filter((d) => !used.has(d.id)).map((d) => d.id).join(", ") || "none"}`);
  } finally {
    await vault.stop();
  }
}

void main();

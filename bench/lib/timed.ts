/** What the benchmarks share: a command timed from spawn to exit, and the median. */
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

/** The median of the numbers that are not NaN (a failed sample); NaN when there are none. */
export const median = (values: number[]) => {
  const kept = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return kept.length === 0 ? NaN : kept[Math.floor(kept.length / 2)];
};

export interface Timed {
  seconds: number;
  stdout: string;
  code: number | null;
}

/** Runs a command to its end; seconds from spawn to exit. A failure's stderr is printed, not thrown. */
export function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) process.stderr.write(`${path.basename(command)} ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}\n`);
      resolve({ seconds: (performance.now() - started) / 1000, stdout, code });
    });
  });
}

/**
 * Seconds the machine's CPUs have spent busy and in all, summed over every CPU since boot (Node's
 * os.cpus(): /proc/stat on Linux). The difference over a run is what every process on the machine
 * used meanwhile, those a command left running on their own (Chromium's zygote, say) included,
 * and any other user's: time(1) sees only the children it waited for.
 */
export function machineCpuSeconds(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const used = times.user + times.nice + times.sys + times.irq;
    busy += used;
    total += used + times.idle;
  }
  return { busy: busy / 1000, total: total / 1000 };
}

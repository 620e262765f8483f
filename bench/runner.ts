/**
 * The runner's benchmark (issue 4): `npm start` end to end — its own emulator, the tslab kernel,
 * every cell, the clean-up — against `jupyter nbconvert --to notebook --execute` of the same
 * notebook with the same kernel against the same kind of emulator, measured side by side in one
 * run, interleaved so machine noise falls on both. Medians and the ratio are printed, never
 * asserted. Also: per-step medians from `kvq run --json`, and where the time goes.
 *
 * Aim: the runner takes at most 0.7 of nbconvert's time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SHORT_RUN, startEmulator } from "../src/emulator/index";
import { installKernelSpec } from "../src/kernel/install";
import { KERNEL_NAME } from "../src/kernel/kernelspec";
import { median, ROOT, timed } from "./lib/timed";

const NOTEBOOK = path.join(ROOT, "notebooks", "quickstart.ipynb");
const RUNS = Number(process.env.KVQ_BENCH_RUNS ?? 5);
const JUPYTER = process.env.KVQ_TEST_JUPYTER || "jupyter";

const seconds = (n: number) => `${n.toFixed(2)} s`;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "kvq-bench-runner-"));
  // nbconvert runs against an emulator started here (its start-up is not charged to nbconvert);
  // it has the same settings as the one `kvq run` embeds (SHORT_RUN).
  const emulator = await startEmulator({ port: 0, stateDir: path.join(work, "state"), ...SHORT_RUN });
  const { jupyterPathEntry } = installKernelSpec({ prefix: path.join(work, "prefix") });
  const base = { ...process.env, NO_COLOR: "1", ATTENDEE: "bench", KVQ_ENV_FILE: "none", KEY_VAULT_URL: "", KEY_VAULT_NAME: "", KEYVAULT_URI: "" };
  const nbconvertEnv = { ...base, ...emulator.env, KVQ_LEDGER_DIR: path.join(work, "runs"), JUPYTER_PATH: jupyterPathEntry!, JUPYTER_RUNTIME_DIR: path.join(work, "runtime") };

  const runner: number[] = [];
  const nbconvert: number[] = [];
  const steps = new Map<string, number[]>();
  const kernelStarts: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const a = await timed(process.execPath, ["--", path.join(ROOT, "src", "kvq.cjs"), "run", "--json", "--out", path.join(work, "executed.ipynb")], base);
      if (a.code === 0) {
        runner.push(a.seconds);
        for (const line of a.stdout.trim().split("\n").map((l) => JSON.parse(l))) {
          if ("index" in line && line.status === "passed") steps.set(`${line.index}. ${line.name}`, [...(steps.get(`${line.index}. ${line.name}`) ?? []), line.seconds]);
          if (line.run) kernelStarts.push(line.run.kernelStartSeconds);
        }
      }
      const b = await timed(
        JUPYTER,
        ["nbconvert", "--to", "notebook", "--execute", NOTEBOOK, `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`, "--ExecutePreprocessor.timeout=120", "--output-dir", path.join(work, "nbconvert")],
        nbconvertEnv,
      );
      if (b.code === 0) nbconvert.push(b.seconds);
      process.stdout.write(`  run ${i + 1}/${RUNS}: npm start ${seconds(a.seconds)}, nbconvert ${seconds(b.seconds)}\n`);
    }
  } finally {
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
  if (runner.length === 0 || nbconvert.length === 0) throw new Error("a tool failed every run; see above");

  const r = median(runner);
  const n = median(nbconvert);
  const rows = [...steps.entries()].map(([name, values]) => `  ${name.padEnd(46)} ${seconds(median(values))}`);
  const stepTotal = [...steps.values()].reduce((sum, values) => sum + median(values), 0);
  process.stdout.write(
    [
      "",
      `npm start (kvq run) end to end, median of ${runner.length}:  ${seconds(r)}`,
      `jupyter nbconvert --execute, median of ${nbconvert.length}:     ${seconds(n)}`,
      `ratio (aim <= 0.70):                              ${(r / n).toFixed(2)}`,
      "",
      "Per step (median, from kvq run --json):",
      ...rows,
      "",
      "Where npm start's time goes (medians):",
      `  kernel start (node + tslab's TypeScript)       ${seconds(median(kernelStarts))}`,
      `  cells (compile + run, all steps)               ${seconds(stepTotal)}`,
      `  the rest (CLI, emulator, shutdown, clean-up)   ${seconds(r - median(kernelStarts) - stepTotal)}`,
      "",
    ].join("\n"),
  );
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

/**
 * `npm run bench`: runs every bench/*.ts (this file aside) one after another, each in its own
 * process so one benchmark's warm caches and threads do not flatter the next.
 *
 *   npm run bench                 all of them
 *   npm run bench -- emulator     only bench/emulator.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

const here = __dirname;
const self = path.basename(__filename);
const all = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== self)
  .sort();
const wanted = process.argv.slice(2).map((name) => (name.endsWith(".ts") ? path.basename(name) : `${name}.ts`));
const unknown = wanted.filter((f) => !existsSync(path.join(here, f)) || f === self);
if (unknown.length > 0) {
  console.error(`No such benchmark: ${unknown.join(", ")}. Benchmarks: ${all.map((f) => f.replace(/\.ts$/, "")).join(", ")}.`);
  process.exit(2);
}

let failed = 0;
for (const file of wanted.length > 0 ? wanted : all) {
  console.log(`\n== ${file.replace(/\.ts$/, "")}`);
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(here, file)], { stdio: "inherit", cwd: path.resolve(here, "..") });
  if (result.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${result.status ?? result.signal}).`);
  }
}
process.exit(failed > 0 ? 1 : 0);

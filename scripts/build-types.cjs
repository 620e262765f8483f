"use strict";
// `npm run build:types` (also run by `npm install` and `npm test`): the kvq helpers' declaration
// files in src/.types, which notebook kernels type-check cells against (src/notebook/helper-types.cjs).
// Without TypeScript (an install without devDependencies) it does nothing: the kernel then reads
// the sources themselves, as it did before these files existed.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { TYPES_DIR, STAMP } = require("../src/notebook/helper-types.cjs");

const root = path.resolve(__dirname, "..");
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
} catch {
  console.log("build-types: TypeScript is not installed (no devDependencies); notebooks type-check the helpers' sources instead.");
  process.exit(0);
}
// Emitted into a folder of its own, then copied over the current declarations file by file: one
// whose content did not change is left as it is, times included, so an edit inside a function body
// leaves every declaration untouched and the kernels' conversion cache, which checks each file
// TypeScript read, keeps its conversions.
const next = path.join(root, ".kvq", `types-next-${process.pid}`); // outside src/, which the project's tsc reads
fs.rmSync(next, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.types.json"), "--outDir", next], { cwd: root, stdio: "inherit" });
if (result.status !== 0) {
  // Half-written declarations would be worse than none.
  fs.rmSync(next, { recursive: true, force: true });
  fs.rmSync(TYPES_DIR, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
const emitted = new Set(fs.readdirSync(next, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(next, f)).isFile()));
for (const file of emitted) {
  const target = path.join(TYPES_DIR, file);
  const content = fs.readFileSync(path.join(next, file));
  let current;
  try {
    current = fs.readFileSync(target);
  } catch {
    // new
  }
  if (current && current.equals(content)) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(path.join(next, file), target);
}
// Declarations of sources that are gone, and the stamp (rewritten below).
for (const file of fs.readdirSync(TYPES_DIR, { recursive: true, encoding: "utf8" })) {
  const full = path.join(TYPES_DIR, file);
  if (!emitted.has(file) && fs.statSync(full, { throwIfNoEntry: false })?.isFile()) fs.rmSync(full);
}
fs.rmSync(next, { recursive: true, force: true });
// The stamp's time is the declarations' time (helper-types.cjs compares it with the sources').
fs.writeFileSync(STAMP, "Written by scripts/build-types.cjs after the declarations in this folder.\n");

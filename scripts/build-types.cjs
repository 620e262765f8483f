"use strict";
// `npm run build:types` (also run by `npm install` and `npm test`): the kvq helpers' declaration
// files in src/.types, which notebook kernels type-check cells against (src/kernel/start-up/helper-types.cjs).
// Without TypeScript (an install without devDependencies) it does nothing: the kernel then reads
// the sources themselves, as it did before these files existed.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { TYPES_DIR, STAMP, SET_ASIDE, setHelperTypesAside } = require("../src/kernel/start-up/helper-types.cjs");

const root = path.resolve(__dirname, "..");

function sameContent(file, content) {
  try {
    return fs.readFileSync(file).equals(content);
  } catch {
    return false; // none there
  }
}

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
  // Half-written declarations would be worse than none; set aside, the next build can put back
  // those it makes again unchanged.
  fs.rmSync(next, { recursive: true, force: true });
  setHelperTypesAside();
  process.exit(result.status ?? 1);
}
const emitted = new Map(
  fs
    .readdirSync(next, { recursive: true, encoding: "utf8" })
    .filter((f) => fs.statSync(path.join(next, f)).isFile())
    .map((f) => [f, fs.readFileSync(path.join(next, f))]),
);
// Declarations a kernel set aside (helper-types.cjs) go back in place as one folder: moving a
// folder leaves its files' times alone, ctime included, which the conversion cache checks too.
if (!fs.existsSync(TYPES_DIR) && fs.existsSync(SET_ASIDE)) {
  try {
    fs.renameSync(SET_ASIDE, TYPES_DIR);
  } catch {
    // Another build put them back first.
  }
}
for (const [file, content] of emitted) {
  const target = path.join(TYPES_DIR, file);
  if (sameContent(target, content)) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(path.join(next, file), target);
}
// Declarations of sources that are gone, and the stamp (rewritten below).
for (const file of fs.readdirSync(TYPES_DIR, { recursive: true, encoding: "utf8" })) {
  const full = path.join(TYPES_DIR, file);
  if (!emitted.has(file) && fs.statSync(full, { throwIfNoEntry: false })?.isFile()) fs.rmSync(full);
}
fs.rmSync(next, { recursive: true, force: true });
fs.rmSync(SET_ASIDE, { recursive: true, force: true });
// A kernel that set the folder aside meanwhile leaves a part of it: then no stamp (not fresh).
if (![...emitted].every(([file, content]) => sameContent(path.join(TYPES_DIR, file), content))) process.exit(0);
// The stamp's time is the declarations' time (helper-types.cjs compares it with the sources').
fs.writeFileSync(STAMP, "Written by scripts/build-types.cjs after the declarations in this folder.\n");

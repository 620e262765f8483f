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
fs.rmSync(TYPES_DIR, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.types.json")], { cwd: root, stdio: "inherit" });
if (result.status !== 0) {
  // Half-written declarations would be worse than none.
  fs.rmSync(TYPES_DIR, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
// The stamp's time is the declarations' time (helper-types.cjs compares it with the sources').
const now = new Date();
fs.utimesSync(STAMP, now, now);

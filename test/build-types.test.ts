/**
 * The helpers' declarations (scripts/build-types.cjs), built in a copy of the project so the real
 * ones are not touched: an edit that changes no declaration leaves every declaration file as it
 * was, times included (the kernels' conversion cache checks each file TypeScript read), a changed
 * declaration rewrites its own file only, and the stamp says the declarations are fresh again.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { tempDir } from "./helpers/emulator";

const PROJECT_ROOT = path.resolve(__dirname, "..");
const { helperTypesFresh: projectHelperTypesFresh } = require("../src/kernel/start-up/helper-types.cjs") as { helperTypesFresh(): boolean };

let root: string;
before(() => {
  root = tempDir("kvq-build-types-");
  cpSync(path.join(PROJECT_ROOT, "src"), path.join(root, "src"), { recursive: true, filter: (from) => path.basename(from) !== ".types" });
  cpSync(path.join(PROJECT_ROOT, "scripts", "build-types.cjs"), path.join(root, "scripts", "build-types.cjs"));
  for (const file of ["package.json", "tsconfig.json", "tsconfig.types.json"]) cpSync(path.join(PROJECT_ROOT, file), path.join(root, file));
  // A junction needs no special rights on Windows; elsewhere it is a plain symlink.
  symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"), "junction");
  // The project's own declarations when they are current (npm test makes them so): the copy then
  // starts as after a first build, one run of tsc less. Copied after the sources, so they are newer.
  if (projectHelperTypesFresh()) cpSync(path.join(PROJECT_ROOT, "src", ".types"), path.join(root, "src", ".types"), { recursive: true });
});
after(() => rmSync(root, { recursive: true, force: true }));

const build = () => {
  const result = spawnSync(process.execPath, [path.join(root, "scripts", "build-types.cjs")], { cwd: root, encoding: "utf8" });
  assert.equal(result.status, 0, result.stdout + result.stderr);
};
const declarations = () => {
  const dir = path.join(root, "src", ".types");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".d.ts"));
  // Both times: the kernels' conversion cache checks the ctime too, which moving a file changes.
  return new Map(files.map((f) => [f, `${statSync(path.join(dir, f)).mtimeMs}:${statSync(path.join(dir, f)).ctimeMs}`]));
};

test("a rebuild rewrites only the declarations whose content changed", () => {
  const { helperTypesFresh } = require(path.join(root, "src", "kernel", "start-up", "helper-types.cjs")) as { helperTypesFresh(): boolean };
  if (!helperTypesFresh()) build();
  assert.equal(helperTypesFresh(), true);
  const first = declarations();
  assert.ok(first.has("index.d.ts") && first.has("attendee.d.ts") && first.has("cleanup.d.ts"), [...first.keys()].join(", "));

  // A comment in one source (no declaration changes), a new export in another.
  appendFileSync(path.join(root, "src", "attendee.ts"), "\n// an edit that changes no declaration\n");
  appendFileSync(path.join(root, "src", "cleanup.ts"), "\nexport const addedByTheTest = 1;\n");
  assert.equal(helperTypesFresh(), false, "a source is newer than the declarations");
  build();
  assert.equal(helperTypesFresh(), true);

  const second = declarations();
  assert.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
  assert.match(readFileSync(path.join(root, "src", ".types", "cleanup.d.ts"), "utf8"), /addedByTheTest/);
  const rewritten = [...second].filter(([file, mtime]) => first.get(file) !== mtime).map(([file]) => file);
  assert.deepEqual(rewritten, ["cleanup.d.ts"]);
});

test("a kernel sets stale declarations aside; the next build puts back those that did not change, times and all", () => {
  const helperTypes = require(path.join(root, "src", "kernel", "start-up", "helper-types.cjs")) as { helperTypesFresh(): boolean; dropStaleHelperTypes(): void; SET_ASIDE: string };
  if (!helperTypes.helperTypesFresh()) build();
  const before = declarations();

  // A source no declaration is made from (a CLI command): nothing is stale.
  appendFileSync(path.join(root, "src", "commands", "output.ts"), "\n// an edit outside the helpers\n");
  assert.equal(helperTypes.helperTypesFresh(), true, "a CLI command's edit made the declarations stale");

  // An edit inside a helper, then a kernel starts before anyone rebuilds.
  appendFileSync(path.join(root, "src", "attendee.ts"), "\n// another edit that changes no declaration\n");
  assert.equal(helperTypes.helperTypesFresh(), false);
  helperTypes.dropStaleHelperTypes();
  assert.equal(existsSync(path.join(root, "src", ".types")), false, "the kernel still sees stale declarations");
  assert.equal(existsSync(helperTypes.SET_ASIDE), true);

  build();
  assert.equal(helperTypes.helperTypesFresh(), true);
  assert.deepEqual(declarations(), before, "a declaration that did not change was written anew");
  assert.equal(existsSync(helperTypes.SET_ASIDE), false);
});

/**
 * src/util/typescript-loader.cjs, as the kernel and the test processes use it: the project's
 * TypeScript loads through tsx with its source maps (stack traces name the .ts lines), a package's
 * CommonJS loads through Node's own loader without its source map being read, and a package that
 * is only an ES module still loads, without Node's require(esm) warning.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { PROJECT_ROOT } from "./helpers/cli";

const LOADER = path.join(PROJECT_ROOT, "src", "util", "typescript-loader.cjs");
const dir = path.join(PROJECT_ROOT, ".kvq", "tmp", `typescript-loader-${process.pid}`);
after(() => rmSync(dir, { recursive: true, force: true }));

function runWithLoader(script: string): { stdout: string; stderr: string; status: number | null } {
  const { NODE_OPTIONS: _options, ...env } = process.env;
  return spawnSync(process.execPath, ["--require", LOADER, "-e", script], { cwd: PROJECT_ROOT, encoding: "utf8", env });
}

test("the project's .ts files keep tsx and their source maps; a package's CommonJS loads without reading its map", () => {
  mkdirSync(dir, { recursive: true });
  const thrower = path.join(dir, "thrower.ts");
  // Types and a blank line before the throw: the compiled JavaScript has it on another line.
  writeFileSync(thrower, 'interface Shape {\n  size: number;\n}\n\nexport function fail(shape: Shape): never {\n  throw new Error(`size ${shape.size}`);\n}\n');
  const result = runWithLoader(`
    const { findSourceMap } = require("node:module");
    const keys = require.resolve("@azure/keyvault-keys");
    require(keys);
    let stack = "";
    try { require(${JSON.stringify(thrower)}).fail({ size: 3 }); } catch (error) { stack = error.stack; }
    console.log(JSON.stringify({ packageMap: findSourceMap(keys) !== undefined, tsMap: findSourceMap(${JSON.stringify(thrower)}) !== undefined, stack }));
  `);
  assert.equal(result.status, 0, result.stderr);
  const seen = JSON.parse(result.stdout) as { packageMap: boolean; tsMap: boolean; stack: string };
  assert.equal(seen.packageMap, false, "the SDK's source map was read");
  assert.equal(seen.tsMap, true, "the .ts file lost its source map");
  assert.match(seen.stack, /thrower\.ts:6:\d+/, "the stack names the .ts line of the throw");
});

test("a package that is only an ES module loads, with no warning", () => {
  const result = runWithLoader('const ora = require("ora"); console.log(typeof ora.default);');
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), "function");
  assert.doesNotMatch(result.stderr, /Warning/);
});

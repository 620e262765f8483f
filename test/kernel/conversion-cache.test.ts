/**
 * The kernel's conversion cache (kernel/start-up/conversion-cache.cjs, kernel/start-up/conversion-inputs.cjs): a cell converted
 * by an earlier kernel is reused only while everything TypeScript read for it is unchanged. Checked
 * with real kernels: the same outputs and type errors whether converted or reused (a cell that
 * imports "tslab", which tslab serves from its own package, included); a changed
 * declaration (even one whose size and mtime were put back) or a package appearing where resolution
 * looked makes the cell converted again (as a missing entry does: a damaged one is none, checked on
 * the cache itself); a cell that imports a local .ts module is kept with the module's JavaScript and
 * converted again when the module changes, one converted after it is reused only where the same
 * local modules were handed over first, and a module handed over by a reused cell is loaded once,
 * as tslab alone loads it.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { startKernel } from "../../src/notebook/kernel";
import { PROJECT_ROOT } from "../helpers/cli";
import { cellText, FIXTURES, leftovers, tempDir } from "../notebook/runner-helpers";

const LAZY_TYPESCRIPT = path.join(PROJECT_ROOT, "src", "kernel", "start-up", "lazy-typescript.cjs");


/** The cache itself (no kernel), in a new folder; its entries record nothing read from the disk. */
function cacheIn(prefix: string) {
  const { openConversionCache } = require("../../src/kernel/start-up/conversion-cache.cjs");
  const typescriptPath = require.resolve("@tslab/typescript-for-tslab", { paths: [path.dirname(require.resolve("tslab/package.json"))] });
  const dir = tempDir(prefix);
  return { dir, cache: openConversionCache({ dir, cwd: FIXTURES, typescriptPath }) };
}
const NOTHING_READ = { paths: {}, listings: {}, realpaths: {} };

test("an entry that cannot be put in place leaves no half-made file behind", () => {
  const { dir, cache } = cacheIn("kvq-conversion-store-");
  cache.store("", "1", "", { output: "first" }, NOTHING_READ);
  assert.deepEqual(cache.lookup("", "1"), { output: "first" });
  // A folder where the entry's file goes: the write succeeds, the rename into place cannot.
  const [entry] = readdirSync(dir);
  rmSync(path.join(dir, entry!));
  mkdirSync(path.join(dir, entry!, "in-the-way"), { recursive: true });
  cache.store("", "1", "", { output: "second" }, NOTHING_READ);
  assert.deepEqual(readdirSync(dir), [entry]);
  assert.equal(cache.lookup("", "1"), undefined);
});

test("a damaged entry is no entry (a miss: the kernel converts the cell), and the next one kept replaces it", () => {
  const { dir, cache } = cacheIn("kvq-conversion-damaged-");
  cache.store("", "1", "", { output: "kept" }, NOTHING_READ);
  const [entry] = readdirSync(dir);
  for (const damage of ["not gzip", gzipSync("{ not json"), gzipSync(JSON.stringify({ inputs: null, result: 1 }))]) {
    writeFileSync(path.join(dir, entry!), damage);
    assert.equal(cache.lookup("", "1"), undefined);
  }
  cache.store("", "1", "", { output: "again" }, NOTHING_READ);
  assert.deepEqual(cache.lookup("", "1"), { output: "again" });
});

test("a conversion made after a local file was emitted is reused only after the same files were", () => {
  const { cache } = cacheIn("kvq-conversion-emitted-");
  cache.store("", "1", "/work/local.js", { output: "after local" }, NOTHING_READ);
  assert.equal(cache.lookup("", "1"), undefined, "nothing emitted yet in this kernel");
  assert.equal(cache.lookup("", "1", "/work/other.js"), undefined);
  assert.deepEqual(cache.lookup("", "1", "/work/local.js"), { output: "after local" });
});

describe("the kernel's conversion cache", () => {
  const connectionDir = tempDir("kvq-conversion-cache-");
  after(() => {
    assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
  });

  /** Runs `cells` in a new kernel; returns each reply and what the cache did for each cell. */
  async function run(cells: string[], options: { cwd: string; cacheDir?: string; env?: Record<string, string> }) {
    const log = path.join(tempDir("kvq-conversion-log-"), "log");
    writeFileSync(log, "");
    const env: Record<string, string> = options.cacheDir ? { KVQ_KERNEL_CACHE_DIR: options.cacheDir, KVQ_KERNEL_CACHE_LOG: log } : { KVQ_KERNEL_CACHE: "0" };
    const kernel = await startKernel({ cwd: options.cwd, connectionDir, env: { ...env, ...options.env }, startTimeoutMs: 120_000 });
    const replies: string[] = [];
    try {
      for (const cell of cells) {
        const r = await kernel.execute(cell);
        replies.push(`${r.status} | ${cellText(r, "stdout")} | ${cellText(r, "stderr")}`);
      }
    } finally {
      await kernel.close();
    }
    return { replies, cache: readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
  }

  test("a second kernel reuses every cell, with the outputs and type errors of a kernel that converts them", async () => {
    const cells = [
      'import { describeConfig } from "kvq";\nimport { KeyClient } from "@azure/keyvault-keys";\nconsole.log(typeof describeConfig, typeof KeyClient);',
      'const client = new KeyClient("https://example.vault.azure.net");',
      'const n: number = "two";',
      "const client = 42;\nclient + 1",
      // "tslab" is served from tslab's own package in any folder: kept, and checked, at its files there.
      'import * as tslab from "tslab";\nconsole.log(typeof tslab.display.html);',
      // Last: whether this kernel has loaded TypeScript (kernel/start-up/lazy-typescript.cjs).
      `console.log(require(${JSON.stringify(LAZY_TYPESCRIPT)}).loaded());`,
    ];
    const cacheDir = tempDir("kvq-conversion-entries-");
    // Older entries beyond the cache's bound: the first kernel that keeps one removes the oldest.
    for (let i = 0; i < 405; i++) {
      const old = path.join(cacheDir, `old-${i}.json.gz`);
      writeFileSync(old, "");
      utimesSync(old, 1_000_000 + i, 1_000_000 + i);
    }
    // The first kernel converts every cell (tslab's own conversion; warm-up.test.ts checks it
    // against the kernel as launched before), the second reuses them all.
    const first = await run(cells, { cwd: FIXTURES, cacheDir });
    assert.match(first.replies[0]!, /^ok \| function function\n \| $/);
    assert.match(first.replies[1]!, /^error \| {2}\| 1:16 - Expected 2-3 arguments, but got 1\./);
    assert.match(first.replies[2]!, /^error \| {2}\| 1:7 - Type 'string' is not assignable to type 'number'\./);
    assert.equal(first.replies[3], "ok | 43\n | ");
    assert.equal(first.replies[4], "ok | function\n | ");
    assert.equal(first.replies[5], "ok | true\n | ");
    assert.deepEqual(first.cache, Array(cells.length).fill("converted, kept"));
    const second = await run(cells, { cwd: FIXTURES, cacheDir });
    assert.deepEqual(second.replies.slice(0, -1), first.replies.slice(0, -1));
    assert.deepEqual(second.cache, Array(cells.length).fill("reused"));
    assert.equal(second.replies.at(-1), "ok | false\n | ", "a kernel whose cells are all reused never loads TypeScript");

    // Pruned once, as the first entry was kept: to the newest 300, that entry included.
    const left = readdirSync(cacheDir);
    const kept = left.filter((n) => !n.startsWith("old-"));
    const old = left.filter((n) => n.startsWith("old-")).map((n) => Number(n.slice(4, -8)));
    assert.equal(kept.length, cells.length);
    assert.deepEqual(old.sort((a, b) => a - b), Array.from({ length: 299 }, (_, i) => 405 - 299 + i), "the oldest went first");
    if (process.platform !== "win32") for (const n of kept) assert.equal(statSync(path.join(cacheDir, n)).mode & 0o777, 0o600);
  });

  test("a changed declaration, a package where resolution looked, or a changed local .ts import: converted again; a local module is loaded once", async () => {
    const cwd = tempDir("kvq-conversion-cwd-");
    const cacheDir = tempDir("kvq-conversion-entries-");
    const dep = path.join(cwd, "node_modules", "dep");
    mkdirSync(dep, { recursive: true });
    writeFileSync(path.join(dep, "index.js"), "exports.n = 1;\n");
    const declaration = path.join(dep, "index.d.ts");
    writeFileSync(declaration, "export declare const n: number;\n");
    // A whole second: putting it back below restores the modification time exactly (a Date holds
    // milliseconds, the file system nanoseconds), so the change there is seen by its ctime alone.
    const wholeSecond = Math.floor(Date.now() / 1000) - 60;
    utimesSync(declaration, wholeSecond, wholeSecond);
    // tslab converts a local .ts file the cell imports and hands its JavaScript to the executor with
    // that cell's conversion, once per kernel: kept with it. The next cell, which imports it again,
    // carries no copy: it is kept for kernels where the same local files were handed over first.
    const localFile = path.join(cwd, "local.ts");
    writeFileSync(localFile, "let count = 41;\nexport const next = (): number => ++count;\n");
    const cells = (kernel: number) => [
      'import { n } from "dep";\nconst s: string = n;\nconsole.log("ran", s);',
      'import { m } from "later";\nconsole.log("later", m);',
      'import { next } from "./local";\nconsole.log(next());',
      'import { next as again } from "./local";\nconsole.log(again() * 2);',
      // New in every kernel (its comment), so converted after the cells above were reused: it finds
      // the module as tslab alone leaves it, loaded once, its count going on.
      `// kernel ${kernel}\nimport { next as third } from "./local";\nconsole.log(third());`,
    ];
    const converted = Array(5).fill("converted, kept");

    const first = await run(cells(1), { cwd, cacheDir });
    assert.match(first.replies[0]!, /Type 'number' is not assignable to type 'string'/);
    assert.match(first.replies[1]!, /Cannot find module 'later'/);
    assert.deepEqual(first.replies.slice(2), ["ok | 42\n | ", "ok | 86\n | ", "ok | 44\n | "]);
    assert.deepEqual(first.cache, converted);
    const second = await run(cells(2), { cwd, cacheDir });
    assert.deepEqual(second.cache, [...Array(4).fill("reused"), "converted, kept"]);
    assert.deepEqual(second.replies, first.replies, "the reused cell hands the local module over, and it is loaded once");

    // The same size and mtime, another type: only the ctime tells.
    const before = statSync(declaration);
    writeFileSync(declaration, "export declare const n: string;\n");
    utimesSync(declaration, wholeSecond, wholeSecond);
    const after = statSync(declaration);
    assert.deepEqual([after.size, after.mtimeMs], [before.size, before.mtimeMs], "only the change time differs");
    assert.notEqual(after.ctimeMs, before.ctimeMs);
    const later = path.join(cwd, "node_modules", "later");
    mkdirSync(later);
    writeFileSync(path.join(later, "index.js"), 'exports.m = "here";\n');
    writeFileSync(path.join(later, "index.d.ts"), "export declare const m: string;\n");
    writeFileSync(localFile, "let count = 50;\nexport const next = (): number => ++count;\n");
    const changed = await run(cells(2), { cwd, cacheDir });
    assert.deepEqual(changed.cache, converted, "each read what changed: the local file too");
    assert.deepEqual(changed.replies, ["ok | ran 1\n | ", "ok | later here\n | ", "ok | 51\n | ", "ok | 104\n | ", "ok | 53\n | "]);
    rmSync(cwd, { recursive: true, force: true });
  });
});

/**
 * The committed notebooks: clean (no outputs, no execution counts — nbstripout's rules), and the
 * two editions in step: the same code cells (same order, ids, tags, and source once comments are
 * removed), so a change to the code lands in both or fails here. Comments may be translated: they
 * explain the code to its reader; the code, and so what it prints, is the program both take away.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { KERNELS } from "../../src/kernel/kernelspec";
import { messagesFor } from "../../src/i18n";

const NOTEBOOKS = path.resolve(__dirname, "..", "..", "notebooks");
type Cell = { cell_type: string; id: string; source: string[] | string; metadata: Record<string, any>; outputs?: unknown[]; execution_count?: number | null };
const load = (file: string) => JSON.parse(readFileSync(path.join(NOTEBOOKS, file), "utf8")) as { cells: Cell[]; metadata: Record<string, any> };
const source = (c: Cell) => (Array.isArray(c.source) ? c.source.join("") : c.source);

/** A cell's code as TypeScript prints it without comments: what runs, whatever language the comments are in. */
const withoutComments = (code: string) =>
  ts.createPrinter({ removeComments: true }).printFile(ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));

test("comparing without comments still sees a change to the code", () => {
  assert.equal(withoutComments('const a = 1; // one\nconsole.log(a);'), withoutComments('const a = 1; // 一\nconsole.log(a);'));
  assert.notEqual(withoutComments('console.log("Key name:");'), withoutComments('console.log("金鑰名稱：");'));
});

for (const file of readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb"))) {
  test(`${file} is committed without outputs or execution metadata`, () => {
    for (const cell of load(file).cells) {
      if (cell.cell_type !== "code") continue;
      assert.deepEqual(cell.outputs, [], `cell ${cell.id} has outputs: run \`npx kvq strip notebooks/${file}\``);
      assert.equal(cell.execution_count, null, `cell ${cell.id} has an execution count`);
      assert.equal(cell.metadata.execution, undefined, `cell ${cell.id} has execution timing metadata`);
    }
  });
}

const TUTORIALS = ["quickstart", "beyond-the-quickstart", "secrets-quickstart", "certificates-quickstart"];

test("every notebook in notebooks/ is a tutorial with both editions", () => {
  const files = readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort();
  assert.deepEqual(files, TUTORIALS.flatMap((t) => [`${t}.ipynb`, `${t}.zh-TW.ipynb`]).sort());
});

for (const tutorial of TUTORIALS) {
  const en = `${tutorial}.ipynb`;
  const zh = `${tutorial}.zh-TW.ipynb`;

  test(`${zh} has the English edition's code cells, comments aside`, () => {
    const code = (file: string) =>
      load(file)
        .cells.filter((c) => c.cell_type === "code")
        .map((c) => ({ id: c.id, source: withoutComments(source(c)), tags: c.metadata.tags ?? [] }));
    assert.deepEqual(code(zh), code(en));
  });

  test(`${tutorial}: both editions have the same cells in the same order, and the zh-TW prose is Chinese`, () => {
    const enCells = load(en).cells;
    const zhCells = load(zh).cells;
    assert.deepEqual(zhCells.map((c) => `${c.cell_type}:${c.id}`), enCells.map((c) => `${c.cell_type}:${c.id}`));
    for (const cell of zhCells.filter((c) => c.cell_type === "markdown")) {
      assert.match(source(cell), /[\u4e00-\u9fff]/, `markdown cell ${cell.id} is not translated`);
    }
    assert.equal(load(zh).metadata.kvq?.lang, "zh-TW");
  });

  test(`${tutorial}: each edition names the kernel of its language`, () => {
    assert.equal(load(en).metadata.kernelspec.name, KERNELS.en.name);
    assert.equal(load(zh).metadata.kernelspec.name, KERNELS["zh-TW"].name);
    assert.equal(load(zh).metadata.kernelspec.display_name, KERNELS["zh-TW"].displayName);
  });
}

test("the quickstart's code lines fit a code cell at 1280 px (about 110 characters; issue 26)", () => {
  for (const file of ["quickstart", "secrets-quickstart", "certificates-quickstart"].flatMap((t) => [`${t}.ipynb`, `${t}.zh-TW.ipynb`])) {
    const long = load(file).cells.filter((c) => c.cell_type === "code").flatMap((c) => source(c).split("\n")).filter((line) => line.length > 110);
    assert.deepEqual(long, [], file);
  }
});

test("the certificates quickstart's steps are the ones certificateStateAdvice names, in both editions", () => {
  // Its advice sends the learner to "Create a certificate" and "Delete the certificate" (src/i18n): those steps must exist.
  const headings = (file: string) => load(file).cells.filter((c) => c.cell_type === "markdown").map((c) => /^#+ (.*)$/m.exec(source(c))?.[1]);
  for (const step of ["Create a certificate", "Read the certificate", "One name, three objects", "Delete the certificate", "Try to reuse the name"]) {
    assert.ok(headings("certificates-quickstart.ipynb").includes(step), step);
  }
  for (const step of ["建立憑證", "刪除憑證"]) assert.ok(headings("certificates-quickstart.zh-TW.ipynb").includes(step), step);
  const advice = (lang: "en" | "zh-TW") => Object.values(messagesFor(lang).certificateState).map((f) => f("c1")).join(" ");
  assert.match(advice("en"), /"Create a certificate" and "Delete the certificate"/);
  assert.match(advice("zh-TW"), /「建立憑證」和「刪除憑證」/);
});

test("the zh-TW quickstart says in its introduction why the programs' own output is English", () => {
  const intro = source(load("quickstart.zh-TW.ipynb").cells[0]!);
  assert.match(intro, /為什麼輸出是英文？/);
  assert.match(intro, /`Key name:`/);
  assert.match(intro, /只有註解翻成了中文/);
});

test("git ignores Jupyter's checkpoints and strips notebooks through the kvq-strip filter", () => {
  const root = path.resolve(NOTEBOOKS, "..");
  const ignored = spawnSync("git", ["check-ignore", "-q", "--no-index", "notebooks/.ipynb_checkpoints/quickstart-checkpoint.ipynb"], { cwd: root });
  assert.equal(ignored.status, 0, ".ipynb_checkpoints/ is not in .gitignore");
  const attr = spawnSync("git", ["check-attr", "filter", "--", "notebooks/quickstart.ipynb"], { cwd: root, encoding: "utf8" });
  assert.match(attr.stdout, /filter: kvq-strip/);
});

test("no zh-TW prose breaks a line between two Chinese characters (a browser shows that break as a space: 一個 輪詢器)", () => {
  const han = /[\u3400-\u9fff]\n[*`_]*[\u3400-\u9fff]/;
  for (const file of readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".zh-TW.ipynb"))) {
    for (const cell of load(file).cells.filter((c) => c.cell_type === "markdown")) {
      const at = han.exec(source(cell));
      assert.equal(at, null, `${file}: a line ends between "${at?.[0].replace("\n", "⏎")}": join the two lines, or break after punctuation`);
    }
  }
});

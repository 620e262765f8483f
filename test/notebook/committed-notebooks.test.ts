/**
 * The committed notebooks: clean (no outputs, no execution counts — nbstripout's rules), and the
 * two editions in step: identical code cells (same order, ids, source, tags), so a change to the
 * code lands in both or fails here.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { KERNELS } from "../../src/kernel/kernelspec";

const NOTEBOOKS = path.resolve(__dirname, "..", "..", "notebooks");
type Cell = { cell_type: string; id: string; source: string[] | string; metadata: Record<string, any>; outputs?: unknown[]; execution_count?: number | null };
const load = (file: string) => JSON.parse(readFileSync(path.join(NOTEBOOKS, file), "utf8")) as { cells: Cell[]; metadata: Record<string, any> };
const source = (c: Cell) => (Array.isArray(c.source) ? c.source.join("") : c.source);

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

const TUTORIALS = ["quickstart", "beyond-the-quickstart"];

test("every notebook in notebooks/ is a tutorial with both editions", () => {
  const files = readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort();
  assert.deepEqual(files, TUTORIALS.flatMap((t) => [`${t}.ipynb`, `${t}.zh-TW.ipynb`]).sort());
});

for (const tutorial of TUTORIALS) {
  const en = `${tutorial}.ipynb`;
  const zh = `${tutorial}.zh-TW.ipynb`;

  test(`${zh} has exactly the English edition's code cells`, () => {
    const code = (file: string) =>
      load(file)
        .cells.filter((c) => c.cell_type === "code")
        .map((c) => ({ id: c.id, source: source(c), tags: c.metadata.tags ?? [] }));
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

test("git ignores Jupyter's checkpoints and strips notebooks through the kvq-strip filter", () => {
  const root = path.resolve(NOTEBOOKS, "..");
  const ignored = spawnSync("git", ["check-ignore", "-q", "--no-index", "notebooks/.ipynb_checkpoints/quickstart-checkpoint.ipynb"], { cwd: root });
  assert.equal(ignored.status, 0, ".ipynb_checkpoints/ is not in .gitignore");
  const attr = spawnSync("git", ["check-attr", "filter", "--", "notebooks/quickstart.ipynb"], { cwd: root, encoding: "utf8" });
  assert.match(attr.stdout, /filter: kvq-strip/);
});

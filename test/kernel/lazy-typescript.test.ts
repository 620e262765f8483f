/**
 * TypeScript loaded on first use in the kernel (kernel/start-up/lazy-typescript.cjs): a cell's metadata
 * comment (`/** @module name *\/`, @jsx, @node, @browser) is still read by tslab, and a cell without
 * one is answered without TypeScript. (conversion-cache.test.ts checks that a kernel whose
 * cells all come from the cache never loads it.)
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { startKernel } from "../../src/notebook/kernel";
import { FIXTURES, leftovers, tempDir } from "../notebook/runner-helpers";

const { mayHaveMetadata } = require("../../src/kernel/start-up/lazy-typescript.cjs") as { mayHaveMetadata(src: string): boolean };
// tslab's own reading of a cell's metadata, in this process (with TypeScript loaded as usual).
const { getCodeMetadata } = require("tslab/dist/metadata") as { getCodeMetadata(src: string): object };

test("every cell that has tslab metadata is passed to tslab; a cell that opens with code is not", () => {
  const withMetadata = [
    "/** @module greeting */\nexport const hello = 'hi';",
    "// a note first\n\n/** @node */\nconsole.log(1);",
    "\n   /**\n * @jsx\n */\nconst x = 1;",
    "#!/usr/bin/env node\n/** @browser */\n1",
  ];
  const without = ["1", "const a = 1; /** @module late */", '"/** @module quoted */"', "// only a line comment\nconst b = 2;", ""];
  for (const src of withMetadata) {
    assert.notDeepEqual(getCodeMetadata(src), {}, `the fixture has metadata: ${src}`);
    assert.equal(mayHaveMetadata(src), true, src);
  }
  for (const src of without) {
    assert.deepEqual(getCodeMetadata(src), {}, `the fixture has no metadata: ${src}`);
    assert.equal(mayHaveMetadata(src), false, src);
  }
  // A leading block comment without metadata is passed on too (tslab answers {}): a question, not a wrong answer.
  assert.equal(mayHaveMetadata("/* plain block comment */ 3"), true);
});

test("in a kernel: a @module cell defines its module, and TypeScript loads when a cell is converted", async () => {
  const connectionDir = tempDir("kvq-lazy-typescript-");
  const kernel = await startKernel({ cwd: FIXTURES, connectionDir, env: { KVQ_KERNEL_CACHE_DIR: tempDir("kvq-lazy-typescript-cache-") }, startTimeoutMs: 120_000 });
  const lazy = JSON.stringify(path.resolve(__dirname, "..", "..", "src", "kernel", "start-up", "lazy-typescript.cjs"));
  const out = (r: { outputs: any[] }) => r.outputs.map((o) => o.text).join("");
  try {
    const before = await kernel.execute(`console.log(require(${lazy}).loaded())`);
    // This cell was converted (a new cache): TypeScript loaded for it, before it ran.
    assert.equal(out(before), "true\n");
    const module = await kernel.execute("/** @module greeting */\nexport const hello: string = 'hi';");
    assert.equal(module.status, "ok");
    const used = await kernel.execute('import { hello } from "./greeting";\nconsole.log(hello.toUpperCase());');
    assert.equal(used.status, "ok", JSON.stringify(used));
    assert.equal(out(used), "HI\n");
  } finally {
    await kernel.close();
  }
  assert.deepEqual(leftovers(connectionDir), { files: [], processes: [] });
});

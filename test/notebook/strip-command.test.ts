/** `kvq strip`: --check finds an executed notebook, stripping restores the committed bytes exactly. */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT, runKvq } from "../helpers/cli";
import { tempDir } from "../helpers/emulator";

test("strip --check exits 1 on outputs; strip then brings back the clean notebook byte for byte", async () => {
  const committed = path.join(PROJECT_ROOT, "notebooks", "quickstart.ipynb");
  const file = path.join(tempDir("kvq-strip-"), "executed.ipynb");
  copyFileSync(committed, file);
  const nb = JSON.parse(readFileSync(file, "utf8"));
  const code = nb.cells.find((c: { cell_type: string }) => c.cell_type === "code");
  Object.assign(code, { execution_count: 4, outputs: [{ output_type: "stream", name: "stdout", text: ["out\n"] }] });
  code.metadata.execution = { "iopub.execute_input": "2026-11-28T10:00:00Z" };
  writeFileSync(file, JSON.stringify(nb, null, 2));

  const check = await runKvq(["strip", "--check", file]);
  assert.equal(check.code, 1, check.stdout);
  assert.match(check.stdout, /is not stripped/);
  const strip = await runKvq(["strip", file]);
  assert.equal(strip.code, 0, strip.stderr);
  assert.equal(readFileSync(file, "utf8"), readFileSync(committed, "utf8"));
  assert.equal((await runKvq(["strip", "--check", file])).code, 0);
});

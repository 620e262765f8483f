/** `kvq strip`: --check finds an executed notebook, stripping restores the committed bytes exactly. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

/** An executed copy of the committed notebook: outputs, a count and timing metadata on its first code cell. */
function executedCopy(file: string): string {
  const nb = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "notebooks", "quickstart.ipynb"), "utf8"));
  const code = nb.cells.find((c: { cell_type: string }) => c.cell_type === "code");
  Object.assign(code, { execution_count: 1, outputs: [{ output_type: "stream", name: "stdout", text: ["Vault: https://localhost:47443\n"] }] });
  code.metadata.execution = { "iopub.execute_input": "2026-11-28T10:00:00Z" };
  writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
  return readFileSync(file, "utf8");
}

const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" });
  assert.equal(result.status, 0, `git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
};

test("as a git clean filter: a clone with `kvq strip --install` stages notebooks stripped; one without it still works", async () => {
  const committed = readFileSync(path.join(PROJECT_ROOT, "notebooks", "quickstart.ipynb"), "utf8");
  for (const install of [true, false]) {
    const repo = tempDir("kvq-strip-git-");
    git(repo, "init", "-q");
    copyFileSync(path.join(PROJECT_ROOT, ".gitattributes"), path.join(repo, ".gitattributes"));
    if (install) {
      const result = await runKvq(["strip", "--install"], { cwd: repo });
      assert.equal(result.code, 0, result.stderr);
      assert.match(git(repo, "config", "--local", "filter.kvq-strip.clean"), /kvq\.cjs strip --stdin/);
    }
    const executed = executedCopy(path.join(repo, "quickstart.ipynb"));
    git(repo, "add", ".gitattributes", "quickstart.ipynb");
    const staged = git(repo, "show", ":quickstart.ipynb");
    assert.equal(readFileSync(path.join(repo, "quickstart.ipynb"), "utf8"), executed, "the learner's copy keeps its outputs");
    if (install) {
      assert.equal(staged, committed, "staged without outputs, byte for byte the committed notebook");
      // git compares through the filter: an executed notebook whose code did not change shows no change.
      git(repo, "commit", "-qm", "nb");
      assert.equal(git(repo, "status", "--porcelain"), "");
    } else {
      assert.equal(staged, executed, "without the filter configured, git stores the file as it is");
    }
  }
});

test("strip --install outside a git clone says where to run it", async () => {
  const result = await runKvq(["strip", "--install"], { cwd: tempDir("kvq-strip-nogit-"), env: { GIT_CEILING_DIRECTORIES: tmpdir() } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /not in a git clone/);
});

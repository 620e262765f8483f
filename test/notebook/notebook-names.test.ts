/** `--notebook` and `[notebook]`: a tutorial by name picks the edition in the run's language; a file is a file. */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { notebookFor, resolveNotebook, tutorialNamed } from "../../src/notebook/tutorial-run";
import { docsFileFor } from "../../src/notebook/docs";
import { PROJECT_ROOT } from "../helpers/cli";

const nb = (file: string) => path.join(PROJECT_ROOT, "notebooks", file);

test("a tutorial's name picks its edition in the language; no name is the quickstart", () => {
  assert.equal(resolveNotebook(undefined, "en"), nb("quickstart.ipynb"));
  assert.equal(resolveNotebook(undefined, "zh-TW"), nb("quickstart.zh-TW.ipynb"));
  assert.equal(resolveNotebook("beyond-the-quickstart", "en"), nb("beyond-the-quickstart.ipynb"));
  assert.equal(resolveNotebook("beyond-the-quickstart", "zh-TW"), nb("beyond-the-quickstart.zh-TW.ipynb"));
  assert.equal(notebookFor("zh-TW", "beyond-the-quickstart"), nb("beyond-the-quickstart.zh-TW.ipynb"));
});

test("a file is used as given, edition included", () => {
  assert.equal(resolveNotebook("notebooks/quickstart.zh-TW.ipynb", "en"), path.resolve("notebooks/quickstart.zh-TW.ipynb"));
  assert.equal(resolveNotebook("test/fixtures/notebooks/passing.ipynb", "zh-TW"), path.resolve("test/fixtures/notebooks/passing.ipynb"));
});

test("docs know each tutorial by its name or file, and nothing else", () => {
  assert.equal(tutorialNamed("notebooks/beyond-the-quickstart.zh-TW.ipynb"), "beyond-the-quickstart");
  assert.equal(tutorialNamed("quickstart"), "quickstart");
  assert.equal(tutorialNamed("passing.ipynb"), undefined);
  assert.equal(docsFileFor("zh-TW", "beyond-the-quickstart"), path.join(PROJECT_ROOT, "docs", "beyond-the-quickstart.zh-TW.md"));
});

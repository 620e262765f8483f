/**
 * The instructor's page (docs/workshop.md, both languages): what is committed is what the notebooks
 * make of it now (so a renamed step or a new tutorial cannot leave it stale), every tutorial is on
 * it with its steps and links that resolve, and its times follow runs as the module says — kept
 * through noise, rewritten when a run is far from them, and never the cause of a failed --check.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { LANGS } from "../../src/i18n";
import { DOCS_DIR } from "../../src/notebook/docs";
import { parseNotebook, readNotebookText } from "../../src/notebook/notebook-file";
import { splitSteps } from "../../src/notebook/steps";
import { notebookFor, TUTORIALS } from "../../src/notebook/tutorial-run";
import { agrees, generateWorkshopPage, statedTimes, TEACHING_ORDER, workshopFileFor, workshopMarkdown } from "../../src/notebook/workshop-page";
import { tempDir } from "../helpers/emulator";

for (const lang of LANGS) {
  const file = workshopFileFor(lang);
  const committed = readFileSync(file, "utf8");

  test(`${path.basename(file)} is what the notebooks make of it now, with the times it states`, () => {
    assert.equal(workshopMarkdown(lang, statedTimes(committed)), committed, "docs/ is stale: run `npx kvq docs` and commit the result");
  });

  test(`${path.basename(file)}: every tutorial, its steps, a time, and links that resolve`, () => {
    assert.deepEqual([...TEACHING_ORDER].sort(), [...TUTORIALS].sort());
    const times = statedTimes(committed);
    for (const tutorial of TUTORIALS) {
      const notebook = notebookFor(lang, tutorial);
      const steps = splitSteps(parseNotebook(readNotebookText(notebook), notebook)).filter((s) => !s.injected);
      const row = committed.split("\n").find((line) => line.includes(`(${path.relative(DOCS_DIR, notebook).split(path.sep).join("/")})`));
      assert.ok(row, `no row for ${tutorial}`);
      assert.match(row, new RegExp(`\\| ${steps.length} \\|`), `${tutorial}'s row counts its ${steps.length} steps`);
      for (const step of steps) assert.ok(committed.includes(`. ${step.name}\n`), `${tutorial}'s step "${step.name}" is listed`);
      assert.ok((times[tutorial] ?? 0) >= 1, `${tutorial} has a time`);
    }
    for (const [, target] of committed.matchAll(/\]\(([^)#\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      assert.ok(existsSync(path.join(DOCS_DIR, target!)), `the link ${target} resolves from docs/`);
    }
  });
}

test("a run's time: kept through noise, rewritten when far, and a --check fails only on a missing one", async () => {
  const file = path.join(tempDir("kvq-workshop-"), "workshop.md");
  copyFileSync(workshopFileFor("en"), file);
  const before = readFileSync(file, "utf8");
  const stated = statedTimes(before).quickstart!;

  const noise = await generateWorkshopPage("en", { quickstart: stated * 1.5 + 1 }, { file });
  assert.equal(noise.changed, false, "a run within noise leaves the page byte-identical");
  assert.deepEqual(noise.staleTimes, []);

  const far = stated * 4 + 10;
  const checked = await generateWorkshopPage("en", { quickstart: far }, { file, check: true });
  assert.equal(checked.changed, false, "a time alone never fails --check");
  assert.match(checked.staleTimes.join("\n"), new RegExp(`about ${stated} s, and this run took ${Math.round(far)} s`));
  assert.equal(readFileSync(file, "utf8"), before, "--check writes nothing");

  const written = await generateWorkshopPage("en", { quickstart: far }, { file });
  assert.equal(written.changed, true);
  assert.equal(statedTimes(readFileSync(file, "utf8")).quickstart, Math.round(far), "kvq docs writes the new time");
  assert.match(readFileSync(file, "utf8"), new RegExp(`\\| about ${Math.round(far)} s \\|`));

  writeFileSync(file, before.replace(/"quickstart":\d+,?/, ""));
  const missing = await generateWorkshopPage("en", { quickstart: stated }, { file, check: true });
  assert.equal(missing.changed, true, "a tutorial without a time on the page is stale");

  assert.ok(agrees(2, 1) && agrees(2, 7) && !agrees(2, 8) && agrees(20, 7) && !agrees(20, 6));
});

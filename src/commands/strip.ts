/** `kvq strip [files…]`: clear outputs, execution counts and execution metadata (nbstripout's job). */
import { readdirSync } from "node:fs";
import path from "node:path";
import { t } from "../i18n";
import { parseNotebook, readNotebookText, serializeNotebook, stripOutputs } from "../notebook/notebook-file";
import { NOTEBOOKS_DIR, PROJECT_ROOT } from "../paths";
import { writeFileAtomic } from "../util/atomic-write";

export async function stripCommand(files: string[], options: { check?: boolean }): Promise<number> {
  const targets = files.length > 0 ? files.map((f) => path.resolve(f)) : readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith(".ipynb")).map((f) => path.join(NOTEBOOKS_DIR, f));
  let dirty = 0;
  for (const file of targets) {
    // Read once: the stripped text is both what is compared and what is written.
    const text = readNotebookText(file);
    const stripped = serializeNotebook(stripOutputs(parseNotebook(text, file)));
    const shown = path.relative(PROJECT_ROOT, file) || file;
    if (text === stripped) {
      process.stdout.write(`✔ ${t().runner.strip.clean(shown)}\n`);
      continue;
    }
    dirty++;
    if (options.check) {
      process.stdout.write(`✖ ${t().runner.strip.wouldChange(shown)}\n`);
    } else {
      await writeFileAtomic(file, stripped);
      process.stdout.write(`✔ ${t().runner.strip.cleaned(shown)}\n`);
    }
  }
  return options.check && dirty > 0 ? 1 : 0;
}

/**
 * `kvq strip [files…]`: clear outputs, execution counts and execution metadata (nbstripout's job).
 *
 * As a git clean filter (the way nbstripout keeps outputs out of commits): `kvq strip --stdin`
 * reads a notebook on stdin and writes it stripped to stdout, and `kvq strip --install` tells this
 * clone's git to run it for the `kvq-strip` filter that .gitattributes names for *.ipynb. Git then
 * commits notebooks without outputs while the learner's copy keeps them. A clone without the filter
 * configured works as before: git ignores a filter it has no command for.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors";
import { t } from "../i18n";
import { parseNotebook, readNotebookText, serializeNotebook, stripOutputs } from "../notebook/notebook-file";
import { NOTEBOOKS_DIR, PROJECT_ROOT } from "../paths";
import { writeFileAtomic } from "../util/atomic-write";

/** The filter's name in .gitattributes (`*.ipynb filter=kvq-strip`). */
export const GIT_FILTER = "kvq-strip";

export interface StripOptions {
  check?: boolean;
  stdin?: boolean;
  install?: boolean;
}

export async function stripCommand(files: string[], options: StripOptions): Promise<number> {
  if (options.stdin) return stripStdin(files);
  if (options.install) return installFilter();
  const targets = files.length > 0 ? files.map((f) => path.resolve(f)) : readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith(".ipynb")).map((f) => path.join(NOTEBOOKS_DIR, f));
  let dirty = 0;
  for (const file of targets) {
    // Read once: the stripped text is both what is compared and what is written.
    const text = readNotebookText(file);
    const stripped = strip(text, file);
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

const strip = (text: string, file: string) => serializeNotebook(stripOutputs(parseNotebook(text, file)));

/**
 * Filter mode: stdout carries only the notebook. A notebook that cannot be parsed fails the filter
 * (exit 1, the reason on stderr); git then stores the file as it is and warns, so nothing is lost.
 */
async function stripStdin(files: string[]): Promise<number> {
  if (files.length > 0) throw new UsageError(t().runner.strip.stdinTakesNoFiles);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  process.stdout.write(strip(Buffer.concat(chunks).toString("utf8"), "stdin"));
  return 0;
}

/** Configures the clean filter in this clone's .git/config (only there: another project's notebooks are not ours to strip). */
function installFilter(): number {
  const git = (...args: string[]) => spawnSync("git", args, { encoding: "utf8" });
  const top = git("rev-parse", "--show-toplevel");
  if (top.error || top.status !== 0) throw new UsageError(t().runner.strip.notInGit);
  // Git runs filters from the top of the work tree through its shell (sh, also in Git for Windows):
  // a relative path with forward slashes works on every system and survives moving the clone.
  const entry = path.relative(top.stdout.trim(), path.join(PROJECT_ROOT, "src", "kvq.cjs")).split(path.sep).join("/");
  const command = `node ${entry} strip --stdin`;
  const set = git("config", "--local", `filter.${GIT_FILTER}.clean`, command);
  if (set.status !== 0) throw new UsageError(`${set.stderr.trim()}`);
  process.stdout.write(`✔ ${t().runner.strip.installed(GIT_FILTER, command)}\n`);
  return 0;
}

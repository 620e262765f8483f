/**
 * The doctor's check of the interactive path: is this project's kernel installed where Jupyter
 * (JupyterLab, VS Code, nbconvert) looks, does it still point at this project, and is Jupyter there
 * at all. Only a warning when something is missing: `npm start` and `npm run learn` need neither.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import which from "which";
import { t } from "../i18n";
import { currentContext, jupyterDataDir, pathFor } from "../kernel/jupyter-paths";
import { KERNELS } from "../kernel/kernelspec";
import { pass, warn, type CheckOutcome } from "./checks";

/** Where Jupyter looks for kernelspecs, in its order: JUPYTER_PATH, the user's data folder, the system's. */
export function kernelSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const context = { ...currentContext(), env };
  const p = pathFor(context.platform);
  const fromPath = (env.JUPYTER_PATH ?? "").split(p.delimiter).filter(Boolean);
  const system = context.platform === "win32" ? [p.join(env.PROGRAMDATA ?? "C:\\ProgramData", "jupyter")] : ["/usr/local/share/jupyter", "/usr/share/jupyter"];
  return [...fromPath, jupyterDataDir(context), ...system].map((dir) => p.join(dir, "kernels"));
}

/** Both editions' kernels (English and zh-TW): a notebook names its own, so either missing breaks that notebook. */
export function checkKernel(projectRoot: string, env: NodeJS.ProcessEnv = process.env): CheckOutcome {
  const m = t().doctor.kernel;
  // On the PATH, as a shell finds it: running `jupyter --version` to learn the same took Python a
  // second and a half.
  const jupyterNote = jupyterOnPath(env) ? "" : ` ${m.noJupyter}`;
  const dirs = kernelSearchDirs(env);
  const kernels = Object.values(KERNELS).map(({ name }) => inspectKernel(name, dirs, projectRoot));
  if (kernels.every((k) => k.problem === "not-installed")) return warn(`${m.notInstalled}${jupyterNote}`, m.fix);
  const problems = kernels.flatMap((k) => (k.problem ? [k.problem === "not-installed" ? m.editionNotInstalled(k.name) : k.problem] : []));
  if (problems.length > 0) return warn(`${problems.join("\n")}${jupyterNote}`, m.fix);
  const installed = m.installed(kernels.map((k) => k.file!).join(", "));
  return jupyterNote ? warn(`${installed}${jupyterNote}`, m.jupyterFix) : pass(installed);
}

/** One kernelspec: where Jupyter finds it, and what is wrong with it (its description), if anything. */
function inspectKernel(name: string, dirs: string[], projectRoot: string): { name: string; file?: string; problem?: string } {
  const m = t().doctor.kernel;
  const file = dirs.map((dir) => path.join(dir, name, "kernel.json")).find((f) => existsSync(f));
  if (!file) return { name, problem: "not-installed" };
  let spec: { argv?: string[]; metadata?: { kvq?: { projectRoot?: string } } };
  try {
    spec = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return { name, file, problem: m.unreadable(file) };
  }
  const owner = spec.metadata?.kvq?.projectRoot;
  if (owner && path.resolve(owner) !== path.resolve(projectRoot)) return { name, file, problem: m.otherProject(file, owner) };
  const missing = (spec.argv ?? []).slice(0, 3).filter((arg) => path.isAbsolute(arg) && !existsSync(arg));
  if (missing.length > 0) return { name, file, problem: m.broken(file, missing) };
  return { name, file };
}

/** Whether a `jupyter` command is on the PATH (with PATHEXT's extensions on Windows). */
export function jupyterOnPath(env: NodeJS.ProcessEnv = process.env): boolean {
  return which.sync("jupyter", { nothrow: true, path: env.PATH ?? env.Path ?? "", pathExt: env.PATHEXT }) !== null;
}

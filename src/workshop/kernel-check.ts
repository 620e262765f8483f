/**
 * The doctor's check of the interactive path: is this project's kernel installed where Jupyter
 * (JupyterLab, VS Code, nbconvert) looks, does it still point at this project, and is Jupyter there
 * at all. Only a warning when something is missing: `npm start` and `npm run learn` need neither.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { t } from "../i18n";
import { currentContext, jupyterDataDir, pathFor } from "../notebook/jupyter-paths";
import { KERNEL_NAME } from "../notebook/kernelspec";
import { pass, warn, type CheckOutcome } from "./checks";

/** Where Jupyter looks for kernelspecs, in its order: JUPYTER_PATH, the user's data folder, the system's. */
export function kernelSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const context = { ...currentContext(), env };
  const p = pathFor(context.platform);
  const fromPath = (env.JUPYTER_PATH ?? "").split(p.delimiter).filter(Boolean);
  const system = context.platform === "win32" ? [p.join(env.PROGRAMDATA ?? "C:\\ProgramData", "jupyter")] : ["/usr/local/share/jupyter", "/usr/share/jupyter"];
  return [...fromPath, jupyterDataDir(context), ...system].map((dir) => p.join(dir, "kernels"));
}

export function checkKernel(projectRoot: string, env: NodeJS.ProcessEnv = process.env): CheckOutcome {
  const m = t().doctor.kernel;
  const jupyter = spawnSync("jupyter", ["--version"], { encoding: "utf8", timeout: 10_000, env });
  const jupyterNote = jupyter.status === 0 ? "" : ` ${m.noJupyter}`;
  const found = kernelSearchDirs(env)
    .map((dir) => path.join(dir, KERNEL_NAME, "kernel.json"))
    .find((file) => existsSync(file));
  if (!found) return warn(`${m.notInstalled}${jupyterNote}`, m.fix);
  let spec: { argv?: string[]; metadata?: { kvq?: { projectRoot?: string } } };
  try {
    spec = JSON.parse(readFileSync(found, "utf8"));
  } catch {
    return warn(m.unreadable(found), m.fix);
  }
  const owner = spec.metadata?.kvq?.projectRoot;
  if (owner && path.resolve(owner) !== path.resolve(projectRoot)) return warn(m.otherProject(found, owner), m.fix);
  const missing = (spec.argv ?? []).slice(0, 3).filter((arg) => path.isAbsolute(arg) && !existsSync(arg));
  if (missing.length > 0) return warn(m.broken(found, missing), m.fix);
  return jupyterNote ? warn(`${m.installed(found)}${jupyterNote}`, m.jupyterFix) : pass(m.installed(found));
}

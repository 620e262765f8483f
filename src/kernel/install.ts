/**
 * Installs the kernelspec (kernelspec.ts) where Jupyter finds it: `kernels/kvq-tslab/kernel.json` in
 * the user's Jupyter data folder, or under `<prefix>/share/jupyter/` (jupyter-paths.ts). This is what
 * `jupyter kernelspec install` would do, without needing IPython or Python at all.
 *
 * Idempotent: an identical spec is left alone, an older spec of ours (another Node, a moved project)
 * is replaced. A kernel.json in that folder that is not ours is never overwritten.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { writeFileAtomicSync } from "../util/atomic-write";
import { currentContext, jupyterKernelsDir, prefixDataDir, type JupyterPathContext } from "./jupyter-paths";
import { LANGS, type Lang } from "../i18n";
import { DEFAULT_PROJECT_ROOT, KERNELS, kernelSpec, type KernelSpec } from "./kernelspec";

export interface InstallKernelSpecOptions {
  /** Install under `<prefix>/share/jupyter/kernels/` instead of the user's data folder. Relative to the cwd. */
  prefix?: string;
  /** The project whose tslab the kernel runs. Default: this one. */
  projectRoot?: string;
  /** Platform, environment and home folder that decide the user's data folder. Default: this process's. */
  context?: JupyterPathContext;
  /** Which edition's kernel (KERNELS). Default: English. */
  lang?: Lang;
  /** How front ends interrupt it. Default: the platform's (kernelspec.ts, interruptModeFor). */
  interruptMode?: "signal" | "message";
}

export interface InstalledKernelSpec {
  /** The kernelspec folder, `.../kernels/kvq-tslab`. */
  dir: string;
  /** `<dir>/kernel.json`. */
  file: string;
  spec: KernelSpec;
  /** created: there was none; updated: an older spec of ours was replaced; unchanged: it was already this one. */
  status: "created" | "updated" | "unchanged";
  /** When the replaced spec ran the tslab of another copy of the project: that copy's folder. */
  replacedProjectRoot?: string;
  /** With a prefix: the folder to put on JUPYTER_PATH (`<prefix>/share/jupyter`). */
  jupyterPathEntry?: string;
  /** Things that work but deserve a line in the output. */
  warnings: string[];
}

/** The kernelspec folder holds a kernel.json that another tool wrote: we do not overwrite it. */
export class ForeignKernelSpecError extends Error {
  override readonly name = "ForeignKernelSpecError";
  constructor(readonly file: string) {
    super(
      `${file} exists and was not written by kvq, so it is left as it is. ` +
        `Remove the folder ${path.dirname(file)} (or use --prefix DIR to install elsewhere), then run this again.`,
    );
  }
}

/** The marker that says a kernel.json is ours: `metadata.kvq` (kernelspec.ts writes it). */
function isOurs(spec: unknown): spec is KernelSpec & { metadata: { kvq: { projectRoot?: string } } } {
  const metadata = (spec as { metadata?: { kvq?: unknown } } | null)?.metadata;
  return typeof metadata?.kvq === "object" && metadata.kvq !== null;
}

const serialize = (spec: KernelSpec) => `${JSON.stringify(spec, null, 2)}\n`;

export function installKernelSpec(options: InstallKernelSpecOptions = {}): InstalledKernelSpec {
  const projectRoot = path.resolve(options.projectRoot ?? DEFAULT_PROJECT_ROOT);
  const context = options.context ?? currentContext();
  const prefix = options.prefix === undefined ? undefined : path.resolve(options.prefix);
  const spec = kernelSpec({ projectRoot, lang: options.lang, interruptMode: options.interruptMode });
  const warnings = linkWarnings(projectRoot);

  const dir = path.join(jupyterKernelsDir(context, prefix), KERNELS[options.lang ?? "en"].name);
  const file = path.join(dir, "kernel.json");
  const text = serialize(spec);

  let status: InstalledKernelSpec["status"] = "created";
  let replacedProjectRoot: string | undefined;
  if (existsSync(file)) {
    const previousText = readFileSync(file, "utf8");
    let previous: unknown;
    try {
      previous = JSON.parse(previousText);
    } catch {
      // Not JSON: not a kernelspec anyone can use. Ours are written atomically, so this is damage; replace it.
      warnings.push(`${file} was not valid JSON; it has been replaced.`);
    }
    if (previous !== undefined && !isOurs(previous)) throw new ForeignKernelSpecError(file);
    if (previousText === text) status = "unchanged";
    else {
      status = "updated";
      const root = isOurs(previous) ? previous.metadata.kvq.projectRoot : undefined;
      if (typeof root === "string" && path.resolve(root) !== projectRoot) replacedProjectRoot = root;
    }
  }
  if (status !== "unchanged") {
    mkdirSync(dir, { recursive: true });
    writeFileAtomicSync(file, text);
  }
  return {
    dir,
    file,
    spec,
    status,
    replacedProjectRoot,
    jupyterPathEntry: prefix === undefined ? undefined : prefixDataDir(prefix, context.platform),
    warnings,
  };
}

/** The kernel of every notebook edition (`kvq kernel install` writes them all). */
export const installKernelSpecs = (options: Omit<InstallKernelSpecOptions, "lang"> = {}): InstalledKernelSpec[] =>
  LANGS.map((lang) => installKernelSpec({ ...options, lang }));

/**
 * The notebooks import the helpers as "kvq": node_modules/kvq must be npm's link to src/. A copy
 * (`npm install --install-links`, or a project copied without keeping links) would serve stale helpers.
 */
function linkWarnings(projectRoot: string): string[] {
  const link = path.join(projectRoot, "node_modules", "kvq");
  const src = path.join(projectRoot, "src");
  const real = (file: string) => {
    try {
      return realpathSync.native(file);
    } catch {
      return undefined;
    }
  };
  const linked = real(link);
  if (linked === undefined) {
    return [`${link} is missing, so notebooks cannot \`import … from "kvq"\`. Run \`npm install\` in ${projectRoot}.`];
  }
  if (linked !== real(src)) {
    return [`${link} is not a link to ${src}: notebooks would import an old copy of the helpers. Run \`npm install\` in ${projectRoot}.`];
  }
  return [];
}

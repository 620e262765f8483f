/** `kvq kernel install`: write the kernelspec, say where, and say how to use it. */
import path from "node:path";
import { UsageError } from "../errors";
import { jupyterPathHint, type JupyterPathContext } from "../kernel/jupyter-paths";
import { ForeignKernelSpecError, installKernelSpecs, type InstalledKernelSpec } from "../kernel/install";
import { KERNEL_DISPLAY_NAME, KERNEL_NAME, KERNELS, KernelDependencyError } from "../kernel/kernelspec";

export interface KernelInstallOptions {
  prefix?: string;
}

/** For tests: another project root (e.g. one without node_modules), another OS's folders, captured output. */
export interface KernelInstallDeps {
  projectRoot?: string;
  context?: JupyterPathContext;
  write?: (text: string) => void;
}

export async function kernelInstallCommand(options: KernelInstallOptions, deps: KernelInstallDeps = {}): Promise<number> {
  const write = deps.write ?? ((text: string) => void process.stdout.write(text));
  let all: InstalledKernelSpec[];
  try {
    all = installKernelSpecs({ prefix: options.prefix, projectRoot: deps.projectRoot, context: deps.context });
  } catch (error) {
    if (error instanceof KernelDependencyError || error instanceof ForeignKernelSpecError) throw new UsageError(error.message);
    throw error;
  }
  const installed = all[0];
  const notebook = path.join("notebooks", "quickstart.ipynb");
  const lines: string[] = [];
  for (const { spec, status, file, replacedProjectRoot, warnings } of all) {
    const name = path.basename(path.dirname(file));
    lines.push(
      status === "unchanged"
        ? `The Jupyter kernel "${spec.display_name}" (${name}) is already installed and up to date:`
        : `${status === "created" ? "Installed" : "Updated"} the Jupyter kernel "${spec.display_name}" (${name}):`,
      `  ${file}`,
    );
    if (replacedProjectRoot) lines.push(`  It replaced the kernel of the copy of this project at ${replacedProjectRoot}.`);
    for (const warning of new Set(warnings)) if (!lines.includes(`warning: ${warning}`)) lines.push(`warning: ${warning}`);
  }
  lines.push(`  Node:  ${installed.spec.argv[0]}`, `  tslab: ${installed.spec.argv[3]}`);
  lines.push(`Each notebook names its kernel: the zh-TW editions use "${KERNELS["zh-TW"].displayName}", which speaks Traditional Chinese (KVQ_LANG still wins).`);
  if (installed.jupyterPathEntry) {
    lines.push(
      "",
      "Jupyter looks under this prefix only when it is Jupyter's own (its sys.prefix) or listed in JUPYTER_PATH:",
      `  ${jupyterPathHint(installed.jupyterPathEntry, deps.context?.platform)}`,
    );
  }
  lines.push(
    "",
    "Use it:",
    `  JupyterLab   open ${notebook}: it starts the kernel its metadata names; if asked, pick "${KERNEL_DISPLAY_NAME}" (Kernel → Change Kernel…).`,
    `  VS Code      open ${notebook}, Select Kernel → Jupyter Kernel… → "${KERNEL_DISPLAY_NAME}" (the zh-TW editions: "${KERNELS["zh-TW"].displayName}").`,
    `  nbconvert    jupyter nbconvert --to notebook --execute ${notebook}   (or --ExecutePreprocessor.kernel_name=${KERNEL_NAME})`,
    "",
    "Moved the project, or changed or upgraded Node? Run `npx kvq kernel install` again.",
  );
  write(`${lines.join("\n")}\n`);
  return 0;
}

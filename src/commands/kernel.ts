/** `kvq kernel install`: write the kernelspec, say where, and say how to use it. */
import path from "node:path";
import { UsageError } from "../errors";
import { jupyterPathHint, type JupyterPathContext } from "../notebook/jupyter-paths";
import { ForeignKernelSpecError, installKernelSpec } from "../notebook/kernel-install";
import { KERNEL_DISPLAY_NAME, KERNEL_NAME, KernelDependencyError } from "../notebook/kernelspec";

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
  let installed;
  try {
    installed = installKernelSpec({ prefix: options.prefix, projectRoot: deps.projectRoot, context: deps.context });
  } catch (error) {
    if (error instanceof KernelDependencyError || error instanceof ForeignKernelSpecError) throw new UsageError(error.message);
    throw error;
  }
  const { spec, status } = installed;
  const notebook = path.join("notebooks", "quickstart.ipynb");
  const lines = [
    status === "unchanged"
      ? `The Jupyter kernel "${KERNEL_DISPLAY_NAME}" (${KERNEL_NAME}) is already installed and up to date:`
      : `${status === "created" ? "Installed" : "Updated"} the Jupyter kernel "${KERNEL_DISPLAY_NAME}" (${KERNEL_NAME}):`,
    `  ${installed.file}`,
    `  Node:  ${spec.argv[0]}`,
    `  tslab: ${spec.argv[3]}`,
  ];
  if (installed.replacedProjectRoot) {
    lines.push(`  It replaced the kernel of the copy of this project at ${installed.replacedProjectRoot}.`);
  }
  for (const warning of installed.warnings) lines.push(`warning: ${warning}`);
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
    `  JupyterLab   open ${notebook}, then pick the kernel "${KERNEL_DISPLAY_NAME}" (Kernel → Change Kernel…).`,
    `  VS Code      open ${notebook}, Select Kernel → Jupyter Kernel… → "${KERNEL_DISPLAY_NAME}".`,
    `  nbconvert    jupyter nbconvert --to notebook --execute ${notebook} --ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
    "",
    "Moved the project, or changed or upgraded Node? Run `npx kvq kernel install` again.",
  );
  write(`${lines.join("\n")}\n`);
  return 0;
}

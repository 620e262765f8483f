/**
 * The Jupyter kernelspec for this project's notebooks: the tslab in node_modules, started so that
 * the helpers in src/ can be imported as "kvq".
 *
 * tslab compiles every cell and every local .ts import with its own TypeScript and refuses files
 * outside the kernel's working folder (the notebook's folder; FACTS.md §6). npm links src/ into
 * node_modules as the package "kvq", so tslab treats the helpers as a library and leaves them to
 * Node; `--require tsx/cjs` lets Node load them as TypeScript. No symlink is committed: npm makes
 * the link (a junction on Windows) at install time.
 */
import path from "node:path";

export const KERNEL_NAME = "kvq-tslab";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  env: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/** Keeps output plain in notebooks: no colours, no spinner animation escape codes (FACTS.md §6). */
export const PLAIN_OUTPUT_ENV: Record<string, string> = { NO_COLOR: "1", FORCE_COLOR: "0" };

export function kernelSpec(): KernelSpec {
  return {
    argv: [
      process.execPath,
      "--require",
      require.resolve("tsx/cjs"),
      require.resolve("tslab/bin/tslab"),
      "kernel",
      "--config-path",
      "{connection_file}",
    ],
    display_name: "TypeScript (Key Vault quickstart)",
    language: "typescript",
    env: { ...PLAIN_OUTPUT_ENV },
    metadata: { kvq: { projectRoot: path.resolve(__dirname, "..", "..") } },
  };
}

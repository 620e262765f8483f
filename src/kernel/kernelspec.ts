/**
 * The Jupyter kernelspec for this project's notebooks: the tslab in node_modules, started so that
 * the helpers in src/ can be imported as "kvq".
 *
 * tslab compiles every cell and every local .ts import with its own TypeScript and refuses files
 * outside the kernel's working folder (the notebook's folder; FACTS.md §6). npm links src/ into
 * node_modules as the package "kvq", so tslab treats the helpers as a library and leaves them to
 * Node. The kernel starts with `--require preload.cjs`, which registers tsx (so Node loads
 * the helpers as TypeScript) and makes SDK errors print as their fix. No symlink is committed: npm
 * makes the link (a junction on Windows) at install time.
 *
 * The argv holds absolute paths (Node, tsx, tslab) and no shell syntax, so Jupyter starts it the same
 * way on Linux, macOS and Windows (jupyter_client passes the list to Popen; only "{connection_file}"
 * is substituted). Moving the project or removing that Node means running `kvq kernel install` again.
 */
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { NOTEBOOK_LANG_VARIABLE, type Lang } from "../i18n";

export const KERNEL_NAME = "kvq-tslab";

export const KERNEL_DISPLAY_NAME = "TypeScript (Key Vault quickstart)";

/**
 * One kernelspec per edition, named in each notebook's metadata, so Jupyter and VS Code start the
 * kernel that speaks the notebook's language with no setting: its env sets KVQ_NOTEBOOK_LANG, which
 * the helpers follow unless KVQ_LANG says otherwise (an explicit choice still wins; i18n/index.ts).
 */
export const KERNELS: Record<Lang, { name: string; displayName: string }> = {
  en: { name: KERNEL_NAME, displayName: KERNEL_DISPLAY_NAME },
  "zh-TW": { name: "kvq-tslab-zh-tw", displayName: "TypeScript (Key Vault 快速入門，繁體中文)" },
};

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  /** How front ends interrupt it: SIGINT ("signal", Jupyter's default) or interrupt_request on the control channel ("message"). */
  interrupt_mode?: "signal" | "message";
  env: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/**
 * Keeps output plain in notebooks: no colours, no spinner animation escape codes (FACTS.md §6).
 * NO_COLOR/FORCE_COLOR=0 turn colours off, but not ora's animation: ora animates whenever stdout is a
 * TTY, and the kernel inherits the TTY of a `jupyter lab` started from a terminal. TERM=dumb says what
 * a notebook's output area is (no cursor movement), and ora (is-interactive), chalk and Node's own
 * console colouring all honour it. CI=1 would work too, but would tell every library it runs in CI.
 */
export const PLAIN_OUTPUT_ENV: Record<string, string> = { NO_COLOR: "1", FORCE_COLOR: "0", TERM: "dumb" };

/** The file the kernel loads first: registers tsx and makes tslab print SDK errors as their fix. */
export const kernelPreload = (projectRoot: string = DEFAULT_PROJECT_ROOT) => path.join(projectRoot, "src", "kernel", "preload.cjs");

/** The project root: the folder above src/. */
export const DEFAULT_PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** A package the kernel needs is not in node_modules: `npm install` has not run, or failed halfway. */
export class KernelDependencyError extends Error {
  override readonly name = "KernelDependencyError";
  constructor(
    readonly projectRoot: string,
    readonly missing: string[],
  ) {
    super(
      `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not installed in ${path.join(projectRoot, "node_modules")}. ` +
        `Run \`npm install\` in ${projectRoot} first, then run this again.`,
    );
  }
}

export interface KernelSpecOptions {
  /** The project whose node_modules provide tslab and tsx. Default: this one. */
  projectRoot?: string;
  /** The Node that runs the kernel. Default: stableNodePath() of the Node running this code. */
  nodePath?: string;
  /** The edition the kernel is for (KERNELS). Default: English. */
  lang?: Lang;
  /** Default: interruptModeFor(process.platform). */
  interruptMode?: "signal" | "message";
}

/**
 * How front ends interrupt the kernel. On Windows a signal cannot reach a Node process (Jupyter
 * sets an event handle instead, JPY_INTERRUPT_EVENT, which only ipykernel watches), so the spec
 * asks for interrupt_request on the control channel there; elsewhere Jupyter's default, SIGINT to
 * the kernel's process group. The kernel takes both (src/kernel/protocol/interrupt.cjs, control.cjs).
 */
export const interruptModeFor = (platform: NodeJS.Platform): "signal" | "message" => (platform === "win32" ? "message" : "signal");

/** The packages the kernel is started from, as resolved in the project's node_modules. */
export function resolveKernelModules(projectRoot: string = DEFAULT_PROJECT_ROOT): { tsx: string; tslab: string } {
  const requireFromRoot = createRequire(path.join(projectRoot, "package.json"));
  const missing: string[] = [];
  const resolve = (id: string, pkg: string) => {
    try {
      return requireFromRoot.resolve(id);
    } catch {
      missing.push(pkg);
      return "";
    }
  };
  const tsx = resolve("tsx/cjs", "tsx");
  const tslab = resolve("tslab/bin/tslab", "tslab");
  if (missing.length > 0) throw new KernelDependencyError(projectRoot, missing);
  return { tsx, tslab };
}

export function kernelSpec(options: KernelSpecOptions = {}): KernelSpec {
  const projectRoot = path.resolve(options.projectRoot ?? DEFAULT_PROJECT_ROOT);
  // tsx is checked for (the preload needs it); the preload registers it and wraps tslab's console.
  const { tslab } = resolveKernelModules(projectRoot);
  const lang = options.lang ?? "en";
  const message = (options.interruptMode ?? interruptModeFor(process.platform)) === "message";
  return {
    argv: [options.nodePath ?? stableNodePath(), "--require", kernelPreload(projectRoot), tslab, "kernel", "--config-path", "{connection_file}"],
    display_name: KERNELS[lang].displayName,
    language: "typescript",
    ...(message ? { interrupt_mode: "message" as const } : {}),
    // The kernel serves the control channel from a thread of its own for it (src/kernel/protocol/control.cjs).
    env: { ...PLAIN_OUTPUT_ENV, [NOTEBOOK_LANG_VARIABLE]: lang, ...(message ? { KVQ_INTERRUPT_MODE: "message" } : {}) },
    metadata: { kvq: { projectRoot } },
  };
}

export interface NodePathContext {
  execPath: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** realpath, or undefined when the file does not exist. */
  realpath: (file: string) => string | undefined;
}

const realpathOrUndefined = (file: string) => {
  try {
    return existsSync(file) ? realpathSync.native(file) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The path of this Node that survives an upgrade. process.execPath is the resolved binary: on macOS
 * with Homebrew that is /opt/homebrew/Cellar/node/<version>/bin/node, which `brew upgrade` deletes,
 * and the kernel would no longer start. When a `node` on PATH is the same binary through a link
 * (/opt/homebrew/bin/node, nvm-windows' C:\nvm4w\nodejs\node.exe), that stable path is used instead.
 */
export function stableNodePath(context: Partial<NodePathContext> = {}): string {
  const { execPath, env, platform, realpath } = {
    execPath: process.execPath,
    env: process.env,
    platform: process.platform,
    realpath: realpathOrUndefined,
    ...context,
  };
  const p = platform === "win32" ? path.win32 : path.posix;
  const target = realpath(execPath);
  if (target === undefined) return execPath;
  // Windows spells it Path; Node's process.env is case-insensitive there, a plain object is not.
  const pathVariable = env.PATH ?? env.Path ?? Object.entries(env).find(([name]) => name.toUpperCase() === "PATH")?.[1] ?? "";
  const binary = platform === "win32" ? "node.exe" : "node";
  for (const dir of pathVariable.split(p.delimiter)) {
    if (!dir || !p.isAbsolute(dir)) continue;
    const candidate = p.join(dir, binary);
    if (realpath(candidate) === target) return candidate;
  }
  return execPath;
}

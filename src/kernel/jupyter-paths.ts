/**
 * Where Jupyter looks for kernelspecs, worked out as jupyter_core (`jupyter_core/paths.py`, 4.x and 5.x)
 * does it, so `kvq kernel install` writes where `jupyter kernelspec list`, JupyterLab and VS Code look.
 *
 * Pure functions: the platform, the environment and the home folder are parameters, so every OS is
 * unit-tested on any OS. Paths are joined with the path flavour of the target platform (path.win32 for
 * Windows), never with the host's.
 *
 *   user data folder      JUPYTER_DATA_DIR, else
 *     Linux and others    $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter
 *     macOS               ~/Library/Jupyter
 *     Windows             %APPDATA%\jupyter, else <config folder>\data
 *   with JUPYTER_PLATFORM_DIRS=1 (jupyter_core ≥ 5, the default planned for 6): the platformdirs folders
 *     Linux and others    $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter (the same)
 *     macOS               ~/Library/Application Support/Jupyter
 *     Windows             %LOCALAPPDATA%\Jupyter
 *   kernels               <data folder>/kernels
 *   --prefix DIR          DIR/share/jupyter/kernels (found by Jupyter when DIR is its sys.prefix or
 *                         DIR/share/jupyter is on JUPYTER_PATH)
 */
import os from "node:os";
import path from "node:path";

export interface JupyterPathContext {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder (os.homedir() on the real machine). */
  home: string;
}

/** The context of this process: its platform, environment and home folder. */
export function currentContext(): JupyterPathContext {
  return { platform: process.platform, env: process.env, home: os.homedir() };
}

/** node:path for the target platform: path.win32 for Windows, path.posix elsewhere. */
export function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** A variable counts only when it is set and not empty, as in jupyter_core (`if env.get(NAME)`). */
const setting = (env: JupyterPathContext["env"], name: string): string | undefined => {
  const value = env[name];
  return value ? value : undefined;
};

/** jupyter_core's `envset`: set to anything but no, n, false, off, 0 or 0.0 (any case). */
function envFlag(env: JupyterPathContext["env"], name: string): boolean {
  const value = env[name];
  if (value === undefined) return false;
  return !["no", "n", "false", "off", "0", "0.0"].includes(value.toLowerCase());
}

/**
 * The Jupyter config folder: JUPYTER_CONFIG_DIR, else ~/.jupyter. Needed here only for Windows without
 * APPDATA (its data folder is then `<config folder>\data`), a branch that never sees JUPYTER_PLATFORM_DIRS.
 */
export function jupyterConfigDir({ platform, env, home }: JupyterPathContext): string {
  const p = pathFor(platform);
  const explicit = setting(env, "JUPYTER_CONFIG_DIR");
  return explicit ?? p.join(home, ".jupyter");
}

/** The user's Jupyter data folder, where kernelspecs for this user live. */
export function jupyterDataDir(context: JupyterPathContext): string {
  const { platform, env, home } = context;
  const p = pathFor(platform);
  const explicit = setting(env, "JUPYTER_DATA_DIR");
  if (explicit) return explicit;
  if (envFlag(env, "JUPYTER_PLATFORM_DIRS")) {
    if (platform === "darwin") return p.join(home, "Library", "Application Support", "Jupyter");
    if (platform === "win32") return p.join(setting(env, "LOCALAPPDATA") ?? p.join(home, "AppData", "Local"), "Jupyter");
    return p.join(setting(env, "XDG_DATA_HOME") ?? p.join(home, ".local", "share"), "jupyter");
  }
  if (platform === "darwin") return p.join(home, "Library", "Jupyter");
  if (platform === "win32") {
    const appData = setting(env, "APPDATA");
    return appData ? p.join(appData, "jupyter") : p.join(jupyterConfigDir(context), "data");
  }
  return p.join(setting(env, "XDG_DATA_HOME") ?? p.join(home, ".local", "share"), "jupyter");
}

/** `<prefix>/share/jupyter`: the data folder of an installation prefix (what goes on JUPYTER_PATH). */
export function prefixDataDir(prefix: string, platform: NodeJS.Platform = process.platform): string {
  return pathFor(platform).join(prefix, "share", "jupyter");
}

/** The kernels folder: `<prefix>/share/jupyter/kernels` with a prefix, else `<user data folder>/kernels`. */
export function jupyterKernelsDir(context: JupyterPathContext, prefix?: string): string {
  const base = prefix === undefined ? jupyterDataDir(context) : prefixDataDir(prefix, context.platform);
  return pathFor(context.platform).join(base, "kernels");
}

/** The folder of one kernelspec: `<kernels folder>/<name>`. */
export function kernelSpecDir(context: JupyterPathContext, name: string, prefix?: string): string {
  return pathFor(context.platform).join(jupyterKernelsDir(context, prefix), name);
}

/**
 * How to put a folder on JUPYTER_PATH for the current shell, for the messages: POSIX shells,
 * and PowerShell on Windows (its default shell since Windows 10).
 */
export function jupyterPathHint(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32") return `$env:JUPYTER_PATH = "${dataDir}"`;
  return `export JUPYTER_PATH='${dataDir.replace(/'/g, `'\\''`)}'`;
}

/** Where the kernelspec goes on Linux, macOS and Windows, as jupyter_core decides it; pure, so every OS runs everywhere. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  jupyterConfigDir,
  jupyterDataDir,
  jupyterKernelsDir,
  jupyterPathHint,
  kernelSpecDir,
  pathFor,
  prefixDataDir,
  type JupyterPathContext,
} from "../../src/kernel/jupyter-paths";

const linux = (env: Record<string, string> = {}): JupyterPathContext => ({ platform: "linux", env, home: "/home/ada" });
const mac = (env: Record<string, string> = {}): JupyterPathContext => ({ platform: "darwin", env, home: "/Users/ada" });
const windows = (env: Record<string, string> = {}): JupyterPathContext => ({ platform: "win32", env, home: "C:\\Users\\ada" });

describe("Linux (and other Unix)", () => {
  test("default: ~/.local/share/jupyter", () => {
    assert.equal(jupyterDataDir(linux()), "/home/ada/.local/share/jupyter");
    assert.equal(jupyterKernelsDir(linux()), "/home/ada/.local/share/jupyter/kernels");
    assert.equal(kernelSpecDir(linux(), "kvq-tslab"), "/home/ada/.local/share/jupyter/kernels/kvq-tslab");
  });

  test("XDG_DATA_HOME moves it; an empty one does not count", () => {
    assert.equal(jupyterDataDir(linux({ XDG_DATA_HOME: "/data/ada" })), "/data/ada/jupyter");
    assert.equal(jupyterDataDir(linux({ XDG_DATA_HOME: "" })), "/home/ada/.local/share/jupyter");
  });

  test("JUPYTER_DATA_DIR wins over XDG_DATA_HOME, and is used as given", () => {
    assert.equal(jupyterDataDir(linux({ JUPYTER_DATA_DIR: "/opt/j", XDG_DATA_HOME: "/data/ada" })), "/opt/j");
    assert.equal(jupyterKernelsDir(linux({ JUPYTER_DATA_DIR: "/opt/j" })), "/opt/j/kernels");
    assert.equal(jupyterDataDir(linux({ JUPYTER_DATA_DIR: "" })), "/home/ada/.local/share/jupyter");
  });

  test("JUPYTER_PLATFORM_DIRS=1 keeps the same folder (platformdirs follows XDG on Linux)", () => {
    assert.equal(jupyterDataDir(linux({ JUPYTER_PLATFORM_DIRS: "1" })), "/home/ada/.local/share/jupyter");
    assert.equal(jupyterDataDir(linux({ JUPYTER_PLATFORM_DIRS: "1", XDG_DATA_HOME: "/x" })), "/x/jupyter");
  });

  test("other platforms jupyter_core treats as Unix", () => {
    for (const platform of ["freebsd", "openbsd", "aix", "sunos"] as const) {
      assert.equal(jupyterDataDir({ platform, env: {}, home: "/home/ada" }), "/home/ada/.local/share/jupyter");
    }
  });
});

describe("macOS", () => {
  test("default: ~/Library/Jupyter, whatever XDG_DATA_HOME says", () => {
    assert.equal(jupyterDataDir(mac()), "/Users/ada/Library/Jupyter");
    assert.equal(jupyterDataDir(mac({ XDG_DATA_HOME: "/Users/ada/.local/share" })), "/Users/ada/Library/Jupyter");
    assert.equal(kernelSpecDir(mac(), "kvq-tslab"), "/Users/ada/Library/Jupyter/kernels/kvq-tslab");
  });

  test("JUPYTER_DATA_DIR wins", () => {
    assert.equal(jupyterDataDir(mac({ JUPYTER_DATA_DIR: "/Volumes/x/jupyter" })), "/Volumes/x/jupyter");
  });

  test("JUPYTER_PLATFORM_DIRS=1: ~/Library/Application Support/Jupyter; =0 or =false: the default", () => {
    assert.equal(jupyterDataDir(mac({ JUPYTER_PLATFORM_DIRS: "1" })), "/Users/ada/Library/Application Support/Jupyter");
    assert.equal(jupyterDataDir(mac({ JUPYTER_PLATFORM_DIRS: "yes" })), "/Users/ada/Library/Application Support/Jupyter");
    assert.equal(jupyterDataDir(mac({ JUPYTER_PLATFORM_DIRS: "0" })), "/Users/ada/Library/Jupyter");
    assert.equal(jupyterDataDir(mac({ JUPYTER_PLATFORM_DIRS: "False" })), "/Users/ada/Library/Jupyter");
  });
});

describe("Windows", () => {
  const APPDATA = "C:\\Users\\ada\\AppData\\Roaming";

  test("default: %APPDATA%\\jupyter, joined with Windows separators", () => {
    assert.equal(jupyterDataDir(windows({ APPDATA })), "C:\\Users\\ada\\AppData\\Roaming\\jupyter");
    assert.equal(kernelSpecDir(windows({ APPDATA }), "kvq-tslab"), "C:\\Users\\ada\\AppData\\Roaming\\jupyter\\kernels\\kvq-tslab");
  });

  test("without APPDATA: <config folder>\\data, the config folder being JUPYTER_CONFIG_DIR or ~\\.jupyter", () => {
    assert.equal(jupyterDataDir(windows()), "C:\\Users\\ada\\.jupyter\\data");
    assert.equal(jupyterDataDir(windows({ JUPYTER_CONFIG_DIR: "D:\\cfg" })), "D:\\cfg\\data");
    assert.equal(jupyterConfigDir(windows({ JUPYTER_CONFIG_DIR: "D:\\cfg" })), "D:\\cfg");
  });

  test("JUPYTER_DATA_DIR wins over APPDATA", () => {
    assert.equal(jupyterDataDir(windows({ APPDATA, JUPYTER_DATA_DIR: "D:\\jupyter" })), "D:\\jupyter");
  });

  test("XDG_DATA_HOME is ignored", () => {
    assert.equal(jupyterDataDir(windows({ APPDATA, XDG_DATA_HOME: "D:\\xdg" })), "C:\\Users\\ada\\AppData\\Roaming\\jupyter");
  });

  test("JUPYTER_PLATFORM_DIRS=1: %LOCALAPPDATA%\\Jupyter", () => {
    const env = { APPDATA, LOCALAPPDATA: "C:\\Users\\ada\\AppData\\Local", JUPYTER_PLATFORM_DIRS: "1" };
    assert.equal(jupyterDataDir(windows(env)), "C:\\Users\\ada\\AppData\\Local\\Jupyter");
    assert.equal(jupyterDataDir(windows({ JUPYTER_PLATFORM_DIRS: "1" })), "C:\\Users\\ada\\AppData\\Local\\Jupyter");
  });
});

describe("--prefix DIR: DIR/share/jupyter/kernels on every OS", () => {
  test("Linux and macOS", () => {
    assert.equal(jupyterKernelsDir(linux({ JUPYTER_DATA_DIR: "/ignored" }), "/opt/conda"), "/opt/conda/share/jupyter/kernels");
    assert.equal(kernelSpecDir(mac(), "kvq-tslab", "/usr/local"), "/usr/local/share/jupyter/kernels/kvq-tslab");
    assert.equal(prefixDataDir("/opt/conda", "linux"), "/opt/conda/share/jupyter");
  });

  test("Windows", () => {
    assert.equal(jupyterKernelsDir(windows({ APPDATA: "C:\\ignored" }), "C:\\Miniconda3"), "C:\\Miniconda3\\share\\jupyter\\kernels");
    assert.equal(prefixDataDir("C:\\Miniconda3", "win32"), "C:\\Miniconda3\\share\\jupyter");
  });
});

describe("helpers", () => {
  test("pathFor picks the target's path flavour", () => {
    assert.equal(pathFor("win32").sep, "\\");
    assert.equal(pathFor("darwin").sep, "/");
    assert.equal(pathFor("linux").delimiter, ":");
  });

  test("the JUPYTER_PATH hint is PowerShell on Windows, POSIX shell elsewhere, quoted", () => {
    assert.equal(jupyterPathHint("C:\\p\\share\\jupyter", "win32"), '$env:JUPYTER_PATH = "C:\\p\\share\\jupyter"');
    assert.equal(jupyterPathHint("/tmp/my dir/share/jupyter", "linux"), "export JUPYTER_PATH='/tmp/my dir/share/jupyter'");
    assert.equal(jupyterPathHint("/tmp/it's/share/jupyter", "darwin"), "export JUPYTER_PATH='/tmp/it'\\''s/share/jupyter'");
  });
});

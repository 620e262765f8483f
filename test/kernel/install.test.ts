/** `kvq kernel install`: the kernelspec it writes, where, idempotence, and its errors. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { UsageError } from "../../src/errors";
import { kernelInstallCommand } from "../../src/commands/kernel";
import { jupyterKernelsDir } from "../../src/kernel/jupyter-paths";
import { installKernelSpec } from "../../src/kernel/install";
import { KERNEL_NAME, KernelDependencyError, PLAIN_OUTPUT_ENV, stableNodePath, type KernelSpec } from "../../src/kernel/kernelspec";
import { assertJupyter, JUPYTER, needsJupyter, PROJECT_ROOT } from "../helpers/jupyter";

const temps: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kvq-kernel-"));
  temps.push(dir);
  return dir;
};
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** The real CLI, as a learner runs it (`npx kvq` runs the same file). */
function kvq(args: string[], env: Record<string, string | undefined> = {}) {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...env })) if (value !== undefined) merged[name] = value;
  const result = spawnSync(process.execPath, ["--", path.join(PROJECT_ROOT, "src", "kvq.cjs"), ...args], {
    cwd: PROJECT_ROOT,
    env: merged,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const specFile = (prefix: string) => path.join(prefix, "share", "jupyter", "kernels", KERNEL_NAME, "kernel.json");
const readSpec = (file: string) => JSON.parse(readFileSync(file, "utf8")) as KernelSpec;
const same = (a: string, b: string) => realpathSync.native(a) === realpathSync.native(b);

describe("kvq kernel install --prefix DIR", () => {
  test("writes DIR/share/jupyter/kernels/kvq-tslab/kernel.json that starts this project's tslab after its preload (tsx, friendly errors)", () => {
    const prefix = tempDir();
    const run = kvq(["kernel", "install", "--prefix", prefix]);
    assert.equal(run.code, 0, run.stderr);
    const file = specFile(prefix);
    const spec = readSpec(file);

    const [node, requireFlag, preload, tslab, ...rest] = spec.argv;
    assert.ok(path.isAbsolute(node) && same(node, process.execPath), `argv[0] ${node} should be this Node`);
    assert.equal(requireFlag, "--require");
    assert.ok(same(preload, path.join(PROJECT_ROOT, "src", "kernel", "preload.cjs")), preload);
    assert.ok(same(tslab, path.join(PROJECT_ROOT, "node_modules", "tslab", "bin", "tslab")), tslab);
    assert.deepEqual(rest, ["kernel", "--config-path", "{connection_file}"]);
    assert.equal(spec.display_name, "TypeScript (Key Vault quickstart)");
    assert.equal(spec.language, "typescript");
    assert.deepEqual(spec.env, { NO_COLOR: "1", FORCE_COLOR: "0", TERM: "dumb", KVQ_NOTEBOOK_LANG: "en" });
    // The zh-TW editions' kernel: the same kernel, speaking Traditional Chinese.
    const zh = readSpec(path.join(prefix, "share", "jupyter", "kernels", "kvq-tslab-zh-tw", "kernel.json"));
    assert.deepEqual(zh.argv, spec.argv);
    assert.deepEqual(zh.env, { ...spec.env, KVQ_NOTEBOOK_LANG: "zh-TW" });
    assert.match(run.stdout, /Installed the Jupyter kernel "TypeScript \(Key Vault 快速入門，繁體中文\)" \(kvq-tslab-zh-tw\)/);
    assert.deepEqual(spec.metadata, { kvq: { projectRoot: PROJECT_ROOT } });

    // Where it went, that Jupyter needs JUPYTER_PATH for a prefix, and how to use the kernel.
    assert.ok(run.stdout.includes(file), run.stdout);
    assert.match(run.stdout, /^Installed the Jupyter kernel "TypeScript \(Key Vault quickstart\)" \(kvq-tslab\)/);
    assert.ok(run.stdout.includes(path.join(prefix, "share", "jupyter")), run.stdout);
    assert.match(run.stdout, /JUPYTER_PATH/);
    assert.match(run.stdout, /JupyterLab .*it starts the kernel its metadata names; if asked, pick "TypeScript \(Key Vault quickstart\)"/);
    assert.match(run.stdout, /VS Code .*Select Kernel → Jupyter Kernel…/);
    assert.match(run.stdout, /--ExecutePreprocessor\.kernel_name=kvq-tslab/);
    assert.equal(run.stderr, "");
  });

  test("a relative prefix is taken from the current folder", () => {
    const cwd = tempDir();
    const result = spawnSync(process.execPath, ["--", path.join(PROJECT_ROOT, "src", "kvq.cjs"), "kernel", "install", "--prefix", "rel"], {
      cwd,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(existsSync(specFile(path.join(cwd, "rel"))));
  });

  test("idempotent: a second install leaves the identical spec alone", () => {
    const prefix = tempDir();
    assert.equal(kvq(["kernel", "install", "--prefix", prefix]).code, 0);
    const before = readFileSync(specFile(prefix), "utf8");
    const again = kvq(["kernel", "install", "--prefix", prefix]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already installed and up to date/);
    assert.equal(readFileSync(specFile(prefix), "utf8"), before);
  });

  test("an older spec of ours (another Node, another copy of the project) is replaced, and the output says so", () => {
    const prefix = tempDir();
    const file = specFile(prefix);
    mkdirSync(path.dirname(file), { recursive: true });
    const old: KernelSpec = {
      argv: ["/old/node", "/old/project/node_modules/tslab/bin/tslab", "kernel", "--config-path", "{connection_file}"],
      display_name: "old",
      language: "typescript",
      env: {},
      metadata: { kvq: { projectRoot: "/old/project" } },
    };
    writeFileSync(file, JSON.stringify(old));
    writeFileSync(path.join(path.dirname(file), "logo-64x64.png"), "not ours to touch");
    const run = kvq(["kernel", "install", "--prefix", prefix]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Updated the Jupyter kernel/);
    assert.match(run.stdout, /replaced the kernel of the copy of this project at \/old\/project/);
    assert.deepEqual(readSpec(file).metadata, { kvq: { projectRoot: PROJECT_ROOT } });
    assert.equal(readFileSync(path.join(path.dirname(file), "logo-64x64.png"), "utf8"), "not ours to touch");
  });

  test("a kernel.json of ours that is not JSON (a damaged file) is replaced with a warning", () => {
    const prefix = tempDir();
    mkdirSync(path.dirname(specFile(prefix)), { recursive: true });
    writeFileSync(specFile(prefix), '{"argv": [');
    const run = kvq(["kernel", "install", "--prefix", prefix]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /warning: .*was not valid JSON; it has been replaced/);
    assert.equal(readSpec(specFile(prefix)).argv.at(-1), "{connection_file}");
  });

  test("a kvq-tslab kernelspec that another tool wrote is never overwritten: exit 2 and what to do", () => {
    const prefix = tempDir();
    const file = specFile(prefix);
    mkdirSync(path.dirname(file), { recursive: true });
    const foreign = JSON.stringify({ argv: ["python", "-m", "x", "-f", "{connection_file}"], display_name: "Someone else's", language: "python" });
    writeFileSync(file, foreign);
    const run = kvq(["kernel", "install", "--prefix", prefix]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^kvq: .*kernel\.json exists and was not written by kvq/);
    assert.match(run.stderr, /Remove the folder/);
    assert.equal(run.stdout, "");
    assert.equal(readFileSync(file, "utf8"), foreign);
  });
});

describe("kvq kernel install (no prefix): the user's Jupyter data folder", () => {
  test("JUPYTER_DATA_DIR decides it, as for Jupyter itself", () => {
    const data = tempDir();
    const run = kvq(["kernel", "install"], { JUPYTER_DATA_DIR: data });
    assert.equal(run.code, 0, run.stderr);
    const file = path.join(data, "kernels", KERNEL_NAME, "kernel.json");
    assert.ok(existsSync(file), run.stdout);
    assert.ok(run.stdout.includes(file));
    assert.doesNotMatch(run.stdout, /JUPYTER_PATH/, "the user's data folder needs no JUPYTER_PATH");
  });

  test("otherwise the home folder's platform default (~/.local/share/jupyter, ~/Library/Jupyter)", { skip: process.platform === "win32" && "Windows uses %APPDATA%, not HOME" }, () => {
    const home = tempDir();
    const env = { HOME: home, JUPYTER_DATA_DIR: undefined, XDG_DATA_HOME: undefined, JUPYTER_PLATFORM_DIRS: undefined };
    const run = kvq(["kernel", "install"], env);
    assert.equal(run.code, 0, run.stderr);
    const expected = path.join(jupyterKernelsDir({ platform: process.platform, env: {}, home }), KERNEL_NAME, "kernel.json");
    assert.ok(expected.startsWith(home));
    assert.ok(existsSync(expected), `${expected} missing; output:\n${run.stdout}`);
  });
});

describe("a project whose node_modules is missing or incomplete", () => {
  test("no node_modules: KernelDependencyError naming the packages and `npm install`; the command turns it into a UsageError (exit 2)", async () => {
    const project = tempDir();
    const prefix = tempDir();
    assert.throws(() => installKernelSpec({ projectRoot: project, prefix }), (error: unknown) => {
      assert.ok(error instanceof KernelDependencyError);
      assert.deepEqual(error.missing, ["tsx", "tslab"]);
      assert.match(error.message, /Run `npm install` in /);
      return true;
    });
    const written: string[] = [];
    await assert.rejects(kernelInstallCommand({ prefix }, { projectRoot: project, write: (t) => written.push(t) }), (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.match(error.message, /tsx and tslab are not installed in .*node_modules.*npm install/);
      return true;
    });
    assert.deepEqual(written, []);
    assert.ok(!existsSync(path.join(prefix, "share")), "nothing is written");
  });

  test("node_modules/kvq missing, or a copy instead of npm's link to src/: installed, with a warning", async () => {
    const project = tempDir();
    mkdirSync(path.join(project, "node_modules"), { recursive: true });
    mkdirSync(path.join(project, "src"));
    const link = (target: string, name: string) =>
      symlinkSync(target, path.join(project, "node_modules", name), process.platform === "win32" ? "junction" : "dir");
    link(path.join(PROJECT_ROOT, "node_modules", "tslab"), "tslab");
    link(path.join(PROJECT_ROOT, "node_modules", "tsx"), "tsx");

    const output: string[] = [];
    const write = (text: string) => output.push(text);
    assert.equal(await kernelInstallCommand({ prefix: tempDir() }, { projectRoot: project, write }), 0);
    assert.match(output.join(""), /warning: .*node_modules.kvq is missing, so notebooks cannot `import … from "kvq"`\. Run `npm install`/);

    mkdirSync(path.join(project, "node_modules", "kvq")); // a copy, not a link
    output.length = 0;
    assert.equal(await kernelInstallCommand({ prefix: tempDir() }, { projectRoot: project, write }), 0);
    assert.match(output.join(""), /warning: .*is not a link to .*src: notebooks would import an old copy/);
  });
});

describe("Jupyter sees the kernel", needsJupyter(), () => {
  test("`jupyter kernelspec list --json` with JUPYTER_PATH=<prefix>/share/jupyter lists kvq-tslab from the prefix", () => {
    assertJupyter();
    const prefix = tempDir();
    const install = kvq(["kernel", "install", "--prefix", prefix]);
    assert.equal(install.code, 0, install.stderr);
    const installed = { dir: path.dirname(specFile(prefix)), spec: readSpec(specFile(prefix)) };
    const result = spawnSync(JUPYTER, ["kernelspec", "list", "--json"], {
      encoding: "utf8",
      env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const { kernelspecs } = JSON.parse(result.stdout) as { kernelspecs: Record<string, { resource_dir: string; spec: KernelSpec }> };
    const found = kernelspecs[KERNEL_NAME];
    assert.ok(found, `kvq-tslab not listed: ${Object.keys(kernelspecs).join(", ")}`);
    assert.ok(same(found.resource_dir, installed.dir), found.resource_dir);
    assert.deepEqual(found.spec.argv, installed.spec.argv);
    assert.deepEqual(found.spec.env, { ...PLAIN_OUTPUT_ENV, KVQ_NOTEBOOK_LANG: "en" });
    assert.equal(kernelspecs["kvq-tslab-zh-tw"]?.spec.env.KVQ_NOTEBOOK_LANG, "zh-TW", `kvq-tslab-zh-tw not listed: ${Object.keys(kernelspecs).join(", ")}`);
    assert.equal(found.spec.display_name, "TypeScript (Key Vault quickstart)");
  });
});

describe("stableNodePath: a path to this Node that survives upgrades", () => {
  // A fake file system: Homebrew's stable link and the versioned binary it points to.
  const files: Record<string, string> = {
    "/opt/homebrew/Cellar/node/22.1.0/bin/node": "/opt/homebrew/Cellar/node/22.1.0/bin/node",
    "/opt/homebrew/bin/node": "/opt/homebrew/Cellar/node/22.1.0/bin/node",
    "/usr/bin/node": "/usr/bin/node",
    "C:\\Program Files\\nodejs\\node.exe": "C:\\Program Files\\nodejs\\node.exe",
    "C:\\nvm4w\\nodejs\\node.exe": "C:\\Users\\ada\\AppData\\Local\\nvm\\v22.1.0\\node.exe",
    "C:\\Users\\ada\\AppData\\Local\\nvm\\v22.1.0\\node.exe": "C:\\Users\\ada\\AppData\\Local\\nvm\\v22.1.0\\node.exe",
  };
  const realpath = (file: string) => files[file];

  test("macOS Homebrew: the Cellar binary becomes /opt/homebrew/bin/node", () => {
    const execPath = "/opt/homebrew/Cellar/node/22.1.0/bin/node";
    const env = { PATH: "relative/bin:/usr/bin:/opt/homebrew/bin" };
    assert.equal(stableNodePath({ execPath, env, platform: "darwin", realpath }), "/opt/homebrew/bin/node");
  });

  test("a node on PATH that is another binary is not taken; then process.execPath stays", () => {
    const execPath = "/opt/homebrew/Cellar/node/22.1.0/bin/node";
    assert.equal(stableNodePath({ execPath, env: { PATH: "/usr/bin" }, platform: "darwin", realpath }), execPath);
    assert.equal(stableNodePath({ execPath: "/usr/bin/node", env: {}, platform: "linux", realpath }), "/usr/bin/node");
  });

  test("Windows: Path (any case) with ; and node.exe; nvm-windows' link is preferred", () => {
    const execPath = "C:\\Users\\ada\\AppData\\Local\\nvm\\v22.1.0\\node.exe";
    const env = { Path: "C:\\Windows\\system32;C:\\nvm4w\\nodejs" };
    assert.equal(stableNodePath({ execPath, env, platform: "win32", realpath }), "C:\\nvm4w\\nodejs\\node.exe");
    const plain = "C:\\Program Files\\nodejs\\node.exe";
    assert.equal(stableNodePath({ execPath: plain, env: { Path: "C:\\Program Files\\nodejs" }, platform: "win32", realpath }), plain);
  });

  test("on this machine it is this Node", () => {
    assert.ok(same(stableNodePath(), process.execPath));
  });
});

/**
 * The CLI's build (src/cli-build.cjs), in a copy of the project so the real build is not touched:
 * a current build is what runs (the Jupyter client's packages built into a file beside it, their
 * files among its inputs); an edited source runs at once, even one whose size and modification
 * time were put back; a change to what shapes the output besides the sources (tsconfig.json,
 * src/package.json, esbuild) makes a new build; a missing build is remade, also by several starts at once; a build folder that
 * cannot be written leaves the sources to tsx; and paths the sources build from __dirname still
 * point into src/.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { PROJECT_ROOT, type CliResult } from "./helpers/cli";
import { tempDir } from "./helpers/emulator";

/** What cli-build.cjs waits for before it trusts a file's times (SETTLE_MS), and a little more. */
const SETTLE_MS = 2100;
const DESCRIPTION = "The Azure Key Vault keys, secrets and certificates quickstarts, runnable";

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Runs a command to its end, keeping what it printed. */
const capture = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  new Promise<CliResult>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, shell: process.platform === "win32" && command.endsWith(".cmd") });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

describe("the CLI's build", () => {
  let root: string;
  let buildDir: string;
  let cliSource: string;

  const kvq = (args: string[], env: NodeJS.ProcessEnv = {}) => capture(process.execPath, ["--", path.join(root, "src", "kvq.cjs"), ...args], root, env);
  const help = async (env: NodeJS.ProcessEnv = {}) => {
    const result = await kvq(["--help"], env);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };
  const manifestFile = () => path.join(buildDir, "manifest.json");
  const manifest = () => JSON.parse(readFileSync(manifestFile(), "utf8")) as { bundle: string; inputs: [string, string][]; client: { name: string; inputs: [string, string][] } };
  /** A whole second, so that putting it back restores the modification time exactly. */
  const ROUND_MTIME = Math.floor(Date.now() / 1000) - 60;
  /** Rewrites cli.ts's description, keeping the file's size and (optionally) its modification time. */
  const describeAs = (text: string, keepTimes: boolean) => {
    assert.equal(text.length, DESCRIPTION.length);
    const before = statSync(cliSource);
    const source = readFileSync(cliSource, "utf8").replace(/\.description\("[^"]*runnable/i, `.description("${text}`);
    writeFileSync(cliSource, source);
    if (keepTimes) utimesSync(cliSource, ROUND_MTIME, ROUND_MTIME);
    assert.equal(statSync(cliSource).size, before.size);
    if (keepTimes) assert.equal(statSync(cliSource).mtimeMs, before.mtimeMs, "the modification time is the one the build saw");
  };

  before(() => {
    root = tempDir("kvq-cli-build-");
    cpSync(path.join(PROJECT_ROOT, "src"), path.join(root, "src"), { recursive: true, filter: (from) => path.basename(from) !== ".types" });
    for (const file of ["package.json", "tsconfig.json"]) cpSync(path.join(PROJECT_ROOT, file), path.join(root, file));
    // The packages linked one by one (a junction needs no special rights on Windows; elsewhere it is
    // a plain symlink), but for esbuild, copied: the build's manifest records its package.json, and a
    // test changes it. The project's own package (kvq, file:src) is the copy's src/.
    const modules = path.join(root, "node_modules");
    mkdirSync(modules);
    for (const entry of readdirSync(path.join(PROJECT_ROOT, "node_modules"), { withFileTypes: true })) {
      const from = path.join(PROJECT_ROOT, "node_modules", entry.name);
      const to = path.join(modules, entry.name);
      if (entry.name === "esbuild") cpSync(from, to, { recursive: true, dereference: true });
      else if (entry.name === "kvq") symlinkSync(path.join(root, "src"), to, "junction");
      else if (entry.isFile()) cpSync(from, to);
      else symlinkSync(from, to, "junction");
    }
    buildDir = path.join(root, ".kvq", "cli");
    cliSource = path.join(root, "src", "cli.ts");
    utimesSync(cliSource, ROUND_MTIME, ROUND_MTIME);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("the first start builds it, and later starts run the build", async () => {
    await settle(); // the copy's files are new: a build of them is made but recorded only once they settled
    assert.match(await help(), new RegExp(DESCRIPTION));
    const { bundle, inputs, client: clientBuild } = manifest();
    assert.ok(inputs.some(([file]) => file === "src/cli.ts"), "the sources are among the inputs");
    // The Jupyter client's packages are built into a file of their own, which the build requires by
    // name; their files are inputs too, so an update of a package makes a new build.
    const client = /require\("\.\/(jupyter-client-[0-9a-f]+\.cjs)"\)/.exec(readFileSync(path.join(buildDir, bundle), "utf8"))?.[1];
    assert.ok(client && existsSync(path.join(buildDir, client)), `the build requires the client's packages from a file beside it (${client})`);
    assert.equal(clientBuild.name, client);
    const allInputs = [...inputs, ...clientBuild.inputs];
    for (const name of ["@nteract/messaging", "enchannel-zmq-backend", "rxjs"]) {
      assert.ok(allInputs.some(([file]) => file.includes(`node_modules/${name}/`)), `${name}'s files are among the inputs`);
    }
    assert.ok(!allInputs.some(([file]) => file.includes("node_modules/zeromq/")), "zeromq (a native addon) is loaded from node_modules");
    // One of the client's package files seen as changed (its recorded fingerprint made stale): a new build records it again.
    const stale = manifest();
    stale.client.inputs[0]![1] = "0:0:0";
    writeFileSync(manifestFile(), JSON.stringify(stale));
    await help();
    assert.notEqual(manifest().client.inputs[0]![1], "0:0:0", "a changed package file of the client's did not make a new build");
    // A line only the build has shows that a start runs the build, and that KVQ_CLI_BUILD=0 does not.
    appendFileSync(path.join(buildDir, bundle), '\nprocess.stdout.write("FROM THE BUILD\\n");\n');
    assert.match(await help(), /FROM THE BUILD/);
    assert.doesNotMatch(await help({ KVQ_CLI_BUILD: "0" }), /FROM THE BUILD/);
  });

  test("an edited source runs at once, even with its size and modification time put back", async () => {
    describeAs("THE AZURE KEY VAULT KEYS, SECRETS AND CERTIFICATES QUICKSTARTS, RUNNABLE", true);
    const out = await help();
    assert.match(out, /THE AZURE KEY VAULT KEYS, SECRETS AND CERTIFICATES QUICKSTARTS, RUNNABLE/);
    assert.doesNotMatch(out, /FROM THE BUILD/);
  });

  test("a missing build is remade, also by several starts at once", async () => {
    rmSync(buildDir, { recursive: true, force: true });
    describeAs("the azure key vault keys, secrets and certificates quickstarts, runnable", false);
    await settle();
    const results = await Promise.all([1, 2, 3, 4].map(() => kvq(["--help"])));
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /the azure key vault keys, secrets and certificates quickstarts, runnable/);
    }
    const { bundle } = manifest();
    assert.ok(existsSync(path.join(buildDir, bundle)), "the manifest names a bundle that exists");
    assert.deepEqual(
      readdirSync(buildDir).filter((f) => f.endsWith(".tmp")),
      [],
      "no half-written file is left",
    );
  });

  test("a start that builds says so on stderr once the build takes a while; a current build says nothing", async () => {
    rmSync(buildDir, { recursive: true, force: true });
    const building = await kvq(["--help"], { KVQ_CLI_BUILD_NOTICE_MS: "0" });
    assert.equal(building.code, 0, building.stderr);
    assert.match(building.stderr, /^kvq: building the command from src\/ \(once after a change to it\)…$/m);
    await settle();
    await help(); // records the build once its files settled
    const current = await kvq(["--help"], { KVQ_CLI_BUILD_NOTICE_MS: "0" });
    assert.equal(current.stderr, "");
  });

  test("a change to tsconfig.json, src/package.json or esbuild's package.json makes a new build, each on its own", async () => {
    const building = /^kvq: building the command from src\//m;
    await settle();
    await help(); // recorded: every input settled
    assert.equal((await kvq(["--help"], { KVQ_CLI_BUILD_NOTICE_MS: "0" })).stderr, "", "the build is current");
    for (const [index, file] of ["tsconfig.json", "src/package.json", "node_modules/esbuild/package.json"].entries()) {
      if (index > 0) {
        await settle(); // the previous change settled: this start records a build that includes it
        await help();
      }
      appendFileSync(path.join(root, file), "\n"); // still JSON; only its size and times change
      const start = await kvq(["--help"], { KVQ_CLI_BUILD_NOTICE_MS: "0" });
      assert.equal(start.code, 0, start.stderr);
      assert.match(start.stderr, building, `a change to ${file} did not make a new build`);
    }
  });

  test("paths made from __dirname point into src/, as under tsx", async () => {
    const prefix = path.join(root, "prefix");
    const result = await kvq(["kernel", "install", "--prefix", prefix]);
    assert.equal(result.code, 0, result.stderr);
    const spec = JSON.parse(readFileSync(path.join(prefix, "share", "jupyter", "kernels", "kvq-tslab", "kernel.json"), "utf8"));
    assert.ok(spec.argv.includes(path.join(root, "src", "kernel", "preload.cjs")), spec.argv.join(" "));
    assert.equal(spec.metadata.kvq.projectRoot, root);
  });

  test("a build folder that cannot be written leaves the sources to tsx", async () => {
    rmSync(buildDir, { recursive: true, force: true });
    mkdirSync(path.dirname(buildDir), { recursive: true });
    writeFileSync(buildDir, "not a folder");
    describeAs("The Azure Key Vault keys, secrets and certificates quickstarts, RUNNABLE", false);
    assert.match(await help(), /The Azure Key Vault keys, secrets and certificates quickstarts, RUNNABLE/);
    assert.equal(readFileSync(buildDir, "utf8"), "not a folder");
  });
});

test("npx kvq runs the project's own command from node_modules/.bin, with nothing to install first", async () => {
  // A cache of its own: npx would put a package it had to install there (npm's _npx folder), and
  // run the project's `prepare` on the way, seconds of silence before the first `npx kvq`.
  const cache = tempDir("kvq-npx-cache-");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = await capture(npm, ["exec", "--offline", "--", "kvq", "--help"], PROJECT_ROOT, { npm_config_cache: cache });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Usage: kvq/);
  assert.ok(!existsSync(path.join(cache, "_npx")), "npx installed something before running kvq");
});

"use strict";
// The kvq CLI as one plain JavaScript file (issue 13): without it every command pays for the tsx
// loader and compiles its TypeScript on the fly, about as long again as Node's own start.
//
// The build lives in the ignored .kvq/cli/: made at install (`npm install` runs `prepare`) and
// checked on every start. Its manifest lists each file esbuild read, with its size, modification
// and change times; one differing stat (a learner's edit, a checkout, a deleted file) makes the
// start rebuild it (esbuild, ~0.1 s), and when that fails — a read-only install, a syntax error,
// no esbuild — the CLI runs through tsx as before. Stale code never runs: the change time (ctime)
// cannot be set back by tools that restore a modification time.
//
// Two processes may build at once: the bundle is written under its content's hash and the
// manifest that names it is renamed into place, so a reader sees an old pair or a new one.
// KVQ_CLI_BUILD=0 skips the build (the bench's "before", and debugging with tsx's source maps).
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const BUILD_DIR = path.join(ROOT, ".kvq", "cli");
const MANIFEST = path.join(BUILD_DIR, "manifest.json");
const ENTRY = path.join(__dirname, "cli.ts");
/** Bumped when what the build writes changes shape; an older manifest is then ignored. */
const FORMAT = 2;
/** Files that shape the output besides the sources esbuild lists (paths from the project root). */
const SETTINGS = ["src/cli-build.cjs", "tsconfig.json", "src/package.json", "node_modules/esbuild/package.json"];
/** A file changed this recently may have changed while esbuild read it: built, not recorded. */
const SETTLE_MS = 2000;
/** An old bundle is removed this long after it stopped being current (a start may be loading it). */
const KEEP_OLD_MS = 60_000;

const fingerprint = (stat) => `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
const statOf = (file) => fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false });

/** Whether every recorded file is as it was: `inputs` is a list of [file, fingerprint]. */
const unchanged = (inputs) =>
  Array.isArray(inputs) &&
  inputs.every(([file, expected]) => {
    const stat = statOf(file);
    return stat !== undefined && fingerprint(stat) === expected;
  });

/** The last build's manifest ({ format, bundle, inputs, client: { name, inputs } }), or undefined. */
function readManifest() {
  try {
    const manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
    return manifest.format === FORMAT ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** The current build's file, or undefined when it is missing or any input changed. */
function currentBuild() {
  const manifest = readManifest();
  if (!manifest || !unchanged(manifest.inputs) || !unchanged(manifest.client?.inputs)) return undefined;
  return path.join(BUILD_DIR, manifest.bundle);
}

/**
 * The packages of the Jupyter client (src/notebook/jupyter-client.ts) are bundled too, into a file
 * of their own beside the CLI's that only the commands talking to a kernel load (run, learn, docs,
 * rehearse): pure JavaScript spread over some 450 small modules (rxjs 6 and 7 among them), which
 * cost those commands about 0.15 s of CPU to load one by one, and little from one file. zeromq,
 * a native addon, stays in node_modules.
 */
const CLIENT_PACKAGES = ["@nteract/messaging", "enchannel-zmq-backend"];

/** What both builds share: CommonJS for the Node versions the project supports, kept in memory. */
const BUILD_OPTIONS = { absWorkingDir: ROOT, bundle: true, platform: "node", format: "cjs", target: "node20", write: false, metafile: true, logLevel: "silent" };

/**
 * The client's packages of the last build, when its file is there and none of the files it was made
 * from changed: an edit in src/ remakes the CLI's build (about 0.1 s) but not this (0.1–0.3 s more).
 */
function reusableClientPackages() {
  const client = readManifest()?.client;
  if (!client || !fs.existsSync(path.join(BUILD_DIR, client.name)) || !unchanged(client.inputs)) return undefined;
  return { name: client.name, code: undefined, inputs: client.inputs.map(([file]) => file) };
}

/** The client's packages as one CommonJS module: an object of their exports, by package name. */
async function bundleClientPackages(esbuild) {
  const entry = "jupyter-client-packages.cjs"; // made here, not a file: not among the inputs
  const result = await esbuild.build({
    ...BUILD_OPTIONS,
    stdin: { contents: `module.exports = { ${CLIENT_PACKAGES.map((name) => `${JSON.stringify(name)}: require(${JSON.stringify(name)})`).join(", ")} };`, resolveDir: ROOT, sourcefile: entry },
    external: ["zeromq"],
    outfile: path.join(BUILD_DIR, "jupyter-client-packages.cjs"),
    banner: { js: "// Made by src/cli-build.cjs from node_modules (do not edit)." },
  });
  const code = result.outputFiles[0].text;
  return { name: `jupyter-client-${contentHash(code)}.cjs`, code, inputs: Object.keys(result.metafile.inputs).filter((input) => input !== entry) };
}

/** Where the CLI's build finds the client's packages: the file above, by its name next to the build's. */
const clientPackagesFrom = (file) => ({
  name: "kvq-client-packages",
  setup(build) {
    const names = new RegExp(`^(${CLIENT_PACKAGES.map((name) => name.replace(/[/.]/g, "\\$&")).join("|")})$`);
    build.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: "kvq-client-packages" }));
    build.onLoad({ filter: /.*/, namespace: "kvq-client-packages" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./${file}`)})[${JSON.stringify(args.path)}];`,
      loader: "js",
    }));
    build.onResolve({ filter: /^\.\/jupyter-client-/, namespace: "kvq-client-packages" }, (args) => ({ path: args.path, external: true }));
  },
});

const contentHash = (code) => require("node:crypto").createHash("sha256").update(code).digest("hex").slice(0, 16);

/**
 * esbuild bundles the sources (packages stay in node_modules, loaded as before, but for the
 * client's above) into one file under .kvq/cli/. A source that reads __dirname or __filename gets
 * its own, so paths built from them point into src/ as they do under tsx.
 */
async function bundle() {
  const esbuild = require("esbuild");
  const client = reusableClientPackages() ?? (await bundleClientPackages(esbuild));
  const toRoot = path.relative(BUILD_DIR, ROOT).split(path.sep);
  const result = await esbuild.build({
    ...BUILD_OPTIONS,
    entryPoints: [ENTRY],
    packages: "external",
    // Linked, not inline: Node reads it only under --enable-source-maps (which costs ~50 ms a start),
    // for stack traces that name src/*.ts lines.
    sourcemap: "linked",
    outfile: path.join(BUILD_DIR, "cli.cjs"),
    banner: { js: `// Made by src/cli-build.cjs from src/ (do not edit).\nvar __kvqRoot = require("node:path").join(__dirname, ${toRoot.map((p) => JSON.stringify(p)).join(", ")});` },
    plugins: [ownDirname, clientPackagesFrom(client.name)],
  });
  const output = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext)).text;
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith("kvq-client-packages:"));
  return { code: output(".cjs"), map: output(".map"), inputs, client };
}

const ownDirname = {
  name: "kvq-own-dirname",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const contents = fs.readFileSync(args.path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(contents)) return undefined;
      const parts = path.relative(ROOT, args.path).split(path.sep).map((p) => JSON.stringify(p));
      const declare =
        `var __filename = require("node:path").join(__kvqRoot, ${parts.join(", ")}), ` +
        `__dirname = require("node:path").dirname(__filename);`;
      return { contents: `${declare}${contents}`, loader: "ts" };
    });
  },
};

/** Writes `data` to `file` through a temporary file and a rename, so no reader sees half of it. */
function writeAtomically(file, data) {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Builds the CLI and records it. `file`: the bundle, undefined when it cannot be built or written;
 * `recorded`: false when an input changed too recently to be sure the build saw its last version.
 */
async function rebuild() {
  const started = Date.now();
  let built;
  try {
    built = await bundle();
  } catch (error) {
    // A syntax error a learner just typed, or no esbuild: tsx runs the sources and reports it as before.
    return { file: undefined, recorded: false, error };
  }
  const name = `cli-${contentHash(built.code)}.cjs`;
  let settled = true;
  const fingerprints = (files) =>
    files.flatMap((file) => {
      const stat = statOf(file);
      // Gone, or changed since the build began: this build is used once, not recorded.
      if (stat === undefined || Math.max(stat.mtimeMs, stat.ctimeMs) > started - SETTLE_MS) settled = false;
      return stat === undefined ? [] : [[file, fingerprint(stat)]];
    });
  const inputs = fingerprints([...built.inputs, ...SETTINGS]);
  const clientInputs = fingerprints(built.client.inputs);
  const file = path.join(BUILD_DIR, name);
  const client = path.join(BUILD_DIR, built.client.name);
  try {
    fs.mkdirSync(BUILD_DIR, { recursive: true });
    // The client's packages first: a build is never there without the file it requires.
    if (fs.existsSync(client)) fs.utimesSync(client, new Date(), new Date());
    else writeAtomically(client, built.client.code);
    if (fs.existsSync(file)) {
      fs.utimesSync(file, new Date(), new Date()); // current again: not "old"
    } else {
      writeAtomically(`${file}.map`, built.map);
      writeAtomically(file, built.code.replace(/(\/\/# sourceMappingURL=)cli\.cjs\.map\s*$/, `$1${name}.map\n`));
    }
  } catch (error) {
    // A read-only project: tsx it is, every time (correct, only slower).
    return { file: undefined, recorded: false, error };
  }
  try {
    if (settled) writeAtomically(MANIFEST, JSON.stringify({ format: FORMAT, bundle: name, inputs, client: { name: built.client.name, inputs: clientInputs } }));
    removeOldBuilds([name, built.client.name]);
  } catch {
    // The manifest held open by a reader on Windows, say: this build is current all the same.
    settled = false;
  }
  return { file, recorded: settled };
}

function removeOldBuilds(current) {
  const now = Date.now();
  for (const entry of fs.readdirSync(BUILD_DIR)) {
    if (current.some((name) => entry.startsWith(name)) || !/^(cli|jupyter-client)-.*\.cjs(\.map)?$/.test(entry)) continue;
    const file = path.join(BUILD_DIR, entry);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs > KEEP_OLD_MS) fs.rmSync(file, { force: true });
  }
}

/**
 * A start that has to build says so on stderr if the build takes longer than this (a new clone
 * whose `npm install` made no build, a source just edited on a slow machine); a quick one says
 * nothing. KVQ_CLI_BUILD_NOTICE_MS changes it (tests).
 */
const NOTICE_AFTER_MS = 300;

/** Builds, telling stderr what the wait is if it is long enough to be noticed. */
async function rebuildTelling() {
  const after = Number(process.env.KVQ_CLI_BUILD_NOTICE_MS ?? NOTICE_AFTER_MS);
  const notice = setTimeout(() => process.stderr.write("kvq: building the command from src/ (once after a change to it)…\n"), after);
  try {
    return await rebuild();
  } finally {
    clearTimeout(notice);
  }
}

/** The CLI module (`main(argv)`): from a current build, a fresh one, or through tsx. */
async function loadCli() {
  if (process.env.KVQ_CLI_BUILD !== "0") {
    const file = currentBuild() ?? (await rebuildTelling()).file;
    if (file !== undefined) return require(file);
  }
  require("./util/typescript-loader.cjs");
  return require("./cli.ts");
}

module.exports = { loadCli, rebuild, currentBuild, BUILD_DIR };

/**
 * The `kvq` command line: every command declared here (description, options, examples), each one
 * a thin module in commands/ that is loaded only when it runs (a `require` with the module's name
 * written out, so the build in cli-build.cjs bundles it, and runs it only then). Exit codes: 0 success, 1 a failed run
 * or check, 2 bad usage or configuration, 130 interrupted — errors.ts maps a thrown error to its code.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { exitCodeFor } from "./errors";

const integer = (min: number, max: number, what: string) => (text: string) => {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
  return n;
};

/** One of a few names; `choices` is called only when the option is given (it may load a module). */
const oneOf = (choices: () => readonly string[], what: string) => (text: string) => {
  const names = choices();
  if (!names.includes(text)) throw new InvalidArgumentError(`${what} must be ${names.slice(0, -1).join(", ")}${names.length > 1 ? " or " : ""}${names.at(-1)}.`);
  return text;
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

function buildProgram(): Command {
  const program = new Command("kvq")
    .description("The Azure Key Vault keys and secrets quickstarts, runnable: tslab notebooks, their helpers, and a local Key Vault emulator.")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "kvq: ")) });

  program
    .command("run")
    .description("Run the quickstart notebook end to end in the TypeScript kernel: against an emulator of its own, or the vault your .env names.")
    .argument("[notebook]", "quickstart (default), beyond-the-quickstart, secrets-quickstart, or a notebook file; a name picks the edition in --lang")
    .option("--notebook <file>", "the same as the [notebook] argument")
    .option("--param <name=value>", "set a parameter of the notebook's parameters cell (repeatable)", collect)
    .addOption(new Option("--step <n>", "run only step n").argParser(integer(1, 1000, "--step")))
    .addOption(new Option("--until <n>", "run steps 1 to n").argParser(integer(1, 1000, "--until")))
    .option("--out <file>", "where to write the executed notebook (default: build/<notebook>)")
    .option("--timeout <duration>", "interrupt a cell that runs longer, e.g. 90s, 5m (the first cell gets twice as long: it also sets up type-checking)")
    .option("--vault <url>", "run against this vault instead of the one in .env")
    .option("--keep-keys", "stop before the clean-up step and leave the keys (or secrets) in the vault")
    .option("--keep-secret-values", "keep the secret values you give (--param secretValue=…) in the executed notebook and --json; redacted by default")
    .option("--lang <lang>", "en or zh-TW (default: from KVQ_LANG, LC_ALL, LANG)")
    .option("--json", "one JSON object per step, then one for the run")
    .addHelpText(
      "after",
      "\nExit codes: 0 all steps passed, 1 a step failed, 2 bad usage or configuration, 130 interrupted.\n" +
        "Examples:\n  npm start\n  npx kvq run --param keyName=my-key --until 5\n  npx kvq run --lang zh-TW\n  npx kvq run beyond-the-quickstart\n  npx kvq run secrets-quickstart --param secretValue=my-own-value\n",
    )
    .action(async (notebook: string | undefined, options) => {
      const { runCommand } = require("./commands/run") as typeof import("./commands/run");
      process.exitCode = await runCommand({ ...options, notebook: notebook ?? options.notebook });
    });

  program
    .command("learn")
    .description("Step through the quickstart in the terminal: read each step, see its code, then Enter runs it, s skips, b or a step number moves, q quits (and says how to resume); Ctrl-C stops a step that runs.")
    .addOption(new Option("--from <n>", "start at step n (earlier steps run again quietly)").argParser(integer(1, 1000, "--from")))
    .option("--lang <lang>", "en or zh-TW (default: from KVQ_LANG, LC_ALL, LANG)")
    .option("--vault <url>", "use this vault instead of the one in .env")
    .argument("[notebook]", "quickstart (default), beyond-the-quickstart, secrets-quickstart, or a notebook file; a name picks the edition in --lang")
    .option("--notebook <file>", "the same as the [notebook] argument")
    .action(async (notebook: string | undefined, options) => {
      const { learnCommand } = require("./commands/learn") as typeof import("./commands/learn");
      process.exitCode = await learnCommand({ ...options, notebook: notebook ?? options.notebook });
    });

  program
    .command("emulator")
    .description("Start the local Key Vault emulator and print the environment a client needs (dotenv format).")
    .addOption(new Option("--port <n>", "vault port; 0 picks a free one").default(47443).argParser(integer(0, 65535, "--port")))
    .addOption(new Option("--identity-port <n>", "managed-identity endpoint port (default: a free one, chosen at each start)").argParser(integer(0, 65535, "--identity-port")))
    .option("--host <address>", "address to listen on; anything but loopback exposes the vault to your network", "127.0.0.1")
    .option("--state <dir>", "folder for keys, CA and secrets (default: .kvq/emulator in this project)")
    .option("--env-file <file>", "also write the variables into this dotenv file, keeping its other lines")
    .option("--purge-protection", "refuse purges, as a vault with purge protection does")
    .addOption(new Option("--retention-days <n>", "soft-delete retention").default(90).argParser(integer(7, 90, "--retention-days")))
    .addOption(new Option("--delete-delay <ms>", 'how long a deleted key or secret stays "being deleted"').default(250).argParser(integer(0, 600_000, "--delete-delay")))
    .addOption(new Option("--recover-delay <ms>", 'how long a recovered key or secret stays "being recovered"').default(250).argParser(integer(0, 600_000, "--recover-delay")))
    .addOption(new Option("--throttle <n>", "allow n key creations per 10 s, then answer 429 (the real limit is 20)").default(0).argParser(integer(0, 100_000, "--throttle")))
    .addOption(new Option("--throttle-secrets <n>", "allow n secret transactions per 10 s, then answer 429 (the real limit is 4000)").default(0).argParser(integer(0, 1_000_000, "--throttle-secrets")))
    .addOption(new Option("--max-keys <n>", "keys (live and deleted) the vault holds at most").default(10_000).argParser(integer(1, 1_000_000, "--max-keys")))
    .addOption(new Option("--max-secrets <n>", "secrets (live and deleted) the vault holds at most").default(10_000).argParser(integer(1, 1_000_000, "--max-secrets")))
    .addOption(new Option("--max-certificates <n>", "certificates (live and deleted) the vault holds at most").default(10_000).argParser(integer(1, 1_000_000, "--max-certificates")))
    .addOption(new Option("--max-versions <n>", "versions one key or secret holds at most").default(500).argParser(integer(1, 100_000, "--max-versions")))
    .addOption(new Option("--max-connections <n>", "open connections the vault keeps (past it, idle ones make room; busy: 503)").default(256).argParser(integer(1, 100_000, "--max-connections")))
    .option("--reset", "forget every key and secret in the vault first (keeps the CA and the emulator's own credentials)")
    .option("--clock-offset <duration>", "run the vault's clock ahead, e.g. 90d, to reach the end of retention")
    .option("--fault <op=error>", "make an operation fail, e.g. createKey=ForbiddenByRbac (repeatable; op * = all)", collect)
    .option("--log", "print one line per request (never tokens or secrets)")
    .addHelpText(
      "after",
      "\nExamples:\n  npx kvq emulator --env-file .env      start it and write .env for the notebook\n  npx kvq emulator --port 0 --throttle 20 --purge-protection\n",
    )
    .action(async (options) => {
      const { emulatorCommand } = require("./commands/emulator") as typeof import("./commands/emulator");
      process.exitCode = await emulatorCommand(options);
    });

  const kernel = program.command("kernel").description("Manage the Jupyter kernel the notebooks use (tslab from this project).");
  kernel
    .command("install")
    .description("Write the kernelspec for this project's tslab, so JupyterLab, VS Code and nbconvert can run the notebooks.")
    .option("--prefix <dir>", "install under DIR/share/jupyter/kernels/ (the Jupyter convention) instead of your user data folder")
    .action(async (options) => {
      const { kernelInstallCommand } = require("./commands/kernel") as typeof import("./commands/kernel");
      process.exitCode = await kernelInstallCommand(options);
    });

  program
    .command("doctor")
    .description("Check this machine and the vault before a class: settings, network, sign-in, key, secret and certificate permissions, purge protection.")
    .addOption(
      new Option("--tutorial <name>", "check only the permissions this notebook needs: quickstart or beyond-the-quickstart (keys), secrets-quickstart, certificates-quickstart (default: every kind)").argParser(
        oneOf(() => (require("./workshop/doctor") as typeof import("./workshop/doctor")).DOCTOR_TUTORIAL_NAMES, "--tutorial"),
      ),
    )
    .option("--json", "one JSON object per check, for collecting from many machines")
    .addHelpText(
      "after",
      "\nEach permissions check creates a tagged probe object, reads, deletes and purges\nit (the certificate's also reads its key, signs with it, and reads its secret).\nThe exit code is the number of failed checks (0: ready).\n",
    )
    .action(async (options) => {
      const { doctorCommand } = require("./commands/doctor") as typeof import("./commands/doctor");
      process.exitCode = await doctorCommand(options);
    });

  program
    .command("cleanup")
    .description("Find what tutorial runs left in the vault (tagged keys, secrets and certificates, unfinished ledgers), grouped by run. Dry run unless --yes.")
    .option("--yes", "delete and purge what was found (purge protection is explained, not an error)")
    .option("--run <id>", "only this run")
    .option("--older-than <duration>", "only objects older than this, e.g. 2h, 1d")
    .option("--prefix <text>", "only objects whose name starts with this")
    .option("--attendee <name>", "only this attendee's objects")
    .option("--vault <url>", "this vault instead of the one in .env")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      "\nKeys, secrets and certificates without the tutorial's tags are never listed, so\nnever touched. A certificate's own key and secret (managed: true) go with the\ncertificate: they are never listed or cleaned on their own.\n",
    )
    .action(async (options) => {
      const { cleanupCommand } = require("./commands/cleanup") as typeof import("./commands/cleanup");
      process.exitCode = await cleanupCommand(options);
    });

  program
    .command("rehearse")
    .description("Rehearse a workshop: N attendees' full flows of a tutorial at once against an emulator held to Azure's limit for it; report waits, retries and leftovers.")
    .addOption(new Option("--attendees <n>", "how many attendees").default(30).argParser(integer(1, 500, "--attendees")))
    .addOption(
      new Option("--tutorial <name>", "the notebook to rehearse: quickstart (keys), secrets-quickstart or certificates-quickstart")
        .default("quickstart")
        .argParser(oneOf(() => (require("./workshop/rehearsal-flows") as typeof import("./workshop/rehearsal-flows")).REHEARSAL_TUTORIALS, "--tutorial")),
    )
    .addOption(
      new Option(
        "--throttle <n>",
        "the limit per 10 s the tutorial meets (default: Azure's — 20 key creates for quickstart and certificates-quickstart, a certificate create being a key create; 4000 secret transactions for secrets-quickstart)",
      ).argParser(
        integer(1, 10_000, "--throttle"),
      ),
    )
    .option("--purge-protection", "the vault refuses purges, as one with purge protection: each attendee's key, secret or certificate stays soft-deleted")
    .option(
      "--fault <op=error>",
      "make an operation fail as your vault might, e.g. purgeDeletedKey=ForbiddenByPolicy, purgeDeletedSecret=ForbiddenByRbac or purgeDeletedCertificate=ForbiddenByPolicy (repeatable)",
      collect,
    )
    .option("--json", "the report as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 everyone finished and nothing was left, 1 an attendee failed or\na key, secret or certificate was left, 2 bad usage.\n" +
        "Examples:\n  npx kvq rehearse --attendees 30\n  npx kvq rehearse --tutorial secrets-quickstart --attendees 30\n  npx kvq rehearse --tutorial certificates-quickstart --attendees 30\n  npx kvq rehearse --purge-protection --fault purgeDeletedKey=ForbiddenByPolicy\n",
    )
    .action(async (options) => {
      const { rehearseCommand } = require("./commands/rehearse") as typeof import("./commands/rehearse");
      process.exitCode = await rehearseCommand(options);
    });

  program
    .command("docs")
    .description("Regenerate docs/<notebook>.md (and the zh-TW editions) from real runs of the notebooks against an emulator of their own.")
    .argument("[notebook]", "quickstart, beyond-the-quickstart or secrets-quickstart (default: all)")
    .option("--check", "change nothing; exit 1 if docs/ is out of date (CI runs this)")
    .option("--lang <lang>", "en, zh-TW or all", "all")
    .option("--from <file>", "render this executed notebook instead of running one (needs --lang en or zh-TW)")
    .action(async (notebook: string | undefined, options) => {
      const { docsCommand } = require("./commands/docs") as typeof import("./commands/docs");
      process.exitCode = await docsCommand({ ...options, notebook });
    });

  program
    .command("strip")
    .description("Clear outputs, execution counts and execution metadata from notebooks (default: notebooks/*.ipynb).")
    .argument("[files...]", "notebooks to strip")
    .option("--check", "change nothing; exit 1 if a notebook is not clean")
    .option("--stdin", "read one notebook on stdin, write it stripped to stdout (git's clean filter)")
    .option("--install", "configure this clone's git to strip notebooks as they are staged (the kvq-strip filter in .gitattributes)")
    .action(async (files: string[], options) => {
      const { stripCommand } = require("./commands/strip") as typeof import("./commands/strip");
      process.exitCode = await stripCommand(files, options);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  // A reader that goes away (`kvq doctor --json | head`) must not crash a command halfway through
  // its clean-up: later writes are dropped instead.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
  } catch (error) {
    process.exitCode = exitCodeFor(error, (text) => process.stderr.write(text));
  }
}

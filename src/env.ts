/**
 * The quickstart's environment: load `.env`, work out which vault and which sign-in, and either
 * return a typed configuration or every problem at once, each with its exact fix.
 *
 * `checkEnvironment` is pure (environment in, verdict out) so every rule is tested without a
 * network; `loadQuickstartEnvironment` is what the notebook calls.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { config as dotenvConfig } from "dotenv";
import { displayWidth, padDisplay, t } from "./i18n";
import { formatProblem, problem, type Problem } from "./problems";
import { detectSignIn, readErrorOf, type ReadError, type SignIn } from "./sign-in";
import { CLOUDS, cloudLabel, parseCloudName, parseVaultUrl, vaultNameProblems, vaultUrlForName, type CloudName } from "./vault-url";

type Env = Record<string, string | undefined>;

/** The variables that name a vault, in the order they win: the JS quickstart's, the SDK samples', the TypeScript quickstart's. */
export const VAULT_VARIABLES = ["KEY_VAULT_URL", "KEYVAULT_URI", "KEY_VAULT_NAME"] as const;

export interface QuickstartConfig {
  vaultUrl: string;
  /** The vault's name, or "emulator". */
  vaultName: string;
  target: "emulator" | "azure";
  /** For Azure: the cloud the vault is in. */
  cloud?: CloudName;
  /** "the local emulator" or the cloud's label, in the language of the moment it was checked. */
  where: string;
  /** Which variable named the vault. */
  source: (typeof VAULT_VARIABLES)[number];
  signIn: SignIn;
  warnings: Problem[];
}

export type EnvironmentCheck = { ok: true; config: QuickstartConfig } | { ok: false; problems: Problem[]; warnings: Problem[] };

export interface CheckOptions {
  /** For tests: why a file (the emulator's CA) cannot be read, undefined when it can; default: reading it. */
  readError?: ReadError;
}

export function checkEnvironment(env: Env, options: CheckOptions = {}): EnvironmentCheck {
  const m = t().env;
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const given = VAULT_VARIABLES.filter((name) => (env[name] ?? "").trim() !== "");
  if (given.length === 0) {
    return { ok: false, warnings, problems: [problem("no-vault", m.noVault.message([...VAULT_VARIABLES]), m.noVault.fix)] };
  }
  const source = given[0];
  const cloudSetting = cloudFromSettings(env, problems);

  let vaultUrl: string | undefined;
  let vaultName = "";
  let local = false;
  let cloud: CloudName | undefined;
  if (source === "KEY_VAULT_NAME") {
    const name = env.KEY_VAULT_NAME!.trim();
    problems.push(...vaultNameProblems(name));
    cloud = cloudSetting ?? "AzurePublicCloud";
    vaultUrl = vaultUrlForName(name, cloud);
    vaultName = name.toLowerCase();
  } else {
    const parsed = parseVaultUrl(env[source]!, source);
    problems.push(...parsed.problems);
    warnings.push(...parsed.warnings);
    if (parsed.vault) {
      ({ url: vaultUrl, name: vaultName, local } = parsed.vault);
      cloud = parsed.vault.cloud;
      if (cloud && cloudSetting && cloud !== cloudSetting) {
        problems.push(problem("cloud-mismatch", m.cloudMismatch.message(source, cloudLabel(cloud), cloudLabel(cloudSetting)), m.cloudMismatch.fix, "AZURE_CLOUD"));
      }
    }
  }
  for (const other of given.slice(1)) {
    const otherUrl = other === "KEY_VAULT_NAME" ? vaultUrlForName(env[other]!.trim(), cloud ?? "AzurePublicCloud") : env[other]!.trim().replace(/\/+$/, "").toLowerCase();
    if (vaultUrl && otherUrl !== vaultUrl) {
      warnings.push(problem("vault-variables-disagree", m.variablesDisagree.message(source, other, vaultUrl), m.variablesDisagree.fix(other), other));
    }
  }

  const signIn = detectSignIn(env, { local, azure: !local && vaultUrl !== undefined && cloud !== undefined }, options.readError ?? readErrorOf);
  problems.push(...signIn.problems);
  warnings.push(...signIn.warnings);
  if (problems.length > 0 || !vaultUrl || !signIn.signIn) return { ok: false, problems, warnings };
  return {
    ok: true,
    config: {
      vaultUrl,
      vaultName,
      target: local ? "emulator" : "azure",
      cloud,
      where: local ? m.localEmulator : cloudLabel(cloud ?? "AzurePublicCloud"),
      source,
      signIn: signIn.signIn,
      warnings,
    },
  };
}

function cloudFromSettings(env: Env, problems: Problem[]): CloudName | undefined {
  if (env.AZURE_CLOUD?.trim()) {
    const cloud = parseCloudName(env.AZURE_CLOUD);
    if (!cloud) problems.push(problem("cloud-unknown", t().env.cloudUnknown.message(env.AZURE_CLOUD), t().env.cloudUnknown.fix, "AZURE_CLOUD"));
    return cloud;
  }
  const authority = env.AZURE_AUTHORITY_HOST?.replace(/^https?:\/\//, "").replace(/\/.*$/, "").toLowerCase();
  return (Object.keys(CLOUDS) as CloudName[]).find((c) => CLOUDS[c].authorityHost === authority);
}

/** The configuration problems, thrown from the notebook's first cell: prints as the list of fixes, not a stack trace. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
  constructor(readonly problems: Problem[]) {
    super(`${t().env.configurationError.heading(problems.length)}\n${problems.map((p) => formatProblem(p)).join("\n")}`);
  }
  [inspect.custom](): string {
    return `${this.message}\n${t().env.configurationError.thenRerun(this.problems.length)}`;
  }
}

export interface LoadedEnvFile {
  /** The .env file read, if one was found. */
  file?: string;
  /** Variables it set (those already set in the environment are left alone). */
  applied: string[];
  /** Variables .env sets differently from the environment, which wins. */
  shadowed: string[];
}

/**
 * What earlier loads in this process set from .env, by variable: a value still equal to it came
 * from .env, not from the shell, so a later load (the first cell run again after .env was edited,
 * without a kernel restart) replaces it instead of blaming "your shell" for it.
 */
const loadedFromEnvFile = new WeakMap<NodeJS.ProcessEnv, Map<string, string>>();

/**
 * Loads the nearest `.env`, looking from `cwd` up to the project's root (the first folder with a
 * package.json), so the notebook finds the project's .env from notebooks/. Variables already set
 * in the environment win: dotenv never overrides them — except values an earlier load took from
 * .env itself, which follow the file.
 */
export function loadEnvFile(options: { cwd?: string; file?: string; env?: NodeJS.ProcessEnv } = {}): LoadedEnvFile {
  const env = options.env ?? process.env;
  // KVQ_ENV_FILE names the file to load; "none" loads nothing (the runner passes the environment itself).
  if (env.KVQ_ENV_FILE === "none") return { applied: [], shadowed: [] };
  const file = options.file ?? (env.KVQ_ENV_FILE || findEnvFile(options.cwd ?? process.cwd()));
  if (!file) return { applied: [], shadowed: [] };
  const earlier = loadedFromEnvFile.get(env) ?? new Map<string, string>();
  loadedFromEnvFile.set(env, earlier);
  const followFile = [...earlier].filter(([name, value]) => env[name] === value);
  for (const [name] of followFile) delete env[name];
  const before = { ...env };
  const result = dotenvConfig({ path: file, override: false, quiet: true, processEnv: env as Record<string, string> });
  if (result.error) for (const [name, value] of followFile) env[name] = value;
  if (result.error) throw new ConfigurationError([problem("env-file-unreadable", t().env.envFileUnreadable.message(file, result.error.message), t().env.envFileUnreadable.fix)]);
  const parsed = Object.entries(result.parsed ?? {});
  for (const [name, value] of parsed) if (before[name] === undefined) earlier.set(name, value);
  return {
    file,
    applied: parsed.filter(([name]) => before[name] === undefined).map(([name]) => name),
    shadowed: parsed.filter(([name, value]) => before[name] !== undefined && before[name] !== value).map(([name]) => name),
  };
}

export function findEnvFile(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, ".env");
    if (existsSync(candidate)) return candidate;
    if (existsSync(path.join(dir, "package.json")) || path.dirname(dir) === dir) return undefined;
  }
}

/** Loads .env and checks it; throws ConfigurationError listing every problem and its fix. */
export function loadQuickstartEnvironment(options: { cwd?: string; file?: string } = {}): QuickstartConfig & { envFile?: string } {
  const loaded = loadEnvFile(options);
  const check = checkEnvironment(process.env);
  if (!check.ok) throw new ConfigurationError(check.problems);
  // NODE_EXTRA_CA_CERTS set by the shell is common and harmless here: the helpers use KVQ_EMULATOR_CA.
  const shadowed = loaded.shadowed.filter((name) => name !== "NODE_EXTRA_CA_CERTS").map((name) =>
    problem("env-shadowed", t().env.envShadowed.message(name, loaded.file!), t().env.envShadowed.fix(name), name),
  );
  // The notebook builds the URL from KEY_VAULT_NAME as the seed did, unless KEY_VAULT_URL is set. A
  // vault named by KEYVAULT_URI, or in another cloud, has an address that line would not build: it
  // gets KEY_VAULT_URL, so the notebook's one line holds for every setting this check accepts.
  const name = process.env.KEY_VAULT_NAME?.trim();
  if (!process.env.KEY_VAULT_URL?.trim() && check.config.vaultUrl !== `https://${name}.vault.azure.net`) process.env.KEY_VAULT_URL = check.config.vaultUrl;
  return { ...check.config, warnings: [...check.config.warnings, ...shadowed], envFile: loaded.file };
}

/** What the notebook prints about the configuration: which vault, where, and how it signs in. */
export function describeConfig(config: QuickstartConfig & { envFile?: string }): string {
  const m = t().env.describe;
  // Values start one column after the longest label, whether or not its line is printed.
  const width = Math.max(...[m.vault, m.where, m.signIn, m.settings].map(displayWidth)) + 1;
  const line = (label: string, value: string) => `${padDisplay(label, width)}${value}`;
  const lines = [line(m.vault, m.vaultFrom(config.vaultUrl, config.source)), line(m.where, config.where), line(m.signIn, config.signIn.description)];
  // Relative to where the code runs (the notebook's folder: "../.env"): an absolute path would put the
  // learner's home folder into every saved notebook and into the docs.
  if (config.envFile) lines.push(line(m.settings, path.relative(process.cwd(), config.envFile) || config.envFile));
  for (const warning of config.warnings) lines.push(formatProblem(warning, "⚠"));
  return lines.join("\n");
}

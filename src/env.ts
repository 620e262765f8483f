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
import { formatProblem, problem, type Problem } from "./problems";
import { detectSignIn, type SignIn } from "./sign-in";
import { CLOUDS, parseCloudName, parseVaultUrl, vaultNameProblems, vaultUrlForName, type CloudName } from "./vault-url";

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
  /** "the local emulator" or the cloud's label. */
  where: string;
  /** Which variable named the vault. */
  source: (typeof VAULT_VARIABLES)[number];
  signIn: SignIn;
  warnings: Problem[];
}

export type EnvironmentCheck = { ok: true; config: QuickstartConfig } | { ok: false; problems: Problem[]; warnings: Problem[] };

export interface CheckOptions {
  /** For tests: whether a file exists (the emulator's CA). */
  fileExists?: (file: string) => boolean;
}

export function checkEnvironment(env: Env, options: CheckOptions = {}): EnvironmentCheck {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const given = VAULT_VARIABLES.filter((name) => (env[name] ?? "").trim() !== "");
  if (given.length === 0) {
    return {
      ok: false,
      warnings,
      problems: [
        problem(
          "no-vault",
          `None of ${VAULT_VARIABLES.join(", ")} is set, so there is no vault to talk to.`,
          "For the local emulator run `npm run emulator` (it writes .env). For Azure add KEY_VAULT_NAME=<your-vault-name> to .env — see setup.md.",
        ),
      ],
    };
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
        problems.push(problem("cloud-mismatch", `${source} points at ${CLOUDS[cloud].label}, but AZURE_CLOUD says ${CLOUDS[cloudSetting].label}.`, "Remove AZURE_CLOUD or make it match the vault's cloud.", "AZURE_CLOUD"));
      }
    }
  }
  for (const other of given.slice(1)) {
    const otherUrl = other === "KEY_VAULT_NAME" ? vaultUrlForName(env[other]!.trim(), cloud ?? "AzurePublicCloud") : env[other]!.trim().replace(/\/+$/, "").toLowerCase();
    if (vaultUrl && otherUrl !== vaultUrl) {
      warnings.push(problem("vault-variables-disagree", `${source} and ${other} name different vaults; ${source} wins (${vaultUrl}).`, `Remove ${other}, or make it name the same vault.`, other));
    }
  }

  const signIn = detectSignIn(env, { local }, options.fileExists ?? existsSync);
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
      where: local ? "the local emulator" : CLOUDS[cloud ?? "AzurePublicCloud"].label,
      source,
      signIn: signIn.signIn,
      warnings,
    },
  };
}

function cloudFromSettings(env: Env, problems: Problem[]): CloudName | undefined {
  if (env.AZURE_CLOUD?.trim()) {
    const cloud = parseCloudName(env.AZURE_CLOUD);
    if (!cloud) problems.push(problem("cloud-unknown", `AZURE_CLOUD is "${env.AZURE_CLOUD}", which is not a cloud name.`, "Use AzureCloud, AzureChinaCloud or AzureUSGovernment (the names `az cloud list` shows), or remove it.", "AZURE_CLOUD"));
    return cloud;
  }
  const authority = env.AZURE_AUTHORITY_HOST?.replace(/^https?:\/\//, "").replace(/\/.*$/, "").toLowerCase();
  return (Object.keys(CLOUDS) as CloudName[]).find((c) => CLOUDS[c].authorityHost === authority);
}

/** The configuration problems, thrown from the notebook's first cell: prints as the list of fixes, not a stack trace. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
  constructor(readonly problems: Problem[]) {
    super(`The environment has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => formatProblem(p)).join("\n")}`);
  }
  [inspect.custom](): string {
    return `${this.message}\nFix ${this.problems.length === 1 ? "it" : "them"}, then run this cell again.`;
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
 * Loads the nearest `.env`, looking from `cwd` up to the project's root (the first folder with a
 * package.json), so the notebook finds the project's .env from notebooks/. Variables already set
 * in the environment win: dotenv never overrides them.
 */
export function loadEnvFile(options: { cwd?: string; file?: string; env?: NodeJS.ProcessEnv } = {}): LoadedEnvFile {
  const env = options.env ?? process.env;
  // KVQ_ENV_FILE names the file to load; "none" loads nothing (the runner passes the environment itself).
  if (env.KVQ_ENV_FILE === "none") return { applied: [], shadowed: [] };
  const file = options.file ?? (env.KVQ_ENV_FILE || findEnvFile(options.cwd ?? process.cwd()));
  if (!file) return { applied: [], shadowed: [] };
  const before = { ...env };
  const result = dotenvConfig({ path: file, override: false, quiet: true, processEnv: env as Record<string, string> });
  if (result.error) throw new ConfigurationError([problem("env-file-unreadable", `Cannot read ${file}: ${result.error.message}`, "Check the file's permissions, or delete it and run `npm run emulator` to write a new one.")]);
  const parsed = Object.entries(result.parsed ?? {});
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
    problem("env-shadowed", `${name} is set in the environment (your shell, or the program that started this one), so its value in ${loaded.file} is not used.`, `If the value in .env is the one you want, unset ${name} in your shell and restart the kernel.`, name),
  );
  return { ...check.config, warnings: [...check.config.warnings, ...shadowed], envFile: loaded.file };
}

/** What the notebook prints about the configuration: which vault, where, and how it signs in. */
export function describeConfig(config: QuickstartConfig & { envFile?: string }): string {
  const lines = [
    `Vault:    ${config.vaultUrl} (from ${config.source})`,
    `Where:    ${config.where}`,
    `Sign-in:  ${config.signIn.description}`,
  ];
  if (config.envFile) lines.push(`Settings: ${config.envFile}`);
  for (const warning of config.warnings) lines.push(formatProblem(warning, "⚠"));
  return lines.join("\n");
}

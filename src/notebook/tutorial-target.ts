/**
 * Where `kvq run`, `kvq learn` and `kvq docs` point the notebook: the vault in the settings (or
 * `--vault URL`) when that is a vault in Azure, otherwise an emulator embedded in this process,
 * with a fresh state of its own, stopped afterwards. Either way the runner gets the kernel's
 * environment and a client of its own for cleaning up.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { parse as parseDotenv } from "dotenv";
import { clientOptionsFor } from "../client-options";
import { startEmulator } from "../emulator/index";
import { checkEnvironment, ConfigurationError, findEnvFile } from "../env";
import { PROJECT_ROOT } from "../paths";
import { defaultLedgerDir } from "../run-ledger";

export interface TutorialTarget {
  kind: "embedded-emulator" | "vault";
  vaultUrl: string;
  /** Variables for the kernel, over the runner's own environment. */
  kernelEnv: Record<string, string>;
  /** Where the notebook's run ledgers go. */
  ledgerDir: string;
  /** The runner's own client, for cleaning up after a failed or interrupted run. */
  client: KeyClient;
  close(): Promise<void>;
}

export interface TargetOptions {
  /** Run against this vault instead of the one in the settings. */
  vaultUrl?: string;
  /** Force the embedded emulator whatever .env says (docs do, for reproducible output). */
  embedded?: boolean;
  /** Emulator settings for the embedded one. */
  emulator?: { deleteDelayMs?: number; throttle?: number };
}

/**
 * The settings as the notebook would see them: the environment over the nearest .env, read without
 * changing this process's environment.
 */
function settings(cwd = PROJECT_ROOT): NodeJS.ProcessEnv {
  const file = process.env.KVQ_ENV_FILE === "none" ? undefined : process.env.KVQ_ENV_FILE || findEnvFile(cwd);
  const fromFile = file && existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

export async function openTutorialTarget(options: TargetOptions = {}): Promise<TutorialTarget> {
  if (options.embedded) return embeddedTarget(options.emulator);
  if (options.vaultUrl) {
    // An explicit --vault is used as given, an emulator's URL included (its variables must be set).
    const check = checkEnvironment({ ...settings(), KEY_VAULT_URL: options.vaultUrl, KEYVAULT_URI: undefined, KEY_VAULT_NAME: undefined });
    if (!check.ok) throw new ConfigurationError(check.problems);
    return vaultTarget(check.config.vaultUrl, options.vaultUrl);
  }
  const env = settings();
  if (env.KEY_VAULT_URL || env.KEYVAULT_URI || env.KEY_VAULT_NAME) {
    const check = checkEnvironment(env);
    if (!check.ok) throw new ConfigurationError(check.problems);
    // A local URL in .env is the emulator of `npm run emulator`; the runner brings its own instead,
    // so a run never depends on (or disturbs) one started by hand.
    if (check.config.target === "azure") return vaultTarget(check.config.vaultUrl);
  }
  return embeddedTarget(options.emulator);
}

function vaultTarget(vaultUrl: string, override?: string): TutorialTarget {
  const credential = new DefaultAzureCredential();
  return {
    kind: "vault",
    vaultUrl,
    // The kernel reads .env itself, as in JupyterLab; --vault overrides it.
    kernelEnv: override ? { KEY_VAULT_URL: override, KEYVAULT_URI: "", KEY_VAULT_NAME: "" } : {},
    ledgerDir: defaultLedgerDir(),
    client: new KeyClient(vaultUrl, credential, clientOptionsFor(vaultUrl, { onThrottle: () => undefined })),
    close: async () => undefined,
  };
}

async function embeddedTarget(settings: TargetOptions["emulator"] = {}): Promise<TutorialTarget> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "kvq-run-"));
  // No "being deleted" window: the SDK's pollers then finish at their first poll instead of after 2 s.
  const emulator = await startEmulator({ port: 0, stateDir, deleteDelayMs: settings.deleteDelayMs ?? 0, throttle: settings.throttle });
  // The runner's own credential signs in to this emulator too.
  Object.assign(process.env, emulator.env);
  const ledgerDir = path.join(stateDir, "runs");
  return {
    kind: "embedded-emulator",
    vaultUrl: emulator.url,
    kernelEnv: { ...emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: ledgerDir },
    ledgerDir,
    client: new KeyClient(emulator.url, new DefaultAzureCredential(), clientOptionsFor(emulator.url, { ca: emulator.caPem, onThrottle: () => undefined })),
    close: async () => {
      await emulator.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

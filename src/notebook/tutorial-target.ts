/**
 * Where `kvq run`, `kvq learn` and `kvq docs` point the notebook: the vault in the settings (or
 * `--vault URL`) when that is a vault in Azure, otherwise an emulator embedded in this process,
 * with a fresh state of its own, stopped afterwards. Either way the runner gets the kernel's
 * environment and a client of its own for cleaning up.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { KeyClient } from "@azure/keyvault-keys";
import { clientOptionsFor } from "../client-options";
import type { KindId, VaultObjectClient } from "../kinds/index";
import { clientsFor, newObjectClient } from "../kinds/clients";
import { SHORT_RUN, startEmulator } from "../emulator/index";
import { checkEnvironment, ConfigurationError, loadEnvFile } from "../env";
import { PROJECT_ROOT, WORK_DIR } from "../paths";
import { defaultLedgerDir } from "../run-ledger";

export interface TutorialTarget {
  kind: "embedded-emulator" | "vault";
  vaultUrl: string;
  /** Variables for the kernel, over the runner's own environment. */
  kernelEnv: Record<string, string>;
  /** Where the notebook's run ledgers go. */
  ledgerDir: string;
  /** The runner's own key client, for cleaning up after a failed or interrupted run (made on first use). */
  readonly client: KeyClient;
  /** The runner's own client of each kind (the key one is `client`), made on first use. */
  readonly clients: (kind: KindId) => VaultObjectClient;
  close(): Promise<void>;
}

export interface TargetOptions {
  /** Run against this vault instead of the one in the settings. */
  vaultUrl?: string;
  /** Force the embedded emulator whatever .env says (docs do, for reproducible output). */
  embedded?: boolean;
}

/**
 * The settings as the notebook would see them: the environment over the nearest .env, read without
 * changing this process's environment.
 */
function settings(cwd = PROJECT_ROOT): NodeJS.ProcessEnv {
  // The notebook's own loader, applied to a copy: same file, same rules (the environment wins).
  const env = { ...process.env };
  loadEnvFile({ cwd, env });
  return env;
}

export async function openTutorialTarget(options: TargetOptions = {}): Promise<TutorialTarget> {
  if (options.embedded) return embeddedTarget();
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
  return embeddedTarget();
}

/**
 * The runner's own client, made when first needed: the Azure SDK takes a fifth of a second to load,
 * which would otherwise sit between `kvq run` starting and the kernel starting.
 */
function withLazyClient(target: Omit<TutorialTarget, "client" | "clients">, make: (kind: KindId) => VaultObjectClient): TutorialTarget {
  const clients = clientsFor(make);
  Object.defineProperty(target, "clients", { value: clients, enumerable: true });
  return Object.defineProperty(target, "client", { get: () => clients("key"), enumerable: true }) as TutorialTarget;
}

function newClient(kind: KindId, vaultUrl: string, ca?: string): VaultObjectClient {
  const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
  return newObjectClient(kind, vaultUrl, new DefaultAzureCredential(), clientOptionsFor(vaultUrl, { ca, onThrottle: () => undefined }));
}

function vaultTarget(vaultUrl: string, override?: string): TutorialTarget {
  return withLazyClient(
    {
      kind: "vault",
      vaultUrl,
      // The kernel reads .env itself, as in JupyterLab; --vault overrides it.
      kernelEnv: override ? { KEY_VAULT_URL: override, KEYVAULT_URI: "", KEY_VAULT_NAME: "" } : {},
      ledgerDir: defaultLedgerDir(),
      close: async () => undefined,
    },
    (kind) => {
      // The runner cleans up as the notebook signed in: with the settings of the environment over
      // .env (a service principal's, or the emulator's identity endpoint and CA of `npm run
      // emulator`), loaded by the notebook's own rules. Without them its clean-up would sign in with
      // the shell's variables alone, fail, and leave the key the notebook made.
      loadEnvFile({ cwd: PROJECT_ROOT });
      return newClient(kind, vaultUrl);
    },
  );
}

/**
 * How long a new certificate stays pending. The service takes seconds to issue one, and the
 * certificates quickstart shows its poller waiting: so does every run here, the docs' included (an
 * answer at once would show a poller that never waited). Half the SDK's 2 s poll interval: the
 * poller's first look, right after the create's answer, finds it pending, its next one issued.
 */
const ISSUE_DELAY_MS = 1000;

/**
 * The embedded emulator keeps its vault in memory (every run starts empty) and its CA and secrets in
 * .kvq/run-emulator/, made on the first run and reused: a new CA every run would cost a fifth of a
 * second.
 */
async function embeddedTarget(): Promise<TutorialTarget> {
  const runDir = mkdtempSync(path.join(tmpdir(), "kvq-run-"));
  const emulator = await startEmulator({
    port: 0,
    stateDir: path.join(WORK_DIR, "run-emulator"),
    persist: false,
    ...SHORT_RUN,
    issueDelayMs: ISSUE_DELAY_MS,
  });
  // The runner's own credential signs in to this emulator too.
  Object.assign(process.env, emulator.env);
  const ledgerDir = path.join(runDir, "runs");
  return withLazyClient(
    {
      kind: "embedded-emulator",
      vaultUrl: emulator.url,
      kernelEnv: { ...emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: ledgerDir },
      ledgerDir,
      close: async () => {
        await emulator.close();
        rmSync(runDir, { recursive: true, force: true });
      },
    },
    (kind) => newClient(kind, emulator.url, emulator.caPem),
  );
}

/**
 * A KeyClient for the vault the settings name (or `--vault URL`), signed in with
 * DefaultAzureCredential — what the CLI's vault-facing commands share with the notebook.
 */
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { clientOptionsFor, type ClientOptionsSource } from "./client-options";
import { checkEnvironment, ConfigurationError, loadEnvFile, type QuickstartConfig } from "./env";

export interface OpenedVault {
  config: QuickstartConfig;
  client: KeyClient;
  credential: DefaultAzureCredential;
}

export function openVaultClient(options: { vaultUrl?: string; clientOptions?: ClientOptionsSource } = {}): OpenedVault {
  loadEnvFile();
  const env = options.vaultUrl ? { ...process.env, KEY_VAULT_URL: options.vaultUrl, KEYVAULT_URI: undefined, KEY_VAULT_NAME: undefined } : process.env;
  const check = checkEnvironment(env);
  if (!check.ok) throw new ConfigurationError(check.problems);
  const credential = new DefaultAzureCredential();
  const client = new KeyClient(check.config.vaultUrl, credential, clientOptionsFor(check.config.vaultUrl, options.clientOptions));
  return { config: check.config, client, credential };
}

/**
 * A KeyClient for the vault the settings name (or `--vault URL`), signed in with
 * DefaultAzureCredential — what the CLI's vault-facing commands share with the notebook — and a
 * client of every other kind on the same terms, made when first asked for.
 */
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { clientOptionsFor, type ClientOptionsSource } from "./client-options";
import { checkEnvironment, ConfigurationError, loadEnvFile, type QuickstartConfig } from "./env";
import { clientsFor, newObjectClient } from "./kinds/clients";
import type { KindId, VaultObjectClient } from "./kinds/index";

export interface OpenedVault {
  config: QuickstartConfig;
  client: KeyClient;
  /** The client of each kind (the key one is `client`), one per kind, made on first use. */
  clients: (kind: KindId) => VaultObjectClient;
  credential: DefaultAzureCredential;
}

export function openVaultClient(options: { vaultUrl?: string; clientOptions?: ClientOptionsSource } = {}): OpenedVault {
  loadEnvFile();
  const env = options.vaultUrl ? { ...process.env, KEY_VAULT_URL: options.vaultUrl, KEYVAULT_URI: undefined, KEY_VAULT_NAME: undefined } : process.env;
  const check = checkEnvironment(env);
  if (!check.ok) throw new ConfigurationError(check.problems);
  const credential = new DefaultAzureCredential();
  const vaultUrl = check.config.vaultUrl;
  const client = new KeyClient(vaultUrl, credential, clientOptionsFor(vaultUrl, options.clientOptions));
  const clients = clientsFor((kind) => (kind === "key" ? client : newObjectClient(kind, vaultUrl, credential, clientOptionsFor(vaultUrl, options.clientOptions))));
  return { config: check.config, client, clients, credential };
}

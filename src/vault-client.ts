/**
 * A KeyClient for the vault the settings name (or `--vault URL`), signed in with
 * DefaultAzureCredential — what the CLI's vault-facing commands share with the notebook — and a
 * client of every other kind on the same terms, made when first asked for.
 */
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { clientOptionsFor, type ClientOptionsSource } from "./client-options";
import { checkEnvironment, ConfigurationError, loadEnvFile, type QuickstartConfig } from "./env";
import type { KindId, VaultObjectClient } from "./kinds/index";

export interface OpenedVault {
  config: QuickstartConfig;
  client: KeyClient;
  /** The client of each kind (the key one is `client`), one per kind, made on first use. */
  clients: (kind: KindId) => VaultObjectClient;
  credential: DefaultAzureCredential;
}

/**
 * One client per kind for a vault, made when first asked for: each SDK package takes a fraction
 * of a second to load, and a command that needs only keys should not pay for secrets.
 */
export function clientsFor(make: (kind: KindId) => VaultObjectClient): (kind: KindId) => VaultObjectClient {
  const made = new Map<KindId, VaultObjectClient>();
  return (kind) => {
    let client = made.get(kind);
    if (!client) made.set(kind, (client = make(kind)));
    return client;
  };
}

/** A new client of the kind, by the SDK package of that kind. */
export function newObjectClient(kind: KindId, vaultUrl: string, credential: import("@azure/core-auth").TokenCredential, options: object): VaultObjectClient {
  if (kind === "secret") {
    const { SecretClient } = require("@azure/keyvault-secrets") as typeof import("@azure/keyvault-secrets");
    return new SecretClient(vaultUrl, credential, options);
  }
  const { KeyClient: Keys } = require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
  return new Keys(vaultUrl, credential, options);
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

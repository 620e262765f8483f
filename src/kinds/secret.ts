/**
 * Secrets, through `@azure/keyvault-secrets`' SecretClient. The scaffolding reads a secret's
 * properties only: `getSecret` brings its value too, which is dropped here and never kept.
 */
import type { SecretClient } from "@azure/keyvault-secrets";
import { deletedFacts as deleted, liveFacts as live, type ObjectKind, type VaultObjectClient } from "./kind";

export const secretKind: ObjectKind<SecretClient> = {
  id: "secret",
  collection: "secrets",
  deletedCollection: "deletedsecrets",
  owns: (client: VaultObjectClient): client is SecretClient => "getSecret" in client,
  get: async (client, name) => live((await client.getSecret(name)).properties),
  getDeleted: async (client, name) => deleted(await client.getDeletedSecret(name)),
  delete: async (client, name, options) => deleted(await (await client.beginDeleteSecret(name, options)).pollUntilDone()),
  recover: async (client, name, options) => live(await (await client.beginRecoverDeletedSecret(name, options)).pollUntilDone()),
  purge: (client, name) => client.purgeDeletedSecret(name),
  async *listLive(client) {
    for await (const p of client.listPropertiesOfSecrets()) yield live(p);
  },
  async *listDeleted(client) {
    for await (const d of client.listDeletedSecrets()) yield deleted(d);
  },
};

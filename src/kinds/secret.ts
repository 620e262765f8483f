/**
 * Secrets, through `@azure/keyvault-secrets`' SecretClient. The scaffolding reads a secret's
 * properties only: `getSecret` brings its value too, which is dropped here and never kept.
 */
import type { DeletedSecret, SecretClient, SecretProperties } from "@azure/keyvault-secrets";
import type { DeletedFacts, LiveFacts, ObjectKind, VaultObjectClient } from "./kind";

const live = (p: SecretProperties): LiveFacts => ({ name: p.name, tags: p.tags, createdOn: p.createdOn });
const deleted = (d: DeletedSecret): DeletedFacts => ({
  ...live(d.properties),
  deletedOn: d.properties.deletedOn,
  scheduledPurgeDate: d.properties.scheduledPurgeDate,
  recoveryLevel: d.properties.recoveryLevel,
  recoverableDays: d.properties.recoverableDays,
});

export const secretKind: ObjectKind<SecretClient> = {
  id: "secret",
  collection: "secrets",
  deletedCollection: "deletedsecrets",
  owns: (client: VaultObjectClient): client is SecretClient => "getSecret" in client,
  get: async (client, name) => live((await client.getSecret(name)).properties),
  getDeleted: async (client, name) => deleted(await client.getDeletedSecret(name)),
  delete: async (client, name, options) => deleted(await (await client.beginDeleteSecret(name, options)).pollUntilDone()),
  purge: (client, name) => client.purgeDeletedSecret(name),
  async *listLive(client) {
    for await (const p of client.listPropertiesOfSecrets()) yield live(p);
  },
  async *listDeleted(client) {
    for await (const d of client.listDeletedSecrets()) yield deleted(d);
  },
};

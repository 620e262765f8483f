/** Keys, through `@azure/keyvault-keys`' KeyClient. */
import type { KeyClient } from "@azure/keyvault-keys";
import { deletedFacts as deleted, liveFacts as live, type ObjectKind, type VaultObjectClient } from "./kind";

export const keyKind: ObjectKind<KeyClient> = {
  id: "key",
  collection: "keys",
  deletedCollection: "deletedkeys",
  owns: (client: VaultObjectClient): client is KeyClient => "getKey" in client,
  get: async (client, name) => live((await client.getKey(name)).properties),
  getDeleted: async (client, name) => deleted(await client.getDeletedKey(name)),
  delete: async (client, name, options) => deleted(await (await client.beginDeleteKey(name, options)).pollUntilDone()),
  recover: async (client, name, options) => live((await (await client.beginRecoverDeletedKey(name, options)).pollUntilDone()).properties),
  purge: (client, name) => client.purgeDeletedKey(name),
  async *listLive(client) {
    for await (const p of client.listPropertiesOfKeys()) yield live(p);
  },
  async *listDeleted(client) {
    for await (const d of client.listDeletedKeys()) yield deleted(d);
  },
};

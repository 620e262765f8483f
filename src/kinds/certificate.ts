/**
 * Certificates, through `@azure/keyvault-certificates`' CertificateClient. A certificate is three
 * objects under one name — the certificate, its managed key and its managed secret — and the
 * service deletes, recovers and purges them together: the scaffolding handles the certificate only
 * and never its key or secret on their own.
 *
 * A DeletedCertificate carries deletedOn and scheduledPurgeDate on itself, not in `properties`
 * as DeletedKey and DeletedSecret do.
 */
import type { CertificateClient, DeletedCertificate } from "@azure/keyvault-certificates";
import type { CertificateProperties } from "@azure/keyvault-certificates";
import { liveFacts, type DeletedFacts, type LiveFacts, type ObjectKind, type VaultObjectClient } from "./kind";

/** A certificate's properties name it (the SDK types the name optional; the service always sends it). */
const live = (p: CertificateProperties): LiveFacts => liveFacts({ ...p, name: p.name ?? "" });

const deleted = (d: DeletedCertificate): DeletedFacts => ({
  ...live(d.properties),
  deletedOn: d.deletedOn,
  scheduledPurgeDate: d.scheduledPurgeDate,
  recoveryLevel: d.properties.recoveryLevel,
  recoverableDays: d.properties.recoverableDays,
});

export const certificateKind: ObjectKind<CertificateClient> = {
  id: "certificate",
  collection: "certificates",
  deletedCollection: "deletedcertificates",
  owns: (client: VaultObjectClient): client is CertificateClient => "getCertificate" in client,
  get: async (client, name) => live((await client.getCertificate(name)).properties),
  getDeleted: async (client, name) => deleted(await client.getDeletedCertificate(name)),
  delete: async (client, name, options) => deleted(await (await client.beginDeleteCertificate(name, options)).pollUntilDone()),
  recover: async (client, name, options) => live((await (await client.beginRecoverDeletedCertificate(name, options)).pollUntilDone()).properties),
  purge: async (client, name) => {
    await client.purgeDeletedCertificate(name);
  },
  async *listLive(client) {
    for await (const p of client.listPropertiesOfCertificates()) yield live(p);
  },
  async *listDeleted(client) {
    for await (const d of client.listDeletedCertificates()) yield deleted(d);
  },
};

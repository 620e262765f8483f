/**
 * One shape for every object kind a vault holds. Keys, secrets and certificates share
 * their life — live, deleted with soft delete, recovered, purged — and the tutorial's scaffolding
 * (free names, where an object stands, the ledger, clean-up, doctor, rehearse) is written once
 * against this interface. A kind says only what differs: which SDK calls, which URL collections.
 */
import type { KeyClient } from "@azure/keyvault-keys";
import type { SecretClient } from "@azure/keyvault-secrets";
import type { CertificateClient } from "@azure/keyvault-certificates";

export type KindId = "key" | "secret" | "certificate";

/** A data-plane client of some kind: the Azure SDK's own, as the notebook made it. */
export type VaultObjectClient = KeyClient | SecretClient | CertificateClient;

/** What the scaffolding reads of a live object. */
export interface LiveFacts {
  name: string;
  tags?: Record<string, string>;
  createdOn?: Date;
  /**
   * A key or secret that backs a certificate (the service's `managed: true`): it lives and dies with
   * its certificate, and is never cleaned on its own — a listing of keys or secrets still shows it.
   */
  managed?: boolean;
}

/** What the scaffolding reads of a soft-deleted object. */
export interface DeletedFacts extends LiveFacts {
  deletedOn?: Date;
  scheduledPurgeDate?: Date;
  recoveryLevel?: string;
  recoverableDays?: number;
}

/** What the scaffolding keeps of a live object's properties (a secret's value is never among them). */
export const liveFacts = (p: LiveFacts): LiveFacts => ({ name: p.name, tags: p.tags, createdOn: p.createdOn, ...(p.managed ? { managed: true } : {}) });

/** What the scaffolding keeps of a deleted object (DeletedKey, DeletedSecret: the same fields in `properties`). */
export const deletedFacts = ({ properties: p }: { properties: DeletedFacts }): DeletedFacts => ({
  ...liveFacts(p),
  deletedOn: p.deletedOn,
  scheduledPurgeDate: p.scheduledPurgeDate,
  recoveryLevel: p.recoveryLevel,
  recoverableDays: p.recoverableDays,
});

export interface ObjectKind<Client extends VaultObjectClient = VaultObjectClient> {
  id: KindId;
  /** The URL collections: `/keys/{name}` and `/deletedkeys/{name}`. */
  collection: string;
  deletedCollection: string;
  /** True when the client is this kind's (told by its methods, so the SDK need not be loaded to ask). */
  owns(client: VaultObjectClient): client is Client;
  get(client: Client, name: string): Promise<LiveFacts>;
  getDeleted(client: Client, name: string): Promise<DeletedFacts>;
  /** Deletes and waits until the delete is done. */
  delete(client: Client, name: string, options?: { intervalInMs?: number }): Promise<DeletedFacts>;
  /** Recovers a soft-deleted one and waits until it is live again. */
  recover(client: Client, name: string, options?: { intervalInMs?: number }): Promise<LiveFacts>;
  purge(client: Client, name: string): Promise<void>;
  listLive(client: Client): AsyncIterable<LiveFacts>;
  listDeleted(client: Client): AsyncIterable<DeletedFacts>;
}

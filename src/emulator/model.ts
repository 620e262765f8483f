/**
 * What the vault stores: objects of each kind with their versions, and the soft-deleted ones.
 * Plain JSON-serialisable records (they are persisted as they are); times in Unix seconds, as the
 * service reports them.
 *
 * Every kind has the same shape (lifecycle.ts works on it): a live object is its name and its
 * versions, each version with the attributes every kind has (enabled, nbf, exp, created, updated,
 * tags); a soft-deleted one is that object and its deletion's dates. Each kind adds only what is its
 * own: a key version's key material and operations, a secret version's value and content type.
 */
import type { PrivateJwk } from "./crypto/key-material";

/** The attributes and tags every version of every kind has. */
export interface StoredVersion {
  version: string;
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  tags?: Record<string, string>;
  /** A key's or secret's version that backs a certificate of the same name and version: it lives and dies with it (lifecycle.ts). */
  managed?: boolean;
}

/** A live object: its versions, oldest first (the last one is the current version). */
export interface StoredObject<V extends StoredVersion = StoredVersion> {
  /** The name as first created: Key Vault names are case-insensitive but keep their case. */
  name: string;
  versions: V[];
  /** Until this moment (emulator clock, ms) a recovered object is "being recovered": still 404 to reads. */
  recoveringUntilMs?: number;
}

/** When an object was soft-deleted, when the vault will purge it, and how long it is "being deleted". */
export interface Deletion {
  deletedDate: number;
  scheduledPurgeDate: number;
  /** Until this moment (emulator clock, ms) the object is "being deleted": not yet listed, name still busy. */
  deletingUntilMs: number;
}

export interface StoredKeyVersion extends StoredVersion {
  jwk: PrivateJwk;
  keyOps: string[];
  exportable?: boolean;
}

export interface LifetimeAction {
  trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string };
  action: { type: string };
}

export interface StoredRotationPolicy {
  lifetimeActions: LifetimeAction[];
  expiryTime?: string;
  created: number;
  updated: number;
}

export interface StoredKey extends StoredObject<StoredKeyVersion> {
  rotationPolicy?: StoredRotationPolicy;
}

export interface StoredDeletedKey extends Deletion {
  key: StoredKey;
}

export interface StoredSecretVersion extends StoredVersion {
  /** The secret's value: kept here and in backups only, never logged or reported (README, "Security"). */
  value: string;
  contentType?: string;
}

export type StoredSecret = StoredObject<StoredSecretVersion>;

export interface StoredDeletedSecret extends Deletion {
  secret: StoredSecret;
}

/**
 * A certificate's policy, kept in the service's wire form (certificates.json: key_props, secret_props,
 * x509_props, lifetime_actions, issuer): it is answered as it was given, with the service's defaults
 * filled in (operations/certificate-policy.ts).
 */
export interface StoredCertificatePolicy {
  key_props: { exportable: boolean; kty: "RSA" | "EC"; key_size?: number; crv?: string; reuse_key: boolean };
  secret_props: { contentType: string };
  x509_props: {
    subject: string;
    /** Absent from an imported certificate's policy when it has none (recorded); a created one's is `{}` at least. */
    sans?: { emails?: string[]; dns_names?: string[]; upns?: string[]; uris?: string[]; ipAddresses?: string[] };
    ekus: string[];
    key_usage: string[];
    validity_months: number;
    basic_constraints: { ca: boolean };
  };
  lifetime_actions: { trigger: { lifetime_percentage?: number; days_before_expiry?: number }; action: { action_type: string } }[];
  issuer: { name: string; cty?: string; cert_transparency?: boolean };
  enabled: boolean;
  created: number;
  updated: number;
}

/**
 * A certificate's pending operation (`/certificates/{name}/pending`): the CSR of the version being
 * made, and whether it is done. The service keeps it after completion (recorded: a completed
 * certificate still names its `pending` id), until it is deleted.
 */
export interface StoredCertificateOperation {
  requestId: string;
  issuer: string;
  /** The CSR, base64 DER, signed by the new version's key. */
  csr: string;
  /** The version the operation makes. */
  version: string;
  cancellationRequested: boolean;
  /** "inProgress" until `readyAtMs` (a Self issuer) or a merge (Unknown); "completed", "cancelled". */
  status: "inProgress" | "completed" | "cancelled";
}

export interface StoredCertificateVersion extends StoredVersion {
  /** The certificate, base64 DER; absent while its operation is in progress. */
  cer?: string;
  /**
   * Until this moment (emulator clock, ms) the version is still being issued: its operation answers
   * "inProgress", and it is answered as the service answers a pending one (disabled, no cer).
   */
  readyAtMs?: number;
}

export interface StoredCertificate extends StoredObject<StoredCertificateVersion> {
  policy: StoredCertificatePolicy;
  operation?: StoredCertificateOperation;
}

export interface StoredDeletedCertificate extends Deletion {
  certificate: StoredCertificate;
}

/**
 * A certificate issuer (`/certificates/issuers/{name}`): a CA account that certificates name in their
 * policy's `issuer.name`. Its password (`credentials.pwd`) is not kept: the service never answers it,
 * and nothing here would use it.
 */
export interface StoredIssuer {
  /** The name as first set: names are case-insensitive but keep their case. */
  name: string;
  provider: string;
  credentials?: { account_id?: string };
  org_details?: { id?: string; admin_details?: { first_name?: string; last_name?: string; email?: string; phone?: string }[] };
  enabled: boolean;
  created: number;
  updated: number;
}

/** The vault's certificate contacts (`/certificates/contacts`): one list for the vault, told of certificates' lifetime events. */
export interface StoredContacts {
  contacts: { email?: string; name?: string; phone?: string }[];
}

/**
 * What a vault keeps besides its objects: records with no versions and no soft delete, each under a
 * name — the certificate issuers by theirs, the certificate contacts (one list) under `contacts`.
 * They are stored as the objects are (store/), each a row with its checksum.
 */
export interface StoredSettings {
  "certificate-issuers": StoredIssuer;
  "certificate-contacts": StoredContacts;
}

export type SettingKind = keyof StoredSettings;

/** The name the vault's one contacts record is kept under. */
export const CONTACTS_ID = "contacts";

/**
 * Every kind of object the vault keeps, each with its live records and its soft-deleted ones (a
 * live record holds its versions). The store (store/) is written against this map and knows no
 * kind by name: a new kind is a line here, a line in DELETED_FIELD and a line in store/kinds.ts,
 * no storage code.
 */
export interface StoredKinds {
  keys: { live: StoredKey; deleted: StoredDeletedKey };
  secrets: { live: StoredSecret; deleted: StoredDeletedSecret };
  certificates: { live: StoredCertificate; deleted: StoredDeletedCertificate };
}

export type ObjectKind = keyof StoredKinds;
/** Every kind of record the store keeps: the objects' and the settings'. */
export type StoreKind = ObjectKind | SettingKind;
export type LiveOf<K extends ObjectKind> = StoredKinds[K]["live"];
export type DeletedOf<K extends ObjectKind> = StoredKinds[K]["deleted"];
export type VersionOf<K extends ObjectKind> = LiveOf<K>["versions"][number];

/** The field of a soft-deleted record that holds the object (a key's is "key", as older state folders have it). */
export const DELETED_FIELD = { keys: "key", secrets: "secret", certificates: "certificate" } as const satisfies Record<ObjectKind, string>;

/** The object a soft-deleted record holds. */
export const deletedObject = <K extends ObjectKind>(kind: K, deleted: DeletedOf<K>): LiveOf<K> =>
  (deleted as unknown as Record<string, LiveOf<K>>)[DELETED_FIELD[kind]];

/** A soft-deleted record of `object`. */
export const deletedRecord = <K extends ObjectKind>(kind: K, object: LiveOf<K>, deletion: Deletion): DeletedOf<K> =>
  ({ [DELETED_FIELD[kind]]: object, ...deletion }) as unknown as DeletedOf<K>;

/** Lookup key for a name: Key Vault object names are case-insensitive. */
export const nameKey = (name: string) => name.toLowerCase();

export const currentVersion = <V extends StoredVersion>(object: StoredObject<V>): V => object.versions[object.versions.length - 1];

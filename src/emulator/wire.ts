/**
 * The wire shapes of the vault's API (Azure/azure-rest-api-specs, keyvault data-plane, keys.json and
 * secrets.json) and the one place that turns stored records into them. Field names are the
 * service's (snake_case in JWKs, camelCase in attributes). What every kind shares — ids, recovery
 * ids, the attributes every version has, a deleted object's dates — is written once; each kind adds
 * its own fields.
 */
import { thumbprint } from "./crypto/certificate";
import { keySizeBits, publicJwk, type PrivateJwk } from "./crypto/key-material";
import type { VaultClock } from "./clock";
import type { Deletion, ObjectKind, StoredCertificate, StoredContacts, StoredIssuer, StoredCertificateOperation, StoredCertificatePolicy, StoredCertificateVersion, StoredDeletedCertificate, StoredDeletedKey, StoredDeletedSecret, StoredKey, StoredKeyVersion, StoredRotationPolicy, StoredSecret, StoredSecretVersion, StoredVersion } from "./model";
import { currentVersion } from "./model";

export interface VaultSettings {
  retentionDays: number;
  purgeProtection: boolean;
}

/** The attributes every version of every kind has, in the service's order. */
export interface AttributesWire {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  recoveryLevel: string;
  recoverableDays: number;
}

export interface KeyAttributesWire extends AttributesWire {
  key_size?: number;
  exportable?: boolean;
  hsmPlatform?: string;
}

/** A deleted object's answer: its recovery id and dates, then the object as its kind answers it. */
export type DeletedWire<T> = { recoveryId: string; deletedDate: number; scheduledPurgeDate: number } & T;

/**
 * What the service adds to a key's attributes, by the api-version a request names (recorded: 7.5 in
 * 2024 answered `exportable` and `hsmPlatform`; 7.6 and 2025-07-01 in 2026 add `key_size` for RSA
 * keys). `exportable` came with 7.3's key release; a software key is never exportable here.
 */
export interface AttributeFields {
  exportable: boolean;
  hsmPlatform: boolean;
  keySize: boolean;
}

/** "7.6", "7.6-preview.2", "2025-07-01": ordered so that a dated version is later than every 7.x. */
const apiOrder = (version: string): number => {
  const dotted = /^7\.(\d+)/.exec(version);
  if (dotted) return 7 + Number(dotted[1]) / 100;
  return /^\d{4}-\d{2}-\d{2}/.test(version) ? 8 : 0;
};

export function attributeFields(apiVersion: string): AttributeFields {
  const order = apiOrder(apiVersion);
  return { exportable: order >= 7.03, hsmPlatform: order >= 7.05, keySize: order >= 7.06 };
}

/** The latest version's fields: for callers that do not answer a request (tests, tools). */
const LATEST_FIELDS: AttributeFields = { exportable: true, hsmPlatform: true, keySize: true };

export interface KeyBundleWire {
  key: ReturnType<typeof publicJwk> & { kid: string; key_ops: string[] };
  attributes: KeyAttributesWire;
  tags?: Record<string, string>;
  managed?: boolean;
}

export type DeletedKeyBundleWire = DeletedWire<KeyBundleWire>;

export interface KeyItemWire {
  kid: string;
  attributes: KeyAttributesWire;
  tags?: Record<string, string>;
  managed?: boolean;
}

/** A secret as the service answers it: the value only where the operation returns it (get, set). */
export interface SecretBundleWire {
  value?: string;
  contentType?: string;
  id: string;
  managed?: boolean;
  attributes: AttributesWire;
  tags?: Record<string, string>;
  kid?: string;
}

export interface SecretItemWire {
  id: string;
  attributes: AttributesWire;
  tags?: Record<string, string>;
  contentType?: string;
  managed?: boolean;
}

/**
 * Key Vault's recovery level for a vault's settings: purge protection removes "+Purgeable", a
 * retention shorter than 90 days makes it "Customized".
 */
export function recoveryLevel(settings: VaultSettings): string {
  const base = settings.retentionDays < 90 ? "CustomizedRecoverable" : "Recoverable";
  return settings.purgeProtection ? base : `${base}+Purgeable`;
}

export class WireMapper {
  constructor(
    private readonly vaultUrl: string,
    private readonly settings: VaultSettings,
    private readonly fields: AttributeFields = LATEST_FIELDS,
    /** The vault's clock, for what a moment decides (a certificate still being issued). */
    private readonly clock?: Pick<VaultClock, "nowMs">,
  ) {}

  /** The same mapper answering as the service does for `apiVersion`. */
  forApiVersion(apiVersion: string): WireMapper {
    return new WireMapper(this.vaultUrl, this.settings, attributeFields(apiVersion), this.clock);
  }

  /** `{vault}/keys/{name}/{version}`, `{vault}/secrets/{name}`: an object's id, with its version or without. */
  id = (kind: ObjectKind, name: string, version?: string) => `${this.vaultUrl}/${kind}/${name}${version ? `/${version}` : ""}`;
  recoveryId = (kind: ObjectKind, name: string) => `${this.vaultUrl}/deleted${kind}/${name}`;
  keyId = (name: string, version?: string) => this.id("keys", name, version);

  /**
   * The attributes every version has, in the service's order: enabled, (the kind's first fields),
   * nbf, exp, created, updated, recoveryLevel, recoverableDays.
   */
  private baseAttributes<A extends AttributesWire>(v: StoredVersion, first: Partial<A> = {}): A {
    const attributes = { enabled: v.enabled, ...first } as A;
    if (v.nbf !== undefined) attributes.nbf = v.nbf;
    if (v.exp !== undefined) attributes.exp = v.exp;
    return Object.assign(attributes, { created: v.created, updated: v.updated, recoveryLevel: recoveryLevel(this.settings), recoverableDays: this.settings.retentionDays });
  }

  /** A deleted object's answer around the object's own (a bundle or a list item). */
  deleted<T extends object>(kind: ObjectKind, name: string, deletion: Deletion, body: T): DeletedWire<T> {
    return { recoveryId: this.recoveryId(kind, name), deletedDate: deletion.deletedDate, scheduledPurgeDate: deletion.scheduledPurgeDate, ...body };
  }

  /** In the service's order: enabled, key_size, nbf, exp, created, updated, recovery, exportable, hsmPlatform. */
  attributes(v: StoredKeyVersion): KeyAttributesWire {
    const first: Partial<KeyAttributesWire> = this.fields.keySize && v.jwk.kty === "RSA" ? { key_size: keySizeBits(v.jwk as PrivateJwk) } : {};
    const attributes = this.baseAttributes<KeyAttributesWire>(v, first);
    if (this.fields.exportable) attributes.exportable = v.exportable ?? false;
    // "0": a software key (the service's value for keys of a standard vault).
    if (this.fields.hsmPlatform) attributes.hsmPlatform = "0";
    return attributes;
  }

  keyBundle(key: StoredKey, v: StoredKeyVersion = currentVersion(key)): KeyBundleWire {
    const bundle: KeyBundleWire = {
      key: { kid: this.keyId(key.name, v.version), ...publicJwk(v.jwk as PrivateJwk), key_ops: [...v.keyOps] },
      attributes: this.attributes(v),
    };
    if (v.tags && Object.keys(v.tags).length > 0) bundle.tags = { ...v.tags };
    if (v.managed) bundle.managed = true;
    return bundle;
  }

  deletedKeyBundle(d: StoredDeletedKey): DeletedKeyBundleWire {
    return this.deleted("keys", d.key.name, d, this.keyBundle(d.key));
  }

  /** List items: `kid` without a version for keys, with one for versions (FACTS.md §3). */
  keyItem(key: StoredKey, v: StoredKeyVersion = currentVersion(key), withVersion = false): KeyItemWire {
    const item: KeyItemWire = { kid: this.keyId(key.name, withVersion ? v.version : undefined), attributes: this.attributes(v) };
    if (v.tags && Object.keys(v.tags).length > 0) item.tags = { ...v.tags };
    if (v.managed) item.managed = true;
    return item;
  }

  deletedKeyItem(d: StoredDeletedKey) {
    return this.deleted("keys", d.key.name, d, this.keyItem(d.key));
  }

  /**
   * A secret version as the service answers it (recorded: keyvault-secrets): value (where the
   * operation returns it: get and set, not update, delete or recover), contentType, id, attributes, tags.
   */
  secretBundle(secret: StoredSecret, v: StoredSecretVersion = currentVersion(secret), { withValue = true } = {}): SecretBundleWire {
    const bundle = {} as SecretBundleWire;
    if (withValue) bundle.value = v.value;
    if (v.contentType !== undefined) bundle.contentType = v.contentType;
    bundle.id = this.id("secrets", secret.name, v.version);
    if (v.managed) bundle.managed = true;
    bundle.attributes = this.baseAttributes(v);
    if (v.tags && Object.keys(v.tags).length > 0) bundle.tags = { ...v.tags };
    // A certificate's secret names its key too (the service's SecretBundle.kid, for managed secrets), after its tags as the service orders them.
    if (v.managed) bundle.kid = this.keyId(secret.name, v.version);
    return bundle;
  }

  deletedSecretBundle(d: StoredDeletedSecret): DeletedWire<SecretBundleWire> {
    return this.deleted("secrets", d.secret.name, d, this.secretBundle(d.secret, undefined, { withValue: false }));
  }

  /** List items: `id` without a version for secrets, with one for versions; never a value. */
  secretItem(secret: StoredSecret, v: StoredSecretVersion = currentVersion(secret), withVersion = false): SecretItemWire {
    const item: SecretItemWire = { id: this.id("secrets", secret.name, withVersion ? v.version : undefined), attributes: this.baseAttributes(v) };
    if (v.tags && Object.keys(v.tags).length > 0) item.tags = { ...v.tags };
    if (v.contentType !== undefined) item.contentType = v.contentType;
    if (v.managed) item.managed = true;
    return item;
  }

  deletedSecretItem(d: StoredDeletedSecret): DeletedWire<SecretItemWire> {
    return this.deleted("secrets", d.secret.name, d, this.secretItem(d.secret));
  }

  /**
   * Whether a certificate's version is still being issued: no certificate yet (an `Unknown` issuer's,
   * until a merge), or a `Self` issuer's moment not yet over. The service answers such a version
   * disabled and without `cer`, `x5t`, `kid` or `sid` (recorded: can_get_a_certificate, during its create).
   */
  isIssuing(v: StoredCertificateVersion): boolean {
    return v.cer === undefined || (v.readyAtMs !== undefined && (this.clock?.nowMs() ?? Date.now()) < v.readyAtMs);
  }

  /** A certificate's attributes: a version being issued is not enabled yet. */
  private certificateAttributes(v: StoredCertificateVersion): AttributesWire {
    return this.baseAttributes(this.isIssuing(v) ? { ...v, enabled: false } : v);
  }

  /** `{vault}/certificates/{name}/policy` with the policy's fields, as the service answers it (recorded). */
  certificatePolicy(name: string, p: StoredCertificatePolicy) {
    const { enabled, created, updated, ...fields } = p;
    return { id: `${this.vaultUrl}/certificates/${name}/policy`, ...structuredClone(fields), attributes: { enabled, created, updated } };
  }

  /**
   * A certificate version (recorded: certificates_client__lro__create): id, kid, sid, x5t, cer (once
   * issued), attributes, tags, policy, and the id of its operation.
   */
  certificateBundle(c: StoredCertificate, v: StoredCertificateVersion = currentVersion(c)) {
    const bundle: Record<string, unknown> = { id: this.id("certificates", c.name, v.version) };
    if (!this.isIssuing(v)) {
      Object.assign(bundle, { kid: this.keyId(c.name, v.version), sid: this.id("secrets", c.name, v.version), x5t: certificateThumbprint(v.cer!), cer: v.cer });
    }
    bundle.attributes = this.certificateAttributes(v);
    if (v.tags && Object.keys(v.tags).length > 0) bundle.tags = { ...v.tags };
    bundle.policy = this.certificatePolicy(c.name, c.policy);
    if (c.operation) bundle.pending = { id: `${this.vaultUrl}/certificates/${c.name}/pending` };
    return bundle;
  }

  /** List items: `id` without a version for certificates, with one for versions; the thumbprint once issued. */
  certificateItem(c: StoredCertificate, v: StoredCertificateVersion = currentVersion(c), withVersion = false) {
    const item: Record<string, unknown> = { id: this.id("certificates", c.name, withVersion ? v.version : undefined) };
    if (!this.isIssuing(v)) item.x5t = certificateThumbprint(v.cer!);
    item.attributes = this.certificateAttributes(v);
    if (v.tags && Object.keys(v.tags).length > 0) item.tags = { ...v.tags };
    return item;
  }

  deletedCertificateBundle(d: StoredDeletedCertificate) {
    return this.deleted("certificates", d.certificate.name, d, this.certificateBundle(d.certificate));
  }

  deletedCertificateItem(d: StoredDeletedCertificate) {
    return this.deleted("certificates", d.certificate.name, d, this.certificateItem(d.certificate));
  }

  /**
   * A certificate's operation (recorded: can_create_a_certificate): in progress with the service's
   * status details, or completed with its target. `status` is the operation's as of now.
   */
  certificateOperation(name: string, op: StoredCertificateOperation, status: StoredCertificateOperation["status"]) {
    const wire: Record<string, unknown> = {
      id: `${this.vaultUrl}/certificates/${name}/pending`,
      issuer: { name: op.issuer },
      csr: op.csr,
      cancellation_requested: op.cancellationRequested,
      status,
    };
    if (status === "inProgress") {
      // An `Unknown` issuer's waits for a merge (recorded: can_merge_a_self_signed_certificate).
      wire.status_details =
        op.issuer === "Unknown"
          ? "Pending certificate created. Please Perform Merge to complete the request."
          : "Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.";
    }
    if (status === "completed") wire.target = this.id("certificates", name);
    wire.request_id = op.requestId;
    return wire;
  }

  /** `{vault}/certificates/issuers/{name}`. */
  issuerId = (name: string) => `${this.vaultUrl}/certificates/issuers/${name}`;

  /**
   * A certificate issuer as the service answers it (recorded: can_create_read_and_delete_a_certificate_issuer):
   * id, provider, credentials without the password, org_details with the service's `zip: 0`, attributes.
   */
  issuerBundle(issuer: StoredIssuer) {
    const bundle: Record<string, unknown> = { id: this.issuerId(issuer.name), provider: issuer.provider };
    if (issuer.credentials) bundle.credentials = { ...issuer.credentials };
    if (issuer.org_details) {
      const { id, admin_details } = issuer.org_details;
      bundle.org_details = { ...(id !== undefined && { id }), zip: 0, ...(admin_details && { admin_details: structuredClone(admin_details) }) };
    }
    bundle.attributes = { enabled: issuer.enabled, created: issuer.created, updated: issuer.updated };
    return bundle;
  }

  /** An issuer in a list: its id and provider only (recorded: issuers/list_certificate_issuers). */
  issuerItem = (issuer: StoredIssuer) => ({ id: this.issuerId(issuer.name), provider: issuer.provider });

  /** The vault's certificate contacts (recorded: can_set_read_and_delete_a_certificates_contacts). */
  contacts = (stored: StoredContacts) => ({ id: `${this.vaultUrl}/certificates/contacts`, contacts: structuredClone(stored.contacts) });

  /**
   * A key's rotation policy as the service answers it (recorded: keyrotation): a key that never had
   * one has the default, with no id and `attributes: null`; a policy always ends with a Notify action
   * 30 days before expiry unless it has a Notify of its own.
   */
  rotationPolicy(name: string, policy: StoredRotationPolicy | undefined) {
    if (!policy) return { lifetimeActions: [DEFAULT_NOTIFY], attributes: null };
    const lifetimeActions = policy.lifetimeActions.some((a) => a.action.type === "Notify") ? policy.lifetimeActions : [...policy.lifetimeActions, DEFAULT_NOTIFY];
    const attributes: Record<string, unknown> = {};
    if (policy.expiryTime) attributes.expiryTime = policy.expiryTime;
    Object.assign(attributes, { created: policy.created, updated: policy.updated });
    return { id: `${this.vaultUrl}/keys/${name}/rotationpolicy`, lifetimeActions, attributes };
  }
}

/** `x5t`, made from the stored DER (crypto/certificate.ts). */
const certificateThumbprint = (cer: string) => thumbprint(Buffer.from(cer, "base64"));

const DEFAULT_NOTIFY = { trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } };

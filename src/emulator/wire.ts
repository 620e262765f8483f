/**
 * The wire shapes of the keys API (Azure/azure-rest-api-specs, keyvault data-plane, keys.json) and
 * the one place that turns stored records into them. Field names are the service's (snake_case in
 * JWKs, camelCase in attributes).
 */
import { keySizeBits, publicJwk, type PrivateJwk } from "./crypto/key-material";
import type { StoredDeletedKey, StoredKey, StoredKeyVersion, StoredRotationPolicy } from "./model";
import { currentVersion } from "./model";

export interface VaultSettings {
  retentionDays: number;
  purgeProtection: boolean;
}

export interface KeyAttributesWire {
  enabled: boolean;
  key_size?: number;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  recoveryLevel: string;
  recoverableDays: number;
  exportable?: boolean;
  hsmPlatform?: string;
}

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
}

export interface DeletedKeyBundleWire extends KeyBundleWire {
  recoveryId: string;
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface KeyItemWire {
  kid: string;
  attributes: KeyAttributesWire;
  tags?: Record<string, string>;
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
  ) {}

  /** The same mapper answering as the service does for `apiVersion`. */
  forApiVersion(apiVersion: string): WireMapper {
    return new WireMapper(this.vaultUrl, this.settings, attributeFields(apiVersion));
  }

  keyId = (name: string, version?: string) => `${this.vaultUrl}/keys/${name}${version ? `/${version}` : ""}`;
  recoveryId = (name: string) => `${this.vaultUrl}/deletedkeys/${name}`;

  /** In the service's order: enabled, key_size, nbf, exp, created, updated, recovery, exportable, hsmPlatform. */
  attributes(v: StoredKeyVersion): KeyAttributesWire {
    const attributes = { enabled: v.enabled } as KeyAttributesWire;
    if (this.fields.keySize && v.jwk.kty === "RSA") attributes.key_size = keySizeBits(v.jwk as PrivateJwk);
    if (v.nbf !== undefined) attributes.nbf = v.nbf;
    if (v.exp !== undefined) attributes.exp = v.exp;
    Object.assign(attributes, { created: v.created, updated: v.updated, recoveryLevel: recoveryLevel(this.settings), recoverableDays: this.settings.retentionDays });
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
    return bundle;
  }

  deletedKeyBundle(d: StoredDeletedKey): DeletedKeyBundleWire {
    return {
      recoveryId: this.recoveryId(d.key.name),
      deletedDate: d.deletedDate,
      scheduledPurgeDate: d.scheduledPurgeDate,
      ...this.keyBundle(d.key),
    };
  }

  /** List items: `kid` without a version for keys, with one for versions (FACTS.md §3). */
  keyItem(key: StoredKey, v: StoredKeyVersion = currentVersion(key), withVersion = false): KeyItemWire {
    const item: KeyItemWire = { kid: this.keyId(key.name, withVersion ? v.version : undefined), attributes: this.attributes(v) };
    if (v.tags && Object.keys(v.tags).length > 0) item.tags = { ...v.tags };
    return item;
  }

  deletedKeyItem(d: StoredDeletedKey) {
    return {
      recoveryId: this.recoveryId(d.key.name),
      deletedDate: d.deletedDate,
      scheduledPurgeDate: d.scheduledPurgeDate,
      ...this.keyItem(d.key),
    };
  }

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

const DEFAULT_NOTIFY = { trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } };

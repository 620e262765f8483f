/**
 * The wire shapes of the keys API (Azure/azure-rest-api-specs, keyvault data-plane, keys.json) and
 * the one place that turns stored records into them. Field names are the service's (snake_case in
 * JWKs, camelCase in attributes).
 */
import { publicJwk, type PrivateJwk } from "./crypto/key-material";
import type { StoredDeletedKey, StoredKey, StoredKeyVersion, StoredRotationPolicy } from "./model";
import { currentVersion } from "./model";

export interface VaultSettings {
  retentionDays: number;
  purgeProtection: boolean;
}

export interface KeyAttributesWire {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  recoveryLevel: string;
  recoverableDays: number;
  exportable?: boolean;
}

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
  ) {}

  keyId = (name: string, version?: string) => `${this.vaultUrl}/keys/${name}${version ? `/${version}` : ""}`;
  recoveryId = (name: string) => `${this.vaultUrl}/deletedkeys/${name}`;

  attributes(v: StoredKeyVersion): KeyAttributesWire {
    const attributes: KeyAttributesWire = {
      enabled: v.enabled,
      created: v.created,
      updated: v.updated,
      recoveryLevel: recoveryLevel(this.settings),
      recoverableDays: this.settings.retentionDays,
    };
    if (v.nbf !== undefined) attributes.nbf = v.nbf;
    if (v.exp !== undefined) attributes.exp = v.exp;
    if (v.exportable !== undefined) attributes.exportable = v.exportable;
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

  rotationPolicy(name: string, policy: StoredRotationPolicy | undefined) {
    const id = `${this.vaultUrl}/keys/${name}/rotationpolicy`;
    if (!policy) {
      // The service's default policy: notify 30 days before expiry, no automatic rotation.
      return { id, lifetimeActions: [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }], attributes: {} };
    }
    const attributes: Record<string, unknown> = { created: policy.created, updated: policy.updated };
    if (policy.expiryTime) attributes.expiryTime = policy.expiryTime;
    return { id, lifetimeActions: policy.lifetimeActions, attributes };
  }
}

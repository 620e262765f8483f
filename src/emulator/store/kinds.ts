/**
 * What the store checks in each kind's records when it reads them back: their shape (so a
 * damaged or foreign record never reaches code that trusts it) and, where no checksum vouches
 * for them (an old state folder being migrated, a salvage), their key material.
 */
import { keyHalvesMatch } from "../crypto/key-material";
import { CONTACTS_ID, nameKey, type ObjectKind, type SettingKind, type StoreKind, type StoredContacts, type StoredDeletedKey, type StoredCertificate, type StoredDeletedCertificate, type StoredDeletedSecret, type StoredIssuer, type StoredKey, type StoredKinds, type StoredSecret, type StoredSettings } from "../model";

export interface KindRules<Live, Deleted> {
  isLive(value: unknown): value is Live;
  isDeleted(value: unknown): value is Deleted;
  /** The name a record is stored under (its name key must be the row's). */
  liveName(value: Live): string;
  deletedName(value: Deleted): string;
  /** Whether the record's key material is whole (its halves belong together). */
  materialWhole(value: Live | Deleted): boolean;
}

type Rules = { [K in ObjectKind]: KindRules<StoredKinds[K]["live"], StoredKinds[K]["deleted"]> };

const isRecord = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

function isStoredKey(key: unknown): key is StoredKey {
  if (!isRecord(key) || typeof key.name !== "string" || !Array.isArray(key.versions) || key.versions.length === 0) return false;
  return key.versions.every(
    (v: unknown) => isRecord(v) && typeof v.version === "string" && isRecord(v.jwk) && Array.isArray(v.keyOps) && typeof v.created === "number",
  );
}

const isDeletion = (deleted: Record<string, any>) => typeof deleted.deletedDate === "number" && typeof deleted.scheduledPurgeDate === "number";

const isStoredDeletedKey = (deleted: unknown): deleted is StoredDeletedKey => isRecord(deleted) && isStoredKey(deleted.key) && isDeletion(deleted);

function isStoredSecret(secret: unknown): secret is StoredSecret {
  if (!isRecord(secret) || typeof secret.name !== "string" || !Array.isArray(secret.versions) || secret.versions.length === 0) return false;
  return secret.versions.every(
    (v: unknown) =>
      isRecord(v) && typeof v.version === "string" && typeof v.value === "string" && typeof v.created === "number" && (v.contentType === undefined || typeof v.contentType === "string"),
  );
}

const isStoredDeletedSecret = (deleted: unknown): deleted is StoredDeletedSecret => isRecord(deleted) && isStoredSecret(deleted.secret) && isDeletion(deleted);

function isStoredCertificate(certificate: unknown): certificate is StoredCertificate {
  if (!isRecord(certificate) || typeof certificate.name !== "string" || !isRecord(certificate.policy) || !Array.isArray(certificate.versions) || certificate.versions.length === 0) return false;
  return certificate.versions.every(
    (v: unknown) => isRecord(v) && typeof v.version === "string" && typeof v.created === "number" && (v.cer === undefined || typeof v.cer === "string"),
  );
}

const isStoredDeletedCertificate = (deleted: unknown): deleted is StoredDeletedCertificate =>
  isRecord(deleted) && isStoredCertificate(deleted.certificate) && isDeletion(deleted);

export const KINDS: Rules = {
  keys: {
    isLive: isStoredKey,
    isDeleted: isStoredDeletedKey,
    liveName: (key) => key.name,
    deletedName: (deleted) => deleted.key.name,
    materialWhole: (value) => ("versions" in value ? value : value.key).versions.every((v) => keyHalvesMatch(v.jwk)),
  },
  secrets: {
    isLive: isStoredSecret,
    isDeleted: isStoredDeletedSecret,
    liveName: (secret) => secret.name,
    deletedName: (deleted) => deleted.secret.name,
    // A value has no halves to check: its checksum and its shape are all there is.
    materialWhole: () => true,
  },
  certificates: {
    isLive: isStoredCertificate,
    isDeleted: isStoredDeletedCertificate,
    liveName: (certificate) => certificate.name,
    deletedName: (deleted) => deleted.certificate.name,
    // The certificate's private key is its key's record, checked there.
    materialWhole: () => true,
  },
};

export const OBJECT_KINDS = Object.keys(KINDS) as ObjectKind[];

/** A setting's record: its shape, and the name it is stored under. */
interface SettingRules<T> {
  isValid(value: unknown): value is T;
  name(value: T): string;
}

const isOptionalString = (v: unknown) => v === undefined || typeof v === "string";

function isStoredIssuer(issuer: unknown): issuer is StoredIssuer {
  if (!isRecord(issuer) || typeof issuer.name !== "string" || typeof issuer.provider !== "string") return false;
  if (typeof issuer.enabled !== "boolean" || typeof issuer.created !== "number" || typeof issuer.updated !== "number") return false;
  const { credentials, org_details: org } = issuer;
  if (credentials !== undefined && !(isRecord(credentials) && isOptionalString(credentials.account_id))) return false;
  if (org === undefined) return true;
  return isRecord(org) && isOptionalString(org.id) && (org.admin_details === undefined || (Array.isArray(org.admin_details) && org.admin_details.every(isRecord)));
}

const isStoredContacts = (value: unknown): value is StoredContacts => isRecord(value) && Array.isArray(value.contacts) && value.contacts.every(isRecord);

export const SETTINGS: { [K in SettingKind]: SettingRules<StoredSettings[K]> } = {
  "certificate-issuers": { isValid: isStoredIssuer, name: (issuer) => issuer.name },
  "certificate-contacts": { isValid: isStoredContacts, name: () => CONTACTS_ID },
};

export const SETTING_KINDS = Object.keys(SETTINGS) as SettingKind[];

/** Every kind of row `vault.db` holds (a row of another kind is a newer emulator's: kept, not served). */
export const STORE_KINDS: StoreKind[] = [...OBJECT_KINDS, ...SETTING_KINDS];

export const isSettingKind = (kind: StoreKind): kind is SettingKind => Object.hasOwn(SETTINGS, kind);

export type RecordState = "live" | "deleted";

/**
 * Why a record read back cannot be used: its bytes fail their checksum, it cannot be read at all,
 * it is not a well-formed record of its kind, it is filed under another name, or its key material's
 * halves do not belong together.
 */
export type RecordDamage = "checksum" | "unreadable" | "malformed" | "misfiled" | "material";

export function recordDamage(kind: StoreKind, state: RecordState, id: string, value: unknown, checkMaterial: boolean): RecordDamage | undefined {
  if (isSettingKind(kind)) {
    const rules = SETTINGS[kind] as SettingRules<any>;
    // A setting is never soft-deleted: its rows are all "live".
    if (state !== "live" || !rules.isValid(value)) return "malformed";
    return nameKey(rules.name(value)) === id ? undefined : "misfiled";
  }
  const rules = KINDS[kind] as KindRules<any, any>;
  const valid = state === "live" ? rules.isLive(value) : rules.isDeleted(value);
  if (!valid) return "malformed";
  if (nameKey(state === "live" ? rules.liveName(value) : rules.deletedName(value)) !== id) return "misfiled";
  return checkMaterial && !rules.materialWhole(value) ? "material" : undefined;
}

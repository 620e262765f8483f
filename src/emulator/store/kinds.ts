/**
 * What the store checks in each kind's records when it reads them back: their shape (so a
 * damaged or foreign record never reaches code that trusts it) and, where no checksum vouches
 * for them (an old state folder being migrated, a salvage), their key material.
 */
import { keyHalvesMatch } from "../crypto/key-material";
import { nameKey, type ObjectKind, type StoredDeletedKey, type StoredCertificate, type StoredDeletedCertificate, type StoredDeletedSecret, type StoredKey, type StoredKinds, type StoredSecret } from "../model";

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

export type RecordState = "live" | "deleted";

/**
 * Why a record read back cannot be used: its bytes fail their checksum, it cannot be read at all,
 * it is not a well-formed record of its kind, it is filed under another name, or its key material's
 * halves do not belong together.
 */
export type RecordDamage = "checksum" | "unreadable" | "malformed" | "misfiled" | "material";

export function recordDamage(kind: ObjectKind, state: RecordState, id: string, value: unknown, checkMaterial: boolean): RecordDamage | undefined {
  const rules = KINDS[kind] as KindRules<any, any>;
  const valid = state === "live" ? rules.isLive(value) : rules.isDeleted(value);
  if (!valid) return "malformed";
  if (nameKey(state === "live" ? rules.liveName(value) : rules.deletedName(value)) !== id) return "misfiled";
  return checkMaterial && !rules.materialWhole(value) ? "material" : undefined;
}
